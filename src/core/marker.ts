import { setDigest } from './binding.js';
import { DIGEST_PREFIX } from './plan/digest.js';
import { isDestructive } from './plan/model.js';
import type { Report } from './report.js';
import type { Level } from './risk/types.js';
import { LEVELS } from './risk/types.js';

// The hidden, machine-readable record on the last line of a summary comment. The app reads it to
// learn which plan a PR's head SHA would apply; it trusts it only in a comment written by one of
// the configured bots, and only when the comment holds exactly one marker. One marker covers
// every project the comment shows, each with its own digest and binding sets, so approvals bind
// per project. Its level, score and lists are advisory: `verify` recomputes them from the plan.
//
// Version 2 (Gate v2) carries the v2 digest and the destroySet / riskSet. A v1 marker is never
// read as a summary: its digest covers a different text, so the plan job must run again.

export const MARKER_VERSION = 2;
const PREFIX = `<!-- applygate:v${MARKER_VERSION} `;
const SUFFIX = ' -->';
/** Any version's marker: a comment with two (even of different versions) is forged. */
const MARKER_RE = /<!-- applygate:v(\d{1,3}) ([A-Za-z0-9_-]+) -->/g;
/** Cap on the JSON so the marker never eats the comment's size budget. */
export const MARKER_MAX_BYTES = 8192;

export interface MarkerProject {
  name: string;
  digest: string;
  level: Level;
  score: number;
  requiresApproval: boolean;
  /** Managed resources destroyed or replaced (what `approval.when.destroys` counts). */
  destroyCount: number;
  /** The destroySet's lines (`KIND ADDRESS`), as many as fit in MARKER_MAX_BYTES. */
  destroys: string[];
  /** The riskSet's lines (`RULE ADDRESS`), as many as fit. */
  risks: string[];
  /** setDigest of every destroy line, exact even when `destroys` is cut. */
  destroySet: string;
  /** setDigest of every risk line, exact even when `risks` is cut. */
  riskSet: string;
  /**
   * Set by encodeMarker when a list had to be cut to fit: the exact number of lines of the whole
   * list. A list not marked cut must hash to its set (listsProblem), or the summary is untrusted.
   */
  cut?: { destroys?: number; risks?: number };
}

export interface Marker {
  v: typeof MARKER_VERSION;
  headSha?: string;
  runId?: number;
  projects: MarkerProject[];
}

/** The marker for a rendered body showing `report`'s projects. */
export function markerFor(report: Report, opts: { headSha?: string; runId?: number } = {}): Marker {
  const m: Marker = {
    v: MARKER_VERSION,
    projects: report.projects.map((p) => ({
      name: p.name,
      digest: p.plan.digest,
      level: p.assessment.level,
      score: p.assessment.score,
      requiresApproval: p.assessment.requiresApproval,
      destroyCount: p.plan.resourceChanges.filter(
        (c) => c.mode === 'managed' && isDestructive(c.kind),
      ).length,
      destroys: p.binding.destroys,
      risks: p.binding.risks,
      destroySet: p.binding.destroySet,
      riskSet: p.binding.riskSet,
    })),
  };
  if (opts.headSha !== undefined) {
    const sha = opts.headSha.toLowerCase();
    if (!/^[0-9a-f]{7,64}$/.test(sha)) {
      throw new RangeError(
        `headSha must be 7 to 64 hex characters, got ${JSON.stringify(opts.headSha)}`,
      );
    }
    m.headSha = sha;
  }
  if (opts.runId !== undefined) m.runId = opts.runId;
  return m;
}

const LISTS = ['destroys', 'risks'] as const;

/** How a list too long for the marker is cut, in the words the app shows next to the count. */
export const CUT_RULE = `the summary's marker keeps only the first lines in sorted order that fit in ${MARKER_MAX_BYTES / 1024} KB; the job summary and the JSON output list them all`;

/**
 * Why a marker project's lists are not what its set digests bind (the app then distrusts the
 * summary), or undefined: each list hashes to its set, or is marked cut with its exact length
 * (more than it shows). The app shows these lists as what an approval covers, and `verify`
 * binds the sets: a list that hashes to its set is exactly what verify will hold the plan to.
 */
export function listsProblem(p: MarkerProject): string | undefined {
  const sets = { destroys: p.destroySet, risks: p.riskSet } as const;
  const what = { destroys: 'destroy list', risks: 'high-risk list' } as const;
  for (const key of LISTS) {
    const total = p.cut?.[key];
    const lines = p[key];
    if (total === undefined) {
      if (setDigest(lines) !== sets[key]) {
        return `its ${what[key]} does not hash to its ${key === 'destroys' ? 'destroySet' : 'riskSet'}`;
      }
    } else if (new Set(lines).size !== lines.length || total <= lines.length) {
      return `its ${what[key]} is marked cut at ${total} lines but shows ${lines.length}`;
    }
  }
  return undefined;
}

export function encodeMarker(m: Marker): string {
  const projects = m.projects.map((p) => ({
    ...p,
    destroys: [...p.destroys],
    risks: [...p.risks],
  }));
  let json = JSON.stringify({ ...m, projects });
  // Halve the longest list until it fits (CUT_RULE): the first lines in sorted order stay, and
  // the list is marked cut with its exact length; counts and set digests stay exact.
  while (json.length > MARKER_MAX_BYTES) {
    const lists = projects.flatMap((p) => LISTS.map((key) => ({ p, key })));
    const longest = lists.reduce((a, b) => (b.p[b.key].length > a.p[a.key].length ? b : a));
    const lines = longest.p[longest.key];
    if (lines.length === 0) break;
    longest.p.cut = {
      ...longest.p.cut,
      [longest.key]: longest.p.cut?.[longest.key] ?? lines.length,
    };
    lines.splice(Math.floor(lines.length / 2));
    json = JSON.stringify({ ...m, projects });
  }
  return `${PREFIX}${Buffer.from(json, 'utf8').toString('base64url')}${SUFFIX}`;
}

export type MarkerResult =
  | { ok: true; marker: Marker }
  | { ok: false; reason: 'none' | 'several' | 'malformed' }
  /** A marker from an older applygate; `projects` are its project names, when readable. */
  | { ok: false; reason: 'outdated'; version: number; projects: string[] };

/** Find and decode the marker in a comment body; more than one marker means forged. */
export function decodeMarker(body: string): MarkerResult {
  const found = [...body.matchAll(MARKER_RE)];
  if (found.length === 0) return { ok: false, reason: 'none' };
  if (found.length > 1) return { ok: false, reason: 'several' };
  const version = Number(found[0]![1]);
  let m: unknown;
  try {
    m = JSON.parse(Buffer.from(found[0]![2]!, 'base64url').toString('utf8')) as unknown;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (version < MARKER_VERSION)
    return { ok: false, reason: 'outdated', version, projects: projectNames(m) };
  if (version !== MARKER_VERSION) return { ok: false, reason: 'malformed' };
  return isMarker(m) ? { ok: true, marker: m } : { ok: false, reason: 'malformed' };
}

/** What an outdated marker's reader is told. */
export const OUTDATED_MARKER =
  'the summary was written by an applygate older than Gate v2 (marker v1, whose digest covers every change): re-run the plan job to summarize this head again';

function projectNames(m: unknown): string[] {
  const ps = (m as { projects?: unknown } | null)?.projects;
  if (!Array.isArray(ps)) return [];
  return ps
    .map((p) => (p as { name?: unknown } | null)?.name)
    .filter((n): n is string => typeof n === 'string');
}

/** The body without its marker line(s), for comparing two renderings of the same summary. */
export function withoutMarker(body: string): string {
  return body.replace(MARKER_RE, '').trimEnd();
}

const DIGEST_RE = new RegExp(`^${DIGEST_PREFIX}[0-9a-f]{64}$`);
const SET_RE = /^[0-9a-f]{64}$/;

function isMarkerProject(x: unknown): x is MarkerProject {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as Record<string, unknown>;
  const strings = (v: unknown) => Array.isArray(v) && v.every((a) => typeof a === 'string');
  return (
    typeof p.name === 'string' &&
    typeof p.digest === 'string' &&
    DIGEST_RE.test(p.digest) &&
    typeof p.level === 'string' &&
    (LEVELS as readonly string[]).includes(p.level) &&
    typeof p.score === 'number' &&
    typeof p.requiresApproval === 'boolean' &&
    typeof p.destroyCount === 'number' &&
    strings(p.destroys) &&
    strings(p.risks) &&
    typeof p.destroySet === 'string' &&
    SET_RE.test(p.destroySet) &&
    typeof p.riskSet === 'string' &&
    SET_RE.test(p.riskSet) &&
    (p.cut === undefined || isCut(p.cut))
  );
}

function isCut(x: unknown): boolean {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const c = x as Record<string, unknown>;
  const count = (v: unknown) => v === undefined || (Number.isSafeInteger(v) && (v as number) > 0);
  return (
    Object.keys(c).every((k) => k === 'destroys' || k === 'risks') &&
    count(c.destroys) &&
    count(c.risks)
  );
}

function isMarker(x: unknown): x is Marker {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  const names = Array.isArray(m.projects)
    ? m.projects.map((p) => (p as { name?: unknown }).name)
    : [];
  return (
    m.v === MARKER_VERSION &&
    (m.headSha === undefined ||
      (typeof m.headSha === 'string' && /^[0-9a-f]{7,64}$/.test(m.headSha))) &&
    (m.runId === undefined || typeof m.runId === 'number') &&
    Array.isArray(m.projects) &&
    m.projects.length > 0 &&
    m.projects.every(isMarkerProject) &&
    new Set(names).size === names.length
  );
}

/** True when the text contains anything that looks like our marker's opening. */
export function mentionsMarker(text: string): boolean {
  return text.includes('applygate:v');
}
