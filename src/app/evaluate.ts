import type { Context } from 'probot';
import { classifyBase, type BaseTrust } from '../core/approval/base.js';
import {
  CODEOWNERS_LOCATIONS,
  CODEOWNERS_MAX_BYTES,
  CODEOWNERS_MAX_SIZE,
  parseCodeowners,
  type Rule,
} from '../core/approval/codeowners.js';
import { parseCommand } from '../core/approval/command.js';
import {
  accessToCheck,
  approvalCandidates,
  decide,
  notGated,
  wasEdited,
  teamsToResolve,
  type ApprovalDecision,
} from '../core/approval/decide.js';
import { mapRun, type PullRef, type RunMapping } from '../core/approval/deployment.js';
import { approvalPolicy, type ApprovalPolicy } from '../core/approval/policy.js';
import { CONFIG_PATH, DEFAULT_CONFIG, parseConfig, type Config } from '../core/config.js';
// The app checks every config it reads (a policy that does not compile makes it invalid); a
// server loads the engine once, at start.
import { CEL_POLICY_ENGINE } from '../core/policies/engine.js';
import { LEDGER_CHECK_NAME as CHECK_NAME } from '../core/ledger.js';
import { mentionsMarker } from '../core/marker.js';
import { sameLogin } from '../core/principal.js';
import { codeSpan } from '../core/render/index.js';
import { provenanceProblem } from '../core/provenance.js';
import {
  isTrustedAuthor,
  readSummaries,
  type TrustedSummary,
  type UntrustedSummary,
} from '../core/summaries.js';
import { statusOf } from './client.js';
import { publishLedgerCopy } from './ledger-copy.js';
import { LockUnavailable } from './lock.js';
import { decisionInputsDiffer } from './triggers.js';
import type {
  CheckRunSummary,
  CheckRunWrite,
  GateReview,
  GitHub,
  PullComment,
  PullInfo,
} from './github.js';
import {
  recordedSummaries,
  alreadyPosted,
  approvalReply,
  editedSummaries,
  editedSummaryKey,
  editedSummaryNotice,
  checkRun,
  checkWrittenBy,
  configErrorCheck,
  GATE,
  gateStatus,
  noticePosted,
  pendingNotice,
  READS,
  refusalReply,
  runNotReviewedNote,
  undecidedCheck,
  unreadableSummaryNote,
  untrustedSummaryNote,
  type GateInfo,
  type OwnersNote,
  type Unread,
} from './messages.js';

// One evaluation of one pull request, from scratch: read what GitHub says (the PR, its comments,
// and the base branch's config and CODEOWNERS, never the PR head's), let the core decide, then
// bring GitHub in line with the decision. Approving is always the last step, so a failure on the
// way (thrown after the client's retries) leaves everything pending: fail closed. A failed read
// also turns the check run into "Not decided", naming what could not be read (evaluateHeld), so
// that it never goes on showing an older decision. Only replies, reactions and notices, which
// decide nothing, are best effort (see bestEffort).

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
  /** Comment events that caused it (a burst on one pull request is one evaluation). */
  triggers?: CommentTrigger[];
  /** A deployment waiting for this app's protection rule. */
  gate?: GateInfo;
  /**
   * The head a `pull_request` webhook named: where the check run says why when the pull request
   * itself cannot be read (a comment's webhook does not name the head).
   */
  head?: CheckTarget;
}

/** What a check run is written for: the pull request and its head. */
export type CheckTarget = Pick<PullInfo, 'number' | 'headSha' | 'htmlUrl'>;

/** `.github/applygate.yml` larger than this is an error, not a config. */
const CONFIG_MAX_BYTES = 1024 * 1024;

/** What every step of one evaluation works with. */
interface Evaluation {
  gh: GitHub;
  pull: PullInfo;
  job: Job;
  log: Log;
}

/** An evaluation once decided: what the writes say and whom they answer. */
interface Decided extends Evaluation {
  comments: readonly PullComment[];
  decision: ApprovalDecision;
  policy: ApprovalPolicy;
  owners: OwnersNote;
  /** Whether the pull request has any trusted summary (else it gets no check run). */
  anySummary: boolean;
  /** Comments by a `bots` login whose marker cannot be read: they count for nothing. */
  unreadableSummaries: number;
  /** Summaries of the head by a `bots` login that are not trusted, and why (the check says). */
  untrusted: UntrustedSummary<PullComment>[];
  /** The head's summary versions seen written by the plan job, recorded in the check run. */
  seen: string[];
  /** The check run as read in this evaluation (null: none), when it was read. */
  check: CheckRunSummary | null | undefined;
  /** `gate.publish_ledger`: keep the ledger's copy for fine-grained tokens (ledger-copy.ts). */
  publishLedger: boolean;
}

/**
 * What the reads lead to: a decision (with the edit notices to record before anything else is
 * written), one of the two ways there is none to make, or a read that failed after the client's
 * retries (with what had been read by then, for the check run that says so).
 */
type Outcome =
  | ({ kind: 'decided'; editNotices: string[] } & Omit<Decided, keyof Evaluation>)
  | { kind: 'not-gated'; reason: string; config: Config | undefined }
  | { kind: 'config-broken'; errors: string[] }
  | { kind: 'unread'; err: unknown; comments?: readonly PullComment[]; seen?: string[] };

export async function evaluate(
  gh: GitHub,
  job: Job,
  log: Log,
): Promise<ApprovalDecision | undefined> {
  try {
    return await gh.holding(job.pull, (held) => evaluateHeld(held, job, log));
  } catch (err) {
    if (!(err instanceof LockUnavailable)) throw err;
    // Redis is configured but cannot be reached: no lock, so no decision. The check says why
    // (written without the lock: a holder that can no longer reach Redis writes nothing).
    const unread: Unread = { what: READS.lock() };
    log.error({ pull: job.pull, err: err.detail }, 'applygate: Redis unavailable; not decided');
    const target = job.head ?? (await gh.pull(job.pull).catch(() => undefined));
    if (target) await notDecided({ gh, pull: target, job, log }, unread, undefined);
    throw new ReadFailed(unread, err);
  }
}

/**
 * Compare before write: a deployment is approved or rejected (the writes that cannot be taken
 * back) only after the comments are read once more, just before, and found unchanged since the
 * decision read them; otherwise it is decided again from the start, at most this many times.
 * After that the check stays written but no deployment is settled: each change has its own
 * webhook, whose evaluation comes next (the lock) and decides from what it reads. A check or
 * ledger written from commands that changed meanwhile is rewritten by that next evaluation, and
 * the ledger names the newest command it considered, so verify and the guard refuse it until then.
 */
const MAX_DECISIONS = 3;

async function evaluateHeld(gh: GitHub, job: Job, log: Log): Promise<ApprovalDecision | undefined> {
  const pull = await readPull(gh, job, log);
  const ev: Evaluation = { gh, pull, job, log };
  for (let decisions = 1; ; decisions++) {
    const outcome = await readAndDecide(ev);
    switch (outcome.kind) {
      case 'unread':
        await notDecided(ev, unreadOf(outcome.err), outcome.comments, outcome.seen);
        throw outcome.err;
      case 'not-gated':
        return notGatedPull(ev, outcome.reason, outcome.config);
      case 'config-broken':
        await configBroken(ev, outcome.errors);
        return undefined;
    }
    await recordEdits(ev, outcome.editNotices, outcome.comments);
    const run: Decided = { ...ev, ...outcome };
    log.info(
      { pull: pull.number, head: pull.headSha, state: run.decision.state, decisions },
      `applygate: ${run.decision.summary}`,
    );
    await keepCheckCurrent(run);
    for (const trigger of job.triggers ?? []) await answerCommand(run, trigger);
    if ((await settleDeployments(run, decisions)) === 'decide-again') continue;
    return run.decision;
  }
}

/**
 * Settle the deployments the decision allows, last: the one that asked (approved, rejected, or
 * told why it waits), else the runs waiting on the head when the decision approves. Before
 * settling, the comments are read again: when they changed, the decision is made again.
 */
async function settleDeployments(
  run: Decided,
  decisions: number,
): Promise<'done' | 'decide-again'> {
  const { pull, job, log, decision } = run;
  const approves = decision.state === 'approved' || decision.state === 'not-required';
  // A waiting deployment is settled (approved or rejected) unless the decision is pending
  // (then it gets a status report, or is rejected as superseded: not a matter of commands).
  const settles = job.gate ? decision.state !== 'pending' : approves;
  if (!settles) {
    if (job.gate) await answerGate(run, job.gate);
    return 'done';
  }
  if (decisions >= MAX_DECISIONS) {
    log.warn({ pull: pull.number }, 'applygate: commands keep changing; no deployment settled');
    return 'done';
  }
  if (await commandsChanged(run)) return 'decide-again';
  if (job.gate) {
    await answerGate(run, job.gate);
    return 'done';
  }
  try {
    await reviewWaitingRuns(run, {
      state: 'approved',
      comment: GATE.approved(decision, pull.number),
    });
  } catch (err) {
    // The decision stands; what failed is approving a run. The check says so, and the error
    // fails the evaluation (logged, the delivery released) so the next event tries again.
    await bestEffort(log, 'say on the check run that a waiting run is not approved', () =>
      keepCheckCurrent(run, runNotReviewedNote(statusOf(err))),
    );
    throw err;
  }
  return 'done';
}

/**
 * Record on the pull request each summary version a person edited (editNotices), before
 * anything else is written: every later evaluation, on any replica, then distrusts it. If this
 * write fails, the check run says the app cannot tell and the evaluation fails (closed).
 */
async function recordEdits(
  ev: Evaluation,
  notices: readonly string[],
  comments: readonly PullComment[],
): Promise<void> {
  try {
    for (const body of notices) await ev.gh.comment(ev.pull.number, body);
  } catch (err) {
    await notDecided(ev, undefined, comments);
    throw err;
  }
}

/** Whether the comments that can change a decision differ now from those it was made from. */
async function commandsChanged({ gh, pull, comments, log }: Decided): Promise<boolean> {
  const now = await reading(READS.comments(), gh.comments(pull.number));
  const changed = decisionInputsDiffer(comments, now);
  if (changed) log.info({ pull: pull.number }, 'applygate: commands changed; deciding again');
  return changed;
}

/** The pull request; when even it cannot be read, the head a webhook named is told why. */
async function readPull(gh: GitHub, job: Job, log: Log): Promise<PullInfo> {
  try {
    return await reading(READS.pull(job.pull), gh.pull(job.pull));
  } catch (err) {
    if (job.head) await notDecided({ gh, pull: job.head, job, log }, unreadOf(err), undefined);
    throw err;
  }
}

/**
 * Everything the decision needs, read from GitHub, then decided; it writes nothing, and returns
 * the writes that must come first (edit notices). When a read still fails after the client's
 * retries, the app cannot tell: the outcome says so, with what had been read, and the caller
 * writes the check run that says what could not be read (it loses its ledger), approves
 * nothing, and passes the error on (logged, and for a deployment said on the run).
 */
async function readAndDecide(ev: Evaluation): Promise<Outcome> {
  const { gh, pull, job, log } = ev;
  let comments: PullComment[] | undefined;
  let seen: string[] | undefined;
  try {
    let config: Awaited<ReturnType<typeof readConfig>>;
    [config, comments] = await Promise.all([
      reading(READS.config(), readConfig(gh, pull.baseSha)),
      reading(READS.comments(), gh.comments(pull.number)),
    ]);
    const base = await baseTrust(gh, pull);
    if (!base.gated) {
      return {
        kind: 'not-gated',
        reason: base.reason,
        config: config.ok ? config.config : undefined,
      };
    }
    if (!config.ok) return { kind: 'config-broken', errors: config.errors };
    const policy = approvalPolicy(config.config);
    const triggers = job.triggers ?? [];

    const { edited, notices } = editedByPeople(ev, comments, config.config);
    const current = comments.filter((c) => !edited.has(editedSummaryKey(c)));
    const read = readSummaries(current, config.config.bots);
    const { unreadable } = read;
    const versions = await judgeVersions(ev, read.summaries);
    seen = versions.seen;
    const proven = await checkProvenance(ev, versions.trusted, config.config);
    const summaries = proven.trusted;
    const untrusted = [
      ...read.untrusted.filter((u) => u.marker.headSha === pull.headSha),
      ...versions.untrusted,
      ...proven.untrusted,
    ];
    const hasSummary = summaries.some((s) => s.marker.headSha === pull.headSha);
    // Without a summary for the head, owners do not matter: every approval is refused as early.
    const owners = hasSummary ? await readOwners(gh, pull) : noOwners();
    // A comment a webhook reports edited is edited, whatever its timestamps say (an edit within
    // the second it was written leaves `updated_at` equal to `created_at`).
    const editedIds = new Set(
      triggers.filter((t) => t.action === 'edited').map((t) => t.commentId),
    );
    const inputs = {
      policy,
      pull: { number: pull.number, author: pull.author, headSha: pull.headSha },
      summaries,
      comments,
      codeowners: owners.rules,
      changedFiles: owners.files,
      changedFilesTruncated: owners.note.truncated,
      editedIds,
    };
    const teamMembers = await memberships(
      gh,
      teamsToResolve(inputs),
      approvalCandidates(inputs),
      log,
    );
    const writeAccess = await whoCanWrite(gh, accessToCheck({ ...inputs, teamMembers }));
    return {
      kind: 'decided',
      editNotices: notices,
      comments,
      decision: decide({ ...inputs, teamMembers, writeAccess }),
      policy,
      owners: owners.note,
      anySummary: summaries.length > 0 || untrusted.length > 0,
      unreadableSummaries: unreadable,
      untrusted,
      seen,
      check: versions.check,
      publishLedger: config.config.gate.publish_ledger,
    };
  } catch (err) {
    return { kind: 'unread', err, comments, seen };
  }
}

/** What could not be read, when a read named it (reading); otherwise unknown. */
function unreadOf(err: unknown): Unread | undefined {
  return err instanceof ReadFailed ? err.unread : undefined;
}

/** A read the decision needs that still failed after the client's retries. */
class ReadFailed extends Error {
  constructor(
    readonly unread: Unread,
    cause: unknown,
  ) {
    super(`applygate could not read ${unread.what}`, { cause });
  }
}

/** Await a read; its failure names what was being read (READS), for the check and the run. */
async function reading<T>(what: string, read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof ReadFailed) throw err;
    const status = statusOf(err);
    throw new ReadFailed({ what, detail: status ? `HTTP ${status}` : undefined }, err);
  }
}

/** What a waiting deployment asks. */
export interface GateRequest {
  runId: number;
  environment: string;
  /** The run's event (`pull_request`, `push`, ...). */
  event: string;
  sha?: string;
  /** The repository's default branch, from the webhook. */
  defaultBranch?: string;
  /** The pull requests the webhook lists for the run. */
  pulls: PullRef[];
}

/**
 * A deployment asks: map its run to exactly one pull request (core/approval/deployment.ts),
 * then evaluate that pull request with the gate in view. A run that maps to none is rejected
 * with the reason; another pull request at the same commit never decides it. When the app
 * cannot decide (a read fails after retries), the run is told why, as the check run is, and
 * stays pending: the next event decides.
 */
export async function evaluateGate(gh: GitHub, request: GateRequest, log: Log): Promise<void> {
  try {
    await mapAndEvaluate(gh, request, log);
  } catch (err) {
    await bestEffort(log, 'say on the waiting run why it is not decided', () =>
      gh.reviewGate(request.runId, request.environment, {
        comment: GATE.undecided(unreadOf(err)),
      }),
    );
    throw err;
  }
}

async function mapAndEvaluate(gh: GitHub, request: GateRequest, log: Log): Promise<void> {
  const reject = (comment: string) =>
    gh.reviewGate(request.runId, request.environment, { state: 'rejected', comment });
  let { event, sha } = request;
  let headBranch: string | null | undefined;
  let pulls = request.pulls;
  if (sha === undefined || event !== 'pull_request') {
    const run = await reading(READS.run(request.runId), gh.run(request.runId));
    ({ event, headBranch } = run);
    sha ??= run.headSha;
  }
  if (event !== 'pull_request' || !pulls.some((p) => p.headSha === sha)) {
    // A push (to the default branch after a merge), or a webhook without the pull requests.
    pulls = await reading(READS.commitPulls(sha), gh.pullsForCommit(sha));
  }
  const defaultBranch = request.defaultBranch ?? '';
  const mapping: RunMapping = defaultBranch
    ? mapRun({ event, sha, headBranch }, pulls, defaultBranch)
    : {
        reason: 'GitHub did not report the default branch, so the run cannot be mapped',
        ambiguous: false,
      };
  if (mapping.pull === undefined) {
    log.info({ run: request.runId, sha, reason: mapping.reason }, 'applygate: run not mapped');
    if (mapping.ambiguous) {
      await gh.reviewGate(request.runId, request.environment, {
        comment: GATE.ambiguous(mapping.reason),
      });
      return;
    }
    await reject(pulls.length === 0 ? GATE.noPull(sha) : GATE.unmapped(mapping.reason));
    return;
  }
  await evaluate(
    gh,
    { pull: mapping.pull, gate: { runId: request.runId, environment: request.environment, sha } },
    log,
  );
}

/**
 * Whether the pull request's base branch is gated: the default branch, or one its config lists
 * in `gate.base_branches` (read at the default branch's head, every time; no call when the base
 * is the default branch). A default-branch config that cannot be read as valid gates nothing
 * else. Without the default branch (GitHub did not report it) the base cannot be classified:
 * that is not "not gated" but "cannot tell", a failed read.
 */
async function baseTrust(gh: GitHub, pull: PullInfo): Promise<BaseTrust> {
  const { baseRef, defaultBranch } = pull;
  if (!defaultBranch) throw new ReadFailed({ what: READS.defaultBranch() }, undefined);
  // The default branch is gated whatever its config lists: no call for it.
  if (baseRef === defaultBranch) return classifyBase(baseRef, defaultBranch, []);
  const file = await reading(
    READS.defaultConfig(),
    gh.branchFile(CONFIG_PATH, defaultBranch, CONFIG_MAX_BYTES),
  );
  const parsed =
    file.found && file.tooLarge
      ? { ok: false as const }
      : parseConfig(file.found ? file.text : undefined, CONFIG_PATH, CEL_POLICY_ENGINE);
  if (!parsed.ok) {
    return {
      gated: false,
      reason: `${CONFIG_PATH} on the default branch is invalid, so no other base branch is gated`,
    };
  }
  return classifyBase(baseRef, defaultBranch, parsed.config.gate.base_branches);
}

/**
 * A pull request into a base that is not gated: a neutral check saying so, unless the check on
 * this head belongs to a gated pull request (another PR from the same branch), which it must not
 * overwrite; a deployment that maps to it is rejected.
 */
async function notGatedPull(
  { gh, pull, job, log }: Evaluation,
  reason: string,
  config: Config | undefined,
): Promise<ApprovalDecision> {
  const policy = approvalPolicy(config ?? DEFAULT_CONFIG);
  const decision = notGated(pull.headSha, pull.baseRef, policy.required);
  log.info({ pull: pull.number, base: pull.baseRef, reason }, `applygate: ${decision.summary}`);
  const check = checkRun(decision, policy, noOwners().note, pull);
  check.summary = `${check.summary}\n\nWhy: ${reason}.`;
  const existing = await gh.findCheckRun(pull.headSha, CHECK_NAME);
  if (!existing) {
    await gh.createCheckRun(pull.headSha, CHECK_NAME, check);
  } else if (existing.conclusion === 'neutral' || checkWrittenBy(existing.text) === pull.number) {
    // Its own earlier decision (before a retarget), or another not-gated one: replaced. A
    // gated pull request's check on the same head is left as it is.
    await gh.updateCheckRun(existing.id, check);
  }
  if (job.gate) {
    await gh.reviewGate(job.gate.runId, job.gate.environment, {
      state: 'rejected',
      comment: GATE.notGated(pull.number, pull.baseRef),
    });
  }
  return decision;
}

// ------------------------------------------------------------------------------ reads

/**
 * Summaries whose current text is not the plan job's. GitHub lets anyone with write access edit
 * any comment, a bot's included, and the REST API does not say who edited a comment last; the
 * `issue_comment.edited` webhook does (its sender). When a person edits a trusted summary, the
 * app records it on the pull request (a comment with a hidden tag naming the comment and its
 * `updated_at`) before anything else (recordEdits), so that every later evaluation, on any
 * replica, distrusts that version. The plan job writing the summary again gives it a new
 * `updated_at`: trusted again. Returns the keys (`editedSummaryKey`) of the distrusted versions,
 * and the notices to post for those this evaluation is the first to learn of.
 */
function editedByPeople(
  { gh, job }: Evaluation,
  comments: readonly PullComment[],
  config: Config,
): { edited: Set<string>; notices: string[] } {
  const edited = editedSummaries(comments, gh.appId);
  const notices: string[] = [];
  for (const trigger of job.triggers ?? []) {
    if (trigger.action !== 'edited' || !trigger.sender || !trigger.author) continue;
    if (sameLogin(trigger.sender, trigger.author)) continue;
    if (!isTrustedAuthor(trigger.author, config.bots)) continue;
    const comment = comments.find((c) => c.id === trigger.commentId);
    // Only the version this webhook reports; a newer one (the plan job's) is judged on its own.
    if (!comment || comment.updated_at !== trigger.updatedAt || !mentionsMarker(comment.body)) {
      continue;
    }
    const key = editedSummaryKey(comment);
    if (edited.has(key)) continue;
    notices.push(editedSummaryNotice(comment, trigger.sender));
    edited.add(key);
  }
  return { edited, notices };
}

/**
 * Summaries of the head in a version the app saw the plan job write; the others, with why.
 * GitHub's REST API does not say who last edited a comment, and `github-actions[bot]` writes the
 * summary again in place on every push, so a version counts only when the app saw it written:
 * unedited (`updated_at` is `created_at`), or reported now by an `issue_comment.edited` webhook
 * whose sender is the comment's author, or recorded as such in the app's own check run on the
 * head by an earlier evaluation (only this app can write it; every replica and restart reads it
 * back). Anything else changed while the app was not listening (down, or the webhook lost): it
 * counts as an edit. The check run is read only when a version needs it and this process has not
 * seen it written already (SeenSummaryCache). The versions seen are
 * returned for the check run's record; summaries of other heads pass through.
 */
async function judgeVersions(
  { gh, pull, job }: Evaluation,
  summaries: readonly TrustedSummary<PullComment>[],
): Promise<{
  trusted: TrustedSummary<PullComment>[];
  untrusted: UntrustedSummary<PullComment>[];
  seen: string[];
  check: CheckRunSummary | null | undefined;
}> {
  const live = new Set(
    (job.triggers ?? [])
      .filter((t) => t.action === 'edited' && t.sender && t.author && sameLogin(t.sender, t.author))
      .map((t) => editedSummaryKey({ id: t.commentId, updated_at: t.updatedAt })),
  );
  const out = {
    trusted: [] as TrustedSummary<PullComment>[],
    untrusted: [] as UntrustedSummary<PullComment>[],
    seen: [] as string[],
    check: undefined as CheckRunSummary | null | undefined,
  };
  let recorded: Set<string> | undefined;
  for (const s of summaries) {
    if (s.marker.headSha !== pull.headSha) {
      out.trusted.push(s);
      continue;
    }
    const key = editedSummaryKey(s.comment);
    let saw = !wasEdited(s.comment) || live.has(key) || gh.sawSummary(key);
    if (!saw) {
      if (recorded === undefined) {
        out.check =
          (await reading(READS.check(), gh.findCheckRun(pull.headSha, CHECK_NAME))) ?? null;
        recorded = recordedSummaries(out.check?.text ?? null);
      }
      saw = recorded.has(key);
    }
    if (saw) {
      gh.rememberSummary(key);
      out.seen.push(key);
      out.trusted.push(s);
    } else {
      out.untrusted.push({ ...s, reason: notSeenReason(s.comment) });
    }
  }
  return out;
}

/**
 * The summaries of the head whose marker names the workflow run that wrote them, and that run
 * is this head's plan job (core/provenance.ts); the others, with why. Summaries of other heads
 * decide nothing and are passed through. With `gate.plan_workflow`, the workflow file at the
 * run's commit must be the default branch's: the same bytes, hence the same blob (the file at a
 * commit is cached; the default branch's is read every time).
 */
async function checkProvenance(
  { gh, pull }: Evaluation,
  summaries: readonly TrustedSummary<PullComment>[],
  config: Config,
): Promise<{
  trusted: TrustedSummary<PullComment>[];
  untrusted: UntrustedSummary<PullComment>[];
}> {
  const trusted: TrustedSummary<PullComment>[] = [];
  const untrusted: UntrustedSummary<PullComment>[] = [];
  const planWorkflow = config.gate.plan_workflow;
  for (const s of summaries) {
    if (s.marker.headSha !== pull.headSha) {
      trusted.push(s);
      continue;
    }
    const runId = s.marker.runId;
    const run =
      runId === undefined
        ? undefined
        : await reading(READS.summaryRun(runId), gh.summaryRun(runId));
    const input = { marker: s.marker, headSha: pull.headSha, run, planWorkflow };
    let problem = provenanceProblem({ ...input, workflowUnchanged: true });
    if (!problem && planWorkflow && run) {
      const [atRun, onDefault] = await Promise.all([
        reading(
          READS.workflowFile(planWorkflow),
          gh.file(planWorkflow, run.headSha, CONFIG_MAX_BYTES),
        ),
        reading(
          READS.workflowFile(planWorkflow),
          gh.branchFile(planWorkflow, pull.defaultBranch ?? '', CONFIG_MAX_BYTES),
        ),
      ]);
      const same =
        atRun.found && !atRun.tooLarge && onDefault.found && !onDefault.tooLarge
          ? atRun.text === onDefault.text
          : false;
      problem = provenanceProblem({ ...input, workflowUnchanged: same });
    }
    if (problem) untrusted.push({ ...s, reason: problem });
    else trusted.push(s);
  }
  return { trusted, untrusted };
}

/** Why a summary version the app did not see the plan job write counts as an edit. */
function notSeenReason(c: Pick<PullComment, 'updated_at'>): string {
  return `it was changed at ${codeSpan(c.updated_at ?? '')} and applygate did not see the plan job write that version (its edit reached the app through no webhook: the app was down, or the delivery was lost), so it counts as an edit; a re-run with \`comment: on-change\` leaves an unchanged summary as it is, so push a commit (or re-run with \`comment: always\`)`;
}

async function readConfig(gh: GitHub, baseSha: string) {
  const file = await gh.file(CONFIG_PATH, baseSha, CONFIG_MAX_BYTES);
  if (file.found && file.tooLarge) {
    return {
      ok: false as const,
      errors: [`${CONFIG_PATH}: ${file.size} bytes is too large (limit ${CONFIG_MAX_BYTES})`],
    };
  }
  return parseConfig(file.found ? file.text : undefined, CONFIG_PATH, CEL_POLICY_ENGINE);
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
    reading(READS.codeowners(), readCodeowners(gh, pull.baseSha)),
    reading(READS.changedFiles(), gh.changedFiles(pull)),
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
      // GitHub does not load a CODEOWNERS file this large, and neither do we.
      return {
        rules: null,
        note: {
          path,
          problem: `${path} on the base branch is ${CODEOWNERS_MAX_SIZE} or larger, which GitHub ignores`,
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
        const state = await reading(READS.membership(team, login), gh.membership(team, login));
        if (state === 'active') out.get(team)!.add(login);
        if (state === 'hidden') {
          log.warn(
            { team, login },
            'applygate: team not visible to the app; not counted as member',
          );
        }
      }),
    ),
  );
  return out;
}

/**
 * Ask GitHub, now, whether each user and team decide() needs can push to the repository. Never
 * cached: a "yes" from minutes ago must not count an approval by someone whose access was taken
 * away since. A lookup that still fails after retries throws: nothing is decided (closed).
 */
async function whoCanWrite(
  gh: GitHub,
  need: { users: readonly string[]; teams: readonly string[] },
): Promise<{ users: Set<string>; teams: Set<string> }> {
  const users = new Set<string>();
  const teams = new Set<string>();
  await Promise.all([
    ...need.users.map(async (u) => {
      if (await reading(READS.permission(u), gh.userCanWrite(u))) users.add(u);
    }),
    ...need.teams.map(async (t) => {
      if (await reading(READS.teamPermission(t), gh.teamCanWrite(t))) teams.add(t);
    }),
  ]);
  return { users, teams };
}

// ------------------------------------------------------------------------------ writes

/**
 * Write this pull request's check run on its head: by the id this process knows
 * (CheckRunCache) without reading it, else found and written when it differs, else created
 * (unless `create` is false).
 */
async function writeCheck(
  { gh, pull }: { gh: GitHub; pull: CheckTarget },
  check: CheckRunWrite,
  create: boolean,
  /** The check run as this evaluation read it (null: there was none), if it did. */
  read?: CheckRunSummary | null,
): Promise<void> {
  if (read === undefined && (await gh.updateKnownCheckRun(pull.headSha, CHECK_NAME, check))) return;
  const existing = read === undefined ? await gh.findCheckRun(pull.headSha, CHECK_NAME) : read;
  if (!existing) {
    if (create) await gh.createCheckRun(pull.headSha, CHECK_NAME, check);
    return;
  }
  const same =
    existing.status === 'completed' &&
    existing.conclusion === check.conclusion &&
    existing.title === check.title &&
    existing.summary === check.summary &&
    (existing.text ?? '') === (check.text ?? '');
  if (!same) await gh.updateCheckRun(existing.id, check);
}

/**
 * The check run on the head SHA says what the decision says. A pull request that never had a
 * summary does not touch Terraform: it gets no check at all.
 */
async function keepCheckCurrent(run: Decided, note?: string): Promise<void> {
  const { decision, policy, owners, pull, anySummary, unreadableSummaries, untrusted } = run;
  const check = checkRun(decision, policy, owners, pull, run.seen);
  if (note) check.summary = `${check.summary}\n\n${note}`;
  if (decision.state === 'no-summary' && unreadableSummaries > 0) {
    check.summary = `${check.summary}\n\n${unreadableSummaryNote(unreadableSummaries)}`;
  }
  if (untrusted.length > 0)
    check.summary = `${check.summary}\n\n${untrustedSummaryNote(untrusted)}`;
  await writeCheck(
    run,
    check,
    decision.state !== 'no-summary' || anySummary || unreadableSummaries > 0,
    run.check,
  );
  await publishLedgerCopy(run, run.publishLedger ? check.text : undefined, run.comments);
}

/**
 * The app cannot tell: the check run says what could not be read and what to do (and carries no
 * ledger, so `verify` finds nothing approved). It is created only when the pull request may
 * have a summary (its comments unknown, or one mentions the marker) or a deployment asked. If
 * this write fails too, it is logged: nothing was approved either way.
 */
async function notDecided(
  ev: Omit<Evaluation, 'pull'> & { pull: CheckTarget },
  unread: Unread | undefined,
  comments: readonly PullComment[] | undefined,
  seen?: readonly string[],
): Promise<void> {
  ev.log.warn(
    { pull: ev.pull.number, unread: unread?.what },
    'applygate: cannot tell; nothing approved, the check run says why',
  );
  const mayMatter =
    ev.job.gate !== undefined || !comments || comments.some((c) => mentionsMarker(c.body));
  try {
    await writeCheck(ev, undecidedCheck(unread, ev.pull, seen), mayMatter);
  } catch (err) {
    ev.log.error({ err }, 'applygate: could not write the check run either; nothing approved');
  }
  if (comments) await publishLedgerCopy(ev, undefined, comments);
}

/** Reply to the comment that triggered this evaluation if it did not count; +1 if it did. */
async function answerCommand(
  { gh, pull, comments, decision, policy, log }: Decided,
  trigger: CommentTrigger,
): Promise<void> {
  if (trigger.action === 'deleted') return;
  const comment = comments.find((c) => c.id === trigger.commentId);
  if (!comment) return;
  const refusals = decision.refused.filter((r) => r.commentId === comment.id);
  if (refusals.length > 0) {
    const body = refusalReply(comment, refusals);
    if (!alreadyPosted(comments, body, gh.appId)) {
      await bestEffort(log, 'reply to a refused command', () => gh.comment(pull.number, body));
    }
    return;
  }
  if (trigger.action === 'edited') return;
  const parsed = parseCommand(comment.body, { command: policy.command });
  if (parsed.type !== 'command') return;
  if (parsed.action === 'revoke') {
    await bestEffort(log, 'react to a counted command', () => gh.react(comment.id, '+1'));
    return;
  }
  // A counted approval is answered with what it approved, from the marker (the bound truth).
  const approved = decision.projects.filter((p) =>
    p.approvals.some((a) => a.commentId === comment.id),
  );
  const login = approved[0]?.approvals.find((a) => a.commentId === comment.id)?.login;
  if (login === undefined) return;
  const body = approvalReply(comment, login, approved);
  if (!alreadyPosted(comments, body, gh.appId)) {
    await bestEffort(log, 'reply to a counted approval', () => gh.comment(pull.number, body));
  }
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
    log.warn({ err }, `applygate: could not ${what}; continuing`);
  }
}

/** The deployment that asked: approve, reject, or report and keep it waiting. */
async function answerGate(
  { gh, pull, comments, decision, policy, owners, log }: Decided,
  gate: GateInfo,
): Promise<void> {
  const review = (r: GateReview) => gh.reviewGate(gate.runId, gate.environment, r);
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
      await review({ comment: gateStatus(decision, policy, pull.number) });
      if (!noticePosted(comments, decision.headSha, gh.appId)) {
        await bestEffort(log, 'post the pending notice', () =>
          gh.comment(pull.number, pendingNotice(decision, policy, owners, gate)),
        );
      }
      return;
    case 'not-gated':
      await review({ state: 'rejected', comment: GATE.notGated(pull.number, pull.baseRef) });
      return;
  }
}

/**
 * Review the runs waiting on the head (and, once merged, the merge commit) that belong to this
 * pull request (mapRun): a run another pull request at the same commit deploys is left alone.
 */
async function reviewWaitingRuns({ gh, pull, log }: Evaluation, review: GateReview): Promise<void> {
  if (!pull.defaultBranch) return;
  const self: PullRef = {
    number: pull.number,
    state: pull.state,
    headSha: pull.headSha,
    baseRef: pull.baseRef,
    merged: pull.merged,
    mergeCommitSha: pull.mergeCommitSha,
  };
  const shas = [pull.headSha];
  if (pull.merged && pull.mergeCommitSha) shas.push(pull.mergeCommitSha);
  for (const sha of shas) {
    for (const run of await gh.waitingRuns(sha)) {
      const candidates = run.event === 'pull_request' ? run.pulls : [self];
      const mapping = mapRun(
        { event: run.event, sha: run.headSha, headBranch: run.headBranch },
        candidates,
        pull.defaultBranch,
      );
      if (mapping.pull !== pull.number) {
        log.info(
          { run: run.id, pull: pull.number, mapped: mapping.pull, reason: mapping.reason },
          "applygate: a waiting run at this commit is not this pull request's; left alone",
        );
        continue;
      }
      for (const environment of await gh.pendingEnvironments(run.id)) {
        try {
          await gh.reviewGate(run.id, environment, review);
        } catch (err) {
          // Anything else (5xx, a time-out, a rate limit, a missing permission) goes up: the
          // run stays waiting and the next event tries again.
          if (!notOurRule(err)) throw err;
          log.info({ run: run.id, environment }, 'applygate: not our rule to review; left alone');
        }
      }
    }
  }
}

/**
 * GitHub's answer when the run's environment waits for another rule (another app's, or a
 * reviewer), not this app's: the run or its pending rule is not found (404), or the review is
 * refused as invalid (422).
 */
function notOurRule(err: unknown): boolean {
  const status = statusOf(err);
  return status === 404 || status === 422;
}

/** The base branch's config is invalid: a failed check, and deployments rejected with why. */
async function configBroken(ev: Evaluation, errors: string[]): Promise<void> {
  const { gh, pull, job, log } = ev;
  log.warn({ pull: pull.number, errors }, 'applygate: the base-branch config is invalid');
  await writeCheck(ev, configErrorCheck(errors, pull), true);
  const review = { state: 'rejected' as const, comment: GATE.configBroken(errors) };
  if (job.gate) await gh.reviewGate(job.gate.runId, job.gate.environment, review);
  else await reviewWaitingRuns(ev, review);
}
