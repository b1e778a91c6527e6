import { createHash } from 'node:crypto';
import type { Plan } from './plan/model.js';
import { atLeast, type Finding } from './risk/types.js';

// What an approval binds to besides the digest (Gate v2). `verify` with `match: destroys` (the
// default) lets a re-planned plan through when it destroys exactly what was approved and raises
// exactly the same serious findings, even if other values moved: these two sets say that, and
// the marker and the app's ledger carry them.

/** Kinds that remove an object from state: what `destroySet` lists. */
const REMOVING = new Set(['delete', 'replace', 'forget']);

/** Findings at this severity and above are what `riskSet` lists. */
export const RISK_SET_SEVERITY = 'high';

/** Sorted, distinct `KIND ADDRESS` lines of every delete, replace and forget in the plan. */
export function destroyLines(plan: Plan): string[] {
  return sortedDistinct(
    plan.resourceChanges.filter((c) => REMOVING.has(c.kind)).map((c) => `${c.kind} ${c.address}`),
  );
}

/**
 * Sorted, distinct `RULE ADDRESS` lines of every finding at high or above, and of every policy's
 * finding (`RULE` alone for a plan-wide one).
 */
export function riskLines(findings: readonly Finding[]): string[] {
  return sortedDistinct(
    findings
      // A policy's finding at any severity: it may name owners who must approve, and the app
      // learns which policies fired from these lines (bound by riskSet, recomputed by verify).
      .filter((f) => atLeast(f.severity, RISK_SET_SEVERITY) || f.id.startsWith('policy:'))
      .map((f) => (f.address === undefined ? f.id : `${f.id} ${f.address}`)),
  );
}

/**
 * The sha256 (64 hex, as the ledger holds it) of a set of lines: the hash of the JSON array of
 * the sorted, distinct lines (JSON, so that an address holding a newline cannot make two
 * different sets hash alike).
 */
export function setDigest(lines: readonly string[]): string {
  const text = JSON.stringify(sortedDistinct(lines));
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Lines in `a` but not in `b`, in order. */
export function linesMissing(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b);
  return a.filter((l) => !other.has(l));
}

function sortedDistinct(lines: readonly string[]): string[] {
  return [...new Set(lines)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** One project's binding: the two sets, as lines and as digests. */
export interface Binding {
  /** destroyLines of the plan. */
  destroys: string[];
  /** riskLines of its findings. */
  risks: string[];
  destroySet: string;
  riskSet: string;
}

export function bindingOf(plan: Plan, findings: readonly Finding[]): Binding {
  const destroys = destroyLines(plan);
  const risks = riskLines(findings);
  return { destroys, risks, destroySet: setDigest(destroys), riskSet: setDigest(risks) };
}
