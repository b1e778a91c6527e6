import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// `applygate guard install claude [--user]`: add the PreToolUse hook to Claude Code's settings
// (.claude/settings.json of the project, or ~/.claude/settings.json) without touching anything
// else in the file. Run twice, it changes nothing; an older applygate hook entry is updated in
// place. The hook's timeout (seconds) leaves room for `terraform plan`; the guard's own
// deadline is set inside it so it always answers before Claude Code stops waiting.

/** Seconds Claude Code waits for the hook (`timeout` of the hook entry). */
export const HOOK_TIMEOUT = 600;
/** Seconds the guard gives itself: the answer must be out before HOOK_TIMEOUT. */
export const GUARD_TIMEOUT = HOOK_TIMEOUT - 30;

/** Older installs wrote the bare binary name (not on PATH after npx); still recognised as ours. */
const OLD_MARK = 'applygate guard claude-hook';
/** The entry point's file name: what marks a hook command as applygate's. */
const ENTRY_MARK = /[/\\]guard[/\\]claude-hook\.js\b/;

/**
 * The hook's entry point (lib/guard/claude-hook.js) beside this code: from the CLI bundle
 * (lib/cli/index.js) and from lib/guard/install.js alike it is ../guard/claude-hook.js.
 */
export function hookEntry(): string {
  return fileURLToPath(new URL('../guard/claude-hook.js', import.meta.url));
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The command written into the settings: this node and the entry point by absolute path, so it
 * works where install was run from whatever PATH Claude Code has (after `npx`, `applygate` is
 * not on it). `|| exit 2`: if it cannot start at all, exit code 2 still blocks the command.
 */
export function hookCommandFor(entry: string, node = process.execPath): string {
  return `${quote(node)} ${quote(entry)} --timeout ${GUARD_TIMEOUT} || exit 2`;
}

/** Whether a hook command is applygate's (this install's or an older one). */
export function isGuardCommand(command: string): boolean {
  return command.includes(OLD_MARK) || ENTRY_MARK.test(command);
}

/**
 * Run a hook command as Claude Code would, with a harmless line (`ls`): it must exit 0 and give
 * no answer. Undefined when it does, else what went wrong.
 */
export function tryHook(command: string, cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync('sh', ['-c', command], {
    cwd,
    env,
    input: JSON.stringify({
      hook_event_name: 'PreToolUse',
      tool_name: 'Bash',
      tool_input: { command: 'ls' },
      cwd,
    }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) return `it could not run: ${r.error.message}`;
  if (r.status !== 0) {
    return `it exited with ${r.status ?? r.signal}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`;
  }
  if (r.stdout.trim() !== '')
    return `it answered a harmless \`ls\` with ${r.stdout.trim().slice(0, 200)}`;
  return undefined;
}

/** Where the entry point lives when install runs from npx's cache (it may be cleaned later). */
export function fromNpxCache(entry: string): boolean {
  return /[/\\]_npx[/\\]/.test(entry);
}

/** The hook commands of applygate in a settings file (none when it is missing or unreadable). */
export function installedCommands(file: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
  const pre = (parsed as { hooks?: { PreToolUse?: unknown } } | null)?.hooks?.PreToolUse;
  if (!Array.isArray(pre)) return [];
  return pre.flatMap((g: unknown) => {
    const list = (g as { hooks?: unknown } | null)?.hooks;
    return Array.isArray(list)
      ? list.flatMap((h: unknown) => {
          const c = (h as { command?: unknown } | null)?.command;
          return typeof c === 'string' && isGuardCommand(c) ? [c] : [];
        })
      : [];
  });
}

type Json = Record<string, unknown>;

export interface InstallResult {
  file: string;
  changed: boolean;
}

export function settingsFile(opts: {
  user: boolean;
  cwd: string;
  home: string | undefined;
}): string {
  if (opts.user) {
    if (!opts.home) throw new Error('HOME is not set, so the user settings file cannot be found');
    return join(opts.home, '.claude', 'settings.json');
  }
  return join(opts.cwd, '.claude', 'settings.json');
}

export function installClaude(file: string, command: string): InstallResult {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${file}: cannot read it: ${(e as Error).message}`, { cause: e });
  }
  let settings: Json = {};
  if (text !== undefined && text.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(
        `${file}: not valid JSON (${(e as Error).message}); fix it first, nothing was changed`,
        { cause: e },
      );
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`${file}: the settings are not a JSON object; nothing was changed`);
    }
    settings = parsed as Json;
  }
  const merged = mergeHook(settings, command, file);
  const out = `${JSON.stringify(merged, null, 2)}\n`;
  if (out === text) return { file, changed: false };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.applygate-${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, file);
  return { file, changed: true };
}

/** The settings with exactly one applygate hook for Bash in PreToolUse; everything else kept. */
export function mergeHook(settings: Json, command: string, file: string): Json {
  const hooks = settings.hooks ?? {};
  if (typeof hooks !== 'object' || Array.isArray(hooks)) {
    throw new Error(`${file}: "hooks" is not an object; nothing was changed`);
  }
  const pre = (hooks as Json).PreToolUse ?? [];
  if (!Array.isArray(pre)) {
    throw new Error(`${file}: "hooks.PreToolUse" is not an array; nothing was changed`);
  }
  const entry = { type: 'command', command, timeout: HOOK_TIMEOUT };
  const isOurs = (h: unknown) =>
    !!h &&
    typeof h === 'object' &&
    typeof (h as Json).command === 'string' &&
    isGuardCommand((h as Json).command as string);
  let placed = false;
  const groups: unknown[] = [];
  for (const g of pre) {
    const list = g && typeof g === 'object' ? (g as Json).hooks : undefined;
    if (!Array.isArray(list) || !list.some(isOurs)) {
      groups.push(g);
      continue;
    }
    // Our entry stays where it was (first Bash group holding one); other copies go.
    const kept = (list as unknown[]).flatMap((h) => {
      if (!isOurs(h)) return [h];
      if (placed || (g as Json).matcher !== 'Bash') return [];
      placed = true;
      return [entry];
    });
    if (kept.length > 0) groups.push({ ...(g as Json), hooks: kept });
  }
  if (!placed) groups.push({ matcher: 'Bash', hooks: [entry] });
  return { ...settings, hooks: { ...(hooks as Json), PreToolUse: groups } };
}
