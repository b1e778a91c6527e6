import type { Level } from './risk/types.js';
import { LEVELS } from './risk/types.js';

// The hidden, machine-readable record on the last line of a summary comment. The app reads it to
// learn which plan a PR's head SHA would apply; it trusts it only in a comment written by one of
// the configured bots, and only when the comment holds exactly one marker.

export const MARKER_VERSION = 1;
const PREFIX = '<!-- plangate:v1 ';
const SUFFIX = ' -->';
const MARKER_RE = /<!-- plangate:v1 ([A-Za-z0-9_-]+) -->/g;
/** Cap on the listed addresses so the marker never eats the comment's size budget. */
export const MARKER_MAX_BYTES = 8192;

export interface Marker {
  v: 1;
  project: string;
  headSha?: string;
  digest: string;
  level: Level;
  score: number;
  requiresApproval: boolean;
  destroyCount: number;
  /** Destroyed and replaced addresses, as many as fit in MARKER_MAX_BYTES. */
  destroyed: string[];
  runId?: number;
}

export function encodeMarker(m: Marker): string {
  const listed = [...m.destroyed];
  let json = JSON.stringify({ ...m, destroyed: listed });
  while (json.length > MARKER_MAX_BYTES && listed.length > 0) {
    listed.splice(Math.max(0, Math.floor(listed.length / 2)));
    json = JSON.stringify({ ...m, destroyed: listed });
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

/** True when the text contains anything that looks like our marker's opening. */
export function mentionsMarker(text: string): boolean {
  return text.includes('plangate:v');
}

function isMarker(x: unknown): x is Marker {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  return (
    m.v === MARKER_VERSION &&
    typeof m.project === 'string' &&
    (m.headSha === undefined ||
      (typeof m.headSha === 'string' && /^[0-9a-f]{7,64}$/.test(m.headSha))) &&
    typeof m.digest === 'string' &&
    /^sha256:[0-9a-f]{64}$/.test(m.digest) &&
    typeof m.level === 'string' &&
    (LEVELS as readonly string[]).includes(m.level) &&
    typeof m.score === 'number' &&
    typeof m.requiresApproval === 'boolean' &&
    typeof m.destroyCount === 'number' &&
    Array.isArray(m.destroyed) &&
    m.destroyed.every((a) => typeof a === 'string') &&
    (m.runId === undefined || typeof m.runId === 'number')
  );
}
