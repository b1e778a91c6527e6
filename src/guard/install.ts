import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// `applygate guard install claude [--user]`: add the PreToolUse hook to Claude Code's settings
// (.claude/settings.json of the project, or ~/.claude/settings.json) without touching anything
// else in the file. Run twice, it changes nothing; an older applygate hook entry is updated in
// place. The hook's timeout (seconds) leaves room for `terraform plan`; the guard's own
// deadline is set inside it so it always answers before Claude Code stops waiting.

/** Seconds Claude Code waits for the hook (`timeout` of the hook entry). */
export const HOOK_TIMEOUT = 600;
/** Seconds the guard gives itself: the answer must be out before HOOK_TIMEOUT. */
export const GUARD_TIMEOUT = HOOK_TIMEOUT - 30;

/** `|| exit 2`: if applygate cannot start at all, exit code 2 still blocks the command. */
export const HOOK_COMMAND = `applygate guard claude-hook --timeout ${GUARD_TIMEOUT} || exit 2`;
const MARK = 'applygate guard claude-hook';

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

export function installClaude(file: string, command = HOOK_COMMAND): InstallResult {
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
    ((h as Json).command as string).includes(MARK);
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
