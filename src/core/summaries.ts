import { sameLogin } from './principal.js';
import {
  decodeMarker,
  listsProblem,
  withoutMarker,
  type Marker,
  type MarkerProject,
} from './marker.js';
import { codeSpan } from './render/escape.js';

// Which PR comments are applygate summaries we may believe. One rule, used by the Action (to find
// its sticky comment and to verify) and by the app (to decide): a comment counts only when its
// author is one of the configured bots AND it holds exactly one well-formed marker. Anyone can
// paste a marker; only the bots' comments are read.

export interface CommentLike {
  id: number;
  body?: string | null;
  user: { login: string; type?: string } | null;
  html_url?: string;
  created_at?: string;
  updated_at?: string;
}

export interface TrustedSummary<C extends CommentLike = CommentLike> {
  comment: C;
  marker: Marker;
}

export function isTrustedAuthor(login: string | undefined, bots: readonly string[]): boolean {
  return bots.some((b) => sameLogin(b, login));
}

export function trustedSummaries<C extends CommentLike>(
  comments: readonly C[],
  bots: readonly string[],
): TrustedSummary<C>[] {
  return readSummaries(comments, bots).summaries;
}

/** A bot's summary that counts for nothing, and why (markdown, plan text escaped). */
export interface UntrustedSummary<C extends CommentLike = CommentLike> {
  comment: C;
  marker: Marker;
  reason: string;
}

/**
 * The trusted summaries; how many comments by a `bots` login carry an applygate marker that
 * cannot be read (damaged, or several in one comment); and the readable ones that are not
 * trusted because a project's lists do not hash to its sets (listsProblem). Those count for
 * nothing, and the check says why. Each marker is decoded once.
 */
export function readSummaries<C extends CommentLike>(
  comments: readonly C[],
  bots: readonly string[],
): { summaries: TrustedSummary<C>[]; unreadable: number; untrusted: UntrustedSummary<C>[] } {
  const summaries: TrustedSummary<C>[] = [];
  const untrusted: UntrustedSummary<C>[] = [];
  let unreadable = 0;
  for (const comment of comments) {
    if (!isTrustedAuthor(comment.user?.login, bots)) continue;
    const m = decodeMarker(comment.body ?? '');
    if (!m.ok) {
      if (m.reason === 'malformed' || m.reason === 'several') unreadable++;
      continue;
    }
    const problems = m.marker.projects.flatMap((p) => {
      const problem = listsProblem(p);
      return problem ? [`project ${codeSpan(p.name)}: ${problem}`] : [];
    });
    if (problems.length > 0)
      untrusted.push({ comment, marker: m.marker, reason: problems.join('; ') });
    else summaries.push({ comment, marker: m.marker });
  }
  return { summaries, unreadable, untrusted };
}

/** The key a sticky comment is found by: its sorted project names. */
export function stickyKey(projects: readonly string[]): string {
  return [...projects].sort().join('\u0000');
}

/**
 * The sticky comment for a set of projects: the oldest trusted summary with the same projects
 * is kept and updated; any others with the same key are duplicates to delete.
 */
export function findSticky<C extends CommentLike>(
  comments: readonly C[],
  bots: readonly string[],
  projects: readonly string[],
): { keep?: { comment: C }; duplicates: { comment: C }[] } {
  const key = stickyKey(projects);
  const same = stickyCandidates(comments, bots)
    .filter((s) => stickyKey(s.projects) === key)
    .sort((a, b) => a.comment.id - b.comment.id);
  const [keep, ...duplicates] = same;
  return keep ? { keep, duplicates } : { duplicates: [] };
}

/**
 * The bots' summaries with their project names, including those with an outdated marker, so
 * that an upgrade rewrites the old sticky comment instead of adding a second one.
 */
function stickyCandidates<C extends CommentLike>(
  comments: readonly C[],
  bots: readonly string[],
): { comment: C; projects: string[] }[] {
  const out: { comment: C; projects: string[] }[] = [];
  for (const comment of comments) {
    if (!isTrustedAuthor(comment.user?.login, bots)) continue;
    const m = decodeMarker(comment.body ?? '');
    if (m.ok) out.push({ comment, projects: m.marker.projects.map((p) => p.name) });
    else if (m.reason === 'outdated') out.push({ comment, projects: m.projects });
  }
  return out;
}

/**
 * The newest trusted summary of `project`, optionally only one written for `headSha`. Newest by
 * update time, so an edited sticky comment wins over an older one.
 */
export function latestSummaryFor<C extends CommentLike>(
  comments: readonly C[],
  bots: readonly string[],
  project: string,
  headSha?: string,
): { summary: TrustedSummary<C>; project: MarkerProject } | undefined {
  let best: { summary: TrustedSummary<C>; project: MarkerProject } | undefined;
  for (const s of trustedSummaries(comments, bots)) {
    if (headSha !== undefined && s.marker.headSha !== headSha) continue;
    const p = s.marker.projects.find((x) => x.name === project);
    if (!p) continue;
    if (!best || stamp(s.comment) >= stamp(best.summary.comment)) best = { summary: s, project: p };
  }
  return best;
}

function stamp(c: CommentLike): string {
  return `${c.updated_at ?? c.created_at ?? ''}\u0000${String(c.id).padStart(20, '0')}`;
}

/**
 * Two renderings of the same summary: equal text, and markers equal except for the run id.
 * The Action's `comment: on-change` skips the write then; a new head SHA is a change.
 */
export function bodiesEquivalent(a: string, b: string): boolean {
  if (withoutMarker(a) !== withoutMarker(b)) return false;
  const ma = decodeMarker(a);
  const mb = decodeMarker(b);
  if (!ma.ok || !mb.ok) return false;
  const strip = ({ runId: _r, ...rest }: Marker) => JSON.stringify(rest);
  return strip(ma.marker) === strip(mb.marker);
}
