import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { COMMANDS } from '../../src/cli/help.js';
import { repoRoot } from '../../testkit/support/shared.js';

// The built CLI as a user runs it (npm test builds lib/ first): every command explains itself.
const cli = join(repoRoot, 'lib/cli/index.js');
const version = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return promisify(execFile)(process.execPath, [cli, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, out: stdout, err: stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: e.stdout,
      err: e.stderr,
    }),
  );
}

test('the command table holds every command the CLI dispatches', () => {
  expect(COMMANDS.map((c) => c.name)).toEqual(
    expect.arrayContaining(['summarize', 'check', 'guard']),
  );
  const index = readFileSync(join(repoRoot, 'src/cli/index.ts'), 'utf8');
  const main = readFileSync(join(repoRoot, 'src/cli/main.ts'), 'utf8');
  // Every command word compared against in the dispatchers has an entry in the table.
  const dispatched = [...`${index}\n${main}`.matchAll(/(?:argv\[0\]|command) [!=]== '([a-z-]+)'/g)]
    .map((m) => m[1]!)
    .filter((w) => !w.startsWith('-'));
  expect(dispatched.length).toBeGreaterThanOrEqual(3);
  for (const word of dispatched) expect(COMMANDS.map((c) => c.name)).toContain(word);
});

test('--help lists every command with its summary, and exits 0', async () => {
  for (const flag of ['--help', '-h', 'help']) {
    const r = await run([flag]);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.out).toContain(`  ${c.name}`);
    expect(r.out).toContain('--version');
  }
});

test('--version prints the package version', async () => {
  for (const flag of ['--version', '-V']) {
    const r = await run([flag]);
    expect(r).toEqual({ code: 0, out: `${version}\n`, err: '' });
  }
});

test.each(COMMANDS.map((c) => c.name))(
  '%s --help prints its usage and an example, exit 0, and help <command> the same',
  async (name) => {
    const r = await run([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(new RegExp(`usage:\\s+applygate ${name}`));
    expect(r.out).toMatch(/Example:\n {2}\S/);
    expect(await run(['help', name])).toEqual(r);
  },
);

test('no command, or an unknown one, is a usage error that shows the commands', async () => {
  for (const args of [[], ['plan'], ['help', 'plan']]) {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/summarize|applygate --help/);
  }
});

test.each(['claude-hook', 'install', 'doctor', 'exec'])(
  'guard %s --help prints the guard usage and runs nothing, exit 0',
  async (sub) => {
    const r = await run(['guard', sub, '--help']);
    expect(r).toEqual({ code: 0, out: (await run(['guard', '--help'])).out, err: '' });
    expect(r.out).toContain(`applygate guard ${sub}`);
  },
);

test('guard exec: a --help after -- belongs to the command, not to the guard', async () => {
  const r = await run(['guard', 'exec', '--', 'terraform', '--help']);
  expect(r.out).not.toContain('usage:\n  applygate guard');
});
