import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A stand-in for terraform, tofu and terragrunt on PATH, for the guard's tests and the demo: it
// records every call (arguments and directory) and answers `plan -out=FILE` by writing FILE and
// `show -json FILE` by printing the plan JSON FILE points to. Which plan: the spec's `destroy`
// for `plan -destroy`, `apply` otherwise. Nothing else is emulated: an unknown command fails.

export interface StandInSpec {
  /** Plan JSON printed for `plan` (apply). A path to a file, read when the plan is shown. */
  apply?: string;
  /** Plan JSON printed for `plan -destroy`. */
  destroy?: string;
  /** `plan` sleeps this long first (ms): for deadlines. */
  sleepMs?: number;
  /** `plan` fails with this exit code and message. */
  fail?: { code: number; message: string };
}

export interface StandIn {
  bin: string;
  log: string;
  /** Every call so far: tool, arguments, directory, TF_WORKSPACE. */
  calls(): { tool: string; args: string[]; cwd: string; workspace?: string }[];
  /** PATH with the stand-in first. */
  path: string;
}

const SCRIPT = (spec: string) => `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const spec = ${spec};
const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify('__LOG__')}, JSON.stringify({ tool, args, cwd: process.cwd(), workspace: process.env.TF_WORKSPACE }) + '\\n');
const rest = args.filter((a) => !a.startsWith('-chdir='));
const sub = rest[0];
if (sub === 'plan') {
  const out = rest.find((a) => a.startsWith('-out='));
  const source = rest.includes('-destroy') ? spec.destroy : spec.apply;
  const finish = () => {
    if (spec.fail) { process.stderr.write(spec.fail.message + '\\n'); process.exit(spec.fail.code); }
    if (!source) { process.stderr.write('stand-in: no plan for this mode\\n'); process.exit(1); }
    if (out) fs.writeFileSync(out.slice(5), 'stand-in plan -> ' + source);
    process.stdout.write('Plan: see ' + source + '\\n');
  };
  if (spec.sleepMs) setTimeout(finish, spec.sleepMs); else finish();
} else if (sub === 'show' && rest[1] === '-json') {
  const file = rest[2];
  const text = fs.readFileSync(file, 'utf8');
  const m = /^stand-in plan -> (.*)$/s.exec(text);
  process.stdout.write(fs.readFileSync(m ? m[1] : file, 'utf8'));
} else if (['apply', 'destroy', 'fmt', 'validate', 'version', 'init', 'output'].includes(sub)) {
  process.stdout.write('stand-in ' + tool + ' ' + sub + ': done\\n');
} else {
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
  return {
    bin,
    log,
    path: `${bin}:${process.env.PATH ?? ''}`,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map(
              (l) =>
                JSON.parse(l) as { tool: string; args: string[]; cwd: string; workspace?: string },
            )
        : [],
  };
}
