import { parseArgs } from 'node:util';
import { guardExec, terminalAsk, EXEC_EXIT } from './exec.js';
import { claudeHook, deny, MAX_INPUT } from './hook.js';
import { existsSync, readFileSync } from 'node:fs';
import { parseConfigLoadingPolicies } from '../edge/config.js';
import {
  fromNpxCache,
  GUARD_TIMEOUT,
  hookCommandFor,
  hookEntry,
  installClaude,
  installedCommands,
  settingsFile,
  tryHook,
} from './install.js';
import { stopAll } from './run.js';
import { findConfig, guardSetup } from './setup.js';

// `applygate guard ...`: the process side of the guard (stdin, stdout, the terminal, children).

export const GUARD_USAGE = `usage:
  applygate guard claude-hook [--timeout SECONDS] [--config FILE]
      Claude Code PreToolUse hook for the Bash tool: reads the event on stdin, answers on stdout.
  applygate guard install claude [--user]
      Add the hook to .claude/settings.json (or ~/.claude/settings.json with --user), after
      running it once with a harmless line.
  applygate guard doctor
      Show which hooks are wired here and whether they work, and the config this directory gets.
  applygate guard exec [--pr N] [--timeout SECONDS] [--config FILE] -- <command...>
      Check a terraform/tofu/terragrunt command, then run it or refuse (exit 3; 2 when it cannot be checked).

Example:
  applygate guard install claude && applygate guard doctor
  applygate guard exec -- terraform destroy`;

/** `--help` or `-h` among a subcommand's own options (for exec, before the `--`). */
function asksHelp(rest: readonly string[]): boolean {
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  return own.some((a) => a === '--help' || a === '-h');
}

const SUBCOMMANDS = ['claude-hook', 'install', 'doctor', 'exec'];

export async function runGuard(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  // `guard <command> --help` is the guard's help, never the command: a hook or an exec that ran
  // because someone asked how to use it would be a surprise.
  if (sub !== undefined && SUBCOMMANDS.includes(sub) && asksHelp(rest)) {
    process.stdout.write(`${GUARD_USAGE}\n`);
    return 0;
  }
  if (sub === 'claude-hook') return hookCommand(rest);
  if (sub === 'install') return installCommand(rest);
  if (sub === 'exec') return execCommand(rest);
  if (sub === 'doctor') return doctorCommand();
  const help = sub === undefined || sub === '--help' || sub === '-h' || sub === 'help';
  process[help ? 'stdout' : 'stderr'].write(
    `${help ? '' : `applygate guard: unknown command '${sub}'\n`}${GUARD_USAGE}\n`,
  );
  return help ? 0 : 2;
}

function seconds(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 3600)
    throw new Error(`--timeout must be a number of seconds between 1 and 3600, not '${v}'`);
  return n;
}

/**
 * `applygate guard claude-hook`; `input`: the hook event already read by the entry point
 * (claude-hook.ts; null: it was larger than MAX_INPUT), undefined to read it from stdin.
 */
export async function hookCommand(argv: readonly string[], input?: string | null): Promise<number> {
  // Whatever happens, Claude Code gets one JSON answer on stdout and exit code 0; an answer that
  // is not given in time is a deny given in time.
  const answer = (a: unknown) => {
    if (a !== undefined) process.stdout.write(`${JSON.stringify(a)}\n`);
    return 0;
  };
  let timeoutMs: number;
  let config: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { timeout: { type: 'string' }, config: { type: 'string' } },
    });
    timeoutMs = seconds(values.timeout, GUARD_TIMEOUT) * 1000;
    config = values.config;
  } catch (e) {
    return answer(
      deny(`applygate guard claude-hook was installed with bad options: ${(e as Error).message}`),
    );
  }
  // Claude Code's clock starts when it starts this process, so ours does too.
  const started = Math.floor(Date.now() - process.uptime() * 1000);
  const left = () => started + timeoutMs - Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<unknown>((resolve) => {
    // A margin for stopping the plan and writing the answer.
    timer = setTimeout(
      () =>
        resolve(
          deny(
            `applygate could not decide within ${timeoutMs / 1000} s (the plan took too long), so the command is refused; run the plan yourself and apply the saved plan`,
          ),
        ),
      Math.max(0, left() - 1000),
    );
  });
  const work = (async () => {
    const event = input === undefined ? await readStdin(MAX_INPUT) : input;
    if (event === null) return deny(`the hook input is larger than ${MAX_INPUT} bytes`);
    if (event === undefined) return deny(`the hook input is larger than ${MAX_INPUT} bytes`);
    const setup = guardSetup({
      cwd: process.cwd(),
      env: process.env,
      timeoutMs: Math.max(0, left() - 2000),
      ...(config ? { configFile: config } : {}),
    });
    return claudeHook(event, setup);
  })().catch((e: unknown) =>
    deny(`applygate failed while checking it: ${(e as Error).message ?? String(e)}`),
  );
  const result = await Promise.race([work, late]);
  clearTimeout(timer);
  stopAll();
  return answer(result);
}

async function installCommand(argv: readonly string[]): Promise<number> {
  let values: { user?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { user: { type: 'boolean' } },
    }));
  } catch (e) {
    process.stderr.write(`applygate guard install: ${(e as Error).message}\n${GUARD_USAGE}\n`);
    return 2;
  }
  if (positionals.length !== 1 || positionals[0] !== 'claude') {
    process.stderr.write(
      `applygate guard install: name the agent to install for: claude\n${GUARD_USAGE}\n`,
    );
    return 2;
  }
  try {
    const file = settingsFile({
      user: values.user === true,
      cwd: process.cwd(),
      home: process.env.HOME,
    });
    const entry = hookEntry();
    if (!existsSync(entry)) {
      throw new Error(
        `the hook's entry point ${entry} is missing (a source checkout must be built: npm run build); nothing was changed`,
      );
    }
    const command = hookCommandFor(entry);
    // Proven before it is written: a hook that cannot start would block every Bash call.
    const failed = tryHook(command, process.cwd(), process.env);
    if (failed) {
      throw new Error(
        `the hook command does not work here (${failed}); nothing was changed. The command: ${command}`,
      );
    }
    const r = installClaude(file, command);
    process.stdout.write(
      `${
        r.changed
          ? `applygate: added the guard hook (PreToolUse, Bash) to ${file}`
          : `applygate: ${file} already has this guard hook; nothing changed`
      }\n  it runs: ${command}\n  checked: it ran once with a harmless line (\`ls\`) and let it through\n${
        fromNpxCache(entry)
          ? '  note: this applygate runs from the npx cache; if the cache is cleaned, the hook blocks every Bash call (exit 2) until you run install again. For a stable path: npm install -g applygate (or as a devDependency), then install again.\n'
          : ''
      }`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`applygate guard install: ${(e as Error).message}\n`);
    return 2;
  }
}

/** `applygate guard doctor`: what is wired, and whether it works, for this directory. */
async function doctorCommand(): Promise<number> {
  const cwd = process.cwd();
  const out: string[] = [];
  let ok = true;
  let found = 0;
  const files = [settingsFile({ user: false, cwd, home: process.env.HOME })];
  if (process.env.HOME) files.push(settingsFile({ user: true, cwd, home: process.env.HOME }));
  for (const file of files) {
    const commands = installedCommands(file);
    if (commands.length === 0) {
      out.push(`${file}: no applygate hook`);
      continue;
    }
    for (const c of commands) {
      found++;
      const failed = tryHook(c, cwd, process.env);
      if (failed) ok = false;
      out.push(
        `${file}: ${c}\n  ${failed ? `BROKEN: ${failed}; run \`applygate guard install claude\` again` : 'works: a harmless line (`ls`) passes'}`,
      );
    }
  }
  const config = findConfig(cwd);
  if (!config)
    out.push(
      `config: no .github/applygate.yml at or above ${cwd} (defaults; gate.app unset: approvals cannot be read)`,
    );
  else {
    const parsed = await parseConfigLoadingPolicies(readFileSync(config, 'utf8'), config);
    if (!parsed.ok) {
      ok = false;
      out.push(`config: ${config} is invalid: ${parsed.errors.join('; ')}`);
    } else {
      out.push(
        `config: ${config}; gate.app: ${parsed.config.gate.app || 'NOT SET (approvals cannot be read; set gate: { app: <slug> })'}; allow_within_limits: ${parsed.config.guard.allow_within_limits}`,
      );
    }
  }
  if (found === 0) ok = false;
  process.stdout.write(
    `${out.join('\n')}\n${ok ? 'applygate guard: ok' : 'applygate guard: not working here'}\n`,
  );
  return ok ? 0 : 1;
}

async function execCommand(argv: readonly string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? [] : argv.slice(0, dash);
  const command = dash < 0 ? [] : argv.slice(dash + 1);
  let values: { pr?: string; timeout?: string; config?: string };
  try {
    ({ values } = parseArgs({
      args: [...own],
      options: { pr: { type: 'string' }, timeout: { type: 'string' }, config: { type: 'string' } },
    }));
    if (command.length === 0)
      throw new Error('give the command after --, e.g. applygate guard exec -- terraform apply');
    if (values.pr !== undefined && !/^[1-9]\d{0,9}$/.test(values.pr))
      throw new Error(`--pr must be a pull request number, not '${values.pr}'`);
    seconds(values.timeout, GUARD_TIMEOUT);
  } catch (e) {
    process.stderr.write(`applygate guard exec: ${(e as Error).message}\n${GUARD_USAGE}\n`);
    return EXEC_EXIT.cannotCheck;
  }
  const setup = guardSetup({
    cwd: process.cwd(),
    env: process.env,
    timeoutMs: seconds(values.timeout, GUARD_TIMEOUT) * 1000,
    ...(values.pr ? { pull: Number(values.pr) } : {}),
    ...(values.config ? { configFile: values.config } : {}),
  });
  try {
    return await guardExec(command, setup, {
      stderr: (t) => process.stderr.write(t),
      isTTY: process.stdin.isTTY === true && process.stderr.isTTY === true,
      ask: terminalAsk(),
    });
  } finally {
    stopAll();
  }
}

async function readStdin(max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
