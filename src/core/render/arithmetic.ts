import { LEVEL_BANDS, POINTS } from '../risk/score.js';
import type { Finding, Level } from '../risk/types.js';
import { groupFindings, type RiskGroup } from './common.js';

// How the score came out, term by term, for the collapsed "How the score is computed": the
// score is the level's floor plus every finding's points, capped at the level's ceiling
// (src/core/risk/score.ts). Both views print these numbers; neither recomputes them.

export interface ScoreArithmetic {
  level: Level;
  floor: number;
  ceiling: number;
  /** One term per rule, in the order the rules fired. */
  terms: RiskGroup[];
  /** floor + every term's points, before the cap. */
  sum: number;
  score: number;
}

export function scoreArithmetic(findings: readonly Finding[], level: Level): ScoreArithmetic {
  const [floor, ceiling] = LEVEL_BANDS[level];
  const terms = groupFindings(findings);
  const sum = terms.reduce((n, t) => n + t.points, floor);
  return { level, floor, ceiling, terms, sum, score: Math.min(ceiling, sum) };
}

/** "critical 8, high 5, medium 3, low 1": the points each severity adds. */
export const POINTS_TEXT = (['critical', 'high', 'medium', 'low'] as const)
  .map((s) => `${s} ${POINTS[s]}`)
  .join(', ');
