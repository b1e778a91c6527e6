import { isDestructive } from './plan/model.js';
import type { Report } from './report.js';
import type { Level } from './risk/types.js';
import { LEVELS } from './risk/types.js';

// The hidden, machine-readable record on the last line of a summary comment. The app reads it to
// learn which plan a PR's head SHA would apply; it trusts it only in a comment written by one of
// the configured bots, and only when the comment holds exactly one marker. One marker covers
// every project the comment shows, each with its own digest, so approvals bind per project.

export const MARKER_VERSION = 1;
const PREFIX = '<!-- plangate:v1 ';
const SUFFIX = ' -->';
const MARKER_RE = /<!-- plangate:v1 ([A-Za-z0-9_-]+) -->/g;
/** Cap on the JSON so the marker never eats the comment's size budget. */
export const MARKER_MAX_BYTES = 8192;

export interface MarkerProject {
  name: string;
  digest: string;
  level: Level;
  score: number;
  requiresApproval: boolean;
  /** Managed resources destroyed or replaced; exact even when `destroyed` is cut. */
  destroyCount: number;
  /** Destroyed and replaced addresses, as many as fit in MARKER_MAX_BYTES. */
  destroyed: string[];
}

export interface Marker {
  v: 1;
  headSha?: string;
  runId?: number;
  projects: MarkerProject[];
}

/** The marker for a rendered body showing `report`'s projects. */
export function markerFor(report: Report, opts: { headSha?: string; runId?: number } = {}): Marker {
  const m: Marker = {
    v: 1,
    projects: report.projects.map((p) => {
      const destroyed = p.plan.resourceChanges
        .filter((c) => c.mode === 'managed' && isDestructive(c.kind))
        .map((c) => c.address);
      return {
        name: p.name,
        digest: p.plan.digest,
        level: p.assessment.level,
        score: p.assessment.score,
        requiresApproval: p.assessment.requiresApproval,
        destroyCount: destroyed.length,
        destroyed,
      };
    }),
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

export function encodeMarker(m: Marker): string {
  const projects = m.projects.map((p) => ({ ...p, destroyed: [...p.destroyed] }));
  let json = JSON.stringify({ ...m, projects });
  // Halve the longest address list until it fits; counts stay exact.
  while (json.length > MARKER_MAX_BYTES) {
    const longest = projects.reduce((a, b) => (b.destroyed.length > a.destroyed.length ? b : a));
    if (longest.destroyed.length === 0) break;
    longest.destroyed.splice(Math.floor(longest.destroyed.length / 2));
    json = JSON.stringify({ ...m, projects });
  }
  return `${PREFIX}${Buffer.from(json, 'utf8').toString('base64url')}${SUFFIX}`;
}

export type MarkerResult =
  { ok: true; marker: Marker } | { ok: false; reason: 'none' | 'several' | 'malformed' };

/** Find and decode the marker in a comment body; more than one marker means forged. */
export function decodeMarker(body: string): MarkerResult {
  const found = [...body.matchAll(MARKER_RE)];
  if (found.length === 0) return { ok: false, reason: 'none' };
  if (found.length > 1) return { ok: false, reason: 'several' };
  try {
    const m = JSON.parse(Buffer.from(found[0]![1]!, 'base64url').toString('utf8')) as unknown;
    return isMarker(m) ? { ok: true, marker: m } : { ok: false, reason: 'malformed' };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

/** The body without its marker line(s), for comparing two renderings of the same summary. */
export function withoutMarker(body: string): string {
  return body.replace(MARKER_RE, '').trimEnd();
}

function isMarkerProject(x: unknown): x is MarkerProject {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as Record<string, unknown>;
  return (
    typeof p.name === 'string' &&
    typeof p.digest === 'string' &&
    /^sha256:[0-9a-f]{64}$/.test(p.digest) &&
    typeof p.level === 'string' &&
    (LEVELS as readonly string[]).includes(p.level) &&
    typeof p.score === 'number' &&
    typeof p.requiresApproval === 'boolean' &&
    typeof p.destroyCount === 'number' &&
    Array.isArray(p.destroyed) &&
    p.destroyed.every((a) => typeof a === 'string')
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
  return text.includes('plangate:v');
}
