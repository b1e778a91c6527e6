/**
 * Issue 11, "Bad input and faults": when the app cannot tell (a permission lookup fails after
 * retries, a read of the config fails, the base branch cannot be classified), it approves
 * nothing and says why on the check run, and a deployment asking at that moment is told the
 * same and stays pending. End to end against the emulator (real Probot, signed webhooks,
 * requests checked against GitHub's OpenAPI description); faults injected in the emulator.
 */
import { GATE, READS, unreadableSummaryNote } from '../../src/app/messages.js';
import { decodeLedger } from '../../src/core/ledger.js';
import {
  HEAD,
  HEAD2,
  Harness,
  OWNER,
  PR,
  REPO,
  summaryBody,
  harnessForEachTest,
} from '../../testkit/app/harness.js';

const R = '/repos/{owner}/{repo}';
const approve = '/approve-destroy';
/** Probot's retry plugin: the first try and three retries. */
const ATTEMPTS = 4;

let h: Harness;

harnessForEachTest((started) => (h = started));

/** The output text of the newest check run on `sha` (where the ledger lives). */
function checkText(sha = HEAD): string {
  const runs = h.gh.checkRuns(OWNER, REPO).filter((c) => c['head_sha'] === sha);
  return String((runs.at(-1)?.['output'] as { text?: string | null } | undefined)?.text ?? '');
}

/** The check says it could not decide, and why; it carries no ledger. */
function expectNotDecided(what: string, sha = HEAD): void {
  const check = h.check(sha)!;
  expect(check.conclusion).toBe('action_required');
  expect(check.title).toBe(
    `Not decided: applygate could not read ${what} (GitHub answered HTTP 500)`,
  );
  expect(check.summary).toContain('**Nothing is approved**');
  expect(check.summary).toContain('**What you can do:** retry in a few minutes.');
  expect(decodeLedger(checkText(sha))).toMatchObject({ ok: false, reason: 'none' });
}

function stillWaiting(runId: number): void {
  expect(h.runStatus(runId)).toBe('waiting');
  expect(h.reviews(runId).map((r) => r.state)).not.toContain('approved');
  expect(h.reviews(runId).map((r) => r.state)).not.toContain('rejected');
}

test('a permission lookup answering 500 after retries: nothing approved, the check says whose permission', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  const fault = h.gh.fault({ route: `GET ${R}/collaborators/{username}/permission` });
  await h.comment('dba-dana', approve);
  expect(fault.hits).toBe(ATTEMPTS);
  stillWaiting(555);
  expect(h.reviews(555)).toEqual([]);
  expectNotDecided(READS.permission('dba-dana'));
  expect(h.check()!.summary).toContain('`@dba-dana`'); // named, not mentioned
  expect(h.logs.some((l) => l.level === 'error')).toBe(true);

  // GitHub is back: the approval already written counts at the next event.
  h.gh.clearFaults();
  await h.gate(555);
  expect(h.runStatus(555)).toBe('queued');
  expect(h.check()).toMatchObject({ conclusion: 'success' });
});

test("a team's permission lookup failing while a deployment asks: the approved check is withdrawn, the run told why", async () => {
  h.setup();
  await h.summary('destroy');
  await h.comment('tom', approve); // an owner through acme/dba
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  expect(decodeLedger(checkText())).toMatchObject({ ok: true });

  h.gh.fault({ route: 'GET /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}' });
  h.waitingRun(556);
  await h.gate(556);
  stillWaiting(556);
  const unread = { what: READS.teamPermission('acme/dba'), detail: 'HTTP 500' };
  expect(h.reviews(556)).toEqual([{ run: 556, state: 'status', comment: GATE.undecided(unread) }]);
  // Before, the check went on saying "Approved" with an approved ledger `verify` would accept.
  expectNotDecided(READS.teamPermission('acme/dba'));

  h.gh.clearFaults();
  await h.gate(556);
  expect(h.runStatus(556)).toBe('queued');
  expect(h.check()).toMatchObject({ conclusion: 'success' });
});

test('the config read failing: the check says so on the summary event and on a push; decided once GitHub is back', async () => {
  h.setup();
  h.waitingRun(555);
  const fault = h.gh.fault({ route: `GET ${R}/contents/{path}`, pathIncludes: 'applygate.yml' });
  await h.summary('destroy'); // comment-triggered
  expect(fault.hits).toBe(ATTEMPTS);
  expectNotDecided(READS.config());
  stillWaiting(555);

  await h.push(HEAD2); // push-triggered: the new head's check says the same
  expectNotDecided(READS.config(), HEAD2);

  h.gh.clearFaults();
  await h.summary('destroy', HEAD2);
  expect(h.check(HEAD2)).toMatchObject({ conclusion: 'action_required' });
  expect(h.check(HEAD2)!.title).toMatch(/^Waiting for approval/);
  await h.comment('dba-dana', approve);
  expect(h.check(HEAD2)).toMatchObject({ conclusion: 'success' });
});

test('writing the check fails as well: logged, nothing approved, the old check is not turned into success', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  h.gh.fault({ route: `GET ${R}/collaborators/{username}/permission` });
  h.gh.fault({ route: `PATCH ${R}/check-runs/{check_run_id}` });
  await h.comment('dba-dana', approve);
  stillWaiting(555);
  expect(h.check()).toMatchObject({ conclusion: 'action_required' });
  expect(h.logs.map((l) => l.msg)).toContain(
    'applygate: could not write the check run either; nothing approved',
  );
});

test('a base branch that cannot be classified (no default branch reported): nothing approved, the check and the run say why', async () => {
  h.setup();
  h.waitingRun(555);
  // GitHub's pull request without `base.repo.default_branch`, for every read of it.
  const pull = h.gh.pull(OWNER, REPO, PR) as { base: { repo: Record<string, unknown> } };
  delete pull.base.repo['default_branch'];
  h.gh.fault({ route: `GET ${R}/pulls/{pull_number}`, status: 200, body: pull });
  await h.summary('destroy');
  await h.comment('dba-dana', approve);
  const check = h.check()!;
  expect(check.conclusion).toBe('action_required');
  expect(check.title).toBe(`Not decided: applygate could not read ${READS.defaultBranch()}`);
  expect(decodeLedger(checkText())).toMatchObject({ ok: false, reason: 'none' });
  await h.gate(555);
  stillWaiting(555);
  expect(h.reviews(555)).toEqual([
    { run: 555, state: 'status', comment: GATE.undecided({ what: READS.defaultBranch() }) },
  ]);
});

test("a summary whose marker cannot be read (the plan job's record damaged): nothing approved, the check says why", async () => {
  h.setup();
  h.waitingRun(555);
  const body = summaryBody('destroy', HEAD).replace(
    /(<!-- applygate:v2 [A-Za-z0-9_-]+?)[A-Za-z0-9_-]{12}( -->)/,
    '$1$2',
  );
  expect(body).toContain('<!-- applygate:v2 ');
  h.clock.tick();
  h.gh.addComment(OWNER, REPO, PR, { user: { login: 'github-actions[bot]', type: 'Bot' }, body });
  await h.comment('dba-dana', approve);
  const check = h.check()!;
  expect(check.conclusion).toBe('action_required');
  expect(check.summary).toContain(unreadableSummaryNote(1));
  expect(decodeLedger(checkText())).toMatchObject({ ok: false });
  await h.gate(555); // no plan known for the head: rejected, as without a summary
  expect(h.reviews(555).map((r) => r.state)).toEqual(['rejected']);
});

test('the pull request itself unreadable on a push: the head the webhook named gets the check run', async () => {
  h.setup();
  await h.summary('destroy');
  h.gh.fault({ route: `GET ${R}/pulls/{pull_number}` });
  await h.push(HEAD2);
  const check = h.check(HEAD2)!;
  expect(check).toMatchObject({
    conclusion: 'action_required',
    title: `Not decided: applygate could not read ${READS.pull(PR)} (GitHub answered HTTP 500)`,
  });
  h.gh.clearFaults();
  await h.summary('destroy', HEAD2);
  expect(h.check(HEAD2)!.title).toMatch(/^Waiting for approval/);
});
