/**
 * The app's GitHub API budget per event (issue 6), as one scenario shared by the test that
 * asserts it (budget.test.ts) and the benchmark that prints it (tools/bench/app.ts): the calls
 * are counted in the emulator, never timed.
 *
 * "Caches warm" means what a single app process has in memory when a person approves in the
 * ordinary course of a pull request: the approval story ran once on the first head (summary,
 * a deployment asking, an approval), then a push moved the head and the plan job posted the
 * summary for the new head. Those events left in the caches: config and CODEOWNERS at the base
 * SHA, the changed files of (base, new head), the id of the check run on the new head, and
 * dba-dana's "not a member of acme/dba" (her approval on the first head asked). What is
 * measured is on the new head: (a) a comment that is not a command; (c) a deployment asking
 * while the approval is missing; (b) an approval by tom, an owner through the acme/dba team (a
 * positive membership is never cached: asked every time), with that run waiting; (c) another
 * deployment asking once approved.
 */
import { CALL, HEAD2, type Harness } from './harness.js';

export interface Budget {
  /** (a) `issue_comment.created`, not a command. */
  nonCommand: string[];
  /** (b) an accepted `/approve-destroy`, caches warm, one waiting run. */
  approval: string[];
  /** (c) `deployment_protection_rule.requested` while approvals are missing (the first time). */
  gatePending: string[];
  /** (c) `deployment_protection_rule.requested` once approved. */
  gateApproved: string[];
}

const approve = '/approve-destroy';

/**
 * Runs the scenario on a fresh harness (after `start`, before `setup`). `approver`: who
 * approves on the new head (default tom, an owner through the team).
 */
export async function measureBudget(h: Harness, opts: { approver?: string } = {}): Promise<Budget> {
  h.setup();
  // Warm-up: the approval story once, on the first head.
  h.waitingRun(555);
  await h.summary('destroy');
  await h.gate(555);
  await h.comment('dba-dana', approve);
  // A push, and the plan job's summary for the new head (it always comes before approvals).
  await h.push(HEAD2);
  await h.summary('destroy', HEAD2);
  h.waitingRun(556, HEAD2);
  h.calls();

  await h.comment('dba-dana', 'Looks right to me: the old cluster has been empty since May.');
  const nonCommand = h.calls();
  await h.gate(556, { sha: HEAD2 });
  const gatePending = h.calls();
  await h.comment(opts.approver ?? 'tom', approve);
  const approval = h.calls();
  h.waitingRun(557, HEAD2);
  await h.gate(557, { sha: HEAD2 });
  const gateApproved = h.calls();
  if (h.runStatus(556) !== 'queued' || h.runStatus(557) !== 'queued') {
    throw new Error('the budget scenario did not approve its runs');
  }
  return { nonCommand, approval, gatePending, gateApproved };
}

/** Octokit's name for each call the app makes, for people reading the lists. */
const NAMES: Record<string, string> = {
  [CALL.token]: 'apps.createInstallationAccessToken',
  [CALL.pull]: 'pulls.get',
  [CALL.contents]: 'repos.getContent',
  [CALL.comments]: 'issues.listComments',
  [CALL.files]: 'pulls.listFiles',
  [CALL.membership]: 'teams.getMembershipForUserInOrg',
  [CALL.permission]: 'repos.getCollaboratorPermissionLevel',
  [CALL.teamPermission]: 'teams.checkPermissionsForRepoInOrg',
  [CALL.findCheck]: 'checks.listForRef',
  [CALL.createCheck]: 'checks.create',
  [CALL.updateCheck]: 'checks.update',
  [CALL.react]: 'reactions.createForIssueComment',
  [CALL.comment]: 'issues.createComment',
  [CALL.pending]: 'actions.getPendingDeploymentsForRun',
  [CALL.review]: 'actions.reviewCustomGatesForRun',
  [CALL.run]: 'actions.getWorkflowRun',
  [CALL.commitPulls]: 'repos.listPullRequestsAssociatedWithCommit',
};

/** `pulls.get` for `GET /repos/{owner}/{repo}/pulls/{pull_number}`, and so on. */
export function callName(call: string): string {
  if (call.startsWith('GET /repos/{owner}/{repo}/actions/runs?')) {
    return 'actions.listWorkflowRunsForRepo';
  }
  return NAMES[call] ?? call;
}
