import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../testkit/support/shared.js';
import {
  GUARD_TIMEOUT,
  HOOK_TIMEOUT,
  hookCommandFor,
  installClaude,
  settingsFile,
} from '../../src/guard/install.js';

// `applygate guard install claude`: merged into the settings file without losing anything in it,
// idempotent, and the guard's deadline inside the hook's timeout.

const tmp = () => mkdtempSync(join(tmpdir(), 'applygate-install-'));
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;

/** What docs/guard.md shows: node and the entry point of a global install, by absolute path. */
const HOOK_COMMAND = hookCommandFor(
  '/usr/local/lib/node_modules/applygate/lib/guard/claude-hook.js',
  '/usr/local/bin/node',
);
const OURS = { type: 'command', command: HOOK_COMMAND, timeout: HOOK_TIMEOUT };

describe('guard install claude', () => {
  test('creates .claude/settings.json when there is none', () => {
    const dir = tmp();
    const file = settingsFile({ user: false, cwd: dir, home: '/nowhere' });
    expect(file).toBe(join(dir, '.claude/settings.json'));
    expect(installClaude(file, HOOK_COMMAND)).toEqual({ file, changed: true });
    expect(read(file)).toEqual({ hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [OURS] }] } });
  });

  test('--user writes ~/.claude/settings.json', () => {
    expect(settingsFile({ user: true, cwd: '/repo', home: '/home/dev' })).toBe(
      '/home/dev/.claude/settings.json',
    );
    expect(() => settingsFile({ user: true, cwd: '/repo', home: undefined })).toThrow(
      /HOME is not set/,
    );
  });

  test('keeps every other setting and hook, and a second run changes nothing', () => {
    const dir = tmp();
    const file = join(dir, '.claude/settings.json');
    mkdirSync(join(dir, '.claude'));
    const before = {
      model: 'opus',
      permissions: { allow: ['Bash(npm test)'], deny: ['Read(./.env)'] },
      env: { FOO: '1' },
      hooks: {
        PreToolUse: [
          { matcher: 'Bash', hooks: [{ type: 'command', command: 'audit-log.sh', timeout: 5 }] },
          { matcher: 'Write|Edit', hooks: [{ type: 'command', command: 'lint.sh' }] },
        ],
        PostToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: 'notify.sh' }] }],
      },
    };
    writeFileSync(file, JSON.stringify(before));
    expect(installClaude(file, HOOK_COMMAND).changed).toBe(true);
    const after = read(file);
    expect(after).toEqual({
      ...before,
      hooks: {
        ...before.hooks,
        PreToolUse: [...before.hooks.PreToolUse, { matcher: 'Bash', hooks: [OURS] }],
      },
    });
    const text = readFileSync(file, 'utf8');
    expect(installClaude(file, HOOK_COMMAND)).toEqual({ file, changed: false });
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  test('an entry of this install elsewhere (another node or prefix) is ours too: replaced, not added', () => {
    const dir = tmp();
    const file = join(dir, 'settings.json');
    const other = hookCommandFor(
      '/home/dev/.npm/_npx/abc/node_modules/applygate/lib/guard/claude-hook.js',
    );
    installClaude(file, other);
    installClaude(file, HOOK_COMMAND);
    expect(read(file)).toEqual({ hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [OURS] }] } });
  });

  test('an older applygate entry is updated in place, duplicates dropped', () => {
    const dir = tmp();
    const file = join(dir, 'settings.json');
    const old = { type: 'command', command: 'applygate guard claude-hook', timeout: 60 };
    writeFileSync(
      file,
      JSON.stringify({
        hooks: {
          PreToolUse: [
            { matcher: 'Bash', hooks: [{ type: 'command', command: 'audit-log.sh' }, old] },
            { matcher: 'Bash', hooks: [old] },
          ],
        },
      }),
    );
    installClaude(file, HOOK_COMMAND);
    expect(read(file)).toEqual({
      hooks: {
        PreToolUse: [
          { matcher: 'Bash', hooks: [{ type: 'command', command: 'audit-log.sh' }, OURS] },
        ],
      },
    });
  });

  test.each([
    ['not JSON', '{"hooks": ', /not valid JSON/],
    ['not an object', '[]', /not a JSON object/],
    ['hooks not an object', '{"hooks": []}', /"hooks" is not an object/],
    [
      'PreToolUse not an array',
      '{"hooks": {"PreToolUse": {}}}',
      /"hooks.PreToolUse" is not an array/,
    ],
  ])('a settings file that is %s is left alone, with a clear error', (_n, text, why) => {
    const dir = tmp();
    const file = join(dir, 'settings.json');
    writeFileSync(file, text);
    expect(() => installClaude(file, HOOK_COMMAND)).toThrow(why);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  test('the guard answers before Claude Code stops waiting', () => {
    // Read back what install writes: the hook's own time limit (Claude Code's, seconds) and the
    // one the command gives the guard must leave the guard time to answer first.
    const file = join(tmp(), 'settings.json');
    installClaude(file, HOOK_COMMAND);
    const settings = JSON.parse(readFileSync(file, 'utf8')) as {
      hooks: { PreToolUse: { hooks: { command: string; timeout: number }[] }[] };
    };
    const entries = settings.hooks.PreToolUse.flatMap((m) => m.hooks);
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    const guardSeconds = Number(/--timeout (\d+)\b/.exec(entry!.command)?.[1]);
    expect(guardSeconds).toBeGreaterThan(0);
    expect(entry!.timeout).toBeGreaterThan(guardSeconds);
    expect(entry!.command).toMatch(/\|\| exit 2$/);
  });

  test('docs/guard.md shows exactly what install writes', () => {
    const doc = readFileSync(join(repoRoot, 'docs/guard.md'), 'utf8');
    const block = /`install` merges the hook[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    expect(JSON.parse(block as string)).toEqual({
      hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [OURS] }] },
    });
    expect(doc).toContain(`--timeout ${GUARD_TIMEOUT}`);
    expect(doc).toContain(`\`timeout\` of ${HOOK_TIMEOUT} seconds`);
  });
});
