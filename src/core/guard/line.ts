import type { LineAnalysis, ToolCall } from './shell.js';
import type { Effect } from './terraform.js';

// Time of check vs time of use (DESIGN.md "Guard v2"). The guard makes and scores its plan
// before the line runs, so anything in the same line that runs before terraform can change what
// terraform then applies: write main.tf or terraform.tfvars, switch the workspace
// (.terraform/environment, `workspace select`), feed standard input (`<<<`, a pipe), produce the
// saved plan it applies (`plan -out=x && apply x`), `init` another backend. The guard cannot see
// those effects, so a line that applies or destroys must hold that one terraform call and
// nothing else but `cd` and variable assignments; otherwise it is refused with the way out: run
// the terraform command on its own line. What runs is then rewritten to apply the plan file the
// guard made and checked (rewrite below), so nothing between check and use can change it.

/** Why `call` (an apply or destroy) cannot be checked in this line, or undefined when it can. */
export function sameLineHazard(analysis: LineAnalysis, call: ToolCall): string | undefined {
  const others = analysis.calls.filter((c) => c !== call).map((c) => `\`${c.text}\``);
  const what = [
    ...(others.length ? [`another terraform-family command (${others.join(', ')})`] : []),
    ...(analysis.steps.length
      ? [`other commands (${[...new Set(analysis.steps)].map((s) => `\`${s}\``).join(', ')})`]
      : []),
    ...(analysis.redirects.length
      ? [`redirections (${analysis.redirects.map((r) => `\`${r}\``).join(', ')})`]
      : []),
  ];
  if (what.length === 0) return undefined;
  return `the line also has ${what.join(' and ')}, which can change what terraform applies (files, the workspace, standard input, the plan file) after applygate made its plan; run the terraform command on its own line, with nothing before or after it but \`cd\``;
}

/** A word as the shell reads it back: bare when safe, else single-quoted. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_/.:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * What runs instead of an apply or destroy the guard let through: the apply of exactly the plan
 * it made and checked, in the call's directory, with the call's environment, no TF_CLI_ARGS (a
 * saved plan takes no planning options), by the program the line names. A stale plan (the state
 * moved on) then fails in terraform itself. The hook gives it to Claude Code as a shell line
 * (shellLine, in `updatedInput`); `guard exec` runs it as these words, with no shell.
 */
export interface CheckedApply {
  /** The directory it runs in. */
  cwd: string;
  /** Set for it, over the inherited environment: TF_CLI_ARGS and TF_CLI_ARGS_apply emptied first. */
  env: Record<string, string>;
  /** The program (as the line names it) and its arguments: `apply -input=false [kept options] PLANFILE`. */
  argv: string[];
}

/**
 * The apply of `planFile`, the plan the guard made (or copied) and checked for `call`. Only for
 * terraform and tofu: terragrunt keeps plan files in its own cache directories.
 */
export function applyCheckedPlan(
  call: ToolCall,
  effect: Extract<Effect, { kind: 'plan' }>,
  planFile: string,
): CheckedApply | undefined {
  if (call.tool === 'terragrunt' || call.cwd === undefined) return undefined;
  const env: Record<string, string> = { TF_CLI_ARGS: '', TF_CLI_ARGS_apply: '' };
  for (const [k, v] of Object.entries(call.env))
    if (v !== undefined && !k.startsWith('TF_CLI_ARGS')) env[k] = v;
  return {
    cwd: call.cwd,
    env,
    argv: [call.program, ...effect.globals, 'apply', '-input=false', ...effect.applyArgs, planFile],
  };
}

/** The same as one shell line: `cd DIR && NAME=VALUE ... PROGRAM apply -input=false FILE`. */
export function shellLine(run: CheckedApply): string {
  return [
    'cd',
    shellQuote(run.cwd),
    '&&',
    ...Object.entries(run.env).map(([k, v]) => `${k}=${v === '' ? '' : shellQuote(v)}`),
    // A program word with `=` in it, left bare, would be read as one more assignment.
    ...run.argv.map((w, i) =>
      i === 0 && w.includes('=') ? `'${w.replace(/'/g, `'\\''`)}'` : shellQuote(w),
    ),
  ].join(' ');
}
