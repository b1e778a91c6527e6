import type { Context } from 'probot';
import {
  CODEOWNERS_LOCATIONS,
  CODEOWNERS_MAX_BYTES,
  parseCodeowners,
  type Rule,
} from '../core/approval/codeowners.js';
import { parseCommand } from '../core/approval/command.js';
import {
  approvalCandidates,
  decide,
  foldLogin,
  teamsToResolve,
  type Decision,
} from '../core/approval/decide.js';
import { CONFIG_PATH, parseConfig, type Config } from '../core/config.js';
import { mentionsMarker } from '../core/marker.js';
import { isTrustedAuthor, trustedSummaries } from '../core/summaries.js';
import type { GitHub, PullComment, PullInfo } from './github.js';
import {
  alreadyPosted,
  editedSummaries,
  editedSummaryKey,
  editedSummaryNotice,
  CHECK_NAME,
  checkRun,
  configErrorCheck,
  GATE,
  gateStatus,
  noticePosted,
  pendingNotice,
  refusalReply,
  type GateInfo,
  type OwnersNote,
} from './messages.js';

// One evaluation of one pull request, from scratch: read what GitHub says (the PR, its comments,
// and the base branch's config and CODEOWNERS, never the PR head's), let the core decide, then
// bring GitHub in line with the decision. Approving is always the last step, so a failure on the
// way (thrown after the client's retries) leaves everything pending: fail closed. Only replies,
// reactions and notices, which decide nothing, are best effort (see bestEffort).

export type Log = Context['log'];

/** A comment event that caused this evaluation. */
export interface CommentTrigger {
  commentId: number;
  action: 'created' | 'edited' | 'deleted';
  /** The comment's author, and who created, edited or deleted it (the webhook's sender). */
  author?: string;
  sender?: string;
  /** The comment's `updated_at` in the webhook: which version of it the sender wrote. */
  updatedAt?: string;
}

export interface Job {
  pull: number;
  trigger?: CommentTrigger;
  /** A deployment waiting for this app's protection rule. */
  gate?: GateInfo;
}

/** `.github/plangate.yml` larger than this is an error, not a config. */
const CONFIG_MAX_BYTES = 1024 * 1024;

export async function evaluate(gh: GitHub, job: Job, log: Log): Promise<Decision | undefined> {
  const pull = await gh.pull(job.pull);
  const [config, comments] = await Promise.all([readConfig(gh, pull), gh.comments(pull.number)]);
  if (!config.ok) {
    await configBroken(gh, pull, config.errors, job, log);
    return undefined;
  }

  const edited = await distrustEditedSummaries(gh, pull, job.trigger, comments, config.config);
  const summaries = trustedSummaries(
    comments.filter((c) => !edited.has(editedSummaryKey(c))),
    config.config.bots,
  );
  const hasSummary = summaries.some((s) => s.marker.headSha === pull.headSha);
  // Without a summary for the head, owners do not matter: every approval is refused as early.
  const owners = hasSummary ? await readOwners(gh, pull) : noOwners();
  const base = {
    config: config.config,
    pull: { number: pull.number, author: pull.author, headSha: pull.headSha },
    summaries,
    comments,
    codeowners: owners.rules,
    changedFiles: owners.files,
    changedFilesTruncated: owners.note.truncated,
  };
  const teamMembers = await memberships(gh, teamsToResolve(base), approvalCandidates(base), log);
  const decision = decide({ ...base, teamMembers });
  log.info(
    { pull: pull.number, head: pull.headSha, state: decision.state },
    `plangate: ${decision.summary}`,
  );

  await keepCheckCurrent(gh, pull, decision, config.config, owners.note, summaries.length > 0);
  if (job.trigger) {
    await answerCommand(gh, pull, job.trigger, comments, decision, config.config, log);
  }
  if (job.gate) {
    await answerGate(gh, pull, job.gate, comments, decision, config.config, owners.note, log);
  } else if (decision.state === 'approved' || decision.state === 'not-required') {
    await reviewWaitingRuns(
      gh,
      pull,
      { state: 'approved', comment: GATE.approved(decision, pull.number) },
      log,
    );
  }
  return decision;
}

/** A deployment asks: find its pull request, then evaluate with the gate in view. */
export async function evaluateGate(
  gh: GitHub,
  request: {
    runId: number;
    environment: string;
    sha?: string;
    pulls: { number: number; headSha: string }[];
  },
  log: Log,
): Promise<void> {
  const sha = request.sha ?? (await gh.runHeadSha(request.runId));
  let number = request.pulls.find((p) => p.headSha === sha)?.number;
  if (number === undefined) {
    // A push (to the default branch after a merge, or to a PR branch): ask GitHub.
    const pulls = await gh.pullsForCommit(sha);
    number = (
      pulls.find((p) => p.state === 'open' && p.headSha === sha) ??
      pulls.find((p) => p.merged && p.mergeCommitSha === sha) ??
      pulls[0]
    )?.number;
  }
  if (number === undefined) {
    log.info({ run: request.runId, sha }, 'plangate: no pull request for the deployed commit');
    await gh.reviewGate(request.runId, request.environment, {
      state: 'rejected',
      comment: GATE.noPull(sha),
    });
    return;
  }
  await evaluate(
    gh,
    { pull: number, gate: { runId: request.runId, environment: request.environment, sha } },
    log,
  );
}

// ------------------------------------------------------------------------------ reads

/**
 * Summaries whose current text is not the plan job's. GitHub lets anyone with write access edit
 * any comment, a bot's included, and the REST API does not say who edited a comment last; the
 * `issue_comment.edited` webhook does (its sender). When a person edits a trusted summary, the
 * app records it on the pull request (a comment with a hidden tag naming the comment and its
 * `updated_at`) before anything else, so that every later evaluation, on any replica, distrusts
 * that version. The plan job writing the summary again gives it a new `updated_at`: trusted again.
 * Returns the keys (`editedSummaryKey`) of the distrusted versions.
 */
async function distrustEditedSummaries(
  gh: GitHub,
  pull: PullInfo,
  trigger: CommentTrigger | undefined,
  comments: readonly PullComment[],
  config: Config,
): Promise<Set<string>> {
  const edited = editedSummaries(comments);
  if (trigger?.action !== 'edited' || !trigger.sender || !trigger.author) return edited;
  if (foldLogin(trigger.sender) === foldLogin(trigger.author)) return edited;
  if (!isTrustedAuthor(trigger.author, config.bots)) return edited;
  const comment = comments.find((c) => c.id === trigger.commentId);
  // Only the version this webhook reports; a newer one (the plan job's) is judged on its own.
  if (!comment || comment.updated_at !== trigger.updatedAt || !mentionsMarker(comment.body)) {
    return edited;
  }
  const key = editedSummaryKey(comment);
  if (edited.has(key)) return edited;
  // Recorded before anything is decided: if this write fails, the evaluation fails (closed).
  await gh.comment(pull.number, editedSummaryNotice(comment, trigger.sender));
  edited.add(key);
  return edited;
}

async function readConfig(gh: GitHub, pull: PullInfo) {
  const file = await gh.file(CONFIG_PATH, pull.baseSha, CONFIG_MAX_BYTES);
  if (file.found && file.tooLarge) {
    return {
      ok: false as const,
      errors: [`${CONFIG_PATH}: ${file.size} bytes is too large (limit ${CONFIG_MAX_BYTES})`],
    };
  }
  return parseConfig(file.found ? file.text : undefined);
}

interface Owners {
  rules: Rule[] | null;
  files: readonly string[];
  note: OwnersNote;
}

function noOwners(): Owners {
  return { rules: null, files: [], note: { truncated: false } };
}

/** Base-branch CODEOWNERS (GitHub's order, first found wins) and the changed files. */
async function readOwners(gh: GitHub, pull: PullInfo): Promise<Owners> {
  const [codeowners, changed] = await Promise.all([
    readCodeowners(gh, pull.baseSha),
    gh.changedFiles(pull),
  ]);
  return {
    rules: codeowners.rules,
    files: changed.files,
    note: { ...codeowners.note, truncated: changed.truncated },
  };
}

async function readCodeowners(
  gh: GitHub,
  sha: string,
): Promise<{ rules: Rule[] | null; note: Omit<OwnersNote, 'truncated'> }> {
  for (const path of CODEOWNERS_LOCATIONS) {
    const file = await gh.file(path, sha, CODEOWNERS_MAX_BYTES);
    if (!file.found) continue;
    if (file.tooLarge) {
      // GitHub does not load a CODEOWNERS file of 3 MB or more, and neither do we.
      return {
        rules: null,
        note: {
          path,
          problem: `${path} on the base branch is 3 MB or larger, which GitHub ignores`,
        },
      };
    }
    const parsed = parseCodeowners(file.text);
    return { rules: parsed.rules, note: { path, skipped: parsed.errors.length } };
  }
  return { rules: null, note: { problem: 'the base branch has no CODEOWNERS file' } };
}

/** Ask each team about each candidate; a team key maps to its members among them. */
async function memberships(
  gh: GitHub,
  teams: readonly string[],
  candidates: readonly string[],
  log: Log,
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>(teams.map((t) => [t, new Set<string>()]));
  await Promise.all(
    teams.flatMap((team) =>
      candidates.map(async (login) => {
        const state = await gh.membership(team, login);
        if (state === 'active') out.get(team)!.add(login);
        if (state === 'hidden') {
          log.warn({ team, login }, 'plangate: team not visible to the app; not counted as member');
        }
      }),
    ),
  );
  return out;
}

// ------------------------------------------------------------------------------ writes

/**
 * The check run on the head SHA says what the decision says. With the id of the check run known
 * to this process (CheckRunCache), it is written without being read; otherwise it is found, and
 * written only when it differs, or created.
 */
async function keepCheckCurrent(
  gh: GitHub,
  pull: PullInfo,
  decision: Decision,
  config: Config,
  owners: OwnersNote,
  anySummary: boolean,
): Promise<void> {
  const check = checkRun(decision, config, owners, pull);
  if (await gh.updateKnownCheckRun(pull.headSha, CHECK_NAME, check)) return;
  const existing = await gh.findCheckRun(pull.headSha, CHECK_NAME);
  if (!existing) {
    // A pull request that never had a summary does not touch Terraform: no check at all.
    if (decision.state === 'no-summary' && !anySummary) return;
    await gh.createCheckRun(pull.headSha, CHECK_NAME, check);
    return;
  }
  const same =
    existing.status === 'completed' &&
    existing.conclusion === check.conclusion &&
    existing.title === check.title &&
    existing.summary === check.summary;
  if (!same) await gh.updateCheckRun(existing.id, check);
}

/** Reply to the comment that triggered this evaluation if it did not count; +1 if it did. */
async function answerCommand(
  gh: GitHub,
  pull: PullInfo,
  trigger: CommentTrigger,
  comments: readonly PullComment[],
  decision: Decision,
  config: Config,
  log: Log,
): Promise<void> {
  if (trigger.action === 'deleted') return;
  const comment = comments.find((c) => c.id === trigger.commentId);
  if (!comment) return;
  const refusals = decision.refused.filter((r) => r.commentId === comment.id);
  if (refusals.length > 0) {
    const body = refusalReply(comment, refusals);
    if (!alreadyPosted(comments, body)) {
      await bestEffort(log, 'reply to a refused command', () => gh.comment(pull.number, body));
    }
    return;
  }
  const parsed = parseCommand(comment.body, { command: config.approval.command });
  if (parsed.type !== 'command') return;
  const counted =
    parsed.action === 'revoke' ||
    decision.projects.some((p) => p.approvals.some((a) => a.commentId === comment.id));
  if (counted)
    await bestEffort(log, 'react to a counted command', () => gh.react(comment.id, '+1'));
}

/**
 * Replies, reactions and notices tell people what happened; they decide nothing. One that still
 * fails after the client's retries is logged and skipped, so that it cannot hold back the
 * approval of a waiting deployment the decision allows. The next event posts what is missing.
 */
async function bestEffort(log: Log, what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    log.warn({ err }, `plangate: could not ${what}; continuing`);
  }
}

/** The deployment that asked: approve, reject, or report and keep it waiting. */
async function answerGate(
  gh: GitHub,
  pull: PullInfo,
  gate: GateInfo,
  comments: readonly PullComment[],
  decision: Decision,
  config: Config,
  owners: OwnersNote,
  log: Log,
): Promise<void> {
  const review = (r: Parameters<GitHub['reviewGate']>[2]) =>
    gh.reviewGate(gate.runId, gate.environment, r);
  const current = gate.sha === pull.headSha || (pull.merged && gate.sha === pull.mergeCommitSha);
  if (!current) {
    await review({
      state: 'rejected',
      comment: GATE.superseded(gate.sha, pull.number, pull.headSha),
    });
    return;
  }
  switch (decision.state) {
    case 'approved':
    case 'not-required':
      await review({ state: 'approved', comment: GATE.approved(decision, pull.number) });
      return;
    case 'no-summary':
      await review({ state: 'rejected', comment: GATE.noSummary(pull.headSha, pull.number) });
      return;
    case 'pending':
      await review({ comment: gateStatus(decision, config, pull.number) });
      if (!noticePosted(comments, decision.headSha)) {
        await bestEffort(log, 'post the pending notice', () =>
          gh.comment(pull.number, pendingNotice(decision, config, owners, gate)),
        );
      }
      return;
  }
}

/** Review every run waiting on the head (and, once merged, the merge commit). */
async function reviewWaitingRuns(
  gh: GitHub,
  pull: PullInfo,
  review: Parameters<GitHub['reviewGate']>[2],
  log: Log,
): Promise<void> {
  const shas = [pull.headSha];
  if (pull.merged && pull.mergeCommitSha) shas.push(pull.mergeCommitSha);
  for (const sha of shas) {
    for (const runId of await gh.waitingRuns(sha)) {
      for (const environment of await gh.pendingEnvironments(runId)) {
        try {
          await gh.reviewGate(runId, environment, review);
        } catch (err) {
          // An environment gated by someone else's rule (or a reviewer) is not ours to review.
          log.warn({ err, run: runId, environment }, 'plangate: could not review a waiting run');
        }
      }
    }
  }
}

async function configBroken(
  gh: GitHub,
  pull: PullInfo,
  errors: string[],
  job: Job,
  log: Log,
): Promise<void> {
  log.warn({ pull: pull.number, errors }, 'plangate: the base-branch config is invalid');
  const check = configErrorCheck(errors, pull);
  if (!(await gh.updateKnownCheckRun(pull.headSha, CHECK_NAME, check))) {
    const existing = await gh.findCheckRun(pull.headSha, CHECK_NAME);
    if (existing) await gh.updateCheckRun(existing.id, check);
    else await gh.createCheckRun(pull.headSha, CHECK_NAME, check);
  }
  const review = { state: 'rejected' as const, comment: GATE.configBroken(errors) };
  if (job.gate) await gh.reviewGate(job.gate.runId, job.gate.environment, review);
  else await reviewWaitingRuns(gh, pull, review, log);
}
