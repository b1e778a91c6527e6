import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A stand-in for terraform, tofu and terragrunt on PATH, for the guard's tests and the demo: it
// records every call (arguments and directory) and answers `plan -out=FILE` by writing FILE and
// `show -json FILE` by printing the plan JSON FILE points to. Which plan: the spec's `destroy`
// for `plan -destroy`, `destroy`, or when the inputs the incident's forms change say so (an
// empty main.tf, a tfvars or var file with `= 0`, the `prod` workspace); `apply` otherwise.
// `apply`/`destroy` record which plan they applied (a saved plan file, or the configuration's
// plan as it is when they run), so a test can prove that no destroy was applied. Like terraform,
// a plan file it wrote records the state it was made against (the directory's terraform.tfstate),
// and applying it after that state changed fails: "Saved plan is stale".

export interface StandInSpec {
  /** Plan JSON printed for `plan` (apply). A path to a file, read when the plan is shown. */
  apply?: string;
  /** Plan JSON printed for `plan -destroy`. */
  destroy?: string;
  /** `plan` sleeps this long first (ms): for deadlines. */
  sleepMs?: number;
  /** `plan` fails with this exit code and message. */
  fail?: { code: number; message: string };
  /**
   * Right after `show -json` printed a plan, write `text` to `file` (relative to the directory):
   * something that changes the inputs between the guard's check and the run.
   */
  afterShow?: { file: string; text: string };
  /** `apply`/`destroy` log what they applied, then die by this signal. */
  applyKilledBy?: NodeJS.Signals;
}

export interface StandInCall {
  tool: string;
  args: string[];
  cwd: string;
  workspace?: string;
  /** apply/destroy: which plan it applied. */
  applied?: 'apply' | 'destroy';
  /** apply of a saved plan made against another state: refused, nothing applied. */
  stale?: boolean;
}

export interface StandIn {
  bin: string;
  log: string;
  /** Every call so far: tool, arguments, directory, TF_WORKSPACE, what an apply applied. */
  calls(): StandInCall[];
  /** Whether any call so far applied the destroy plan. */
  destroyed(): boolean;
  /** PATH with the stand-in first. */
  path: string;
}

const SCRIPT = (spec: string) => `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const spec = ${spec};
const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2);
const log = (extra) => fs.appendFileSync(${JSON.stringify('__LOG__')}, JSON.stringify({ tool, args, cwd: process.cwd(), workspace: process.env.TF_WORKSPACE, ...extra }) + '\\n');
const chdir = args.find((a) => a.startsWith('-chdir='));
const dir = chdir ? path.resolve(chdir.slice(7)) : process.cwd();
const rest = args.filter((a) => !a.startsWith('-chdir='));
const sub = rest[0];
const read = (f) => { try { return fs.readFileSync(path.join(dir, f), 'utf8'); } catch { return undefined; } };
// The inputs the incident's forms change: an emptied main.tf, a tfvars that zeroes a count, the
// prod workspace. Any of them makes the configuration's plan the destroy plan.
const varFile = rest.map((a, i) => a.startsWith('-var-file=') ? a.slice(10) : a === '-var-file' ? rest[i + 1] : undefined).find(Boolean);
const varText = varFile ? (() => { try { return fs.readFileSync(varFile, 'utf8'); } catch { return ''; } })() : '';
const destroys = (explicit) => explicit || read('main.tf') === '' || /= *0\\b/.test((read('terraform.tfvars') ?? '') + varText) ||
  (process.env.TF_WORKSPACE ?? (read('.terraform/environment') ?? '').trim()) === 'prod';
const planOf = (explicit) => destroys(explicit) ? spec.destroy : spec.apply;
const state = () => read('terraform.tfstate') ?? '';
// A plan file: the plan JSON it stands for, and the state it was made against (when it says).
const planFile = (text) => /^stand-in plan -> ([^\\n]*)(?:\\nstate: (.*))?$/s.exec(text);
if (sub === 'plan') {
  log();
  const out = rest.find((a) => a.startsWith('-out='));
  const source = planOf(rest.includes('-destroy'));
  const finish = () => {
    if (spec.fail) { process.stderr.write(spec.fail.message + '\\n'); process.exit(spec.fail.code); }
    if (!source) { process.stderr.write('stand-in: no plan for this mode\\n'); process.exit(1); }
    if (out) fs.writeFileSync(out.slice(5), 'stand-in plan -> ' + source + '\\nstate: ' + JSON.stringify(state()));
    process.stdout.write('Plan: see ' + source + '\\n');
  };
  if (spec.sleepMs) setTimeout(finish, spec.sleepMs); else finish();
} else if (sub === 'show' && rest[1] === '-json') {
  log();
  const file = rest[2];
  const text = fs.readFileSync(file, 'utf8');
  const m = planFile(text);
  process.stdout.write(fs.readFileSync(m ? m[1] : file, 'utf8'));
  if (spec.afterShow) fs.writeFileSync(path.join(dir, spec.afterShow.file), spec.afterShow.text);
} else if (sub === 'apply' || sub === 'destroy') {
  // What it applies: the saved plan named, else the plan of the configuration as it is now.
  const file = rest.slice(1).filter((a, i, all) => !a.startsWith('-') && !/^-(backup|state|state-out|var|var-file|target|replace|exclude|lock-timeout|parallelism)$/.test(all[i - 1] ?? ''))[0];
  let source;
  if (file) {
    const text = fs.readFileSync(path.resolve(dir, file), 'utf8');
    const m = planFile(text);
    if (m && m[2] !== undefined && JSON.parse(m[2]) !== state()) {
      log({ stale: true });
      process.stderr.write('Error: Saved plan is stale\\n');
      process.exit(1);
    }
    source = m ? m[1] : path.resolve(dir, file);
  } else source = planOf(sub === 'destroy' || rest.includes('-destroy'));
  log({ applied: source === spec.destroy ? 'destroy' : 'apply' });
  if (spec.applyKilledBy) process.kill(process.pid, spec.applyKilledBy);
  process.stdout.write('stand-in ' + tool + ' ' + sub + ': done\\n');
} else if (['fmt', 'validate', 'version', 'init', 'output', 'workspace', 'state', 'providers', 'console'].includes(sub)) {
  log();
  process.stdout.write('stand-in ' + tool + ' ' + sub + ': done\\n');
} else {
  log();
  process.stderr.write('stand-in: unknown command ' + sub + '\\n');
  process.exit(1);
}
`;

export function installStandIn(dir: string, spec: StandInSpec): StandIn {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const log = join(dir, 'calls.jsonl');
  writeFileSync(log, '');
  const script = SCRIPT(JSON.stringify(spec)).replace(
    JSON.stringify('__LOG__'),
    JSON.stringify(log),
  );
  for (const tool of ['terraform', 'tofu', 'terragrunt']) {
    const file = join(bin, tool);
    writeFileSync(file, script);
    chmodSync(file, 0o755);
  }
  const calls = (): StandInCall[] =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as StandInCall)
      : [];
  return {
    bin,
    log,
    path: `${bin}:${process.env.PATH ?? ''}`,
    calls,
    destroyed: () => calls().some((c) => c.applied === 'destroy'),
  };
}
