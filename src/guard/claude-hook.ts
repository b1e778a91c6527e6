import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { toolWordPattern } from '../core/guard/words.js';

// The hook's entry point, the file `applygate guard install claude` writes into Claude Code's
// settings (with the absolute path of node). Claude Code starts it before every Bash call, so a
// line that is none of the guard's business must cost little more than starting node: this file
// imports only node:fs, node:path and the tool words, reads the event, and answers nothing when
// the line holds no tool word (terraform, tofu, terragrunt, opentofu, an alias). Only then does
// it load the guard (the shell parser, the plan reader) and answer as `applygate guard
// claude-hook` would. Anything it cannot read goes to the guard, which denies what it cannot read.

/** As hook.ts MAX_INPUT (not imported: that module loads the whole guard). */
const MAX_INPUT = 4 << 20;

/** Whether the full guard must look at this hook input. */
export function needsGuard(input: string, cwd: string): boolean {
  let event: unknown;
  try {
    event = JSON.parse(input);
  } catch {
    return true;
  }
  if (!event || typeof event !== 'object' || Array.isArray(event)) return true;
  const ev = event as Record<string, unknown>;
  if (typeof ev.tool_name === 'string' && ev.tool_name !== 'Bash') return false;
  const command = (ev.tool_input as Record<string, unknown> | undefined)?.command;
  if (typeof command !== 'string') return true;
  // Quotes and backslashes can split a word (`ter\raform`, `"ter"raform`), and ANSI-C quoting
  // can spell one (`$'\x74erraform'`): the walker reads those, so they go to it.
  if (/\$'|\\[0-7xuU]/.test(command)) return true;
  if (toolWordPattern().test(command.replace(/["'\\]/g, ''))) return true;
  // Aliases are in the config: a config that has any sends every line to the guard.
  const dir = typeof ev.cwd === 'string' && isAbsolute(ev.cwd) ? ev.cwd : cwd;
  return configHasAliases(dir);
}

function configHasAliases(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    const file = join(d, '.github', 'applygate.yml');
    if (existsSync(file)) {
      try {
        return /\baliases\b/.test(readFileSync(file, 'utf8'));
      } catch {
        return true;
      }
    }
    if (existsSync(join(d, '.git')) || dirname(d) === d) return false;
  }
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    chunks.push(chunk as Buffer);
    if (size > MAX_INPUT) break;
  }
  const input = Buffer.concat(chunks).toString('utf8');
  if (size <= MAX_INPUT && !needsGuard(input, process.cwd())) return;
  const { hookCommand } = await import('./index.js');
  process.exitCode = await hookCommand(process.argv.slice(2), size > MAX_INPUT ? null : input);
}

await main();
