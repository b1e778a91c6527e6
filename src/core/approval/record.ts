import type { Ledger, LedgerProject } from '../ledger.js';
import type { ApprovalDecision, ProjectDecision } from './decide.js';

// The decision as the ledger record (core/ledger.ts) the app writes into its check run, for
// `verify` and `applygate guard` to read: per project of the head's summary (marker v2), its
// digest, destroySet and riskSet, state and the approvals that counted. No summary for the head,
// no record: readers then find nothing approved and fail closed.

export function ledgerOf(
  decision: ApprovalDecision,
  pull: { number: number; baseRef: string },
): Ledger | undefined {
  if (decision.projects.length === 0) return undefined;
  const projects: LedgerProject[] = [];
  for (const p of decision.projects) {
    projects.push({
      name: p.name,
      digest: p.digest,
      destroySet: p.destroySet,
      riskSet: p.riskSet,
      level: p.level,
      requiresApproval: p.requiresApproval,
      state: projectState(p),
      approvals: p.approvals.map((a) => ({ login: a.login, commentId: a.commentId, at: a.at })),
    });
  }
  return {
    headSha: decision.headSha,
    pull: pull.number,
    baseRef: pull.baseRef,
    projects,
    ...(decision.newestCommand !== undefined && { newestCommand: decision.newestCommand }),
  };
}

function projectState(p: ProjectDecision): LedgerProject['state'] {
  if (!p.requiresApproval) return 'not-required';
  return p.missing === 0 ? 'approved' : 'pending';
}
