import {
  SEVERITIES,
  type Finding,
  type Level,
  type FindingId,
  type Severity,
} from '../risk/types.js';

// Which findings a view states above the destroy table, which it folds into that table, and
// which it keeps in the collapsed details. The markdown and the text views both ask this module,
// so a reader sees the same risk factors, in the same order, in a comment and in a terminal.

/**
 * Findings that only say "this resource is destroyed/replaced": the destroy table already says
 * it, row by row, so they are folded into its rules column instead of being listed again.
 */
export const FOLDED_RULES: ReadonlySet<FindingId> = new Set<FindingId>(['destroy', 'replace']);

/**
 * Within one severity, the order a reviewer should read the factors in: what cannot be undone
 * first (an incomplete plan, then backups gone with the data). Rules not listed keep their
 * catalog order after the listed ones.
 */
const STRENGTH: readonly FindingId[] = [
  'plan-errored',
  'plan-incomplete',
  'backups-lost',
  'mass-destroy',
  'stateful-destroy',
  'protected-address',
  'empty-state',
  'protection-disabled',
  'network-exposure',
];

/**
 * A factor left out above the table when a stronger one about the same address says everything
 * it says: `backups-lost` says the database is destroyed, and that nothing is left to restore
 * from. The rules column of the table still names both.
 */
const IMPLIED_BY: Readonly<Partial<Record<FindingId, readonly FindingId[]>>> = {
  'stateful-destroy': ['backups-lost'],
};

/** What flags one address: its rules, strongest first, and the most severe of them. */
export interface Flags {
  rules: FindingId[];
  severity: Severity;
}

export interface FactorLayout {
  /** Stated above the table, strongest first: high and critical, or the plan's own level. */
  top: Finding[];
  /** Left out of `top` because a stronger factor about the same address implies them. */
  implied: Finding[];
  /** Not folded, not on top: shown collapsed. */
  other: Finding[];
  /** Every rule that flags an address: the destroy table's "Flagged by" column. */
  flags: ReadonlyMap<string, Flags>;
}

/** Strongest first: by severity, then STRENGTH, then the order the rules fired. */
export function strongestFirst(findings: readonly Finding[]): Finding[] {
  const sev = (f: Finding) => -SEVERITIES.indexOf(f.severity);
  const strength = (f: Finding) => {
    const i = STRENGTH.indexOf(f.id);
    return i < 0 ? STRENGTH.length : i;
  };
  // Array.prototype.sort is stable: equal findings keep the order the rules produced them in.
  return [...findings].sort((a, b) => sev(a) - sev(b) || strength(a) - strength(b));
}

export function factorLayout(findings: readonly Finding[], level: Level): FactorLayout {
  const sorted = strongestFirst(findings);
  const flags = new Map<string, Flags>();
  for (const f of sorted) {
    if (f.address === undefined) continue;
    const seen = flags.get(f.address);
    if (!seen) flags.set(f.address, { rules: [f.id], severity: f.severity });
    else if (!seen.rules.includes(f.id)) seen.rules.push(f.id);
  }

  // Above the table: high and critical. A medium or low plan has none of those, and then its
  // strongest findings are the ones at its own level.
  const onTop = (f: Finding) =>
    f.severity === 'high' || f.severity === 'critical' || f.severity === level;
  const top: Finding[] = [];
  const implied: Finding[] = [];
  const other: Finding[] = [];
  for (const f of sorted) {
    if (FOLDED_RULES.has(f.id)) continue;
    if (!onTop(f)) {
      other.push(f);
    } else if (
      f.address !== undefined &&
      (IMPLIED_BY[f.id] ?? []).some((id) => flags.get(f.address!)?.rules.includes(id))
    ) {
      implied.push(f);
    } else {
      top.push(f);
    }
  }
  return { top, implied, other, flags };
}
