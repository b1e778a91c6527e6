export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type Level = 'none' | Severity;

export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
export const LEVELS: readonly Level[] = ['none', ...SEVERITIES];

export const RULE_IDS = [
  'plan-errored',
  'plan-incomplete',
  'mass-destroy',
  'empty-state',
  'first-deploy',
  'stateful-destroy',
  'backups-lost',
  'protected-address',
  'protection-disabled',
  'network-exposure',
  'public-data',
  'broad-access',
  'data-loss',
  'security-off',
  'check-failed',
  'iam-change',
  'public-control-plane',
  'destroy',
  'object-destroy',
  'replace',
  'public-endpoint',
  'drift',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

/** A finding of a policy from the config (`policies:`): never the id of a built-in rule. */
export type PolicyFindingId = `policy:${string}`;

/** What flagged a finding: a built-in rule or a policy of the config. */
export type FindingId = RuleId | PolicyFindingId;

/** One reason the plan is risky, about one address (or the whole plan when address is absent). */
export interface Finding {
  id: FindingId;
  severity: Severity;
  address?: string;
  message: string;
}

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

export function atLeast(level: Level, threshold: Level): boolean {
  return levelRank(level) >= levelRank(threshold);
}
