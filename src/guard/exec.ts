import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { judgeLine } from './decide.js';
import type { GuardSetup } from './setup.js';
import { analyzeArgv } from '../core/guard/shell.js';
import { loadParser } from './parser.js';
import { shellLine } from '../core/guard/line.js';

// `applygate guard exec -- <command...>`: the hook's analysis for any terminal, script or agent.
// The command runs (same exit code, signals passed on) when the guard allows it; a plan that
// needs approval runs only with a ledger approval of its digest or when a person types the short
// digest on a real terminal. Never from a pipe, an environment variable or a file: those are
// what an agent can write. An apply or destroy it lets through runs as the hook's does: the
// apply of the plan file the guard made and checked (LineVerdict.rewrite, core/guard/line.ts),
// run as words with no shell, so nothing between the check and the run (a prompt, another
// process) can change what terraform applies; a plan whose state moved on fails in terraform.

export const EXEC_EXIT = { refused: 3, cannotCheck: 2 } as const;

export interface ExecIo {
  stderr(text: string): void;
  /** stdin and stderr are both terminals. */
  isTTY: boolean;
  /** One line typed on the terminal (only called when isTTY). */
  ask(prompt: string): Promise<string>;
}

export async function guardExec(
  argv: readonly string[],
  setup: GuardSetup,
  io: ExecIo,
): Promise<number> {
  // The plans checked are kept (what runs applies one) until the command has run, then removed.
  let kept: string | undefined;
  try {
    return await checkAndRun(argv, setup, io, () => (kept ??= setup.keepPlans()));
  } finally {
    if (kept !== undefined) rmSync(kept, { recursive: true, force: true });
  }
}

async function checkAndRun(
  argv: readonly string[],
  setup: GuardSetup,
  io: ExecIo,
  keepPlans: () => string,
): Promise<number> {
  const config = await setup.config(setup.cwd);
  if (!config.ok) {
    io.stderr(config.errors.map((e) => `applygate: ${e}\n`).join(''));
    return EXEC_EXIT.cannotCheck;
  }
  const analysis = await analyzeArgv(argv, {
    parser: await loadParser(),
    cwd: setup.cwd,
    home: setup.env.HOME,
    aliases: config.aliases,
  });
  const verdict = await judgeLine(analysis, {
    command: argv.join(' '),
    config: config.config,
    policies: config.policies,
    deadline: setup.deadline,
    env: setup.env,
    ledger: setup.ledger,
    configFor: (dir) => setup.config(dir),
    keepPlans,
  });
  if (verdict.decision === 'deny' || verdict.decision === 'ask') {
    io.stderr(`${verdict.reason}\n`);
    const unanalysable =
      analysis.refusals.length > 0 ||
      verdict.calls.some((c) => c.decision === 'deny' && !c.needsApproval);
    if (unanalysable) return EXEC_EXIT.cannotCheck;
    if (!io.isTTY) {
      io.stderr(
        'applygate: refused: a person must confirm this on a terminal (standard input is not a terminal).\n',
      );
      return EXEC_EXIT.refused;
    }
    for (const c of verdict.calls) {
      if (c.needsApproval) {
        const typed = (
          await io.ask(
            `Type the plan digest ${c.needsApproval.short} to go ahead (anything else stops): `,
          )
        ).trim();
        if (typed !== c.needsApproval.short) {
          io.stderr('applygate: refused: the digest typed does not match.\n');
          return EXEC_EXIT.refused;
        }
      } else if (c.decision === 'ask') {
        const typed = (await io.ask('Go ahead? Type yes: ')).trim();
        if (typed !== 'yes') {
          io.stderr('applygate: stopped.\n');
          return EXEC_EXIT.refused;
        }
      }
    }
  } else if (verdict.decision === 'allow') {
    io.stderr(
      `${verdict.reason
        .split('\n')
        .filter((l) => l.startsWith('- '))
        .join('\n')}\n`,
    );
  }
  const checked = verdict.rewrite;
  if (checked === undefined) return runCommand(argv, { cwd: setup.cwd, env: setup.env });
  io.stderr(`applygate: applying the plan it checked: ${shellLine(checked)}\n`);
  return runCommand(checked.argv, { cwd: checked.cwd, env: { ...setup.env, ...checked.env } });
}

/** Run the command with this terminal; exit as it exits, pass on the signals a terminal sends. */
function runCommand(
  argv: readonly string[],
  at: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<number> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd as string, args, { stdio: 'inherit', cwd: at.cwd, env: at.env });
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
    const forward = (s: NodeJS.Signals) => child.kill(s);
    for (const s of signals) process.on(s, forward);
    child.on('error', (e: NodeJS.ErrnoException) => {
      process.stderr.write(
        `applygate: cannot run ${cmd}: ${e.code === 'ENOENT' ? 'not found' : e.message}\n`,
      );
      resolve(127);
    });
    child.on('close', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      resolve(code ?? 128 + (signal ? signalNumber(signal) : 0));
    });
  });
}

function signalNumber(s: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return table[s] ?? 1;
}

export function terminalAsk(): (prompt: string) => Promise<string> {
  return (prompt) =>
    new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      rl.question(prompt, (answer) => {
        resolve(answer);
        rl.close();
      });
      rl.on('close', () => resolve(''));
    });
}
