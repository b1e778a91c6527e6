import { foldForComparison, parseCommand } from '../core/approval/command.js';
import { mentionsMarker } from '../core/marker.js';

// The cheap pre-check on a comment webhook's payload, before any GitHub call. Most comments on a
// pull request are conversation: they must cost nothing. A comment goes on to an evaluation when
// it is, or was before an edit or deletion:
// - a summary, or anything that mentions the marker (only the base-branch config can say whether
//   its author is a trusted bot, and reading it is a call);
// - from a person, a command or a near miss under the default command, or any comment whose
//   first non-blank line starts with a slash (or a look-alike of one): the configured command may
//   differ from the default, and the config is not read yet.
// Comments by bots without a marker never matter: bots cannot approve, and a summary without a
// marker is not one. This also keeps the app's own replies from waking it up.

export interface CommentPayload {
  comment: { body?: string | null; user: { login: string; type?: string } | null };
  changes?: { body?: { from: string } };
}

export function commentMayMatter(payload: CommentPayload): boolean {
  const bodies = [payload.comment.body, payload.changes?.body?.from].filter(
    (b): b is string => typeof b === 'string' && b !== '',
  );
  if (bodies.some(mentionsMarker)) return true;
  const user = payload.comment.user;
  if (user && (user.type === 'Bot' || user.login.endsWith('[bot]'))) return false;
  return bodies.some(looksLikeCommand);
}

function looksLikeCommand(body: string): boolean {
  if (parseCommand(body).type !== 'ignore') return true;
  const first = body.split(/\r\n?|\n/).find((l) => l.trim() !== '');
  return first !== undefined && foldForComparison(first).trimStart().startsWith('/');
}

/** A comment as read from GitHub, as far as the decision's inputs go. */
interface ReadComment {
  id: number;
  body: string;
  user: { login: string; type?: string } | null;
  updated_at?: string;
}

/**
 * Whether two reads of a pull request's comments differ in a comment that may matter (the same
 * pre-check as the webhooks): one added, edited (`updated_at`) or deleted. Compare before write:
 * a decision whose commands changed since it read them is made again.
 */
export function decisionInputsDiffer(
  before: readonly ReadComment[],
  after: readonly ReadComment[],
): boolean {
  const versions = (comments: readonly ReadComment[]) =>
    comments
      .filter((c) => commentMayMatter({ comment: c }))
      .map((c) => `${c.id}@${c.updated_at ?? ''}`)
      .sort()
      .join(',');
  return versions(before) !== versions(after);
}
