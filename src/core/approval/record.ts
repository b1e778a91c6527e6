import type { Ledger, LedgerProject } from '../ledger.js';
import type { Decision, ProjectDecision } from './decide.js';

// The decision as the ledger record (core/ledger.ts) the app writes into its check run, for
// `verify` and `plangate guard` to read. A record is written only when every project of the head
// comes from a marker v2 summary (digest v2, destroySet, riskSet): a reader cannot match an
// older summary's digest, so without one there is no ledger and they fail closed.

export function ledgerOf(
  decision: Decision,
  pull: { number: number; baseRef: string },
): Ledger | undefined {
  if (decision.projects.length === 0) return undefined;
  const projects: LedgerProject[] = [];
  for (const p of decision.projects) {
    if (!p.destroySet || !p.riskSet || !p.digest.startsWith('sha256v2:')) return undefined;
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
  return { headSha: decision.headSha, pull: pull.number, baseRef: pull.baseRef, projects };
}

function projectState(p: ProjectDecision): LedgerProject['state'] {
  if (!p.requiresApproval) return 'not-required';
  return p.missing === 0 ? 'approved' : 'pending';
}
