import type { Config } from '../core/config.js';
import { escapeTerminal } from '../core/render/escape.js';
import { checkCall, type CallVerdict, type CheckOptions, type Decision } from './check.js';
import type { LineAnalysis } from '../core/guard/shell.js';
import { sameLineHazard, type CheckedApply } from '../core/guard/line.js';
import { classify } from '../core/guard/terraform.js';

// A whole shell line, judged: refused when any part could not be analysed or needs an approval
// that is missing, asked when a plan reaches guard.ask_level, allowed when every command in it is
// a terraform-family call applygate checked. A line with other commands in it gets no opinion
// about those (`undefined`): Claude Code's own permission rules decide them as before.

export interface LineVerdict {
  decision: Decision | undefined;
  /** The text a person (or the agent) reads: what was found, the plan summaries, what to do. */
  reason: string;
  calls: CallVerdict[];
  /**
   * What runs instead of the line when it is let through: the apply of the plan file checked
   * (core/guard/line.ts). Given whatever the decision: the hook uses it with ask or allow (as
   * `updatedInput`), `guard exec` once the line passed (approved, confirmed or the digest typed).
   */
  rewrite?: CheckedApply;
}

/**
 * `decision`: deny or ask as the calls need; `allow` when every call in the line is an apply or
 * destroy applygate planned and found within limits (or approved) and nothing else in the line
 * can change its inputs; undefined when the line applies nothing (read-only terraform commands,
 * other commands): the user's own rules decide those. The hook turns `allow` into a permission
 * only when the user opted in (guard.allow_within_limits).
 */
export async function judgeLine(
  analysis: LineAnalysis,
  opts: CheckOptions & { command: string; config: Config },
): Promise<LineVerdict> {
  const calls: CallVerdict[] = [];
  for (const call of analysis.calls) {
    const effect = classify(call);
    const hazard = effect.kind === 'plan' ? sameLineHazard(analysis, call) : undefined;
    if (hazard !== undefined) {
      calls.push({
        call,
        effect,
        decision: 'deny',
        reason: `applygate cannot check it: ${hazard}`,
      });
      continue;
    }
    calls.push(await checkCall(call, opts));
  }
  const decisions = calls.map((c) => c.decision);
  const applies = calls.some((c) => c.effect.kind === 'plan');
  let decision: Decision | undefined;
  if (analysis.refusals.length > 0 || decisions.includes('deny')) decision = 'deny';
  else if (decisions.includes('ask') || analysis.asks.length > 0) decision = 'ask';
  else if (applies) decision = 'allow';
  const rewrite = calls.find((c) => c.rewrite)?.rewrite;
  return {
    decision,
    reason: explain(analysis, calls, decision),
    calls,
    ...(rewrite ? { rewrite } : {}),
  };
}

function explain(
  analysis: LineAnalysis,
  calls: CallVerdict[],
  decision: Decision | undefined,
): string {
  if (decision === undefined) return '';
  const out: string[] = [];
  const head: Record<Decision, string> = {
    deny: 'applygate guard refused this command.',
    ask: 'applygate guard wants a person to confirm this command.',
    allow: 'applygate guard checked this command.',
  };
  out.push(head[decision]);
  for (const r of analysis.refusals)
    out.push('', `- \`${r.text}\`: applygate cannot analyse it: ${r.reason}.`);
  for (const r of analysis.asks) out.push('', `- \`${r.text}\`: ${r.reason}.`);
  for (const c of calls) {
    const where = c.call.cwd ? ` in ${c.call.cwd}` : '';
    const via = c.call.via.length ? ` (via ${c.call.via.join(', ')})` : '';
    out.push('', `- \`${c.call.text}\`${where}${via}: ${c.reason}.`);
    if (c.preflight) out.push('', c.preflight);
    if (c.summary && c.decision !== 'allow') out.push('', c.summary.trimEnd());
  }
  const pending = calls.filter((c) => c.needsApproval);
  if (pending.length > 0) {
    // Who may approve is the policy's one sentence (describeApprovers, as verify says it), from
    // the config that governs each pending command.
    const approvals = [
      ...new Set(
        pending.map(
          (c) =>
            `have \`${c.needsApproval?.command}\` commented on it (who may approve: ${c.needsApproval?.who})`,
        ),
      ),
    ];
    out.push(
      '',
      'What a person must do: open (or update) the pull request with this change, so the plan job ' +
        `posts its summary, and ${approvals.join(', and ')}; the ` +
        "guard lets the command through once the app's ledger approves this digest. Or a person runs it " +
        `in their own terminal with \`applygate guard exec -- <command>\` and types the digest (${pending
          .map((c) => c.needsApproval?.short)
          .join(', ')}) when asked.`,
      'Do not try to work around this check: stop and tell the user what the plan would do.',
    );
  } else if (decision === 'deny') {
    out.push(
      '',
      'Run it yourself after checking it, or rewrite it so that each terraform command is plain and visible.',
    );
  }
  // Line by line: the text keeps its lines, and nothing from a plan, an error or the command
  // line can move the cursor or recolour the terminal it ends up on.
  return out
    .join('\n')
    .split('\n')
    .map((l) => escapeTerminal(l))
    .join('\n');
}
