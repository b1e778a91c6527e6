import type { ChangeKind, Counts, ResourceChange } from '../plan/model.js';
import { shortActionReason } from '../action-reason.js';
import { orderedChanges, type ProjectReport } from '../report.js';
import { RULES } from '../risk/rules.js';
import { POINTS } from '../risk/score.js';
import type { Finding, Level, FindingId, Severity } from '../risk/types.js';

// What the markdown and the text views share: grouping, counting and the marker's content, so
// the two views cannot disagree about what they show.

export const DEFAULT_COMMAND = '/approve-destroy';

/** Kinds always shown in the counts, then the ones shown only when nonzero. */
export const ALWAYS_COUNTED: readonly ChangeKind[] = ['create', 'update', 'replace', 'delete'];
export const COUNTED_WHEN_NONZERO: readonly ChangeKind[] = ['import', 'move', 'forget', 'read'];

export function countedKinds(counts: Counts): ChangeKind[] {
  return [...ALWAYS_COUNTED, ...COUNTED_WHEN_NONZERO.filter((k) => counts[k] > 0)];
}

export interface RiskGroup {
  id: FindingId;
  title: string;
  severity: Severity;
  points: number;
  findings: Finding[];
}

/** A rule's title ("Backups lost"), or its id for a rule the catalog does not hold. */
export function ruleTitle(id: FindingId): string {
  return RULES.find((r) => r.id === id)?.title ?? id;
}

/** Findings grouped by rule, in the order the rules first fired (most severe rules first). */
export function groupFindings(findings: readonly Finding[]): RiskGroup[] {
  const groups = new Map<FindingId, RiskGroup>();
  for (const f of findings) {
    let g = groups.get(f.id);
    if (!g) {
      g = { id: f.id, title: ruleTitle(f.id), severity: f.severity, points: 0, findings: [] };
      groups.set(f.id, g);
    }
    g.findings.push(f);
    g.points += POINTS[f.severity];
  }
  return [...groups.values()];
}

/** The managed destroys and replaces of a project, in plan order. */
export function destroysOf(p: ProjectReport): ResourceChange[] {
  return orderedChanges(p.plan).destructive;
}

/** A destroy's action as words: `replace (new one first)`, `delete (deposed object)`, ... */
export function destroyAction(c: ResourceChange): string {
  if (c.kind === 'replace') return c.createBeforeDestroy ? 'replace (new one first)' : 'replace';
  return c.deposed ? 'delete (deposed object)' : 'delete';
}

/**
 * Terraform's reason without the words the action already says: `delete_because_no_resource_config`
 * is `no resource config` next to `delete`. Plan text: escape it for the view.
 */
export function shortReason(c: ResourceChange): string | undefined {
  return c.actionReason ? shortActionReason(c.actionReason) : undefined;
}

/** An approval reason as words, whichever shape the assessment gives it. */
export function reasonText(r: string | { message: string }): string {
  return typeof r === 'string' ? r : r.message;
}

/** `/approve-destroy [short digest] [project=NAME]`, as the approver must type it. */
export function approvalCommand(
  p: ProjectReport,
  opts: { command?: string; confirmDigest?: boolean; withProject: boolean },
  shortDigest: string,
): string {
  const parts = [opts.command ?? DEFAULT_COMMAND];
  if (opts.confirmDigest) parts.push(shortDigest);
  if (opts.withProject && /^[A-Za-z0-9._/-]{1,100}$/.test(p.name)) parts.push(`project=${p.name}`);
  return parts.join(' ');
}

export const LEVEL_EMOJI: Readonly<Record<Level, string>> = {
  none: '✅',
  low: '🟢',
  medium: '🟡',
  high: '🟠',
  critical: '🔴',
};

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
