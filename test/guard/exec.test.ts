import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { parsePlanObject, shortDigest } from '../../src/core/plan/index.js';
import { installStandIn } from '../../testkit/guard/stand-in.js';
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

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'applygate-exec-'));
  const repo = join(dir, 'repo');
  mkdirSync(join(repo, '.git'), { recursive: true });
  const destroy = join(dir, 'destroy.json');
  writeFileSync(destroy, JSON.stringify(incidentDestroyPlan()));
  const apply = join(dir, 'apply.json');
  writeFileSync(apply, JSON.stringify(createsOnlyPlan()));
  const standIn = installStandIn(dir, { destroy, apply });
  const env = { PATH: standIn.path, HOME: dir, GITHUB_API_URL: 'http://127.0.0.1:9', TERM: 'dumb' };
  return { dir, repo, standIn, env };
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
      const line = `${process.execPath} ${built} guard exec -- terraform destroy -auto-approve`;
      const r = await runIt('script', ['-qec', line, '/dev/null'], {
        cwd: s.repo,
        env: s.env,
        input: `${short}\n`,
      });
      expect(r.out).toMatch(new RegExp(`Type the plan digest ${short}`));
      expect(r.code).toBe(0);
      const calls = s.standIn.calls().map((c) => c.args.join(' '));
      expect(calls[calls.length - 1]).toBe('destroy -auto-approve');
    },
  );

  (hasScript ? test : test.skip)(
    `a wrong digest on the terminal stops it${hasScript ? '' : NO_SCRIPT}`,
    async () => {
      const s = setup();
      const line = `${process.execPath} ${built} guard exec -- terraform destroy -auto-approve`;
      const r = await runIt('script', ['-qec', line, '/dev/null'], {
        cwd: s.repo,
        env: s.env,
        input: 'yes\n',
      });
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
});
