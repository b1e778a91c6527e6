import { DEFAULT_CONFIG } from '../../src/core/config.js';
import { parsePlan } from '../../src/core/plan/parse.js';
import { buildReport } from '../../src/core/report.js';
import type { Level } from '../../src/core/risk/types.js';

// What applygate says about one real plan, in the few fields a reviewer checks: level, score,
// findings per rule, nonzero counts, hygiene per id; or the reason it refuses the file. The
// reviewed expectations (expectations.json beside this file) hold one of these per plan; the
// corpus test compares them and tools/expectations/table.ts prints and updates them.

export interface Verdict {
  level: Level;
  score: number;
  /** Findings per rule id, in rule order. */
  rules: Record<string, number>;
  /** Nonzero counts per kind. */
  counts: Record<string, number>;
  /** "Before this bites" items per id. */
  hygiene: Record<string, number>;
}

export type Outcome = Verdict | { refused: string };

/** A reviewed expectation: the outcome, and why it is what it is when that needs saying. */
export type Expectation = Outcome & { note?: string };

function tally(ids: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of ids) out[id] = (out[id] ?? 0) + 1;
  return out;
}

/** The outcome of one plan file's bytes, with the default config (as a user's first run). */
export function verdictOf(bytes: Uint8Array, name: string): Outcome {
  const r = parsePlan(bytes, name);
  if (!r.ok) return { refused: r.error.reason };
  const p = buildReport([{ name: 'default', plan: r.plan }], DEFAULT_CONFIG).projects[0]!;
  return {
    level: p.assessment.level,
    score: p.assessment.score,
    rules: tally(p.assessment.findings.map((f) => f.id)),
    counts: Object.fromEntries(Object.entries(p.counts).filter(([, n]) => n > 0)),
    hygiene: tally(p.assessment.hygiene.map((h) => h.id)),
  };
}

/** The outcome without the reviewer's note. */
export function outcomeOf(e: Expectation): Outcome {
  const { note: _note, ...rest } = e;
  return rest;
}

/** One line of the table: level/score and rules (or the refusal). */
export function verdictLine(o: Outcome): { level: string; rules: string } {
  if ('refused' in o) return { level: 'refused', rules: o.refused };
  const rules = Object.entries(o.rules)
    .map(([id, n]) => (n === 1 ? id : `${id} ×${n}`))
    .join(', ');
  return { level: `${o.level} ${o.score}`, rules: rules || '—' };
}
