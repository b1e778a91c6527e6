import type { Config } from '../config.js';
import { isDestructive, type Plan } from '../plan/model.js';
import { NO_POLICY_ENGINE, policyFindingId, type PolicyEngine } from '../policies/index.js';
import { hygieneFindings, type HygieneFinding } from './hygiene.js';
import { RULES } from './rules.js';
import { atLeast, type Finding, type Level, type Severity } from './types.js';

// The score explains itself: the level is the most severe finding, and the score is that
// level's floor plus points for every finding, capped at the level's ceiling.

export const LEVEL_BANDS: Readonly<Record<Level, readonly [number, number]>> = {
  none: [0, 0],
  low: [1, 24],
  medium: [25, 49],
  high: [50, 74],
  critical: [75, 100],
};

export const POINTS: Readonly<Record<Severity, number>> = {
  low: 1,
  medium: 3,
  high: 5,
  critical: 8,
};

export interface ApprovalReason {
  kind: 'destroys' | 'level' | 'policy';
  message: string;
}

export interface Assessment {
  findings: Finding[];
  score: number;
  level: Level;
  requiresApproval: boolean;
  /** Why approval is needed; empty when it is not. */
  approvalReasons: ApprovalReason[];
  /** "Before this bites": 0 points, never a reason for approval. */
  hygiene: HygieneFinding[];
}

export function levelOfScore(score: number): Level {
  for (const level of ['critical', 'high', 'medium', 'low'] as const) {
    if (score >= LEVEL_BANDS[level][0]) return level;
  }
  return 'none';
}

/**
 * The built-in rules, then the config's policies (which may read the rules' findings), run by
 * `policies` (the adapters load it for a config that has any; without it such a config throws).
 * Throws PolicyError when a policy fails: the caller reports it as a config error.
 */
export function assess(
  plan: Plan,
  config: Config,
  project = 'default',
  policies?: PolicyEngine,
): Assessment {
  const ignored = new Set(config.risk.ignore);
  const builtin: Finding[] = RULES.filter((r) => !ignored.has(r.id)).flatMap((r) =>
    r.evaluate(plan, config, project).map((f) => ({ id: r.id, severity: r.severity, ...f })),
  );
  const findings = [...builtin];
  if (config.policies.length > 0) {
    if (!policies) throw new Error(NO_POLICY_ENGINE);
    findings.push(...policies.evaluate(plan, project, builtin, config.policies).findings);
  }
  const { score, level } = scoreFindings(findings);
  const approvalReasons: ApprovalReason[] = [];
  const destroys = plan.resourceChanges.filter(
    (c) => c.mode === 'managed' && isDestructive(c.kind),
  ).length;
  const when = config.approval.when;
  if (when.destroys && destroys > 0) {
    approvalReasons.push({
      kind: 'destroys',
      message: `it destroys or replaces ${destroys} resource${destroys === 1 ? '' : 's'}`,
    });
  }
  if (when.level !== 'never' && atLeast(level, when.level)) {
    approvalReasons.push({
      kind: 'level',
      message: `its risk level is ${level} (approval is needed at ${when.level} and above)`,
    });
  }
  for (const p of config.policies) {
    if (p.owners.length > 0 && findings.some((f) => f.id === policyFindingId(p.id))) {
      approvalReasons.push({
        kind: 'policy',
        message: `the policy ${p.id} fired, and one of its owners (${p.owners.join(', ')}) must approve`,
      });
    }
  }
  return {
    findings,
    score,
    level,
    requiresApproval: approvalReasons.length > 0,
    approvalReasons,
    hygiene: hygieneFindings(plan),
  };
}

export function scoreFindings(findings: readonly Finding[]): { score: number; level: Level } {
  if (findings.length === 0) return { score: 0, level: 'none' };
  const order: Severity[] = ['critical', 'high', 'medium', 'low'];
  const top = order.find((s) => findings.some((f) => f.severity === s)) as Severity;
  const [floor, ceiling] = LEVEL_BANDS[top];
  const points = findings.reduce((sum, f) => sum + POINTS[f.severity], 0);
  return { score: Math.min(ceiling, floor + points), level: top };
}
