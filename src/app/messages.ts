import { MAX_LISTED_FILES_TEXT } from '../core/approval/codeowners.js';
import {
  noSummaryLine,
  notGatedWhy,
  policiesMissing,
  type ApprovalDecision,
  type ProjectDecision,
  type RefusedCommand,
} from '../core/approval/decide.js';
import { describeApprovers, whoMayApprove, type ApprovalPolicy } from '../core/approval/policy.js';
import { ledgerOf } from '../core/approval/record.js';
import { policyFor } from '../core/approval/scope.js';
import { CONFIG_PATH } from '../core/config.js';
import { encodeLedger } from '../core/ledger.js';
import { shortDigest } from '../core/plan/model.js';
import { codeSpan, truncate } from '../core/render/index.js';
import { plural } from '../core/render/common.js';
import { approvedReply, coversMarkdown } from './bound.js';
import type { CheckRunWrite, PullComment, PullInfo } from './github.js';

// Everything the app writes, in one place: the check run, replies, the PR notice and the texts
// of deployment reviews. People are named as plain text (`@login` in code), never as mentions,
// except the author of a refused command in the reply to them.

/** What the app writes into a check run's summary at most (GitHub's limit is 65,535). */
const CHECK_SUMMARY_MAX = 65_000;
/** GitHub's limit on the comment of a deployment protection rule review. */
export const GATE_COMMENT_MAX = 1024;

/** What the evaluation knew about code owners, for the texts. */
export interface OwnersNote {
  /** Path of the CODEOWNERS file used, if any. */
  path?: string;
  /** Why there is none, or why it was ignored. */
  problem?: string;
  /** Invalid lines skipped (GitHub skips them too). */
  skipped?: number;
  truncated: boolean;
}

// ------------------------------------------------------------------------------ own comments

const TAG_RE = /<!-- applygate-app (notice|reply) ([a-z]+=[0-9a-f]+) -->/;

function tag(kind: 'notice' | 'reply' | 'check', key: string): string {
  return `<!-- applygate-app ${kind} ${key} -->`;
}

/**
 * Whether a comment is one of this app's own records: written by a bot through this GitHub App
 * (`performed_via_github_app`, which GitHub sets, not the writer). A workflow or another app
 * posting the same text is not the app. Without an app id, nothing is.
 */
export function isAppRecord(c: PullComment, appId: number | undefined): boolean {
  return appId !== undefined && c.viaApp === appId && c.user?.type === 'Bot';
}

/** Whether the app already wrote this exact comment, found by its hidden tag. */
export function alreadyPosted(
  comments: readonly PullComment[],
  body: string,
  appId: number | undefined,
): boolean {
  const key = TAG_RE.exec(body)?.[0];
  return comments.some(
    (c) => isAppRecord(c, appId) && key !== undefined && c.body.includes(key) && c.body === body,
  );
}

/** Whether the app already posted a notice for this head SHA (whatever it said). */
export function noticePosted(
  comments: readonly PullComment[],
  headSha: string,
  appId: number | undefined,
): boolean {
  const key = tag('notice', `sha=${headSha}`);
  return comments.some((c) => isAppRecord(c, appId) && c.body.includes(key));
}

/** `${id}@${updated_at}`: one version of one comment. */
export function editedSummaryKey(c: Pick<PullComment, 'id' | 'updated_at'>): string {
  return `${c.id}@${c.updated_at ?? ''}`;
}

const EDITED_RE =
  /<!-- applygate-app edited-summary comment=([0-9a-f]{1,16}) at=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) -->/g;

/**
 * The summary versions the app recorded as edited by a person (see distrustEditedSummaries), by
 * editedSummaryKey. Read from the app's own records only (isAppRecord): a workflow posting one
 * cannot make the real summary untrusted.
 */
export function editedSummaries(
  comments: readonly PullComment[],
  appId: number | undefined,
): Set<string> {
  const out = new Set<string>();
  for (const c of comments) {
    if (!isAppRecord(c, appId)) continue;
    for (const m of c.body.matchAll(EDITED_RE)) {
      out.add(editedSummaryKey({ id: Number.parseInt(m[1]!, 16), updated_at: m[2]! }));
    }
  }
  return out;
}

/** The PR comment recording that a person edited a trusted summary. */
export function editedSummaryNotice(summary: PullComment, editor: string): string {
  const author = summary.user?.login ?? 'the plan job';
  return [
    `### ⚠️ The applygate summary was edited by ${codeSpan(`@${editor}`)}`,
    '',
    `[This summary](${summary.html_url}) is written by the plan job (${codeSpan(`@${author}`)}); ` +
      'someone else changed it, so applygate no longer trusts it. Until the plan job writes the ' +
      'summary again (push a commit, or re-run the plan job), approvals do not count and ' +
      'deployments of this pull request are rejected.',
    '',
    `<!-- applygate-app edited-summary comment=${summary.id.toString(16)} at=${summary.updated_at ?? ''} -->`,
  ].join('\n');
}

// ------------------------------------------------------------------------------ shared pieces

function unmention(text: string): string {
  return text.replace(/(^|[^`\w])@([A-Za-z0-9][\w-]*(?:\/[\w.-]+)?(?:\[bot\])?)/g, '$1`@$2`');
}

function names(list: readonly string[]): string {
  return list.map((n) => codeSpan(n)).join(', ');
}

function needing(decision: ApprovalDecision): ProjectDecision[] {
  return decision.projects.filter(
    (p) => p.requiresApproval && (p.missing > 0 || policiesMissing(p).length > 0),
  );
}

/** The exact first line(s) to comment, one per project when each needs its own digest. */
export function commandLines(decision: ApprovalDecision, policy: ApprovalPolicy): string[] {
  const command = policy.command;
  const open = needing(decision);
  if (!policy.confirmDigest) return [command];
  const several = decision.projects.length > 1;
  return open.map(
    (p) =>
      `${command} ${shortDigest(p.digest)}${several && /^[A-Za-z0-9._/-]{1,100}$/.test(p.name) ? ` project=${p.name}` : ''}`,
  );
}

function stillEligible(decision: ApprovalDecision): string[] {
  const done = new Set(decision.projects.flatMap((p) => p.approvedBy.map((l) => `@${l}`)));
  return decision.eligible.filter((e) => !done.has(e));
}

/**
 * Who may still approve: the people named by this pull request's owners and list (those who
 * approved already left out), then the policy's rule in the words every renderer uses.
 */
export function whoCanApprove(
  decision: ApprovalDecision,
  policy: ApprovalPolicy,
  owners: OwnersNote,
): string {
  const rule = describeApprovers(policy);
  const others = stillEligible(decision);
  if (others.length > 0) return `${names(others)} (${rule})`;
  if (whoMayApprove(policy).sources.some((s) => s.kind === 'writers')) return rule;
  const why = owners.truncated
    ? `this pull request changes more than ${MAX_LISTED_FILES_TEXT} files, so code owners cannot be checked`
    : decision.eligible.length > 0
      ? 'everyone eligible has approved already'
      : (owners.problem ?? 'no code owner owns the changed files');
  return `nobody else under the base branch's configuration (${why}; the rule: ${rule}): add people to \`approval.approvers\` in ${codeSpan(CONFIG_PATH)} on the base branch`;
}

/**
 * With `projects:` in the config, who may approve each project still waiting: its own owners
 * and approvers only (an owner of another project's folder is not one of them).
 */
function perProjectApprovers(decision: ApprovalDecision, policy: ApprovalPolicy): string[] {
  if (policy.projects.length === 0) return [];
  const lines = needing(decision).map((p) => {
    const done = new Set(p.approvedBy.map((l) => `@${l}`));
    const named = p.eligible.filter((e) => !done.has(e));
    const rule = describeApprovers(policyFor(policy, p.name));
    return `- ${codeSpan(p.name)}: ${named.length > 0 ? `${names(named)} (${rule})` : rule}`;
  });
  return lines.length > 0 ? ['**Who can approve each project:**', '', ...lines, ''] : [];
}

// ------------------------------------------------------------------------------ check run

/**
 * The check run for a decision. Its output text carries the ledger record (ledgerOf) when there
 * is one: the decision that `verify` and `applygate guard` read.
 */
export function checkRun(
  decision: ApprovalDecision,
  policy: ApprovalPolicy,
  owners: OwnersNote,
  pull: PullInfo,
  seen: readonly string[] = [],
): CheckRunWrite {
  const ledger = ledgerOf(decision, pull);
  const conclusion =
    decision.state === 'approved' || decision.state === 'not-required'
      ? 'success'
      : decision.state === 'not-gated'
        ? 'neutral'
        : 'action_required';
  return {
    conclusion,
    title: truncate(decision.summary, 200),
    summary: truncate(checkSummary(decision, policy, owners), CHECK_SUMMARY_MAX),
    text: checkText(pull, ledger ? encodeLedger(ledger) : undefined, seen),
    detailsUrl: pull.htmlUrl,
  };
}

function checkSummary(
  decision: ApprovalDecision,
  policy: ApprovalPolicy,
  owners: OwnersNote,
): string {
  const out: string[] = [];
  if (decision.state === 'not-gated') {
    out.push(
      decision.summary,
      "Its base branch's configuration and CODEOWNERS are not trusted, so approvals here count for nothing and no deployment is approved for it. Retarget it to the default branch (or a branch listed in `gate.base_branches` on the default branch) to gate it.",
    );
    return out.join('\n\n');
  }
  if (decision.state === 'no-summary') {
    out.push(
      noSummaryLine(codeSpan(decision.headSha.slice(0, 7))),
      'Approvals given for earlier commits do not carry over to a new commit.',
    );
    return out.join('\n\n');
  }
  out.push(
    '| Project | Plan digest | Risk | Destroys and replaces | Approvals |',
    '| --- | --- | --- | --- | --- |',
    ...decision.projects.map(
      (p) =>
        `| ${codeSpan(p.name, { table: true })} | ${codeSpan(shortDigest(p.digest))} | ${p.level} | ${p.destroyCount} | ${
          p.requiresApproval ? `${p.approvedBy.length} of ${p.required}` : 'not needed'
        } |`,
    ),
    '',
    ...coversMarkdown(decision.projects),
  );
  const counted = decision.projects.filter((p) => p.approvedBy.length > 0);
  if (counted.length > 0) {
    const by = counted.map(
      (p) =>
        `${names(p.approvedBy.map((l) => `@${l}`))}${decision.projects.length > 1 ? ` for ${codeSpan(p.name)}` : ''}`,
    );
    out.push(`**Approved by:** ${by.join('; ')}`, '');
  }
  const open = needing(decision);
  if (open.length > 0) {
    const missing = open.flatMap((p) => {
      const where = decision.projects.length > 1 ? ` for ${codeSpan(p.name)}` : '';
      return [
        ...(p.missing > 0 ? [`${plural(p.missing, 'more approval')}${where}`] : []),
        ...policiesMissing(p).map(
          (q) =>
            `one approval from ${names(q.owners.map((o) => `@${o}`))} (owners of the policy ${codeSpan(q.id)}, which fired)${where}`,
        ),
      ];
    });
    out.push(
      `**Missing:** ${missing.join('; ')}.`,
      '',
      `**Who can approve:** ${whoCanApprove(decision, policy, owners)}.`,
      '',
      ...perProjectApprovers(decision, policy),
      ...howToApprove(decision, policy, 'the pull request'),
      '',
      `\`${policy.revoke}\` withdraws an approval. A new push or a changed plan needs new approvals. An edited comment never approves.`,
      '',
    );
  }
  if (decision.refused.length > 0) {
    out.push(
      '**Not counted:**',
      '',
      ...decision.refused.map((r) => `- ${codeSpan(`@${r.login}`)}: ${unmention(r.reason)}`),
      '',
    );
  }
  if (policy.codeowners && owners.problem) {
    out.push(`Note: ${unmention(owners.problem)}.`, '');
  }
  if (policy.codeowners && owners.path && owners.skipped) {
    out.push(
      `Note: ${plural(owners.skipped, 'invalid line')} of ${codeSpan(owners.path)} skipped, as GitHub skips them.`,
      '',
    );
  }
  return out.join('\n').trimEnd();
}

/**
 * The check run's output text: which pull request wrote it (a check run is per commit, and only
 * this app can write its own, so the lines are trusted), the ledger line, if any, and the
 * versions of the head's summaries the app saw the plan job write (recordedSummaries).
 */
function checkText(
  pull: Pick<PullInfo, 'number'>,
  ledger?: string,
  seen: readonly string[] = [],
): string {
  const versions = seen.filter((k) => SEEN_KEY_RE.test(k)).slice(-SEEN_MAX);
  return [
    tag('check', `pull=${pull.number.toString(16)}`),
    ...(ledger ? [ledger] : []),
    ...(versions.length ? [`<!-- applygate-app summaries ${versions.join(' ')} -->`] : []),
  ].join('\n');
}

/** One summary version as editedSummaryKey writes it: decimal id, `@`, GitHub's timestamp. */
const SEEN_KEY_RE = /^\d{1,16}@\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;
/** A head has a summary per project at most: more than this is not recorded. */
const SEEN_MAX = 100;

/**
 * The summary versions (editedSummaryKey) this app recorded in its own check run as written by
 * the plan job: the record that lets a later evaluation, on any replica or after a restart, tell
 * a summary changed while the app was not listening from one it saw written.
 */
export function recordedSummaries(text: string | null): Set<string> {
  const m = /^<!-- applygate-app summaries ([^\n]*) -->$/m.exec(text ?? '');
  return new Set((m?.[1] ?? '').split(' ').filter((k) => SEEN_KEY_RE.test(k)));
}

/** The pull request that wrote a check run of this app (checkText), if it says. */
export function checkWrittenBy(text: string | null): number | undefined {
  const m = /<!-- applygate-app check pull=([0-9a-f]{1,16}) -->/.exec(text ?? '');
  return m ? Number.parseInt(m[1]!, 16) : undefined;
}

export function configErrorCheck(errors: readonly string[], pull: PullInfo): CheckRunWrite {
  return {
    conclusion: 'failure',
    title: `${CONFIG_PATH} on the base branch is invalid: nothing can be approved`,
    summary: truncate(
      [
        `The configuration is read from the base branch (commit ${codeSpan(pull.baseSha.slice(0, 7))}), never from the pull request. Until it is fixed there, the gate stays closed and deployments are rejected.`,
        '',
        ...errors.map((e) => `- ${unmention(e)}`),
      ].join('\n'),
      CHECK_SUMMARY_MAX,
    ),
    // No decision, no ledger: an earlier one on this head is cleared.
    text: checkText(pull),
    detailsUrl: pull.htmlUrl,
  };
}

// ------------------------------------------------------------------------------ cannot tell

/** A read the decision needed that failed after retries: what it was, and GitHub's answer. */
export interface Unread {
  what: string;
  /** e.g. `HTTP 500`, when GitHub answered at all. */
  detail?: string;
}

/** The reads a decision needs, named for the person reading the check run or the run. */
export const READS = {
  pull: (pullNumber: number) => `pull request #${pullNumber}`,
  comments: () => "the pull request's comments",
  config: () => `${CONFIG_PATH} at the base commit`,
  defaultConfig: () => `${CONFIG_PATH} on the default branch (its \`gate.base_branches\`)`,
  defaultBranch: () =>
    "the repository's default branch (GitHub did not report it), so the base branch cannot be classified",
  codeowners: () => 'CODEOWNERS at the base commit',
  changedFiles: () => 'the changed files',
  membership: (team: string, login: string) => `whether @${login} is a member of @${team}`,
  permission: (login: string) => `the repository permission of @${login}`,
  teamPermission: (team: string) => `the repository permission of the team @${team}`,
  run: (runId: number) => `workflow run ${runId}`,
  summaryRun: (runId: number) => `workflow run ${runId}, which the summary names`,
  check: () => "applygate's own check run on the head (its record of the summaries it saw)",
  workflowFile: (path: string) => `the workflow file ${path} (\`gate.plan_workflow\`)`,
  commitPulls: (sha: string) => `the pull requests of commit ${sha.slice(0, 7)}`,
  lock: () =>
    'its lock in Redis (REDIS_URL), which keeps replicas from deciding this pull request at the same time',
} as const;

function couldNotRead(unread: Unread | undefined): string {
  if (!unread) return 'applygate could not complete its GitHub calls';
  return `applygate could not read ${unread.what}${unread.detail ? ` (GitHub answered ${unread.detail})` : ''}`;
}

/**
 * The check run when the app cannot tell: never success, no ledger (an earlier decision on this
 * head, approved or not, is cleared, so `verify` finds nothing approved), and what to do.
 */
export function undecidedCheck(
  unread: Unread | undefined,
  pull: Pick<PullInfo, 'number' | 'htmlUrl'>,
  seen: readonly string[] = [],
): CheckRunWrite {
  return {
    conclusion: 'action_required',
    title: truncate(`Not decided: ${couldNotRead(unread)}`, 200),
    summary: truncate(
      [
        `${unmention(couldNotRead(unread))}, even after retrying, so it cannot tell whether this plan is approved. **Nothing is approved**: no deployment of this pull request is approved until applygate decides again.`,
        '',
        "**What you can do:** retry in a few minutes. Nothing is lost: the comments already written are counted when applygate decides, at the next event on this pull request: re-run the plan job (its summary update is an event), re-run the waiting deployment, push a commit, or comment the approval command again. If it keeps failing, the app's logs name the call that failed; for a permission or team lookup, check that the app is still installed with access to this repository and its organization's teams.",
      ].join('\n'),
      CHECK_SUMMARY_MAX,
    ),
    // The summary versions seen are kept: they are still the plan job's.
    text: checkText(pull, undefined, seen),
    detailsUrl: pull.htmlUrl,
  };
}

/** Why a trusted bot's summary counts for nothing: its marker cannot be read. */
/** A waiting deployment run the decision approves, which GitHub did not let the app approve. */
export function runNotReviewedNote(status: number | undefined): string {
  return `**A waiting deployment is not approved yet:** GitHub did not accept applygate's approval of it${status ? ` (HTTP ${status})` : ''}, even after retrying. It stays waiting; the next event on this pull request (an approval, an updated summary, a re-run of the deployment) approves it.`;
}

export function unreadableSummaryNote(count: number): string {
  const which = count === 1 ? 'A summary comment' : `${count} summary comments`;
  return `**Why:** ${which} by the plan job ${count === 1 ? 'carries' : 'carry'} an applygate marker that cannot be read (damaged, or more than one in a comment), so no plan is known and nothing can be approved. Re-run the plan job so that it writes the summary again.`;
}

/**
 * Why summaries of the head by the plan job's login count for nothing (reasons are markdown
 * with plan text escaped): no approval binds to them, and deployments see no summary.
 */
export function untrustedSummaryNote(
  untrusted: readonly { comment: Pick<PullComment, 'html_url'>; reason: string }[],
): string {
  return [
    `**Not trusted:** ${untrusted.length === 1 ? 'a summary comment' : `${untrusted.length} summary comments`} of this commit by the plan job's login count for nothing, so no approval binds to ${untrusted.length === 1 ? 'it' : 'them'}:`,
    '',
    ...untrusted.map((u) => `- [this summary](${u.comment.html_url}): ${u.reason}.`),
    '',
    'Run the plan job again (push, or re-run it) so that it writes the summary again.',
  ].join('\n');
}

// ------------------------------------------------------------------------------ replies

/** The reply to a command that did not count. */
export function refusalReply(comment: PullComment, refusals: readonly RefusedCommand[]): string {
  const login = refusals[0]?.login ?? comment.user?.login ?? '';
  const reasons = refusals.map((r) => r.reason);
  const lead = `@${login} **Not counted.**`;
  const body =
    reasons.length === 1
      ? `${lead} ${reasons[0]}`
      : `${lead}\n\n${reasons.map((r) => `- ${r}`).join('\n')}`;
  return `${body}\n\n${tag('reply', `comment=${comment.id.toString(16)}`)}`;
}

/** The reply to a command that counted: what `login` approved (the bound truth). */
export function approvalReply(
  comment: Pick<PullComment, 'id'>,
  login: string,
  projects: readonly ProjectDecision[],
): string {
  return [
    ...approvedReply(login, projects),
    tag('reply', `comment=${comment.id.toString(16)}`),
  ].join('\n');
}

// ------------------------------------------------------------------------------ deployments

export interface GateInfo {
  runId: number;
  environment: string;
  sha: string;
}

/** The PR comment when a deployment waits for approvals: once per head SHA. */
export function pendingNotice(
  decision: ApprovalDecision,
  policy: ApprovalPolicy,
  owners: OwnersNote,
  gate: GateInfo,
): string {
  const open = needing(decision);
  const missing = open.reduce((n, p) => Math.max(n, p.missing), 0);
  const have = decision.required - missing;
  return [
    '### ⏸️ A deployment is waiting for approval',
    '',
    `Workflow run ${gate.runId} wants to deploy ${codeSpan(gate.sha.slice(0, 7))} to the environment ${codeSpan(gate.environment)}. ` +
      `The plan destroys or replaces resources, so it needs ${plural(decision.required, 'approval')} from different people (${have} so far).`,
    '',
    `**Who can approve:** ${whoCanApprove(decision, policy, owners)}.`,
    '',
    ...howToApprove(decision, policy, 'this pull request'),
    '',
    'The deployment continues by itself once the approvals are in.',
    '',
    ...coversMarkdown(open),
    tag('notice', `sha=${decision.headSha}`),
  ].join('\n');
}

/** How to approve, in the check and the notice: the command lines, each a comment's first line. */
function howToApprove(decision: ApprovalDecision, policy: ApprovalPolicy, where: string): string[] {
  return [
    `To approve, comment on ${where} with this as the first line:`,
    '',
    '```',
    ...commandLines(decision, policy),
    '```',
  ];
}

/** The comment-only status report on a waiting run, plain text within GitHub's limit. */
export function gateStatus(
  decision: ApprovalDecision,
  policy: ApprovalPolicy,
  pullNumber: number,
): string {
  const rule = describeApprovers(policy, { quote: (t) => t });
  const named = decision.eligible.length > 0 ? `${decision.eligible.join(', ')} (${rule})` : rule;
  const who = ` Who can approve: ${named}.`;
  const how = commandLines(decision, policy)
    .map((l) => `"${l}"`)
    .join(' or ');
  return truncate(
    `${decision.summary} Comment ${how} on pull request #${pullNumber} to approve the plan for ${decision.headSha.slice(0, 7)}.${who}`,
    GATE_COMMENT_MAX,
  );
}

export const GATE = {
  approved: (decision: ApprovalDecision, pullNumber: number) =>
    truncate(
      `${decision.summary} (pull request #${pullNumber}, commit ${decision.headSha.slice(0, 7)})`,
      GATE_COMMENT_MAX,
    ),
  noSummary: (sha: string, pullNumber: number) =>
    `Rejected: there is no applygate summary for commit ${sha.slice(0, 7)} on pull request #${pullNumber}, so no approved plan covers it. Run the plan job for this commit, then deploy again.`,
  noPull: (sha: string) =>
    `Rejected: no pull request is associated with commit ${sha.slice(0, 7)}, so no reviewed plan covers it. Deploy a commit from a pull request (or its merge commit).`,
  unmapped: (reason: string) =>
    truncate(
      `Rejected: ${reason}. applygate approves a run only for the one pull request it deploys.`,
      GATE_COMMENT_MAX,
    ),
  ambiguous: (reason: string) =>
    truncate(
      `Waiting: ${reason}. The run stays pending, neither approved nor rejected.`,
      GATE_COMMENT_MAX,
    ),
  notGated: (pullNumber: number, baseRef: string) =>
    truncate(
      `Rejected: pull request #${pullNumber} is not gated: ${notGatedWhy(baseRef)}, so it approves no deployment.`,
      GATE_COMMENT_MAX,
    ),
  superseded: (sha: string, pullNumber: number, headSha: string) =>
    `Rejected: commit ${sha.slice(0, 7)} is no longer the head of pull request #${pullNumber} (now ${headSha.slice(0, 7)}); approvals bind to the current head only. Deploy the current head.`,
  configBroken: (errors: readonly string[]) =>
    truncate(
      `Rejected: ${CONFIG_PATH} on the base branch is invalid, so nothing can be approved. ${errors.join(' ')}`,
      GATE_COMMENT_MAX,
    ),
  /** The app cannot tell (the same cause as its check run): the run stays pending. */
  undecided: (unread?: Unread) =>
    truncate(
      `Not decided: ${couldNotRead(unread)}, even after retrying, so nothing is approved. The deployment stays pending; it is approved as soon as a later event (an approval, an updated summary, a re-run) decides it.`,
      GATE_COMMENT_MAX,
    ),
} as const;
