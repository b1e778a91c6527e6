import {
  commentLedger,
  isLedgerStatus,
  LEDGER_STATUS_CONTEXT,
  ledgerLineDigest,
  ledgerLines,
  ledgerStatusDescription,
  statusDigest,
} from '../core/ledger-copy.js';
import type { Ledger } from '../core/ledger.js';
import { sameLogin } from '../core/principal.js';
import type { Context } from 'probot';
import type { GitHub, PullComment, StatusWrite } from './github.js';
import { isAppRecord } from './messages.js';

// The ledger's copy for tokens that cannot read check runs (core/ledger-copy.ts): one comment of
// the app's own on the pull request carrying the check run's ledger line, and a commit status
// `applygate / ledger` on the head naming that line's sha256. Written after the check run, under
// the pull request's lock, in the order that never lets a reader believe a half-written state:
// - a new ledger: the comment first, then the status (between the two the status names the old
//   line and the comment holds the new one: the reader refuses);
// - no ledger for this head any more: the status first (it withdraws), then the comment.
// Nothing is written when the copy already says it, so replicas and redeliveries converge on one
// comment and one status per decision. The copy decides nothing the check run does not: a write
// that fails is logged, and leaves the copy refused or as it was (see publishLedgerCopy).

type Log = Context['log'];

/** The hidden tag of the copy's comment: the app finds its own copy by it and by its author. */
const COPY_TAG = '<!-- applygate-app ledger-copy -->';

export interface CopyTarget {
  gh: GitHub;
  pull: { number: number; headSha: string };
  log: Log;
}

/**
 * Bring the copy in line with the ledger line of the check run's text as just written (`check`;
 * undefined when `gate.publish_ledger` is off: a copy of this head's ledger is withdrawn).
 * `comments`: the pull request's comments as this evaluation read them. Without a ledger and
 * without a copy of this head's ledger, it makes no call at all.
 */
export async function publishLedgerCopy(
  { gh, pull, log }: CopyTarget,
  check: string | undefined,
  comments: readonly PullComment[],
): Promise<void> {
  const line = ledgerLines(check ?? '')[0];
  const own = comments
    .filter((c) => isAppRecord(c, gh.appId) && c.body.includes(COPY_TAG))
    .sort((a, b) => a.id - b.id);
  const [keep, ...extras] = own;
  try {
    if (line === undefined) {
      const copied = keep && commentLedger(keep.body);
      if (!copied || copied.ledger.headSha !== pull.headSha) return;
      await gh.createStatus(pull.headSha, withdrawn());
      await gh.updateComment(keep.id, withdrawnBody(pull.headSha));
      return;
    }
    const body = copyBody(line);
    let url = keep?.html_url;
    const rewrite = keep === undefined || keep.body !== body || extras.length > 0;
    if (rewrite) {
      try {
        if (keep) await gh.updateComment(keep.id, body);
        else url = (await gh.createComment(pull.number, body)).htmlUrl;
        // Several copies (a replica that lost its lease mid-write): one is kept.
        for (const extra of extras) await gh.deleteComment(extra.id);
      } catch (err) {
        // The old comment may still match the old status: withdraw it, so that nothing older
        // than the check run is believed.
        await gh.createStatus(pull.headSha, withdrawn()).catch(() => undefined);
        throw err;
      }
    } else if (await statusSays(gh, pull.headSha, keep.user?.login ?? '', line)) {
      return;
    }
    await gh.createStatus(pull.headSha, {
      state: approves(line) ? 'success' : 'pending',
      context: LEDGER_STATUS_CONTEXT,
      description: ledgerStatusDescription(line),
      ...(url && { targetUrl: url }),
    });
  } catch (err) {
    log.warn(
      { err, pull: pull.number },
      'applygate: could not publish the ledger copy (does the app have statuses: write?); readers of the copy refuse it until it is written',
    );
  }
}

/** Whether the app's newest ledger status on `sha` already names `line`. */
async function statusSays(gh: GitHub, sha: string, bot: string, line: string): Promise<boolean> {
  const newest = (await gh.statuses(sha))
    .filter(
      (s) => isLedgerStatus(s) && s.creator?.type === 'Bot' && sameLogin(s.creator.login, bot),
    )
    .sort((a, b) => b.id - a.id)[0];
  return newest !== undefined && statusDigest(newest.description) === ledgerLineDigest(line);
}

function withdrawn(): StatusWrite {
  return {
    state: 'pending',
    context: LEDGER_STATUS_CONTEXT,
    description: ledgerStatusDescription(undefined),
  };
}

/** Whether every project of the ledger is approved or needs no approval. */
function approves(line: string): boolean {
  const ledger: Ledger | undefined = commentLedger(line)?.ledger;
  return ledger !== undefined && ledger.projects.every((p) => p.state !== 'pending');
}

function copyBody(line: string): string {
  const ledger = commentLedger(line)?.ledger;
  const head = ledger ? ledger.headSha.slice(0, 7) : '';
  const states = ledger
    ? ledger.projects.map((p) => `\`${p.name.replace(/`/g, "'")}\` ${p.state}`).join(', ')
    : '';
  return [
    `**applygate ledger** for head \`${head}\`: ${states}.`,
    '',
    `A copy of the check run's record for tokens that cannot read check runs (fine-grained personal access tokens). It counts only while its sha256 is the one in applygate's commit status \`${LEDGER_STATUS_CONTEXT}\` on the head: an edited copy counts for nothing.`,
    '',
    COPY_TAG,
    line,
  ].join('\n');
}

function withdrawnBody(headSha: string): string {
  return `**applygate ledger** for head \`${headSha.slice(0, 7)}\`: none (applygate has not decided this head; see its check run).\n\n${COPY_TAG}`;
}
