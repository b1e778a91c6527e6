import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { parsePlanObject, shortDigest } from '../../src/core/plan/index.js';
import { installStandIn, type StandInSpec } from '../../testkit/guard/stand-in.js';
import { createsOnlyPlan, incidentDestroyPlan } from '../../testkit/plans/samples.js';
import { repoRoot } from '../../testkit/support/shared.js';

// `applygate guard exec -- terraform ...` as a person or an agent runs it: refused without a
// terminal, let through on a pseudo-terminal when the person types the plan's short digest,
// and a benign command runs with its own exit code. util-linux `script` gives the pseudo-terminal.

const built = join(repoRoot, 'lib/cli/index.js');

// Each case starts Node and terraform stand-ins as processes: slow on a busy machine.
jest.setTimeout(180_000);
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
// The typed-digest cases need a pseudo-terminal, which util-linux `script` provides: without it
// they are skipped, and said so (in their names and here), never silently.
const NO_SCRIPT = ' (SKIPPED: util-linux `script` is not installed, no pseudo-terminal)';
if (!hasScript) console.warn(`test/guard/exec.test.ts: typed-digest tests${NO_SCRIPT}`);

type Extra = Omit<StandInSpec, 'apply' | 'destroy'>;

function setup(more: Extra | ((plans: { apply: string; destroy: string }) => Extra) = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'applygate-exec-'));
  const repo = join(dir, 'repo');
  mkdirSync(join(repo, '.git'), { recursive: true });
  const destroy = join(dir, 'destroy.json');
  writeFileSync(destroy, JSON.stringify(incidentDestroyPlan()));
  const apply = join(dir, 'apply.json');
  writeFileSync(apply, JSON.stringify(createsOnlyPlan()));
  const extra = typeof more === 'function' ? more({ apply, destroy }) : more;
  const standIn = installStandIn(dir, { destroy, apply, ...extra });
  // TMPDIR: the guard's private plan directories go here, so a test can see them removed.
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const env = {
    PATH: standIn.path,
    HOME: dir,
    TMPDIR: tmp,
    GITHUB_API_URL: 'http://127.0.0.1:9',
    TERM: 'dumb',
  };
  return { dir, repo, standIn, env, tmp, destroy, apply };
}

function runIt(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; input?: string },
) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.stdin.end(opts.input ?? '');
    child.on('close', (code) => resolve({ code, out }));
  });
}

const short = shortDigest(
  (parsePlanObject(incidentDestroyPlan(), 'x') as { ok: true; plan: { digest: string } }).plan
    .digest,
);

/** `guard exec -- terraform destroy -auto-approve` on a pseudo-terminal (script), `typed` typed. */
function destroyOnTerminal(s: ReturnType<typeof setup>, typed: string) {
  const line = `${process.execPath} ${built} guard exec -- terraform destroy -auto-approve`;
  return runIt('script', ['-qec', line, '/dev/null'], { cwd: s.repo, env: s.env, input: typed });
}

describe('applygate guard exec', () => {
  test('refuses without a terminal, even when the digest is piped in', async () => {
    const s = setup();
    const r = await runIt(
      process.execPath,
      [built, 'guard', 'exec', '--', 'terraform', 'destroy', '-auto-approve'],
      {
        cwd: s.repo,
        env: s.env,
        input: `${short}\n`,
      },
    );
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/standard input is not a terminal/);
    expect(r.out).toMatch(/backups-lost/);
    expect(s.standIn.calls().map((c) => c.args[0])).toEqual(['plan', 'show']);
  });

  (hasScript ? test : test.skip)(
    `proceeds on a pseudo-terminal when the short digest is typed${hasScript ? '' : NO_SCRIPT}`,
    async () => {
      const s = setup();
      const r = await destroyOnTerminal(s, `${short}\n`);
      expect(r.out).toMatch(new RegExp(`Type the plan digest ${short}`));
      expect(r.code).toBe(0);
      // What runs is the destroy plan the person saw the digest of, not the line again.
      const last = s.standIn.calls().pop();
      expect(last?.args.slice(0, 2)).toEqual(['apply', '-input=false']);
      expect(last?.args[2]).toMatch(/applygate-plans-.*\/guard-.*\.tfplan$/);
      expect(last?.applied).toBe('destroy');
    },
  );

  (hasScript ? test : test.skip)(
    `a wrong digest on the terminal stops it${hasScript ? '' : NO_SCRIPT}`,
    async () => {
      const s = setup();
      const r = await destroyOnTerminal(s, 'yes\n');
      expect(r.code).toBe(3);
      expect(r.out).toMatch(/does not match/);
      expect(s.standIn.calls().some((c) => c.args[0] === 'destroy')).toBe(false);
    },
  );

  test("a benign apply runs, with the command's own exit code", async () => {
    const s = setup();
    const ok = await runIt(process.execPath, [built, 'guard', 'exec', '--', 'terraform', 'apply'], {
      cwd: s.repo,
      env: s.env,
    });
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/stand-in terraform apply: done/);
    const bad = await runIt(
      process.execPath,
      [built, 'guard', 'exec', '--', 'terraform', 'nonsense'],
      { cwd: s.repo, env: s.env },
    );
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/does not know the `nonsense` command/);
    const other = await runIt(
      process.execPath,
      [built, 'guard', 'exec', '--', 'sh', '-c', 'exit 7'],
      { cwd: s.repo, env: s.env },
    );
    expect(other.code).toBe(7);
  });

  // What runs is what was checked: the apply of the plan file the guard made (or a private copy
  // of the saved plan), run as words. The stand-in changes an input right after the guard's
  // `show -json` (afterShow), as another process could between the check and the run.
  const exec = (s: ReturnType<typeof setup>, ...command: string[]) =>
    runIt(process.execPath, [built, 'guard', 'exec', '--', ...command], {
      cwd: s.repo,
      env: s.env,
    });

  test('main.tf emptied after the check: the plan checked is applied, not the destroy', async () => {
    const s = setup({ afterShow: { file: 'main.tf', text: '' } });
    const r = await exec(s, 'terraform', 'apply', '-auto-approve');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /applying the plan it checked: cd \S+ && TF_CLI_ARGS= TF_CLI_ARGS_apply= terraform apply -input=false \S+guard-\S+\.tfplan/,
    );
    expect(readFileSync(join(s.repo, 'main.tf'), 'utf8')).toBe('');
    const last = s.standIn.calls().pop();
    expect(last?.args.slice(0, 2)).toEqual(['apply', '-input=false']);
    expect(last?.cwd).toBe(s.repo);
    expect(s.standIn.destroyed()).toBe(false);
    // The private plan directory is removed once the command has run.
    expect(existsSync(last?.args[2] as string)).toBe(false);
    expect(readdirSync(s.tmp)).toEqual([]);
  });

  test('a saved plan swapped after the check is not what gets applied', async () => {
    // Right after the guard showed tfplan (the harmless plan), it becomes the destroy plan.
    const s = setup(({ destroy }) => ({
      afterShow: { file: 'tfplan', text: `stand-in plan -> ${destroy}` },
    }));
    writeFileSync(join(s.repo, 'tfplan'), `stand-in plan -> ${s.apply}`);
    const r = await exec(s, 'terraform', 'apply', 'tfplan');
    expect(r.code).toBe(0);
    expect(readFileSync(join(s.repo, 'tfplan'), 'utf8')).toMatch(/destroy\.json$/);
    const last = s.standIn.calls().pop();
    expect(last?.args[2]).toMatch(/applygate-plans-.*\/saved-.*\.tfplan$/);
    expect(s.standIn.destroyed()).toBe(false);
  });

  test('a plan whose state moved on after the check fails in terraform, with its exit code', async () => {
    const state = JSON.stringify({ version: 4, serial: 2, lineage: 'x', resources: [] });
    const s = setup({ afterShow: { file: 'terraform.tfstate', text: state } });
    const r = await exec(s, 'terraform', 'apply', '-auto-approve');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Saved plan is stale/);
    expect(s.standIn.calls().some((c) => c.applied !== undefined)).toBe(false);
    expect(s.standIn.calls().pop()?.stale).toBe(true);
  });

  test('the checked apply killed by a signal exits 128 + its number, as before', async () => {
    const s = setup({ applyKilledBy: 'SIGTERM' });
    const r = await exec(s, 'terraform', 'apply', '-auto-approve');
    expect(r.code).toBe(128 + 15);
    expect(s.standIn.calls().pop()?.args.slice(0, 2)).toEqual(['apply', '-input=false']);
  });

  test('the program the line names makes the plan and applies it, not one found on PATH', async () => {
    // A PATH shim calls `guard exec -- /full/path/terraform`: what runs must not be the shim.
    const s = setup();
    const r = await runIt(
      process.execPath,
      [built, 'guard', 'exec', '--', join(s.standIn.bin, 'terraform'), 'apply', '-auto-approve'],
      { cwd: s.repo, env: { ...s.env, PATH: '/usr/bin:/bin' } },
    );
    expect(r.code).toBe(0);
    expect(s.standIn.calls().map((c) => c.args[0])).toEqual(['plan', 'show', 'apply']);
    expect(s.standIn.calls().pop()?.applied).toBe('apply');
  });
});
