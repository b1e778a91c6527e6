import { judgeLine } from './decide.js';
import type { GuardSetup } from './setup.js';
import { analyzeLine } from '../core/guard/shell.js';
import { loadParser } from './parser.js';
import { shellLine } from '../core/guard/line.js';

// `applygate guard claude-hook`: Claude Code's PreToolUse hook for the Bash tool. Claude Code
// writes the event as JSON on stdin (`tool_name`, `tool_input.command`, `cwd`, ...) and reads
// the answer as JSON on stdout with exit code 0:
//   {"hookSpecificOutput": {"hookEventName": "PreToolUse",
//     "permissionDecision": "allow" | "deny" | "ask", "permissionDecisionReason": "...",
//     "updatedInput": {...tool_input, "command": "..."}}}
// (https://code.claude.com/docs/en/hooks, "PreToolUse decision control": `updatedInput`
// replaces the tool's whole input before it runs, with allow or ask; with ask the user sees the
// replaced input). A deny's reason is shown to Claude, an ask's to the user. The guard never
// widens permissions: it answers deny, ask or nothing, and allow only on the user's opt-in
// (guard.allow_within_limits) for an apply it planned and found within limits; an apply it lets
// through always runs as the apply of the plan file it checked (updatedInput). A hook that fails or times out does not block the tool
// call, so every failure here is turned into a deny, and the guard answers before its own
// deadline, which `guard install` sets inside the hook's timeout.

/** Bytes of hook input read at most: a command line is limited to MAX_LINE characters anyway. */
export const MAX_INPUT = 4 << 20;

export interface HookAnswer {
  hookSpecificOutput: {
    hookEventName: 'PreToolUse';
    permissionDecision: 'allow' | 'deny' | 'ask';
    permissionDecisionReason: string;
    updatedInput?: Record<string, unknown>;
  };
}

export function deny(reason: string): HookAnswer {
  return {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
      permissionDecisionReason: `applygate guard refused this command: ${reason}`,
    },
  };
}

/** The answer to one hook event; undefined means no opinion (Claude Code's own rules decide). */
export async function claudeHook(
  input: string,
  setup: GuardSetup,
): Promise<HookAnswer | undefined> {
  let event: unknown;
  try {
    event = JSON.parse(input);
  } catch (e) {
    return deny(
      `the hook input is not JSON (${(e as Error).message}); is this a Claude Code PreToolUse hook?`,
    );
  }
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    return deny('the hook input is not a JSON object');
  }
  const ev = event as Record<string, unknown>;
  // The hook is installed for the Bash tool only; other tools are none of its business.
  if (typeof ev.tool_name === 'string' && ev.tool_name !== 'Bash') return undefined;
  const toolInput = ev.tool_input;
  if (!toolInput || typeof toolInput !== 'object') {
    return deny('the hook input has no `tool_input` object, so there is no command to check');
  }
  const command = (toolInput as Record<string, unknown>).command;
  if (typeof command !== 'string') return deny('`tool_input.command` is missing or not a string');
  const cwd = typeof ev.cwd === 'string' && ev.cwd.startsWith('/') ? ev.cwd : setup.cwd;
  const config = await setup.config(cwd);
  if (!config.ok) return deny(`the applygate config is broken: ${config.errors.join('; ')}`);
  const analysis = await analyzeLine(command, {
    parser: await loadParser(),
    cwd,
    home: setup.env.HOME,
    aliases: config.aliases,
  });
  const verdict = await judgeLine(analysis, {
    command,
    config: config.config,
    policies: config.policies,
    deadline: setup.deadline,
    env: setup.env,
    ledger: setup.ledger,
    configFor: (dir) => setup.config(dir),
    keepPlans: setup.keepPlans,
  });
  if (verdict.decision === undefined) return undefined;
  const permission =
    verdict.decision === 'allow' && !config.config.guard.allow_within_limits
      ? 'ask'
      : verdict.decision;
  // An apply let through (allow or ask) runs as the apply of the plan checked, nothing else.
  const rewrite =
    permission === 'deny' || verdict.rewrite === undefined ? undefined : shellLine(verdict.rewrite);
  const reason = rewrite
    ? `${verdict.reason}\n\nWhat runs is the plan applygate checked: ${rewrite}`
    : verdict.reason;
  return {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: permission,
      permissionDecisionReason: reason,
      ...(rewrite ? { updatedInput: { ...toolInput, command: rewrite } } : {}),
    },
  };
}
