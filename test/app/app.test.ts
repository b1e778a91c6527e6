/**
 * The Probot app end to end (issue 4, "It must show"): the app listens on HTTP, webhooks are
 * signed, GitHub is the emulator with OpenAPI validation on, and every payload is checked against
 * @octokit/webhooks-schemas. Each test asserts what GitHub saw: the check run, the reviews of
 * the deployment protection rule, the comments and reactions, and the exact API calls.
 */
import { REFUSE } from '../../src/core/approval/decide.js';
import { GATE, READS } from '../../src/app/messages.js';
import {
  AUTHOR,
  BASE,
  CALL,
  ENV,
  HEAD,
  HEAD2,
  Harness,
  OWNER,
  PR,
  REPO,
  shortDigestOf,
  harnessForEachTest,
} from '../../testkit/app/harness.js';
import { issueCommentPayload } from '../../testkit/app/payloads.js';

const R = '/repos/{owner}/{repo}';

/** Reads run in parallel, so compare the calls as a multiset (writes are asserted in order). */
function sameCalls(actual: string[], expected: string[]): void {
  expect([...actual].sort()).toEqual([...expected].sort());
}

let h: Harness;

harnessForEachTest((started) => (h = started));

const approve = '/approve-destroy';
const waitingFor = 'Waiting for approval: 0/1 approvals.';

test('1. a plan without destroys: the deployment is approved, the check is success', async () => {
  h.setup();
  await h.summary('creates');
  h.waitingRun(555);
  expect(h.check()).toMatchObject({
    conclusion: 'success',
    title: 'The current plan needs no approval.',
  });
  h.calls();

  await h.gate(555);
  expect(h.reviews()).toEqual([
    {
      run: 555,
      state: 'approved',
      comment: 'The current plan needs no approval. (pull request #7, commit a1a1a1a)',
    },
  ]);
  expect(h.runStatus(555)).toBe('queued');
  // The deployment_protection_rule.requested event, caches warm from the summary's event: config
  // and CODEOWNERS (base SHA), changed files (base and head SHAs). The check run was created by
  // that event, and an id from creating is not kept: it is found, and already says the right thing.
  // The comments are read again just before the run is approved (compare before write).
  expect(h.calls()).toEqual([CALL.pull, CALL.comments, CALL.findCheck, CALL.comments, CALL.review]);
  expect(h.appComments()).toEqual([]);
});

test('2. a destroy plan without approval: pending, a PR comment names the owners and the command', async () => {
  h.setup();
  h.waitingRun(555);
  h.waitingRun(556);
  await h.summary('destroy');
  expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });
  const summary = h.check()!.summary;
  expect(summary).toContain(`\`${shortDigestOf('destroy')}\``);
  expect(summary).toContain('**Who can approve:** `@dba-dana`, `@acme/dba`');
  expect(summary).not.toMatch(/(^|[^`])@dba-dana/); // named, never mentioned
  h.calls();

  await h.gate(555);
  expect(h.runStatus(555)).toBe('waiting');
  const [status] = h.reviews(555);
  expect(status?.state).toBe('status');
  expect(status?.comment).toBe(
    'Waiting for approval: 0/1 approvals. Comment "/approve-destroy" on pull request #7 to approve the plan for a1a1a1a. Who can approve: @dba-dana, @acme/dba (code owners of the changed files (base-branch CODEOWNERS), other than the author of the pull request, while they have write access to the repository; approvals needed: 1).',
  );
  const [notice] = h.appComments();
  expect(notice).toContain(`to the environment \`${ENV}\``);
  expect(notice).toContain(
    '**Who can approve:** `@dba-dana`, `@acme/dba` (code owners of the changed files (base-branch CODEOWNERS)',
  );
  expect(notice).toContain('```\n/approve-destroy\n```');
  // The check run was created by the summary's event: found here (its id is kept from now on),
  // already right, so not written.
  expect(h.calls()).toEqual([CALL.pull, CALL.comments, CALL.findCheck, CALL.review, CALL.comment]);

  // Another run asks about the same head: a status report, but no second PR comment.
  await h.gate(556);
  expect(h.reviews(556).map((r) => r.state)).toEqual(['status']);
  expect(h.appComments()).toHaveLength(1);
});

test('3. a code owner approves: check success, the waiting run is approved through the protection rule', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  await h.gate(555);
  expect(h.runStatus(555)).toBe('waiting');
  h.calls();

  const c = await h.comment('dba-dana', approve);
  expect(h.check()).toMatchObject({
    conclusion: 'success',
    title: 'Approved: 1/1 approvals by @dba-dana.',
  });
  expect(h.check()!.summary).toContain('**Approved by:** `@dba-dana`');
  expect(h.replyTo(c['id'] as number)).toMatch(/^@dba-dana approved plan /);
  expect(h.reviews(555)).toEqual([
    expect.objectContaining({ state: 'status' }),
    {
      run: 555,
      state: 'approved',
      comment: 'Approved: 1/1 approvals by @dba-dana. (pull request #7, commit a1a1a1a)',
    },
  ]);
  expect(h.runStatus(555)).toBe('queued');
  // An accepted approval, caches warm: reads, then the check, the reply, the waiting run.
  expect(h.calls()).toEqual([
    CALL.pull,
    CALL.comments,
    CALL.membership, // is dba-dana in acme/dba? (404: no, a direct owner anyway)
    CALL.permission, // can dba-dana push? asked every time
    CALL.updateCheck,
    CALL.comment, // the reply saying what was approved
    CALL.comments, // compare before write: unchanged, so the run is approved
    CALL.waiting(HEAD),
    CALL.pending,
    CALL.review,
  ]);
});

test('4. a non-owner, and the PR author, approve: refused with a reply, still pending', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  await h.gate(555);

  const m = await h.comment('mallory', approve);
  const a = await h.comment(AUTHOR, approve);
  const replies = h.appComments().slice(1); // after the pending notice
  expect(replies).toEqual([
    expect.stringMatching(
      /^@mallory \*\*Not counted\.\*\* Not a code owner of any changed file \(base-branch CODEOWNERS\) and not in `approval.approvers`\n\n<!-- applygate-app reply comment=[0-9a-f]+ -->$/,
    ),
    expect.stringMatching(
      /^@alice \*\*Not counted\.\*\* The author of a pull request may not approve its destroy \(`approval.allow_author` is false\)/,
    ),
  ]);
  expect(h.reactions(m['id'] as number)).toEqual([]);
  expect(h.reactions(a['id'] as number)).toEqual([]);
  expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });
  expect(h.check()!.summary).toContain('- `@mallory`: Not a code owner of any changed file');
  expect(h.runStatus(555)).toBe('waiting');

  // Editing the refused comment: an edited comment never approves, and the reply says so, once.
  await h.editComment(m['id'] as number, `${approve}  `);
  expect(h.appComments()).toHaveLength(4);
  expect(h.appComments().at(-1)).toContain(`@mallory **Not counted.** ${REFUSE.edited()}`);
  h.calls();
  await h.editComment(m['id'] as number, `${approve} `);
  expect(h.appComments()).toHaveLength(4);
  expect(h.calls()).not.toContain(CALL.comment);
});

test('5. an owner through a team: counted', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  h.calls();
  await h.comment('tom', approve); // acme/dba owns /db/
  const membership = h.gh.requestsTo('/orgs/{org}/teams/{team_slug}/memberships/{username}');
  expect(membership.map((r) => [r.path, r.status])).toEqual([
    ['/orgs/acme/teams/dba/memberships/tom', 200],
  ]);
  expect(h.check()).toMatchObject({
    conclusion: 'success',
    title: 'Approved: 1/1 approvals by @tom.',
  });
  expect(h.runStatus(555)).toBe('queued');

  // A member of a team that owns nothing changed (platform: `*`, overridden by `/db/`) is not.
  await h.comment('pat', `/revoke-destroy`);
  await h.comment('pat', approve);
  expect(h.appComments().at(-1)).toContain(
    '@pat **Not counted.** Not a code owner of any changed file',
  );
});

test('6. a push after approval: stale, pending again until a new approval', async () => {
  h.setup();
  await h.summary('destroy');
  const first = await h.comment('dba-dana', approve);
  expect(h.check(HEAD)).toMatchObject({ conclusion: 'success' });

  await h.push(HEAD2);
  expect(h.check(HEAD2)).toMatchObject({
    conclusion: 'action_required',
    title:
      'No applygate summary for a2a2a2a: the plan job has not reported for this commit (run or re-run it: summaries from applygate before v2 do not count).',
  });
  // The plan job reports for the new head: the sticky summary is edited in place.
  await h.summary('destroy', HEAD2);
  expect(h.check(HEAD2)).toMatchObject({ conclusion: 'action_required', title: waitingFor });
  expect(h.check(HEAD2)!.summary).toContain(
    '- `@dba-dana`: this approval was written before the plan for the current head a2a2a2a was summarized; approve the current plan again',
  );

  // A run still deploying the old head is rejected; one for the new head waits.
  h.waitingRun(557, HEAD);
  await h.gate(557, { sha: HEAD });
  expect(h.reviews(557)).toEqual([
    { run: 557, state: 'rejected', comment: GATE.superseded(HEAD, PR, HEAD2) },
  ]);
  h.waitingRun(558, HEAD2);
  await h.gate(558, { sha: HEAD2 });
  expect(h.reviews(558).map((r) => r.state)).toEqual(['status']);

  await h.comment('dba-dana', approve);
  expect(h.check(HEAD2)).toMatchObject({ conclusion: 'success' });
  expect(h.reviews(558).map((r) => r.state)).toEqual(['status', 'approved']);
  expect(h.replyTo(first['id'] as number)).toMatch(/^@dba-dana approved plan /);
});

test('7. a summary-looking comment from a user saying no approval is needed: ignored', async () => {
  h.setup();
  h.waitingRun(555);
  // Before the plan job reports, someone pastes a no-destroy summary with a marker for the head.
  await h.summary('creates', HEAD, { login: 'mallory' });
  expect(h.check()).toBeUndefined();
  await h.gate(555);
  expect(h.reviews(555)).toEqual([
    { run: 555, state: 'rejected', comment: GATE.noSummary(HEAD, PR) },
  ]);

  // After the real summary, the forged one changes nothing.
  h.waitingRun(556);
  await h.summary('destroy');
  await h.summary('creates', HEAD, { login: 'mallory' });
  expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });
  await h.gate(556);
  expect(h.reviews(556).map((r) => r.state)).toEqual(['status']);
  expect(h.runStatus(556)).toBe('waiting');
});

test('8. the PR lowers `required` in its own .github/applygate.yml: ignored (base branch wins)', async () => {
  h.setup({
    config: 'approval:\n  required: 2\n',
    files: ['db/main.tf', '.github/applygate.yml', '.github/CODEOWNERS'],
  });
  h.gh.setFile(OWNER, REPO, HEAD, '.github/applygate.yml', 'approval:\n  required: 1\n');
  h.gh.setFile(OWNER, REPO, HEAD, '.github/CODEOWNERS', '* @mallory\n');
  h.waitingRun(555);
  await h.summary('destroy');
  await h.comment('dba-dana', approve);
  await h.comment('mallory', approve);
  expect(h.check()).toMatchObject({
    conclusion: 'action_required',
    title: 'Waiting for approval: 1/2 approvals by @dba-dana.',
  });
  expect(h.appComments().at(-1)).toContain('@mallory **Not counted.** Not a code owner');
  await h.gate(555);
  expect(h.reviews(555).map((r) => r.state)).toEqual(['status']);
  // Config and CODEOWNERS were only ever read at the base SHA.
  const refs = h.gh
    .requestsTo(`${R}/contents/{path}`)
    .map((r) => `${decodeURIComponent(r.path.split('/contents/')[1]!)}@${r.query['ref']}`);
  expect(refs).toEqual([`.github/applygate.yml@${BASE}`, `.github/CODEOWNERS@${BASE}`]);
});

test('9. the approval comment deleted, or /revoke-destroy: pending again', async () => {
  h.setup();
  await h.summary('destroy');
  const c = await h.comment('dba-dana', approve);
  expect(h.check()).toMatchObject({ conclusion: 'success' });

  await h.deleteComment(c['id'] as number);
  expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });

  await h.comment('tom', approve);
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  const revoke = await h.comment('tom', '/revoke-destroy');
  expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });
  expect(h.reactions(revoke['id'] as number)).toEqual(['applygate[bot]:+1']);

  // An approval edited into something else no longer counts either.
  const d = await h.comment('dba-dana', approve);
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  await h.editComment(d['id'] as number, 'on second thought, wait for the backup');
  expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });
  // One check run on the head, updated in place.
  expect(h.checkCount()).toBe(1);
});

test('10. no summary for the deployed SHA: rejected with the reason', async () => {
  h.setup();
  h.waitingRun(555);
  h.calls();
  await h.gate(555);
  expect(h.reviews(555)).toEqual([
    {
      run: 555,
      state: 'rejected',
      comment:
        'Rejected: there is no applygate summary for commit a1a1a1a on pull request #7, so no approved plan covers it. Run the plan job for this commit, then deploy again.',
    },
  ]);
  expect(h.runStatus(555)).toBe('completed');
  // No summary: no need for owners; and no check run on a PR that never had a summary.
  sameCalls(h.calls(), [
    CALL.token,
    CALL.pull,
    CALL.contents,
    CALL.comments,
    CALL.findCheck,
    CALL.comments, // compare before write: a rejection cannot be taken back either
    CALL.review,
  ]);
  expect(h.checkCount()).toBe(0);

  // `deployment` may be absent: the run says which commit it deploys.
  h.waitingRun(556);
  await h.gate(556, { deployment: false, pulls: [] });
  expect(h.reviews(556).map((r) => r.state)).toEqual(['rejected']);
  expect(h.calls()).toEqual(expect.arrayContaining([CALL.run, CALL.commitPulls]));

  // A commit no pull request knows.
  const stray = 'c3'.repeat(20);
  h.waitingRun(557, stray, 'push');
  await h.gate(557, { sha: stray, pulls: [], event: 'push' });
  expect(h.reviews(557)).toEqual([{ run: 557, state: 'rejected', comment: GATE.noPull(stray) }]);
});

test('11a. required: 2: two distinct owners are needed', async () => {
  h.setup({ config: 'approval:\n  required: 2\n' });
  h.waitingRun(555);
  await h.summary('destroy');
  await h.gate(555);
  expect(h.reviews(555)[0]?.comment).toMatch(/^Waiting for approval: 0\/2 approvals\./);
  await h.comment('dba-dana', approve);
  await h.comment('dba-dana', approve); // the same person twice is one approval
  expect(h.check()).toMatchObject({
    conclusion: 'action_required',
    title: 'Waiting for approval: 1/2 approvals by @dba-dana.',
  });
  expect(h.runStatus(555)).toBe('waiting');
  await h.comment('tom', approve);
  expect(h.check()).toMatchObject({
    conclusion: 'success',
    title: 'Approved: 2/2 approvals by @dba-dana, @tom.',
  });
  expect(h.runStatus(555)).toBe('queued');
});

test('11b. confirm_digest: true: a missing or wrong digest is refused, the right one counts', async () => {
  h.setup({ config: 'approval:\n  confirm_digest: true\n' });
  h.waitingRun(555);
  await h.summary('destroy');
  const digest = shortDigestOf('destroy');
  await h.gate(555);
  expect(h.appComments()[0]).toContain(`\`\`\`\n/approve-destroy ${digest}\n\`\`\``);

  await h.comment('dba-dana', approve);
  expect(h.appComments().at(-1)).toContain(
    `this repository requires the plan digest in the approval: comment \`/approve-destroy ${digest}\``,
  );
  await h.comment('dba-dana', `${approve} 0123456789ab`);
  expect(h.appComments().at(-1)).toContain(
    `the digest 0123456789ab is not the current plan's digest ${digest}`,
  );
  expect(h.check()).toMatchObject({ conclusion: 'action_required' });
  expect(h.runStatus(555)).toBe('waiting');

  await h.comment('dba-dana', `${approve} ${digest}`);
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  expect(h.runStatus(555)).toBe('queued');
});

test('12. a bad webhook signature: refused, no GitHub call made', async () => {
  h.setup();
  h.waitingRun(555);
  const c = h.gh.addComment(OWNER, REPO, PR, { user: { login: 'dba-dana' }, body: approve });
  const payload = issueCommentPayload(h, 'created', c, { pull: PR });
  const forged = await h.deliver('issue_comment', payload, {
    signature: `sha256=${'0'.repeat(64)}`,
  });
  expect(forged.status).toBe(400);
  const unsigned = await h.deliver('issue_comment', payload, { signature: 'sha1=abc' });
  expect(unsigned.status).toBe(400);
  await h.app.settled();
  expect(h.gh.requests).toEqual([]);
  expect(h.runStatus(555)).toBe('waiting');
});

test('13a. GitHub answering 500 then 200: retried and decided', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  h.calls();
  const fault = h.gh.fault({ route: `GET ${R}/issues/{issue_number}/comments`, times: 1 });
  await h.comment('dba-dana', approve);
  expect(fault.hits).toBe(1);
  const calls = h.calls();
  expect(calls.filter((c) => c.startsWith(CALL.comments))).toEqual([
    `${CALL.comments} (fault)`,
    CALL.comments,
    CALL.comments, // compare before write
  ]);
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  expect(h.runStatus(555)).toBe('queued');
  expect(h.logs.filter((l) => l.level === 'error')).toEqual([]);
});

test('13b. GitHub answering 500 throughout: not approved, and the run says why', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  await h.comment('dba-dana', approve); // approved: now GitHub breaks down
  h.calls();
  h.waitingRun(556);
  const fault = h.gh.fault({ route: `GET ${R}/issues/{issue_number}/comments` });
  await h.gate(556);
  // Probot's retry plugin: the first try and 3 retries.
  expect(fault.hits).toBe(4);
  const unread = { what: READS.comments(), detail: 'HTTP 500' };
  expect(h.reviews(556)).toEqual([{ run: 556, state: 'status', comment: GATE.undecided(unread) }]);
  expect(h.runStatus(556)).toBe('waiting');
  // The check run, approved before, now says the same, and no longer carries an approval.
  expect(h.check()).toMatchObject({
    conclusion: 'action_required',
    title: `Not decided: applygate could not read ${READS.comments()} (GitHub answered HTTP 500)`,
  });
  expect(h.logs.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
    'applygate: evaluation failed after retries; waiting deployments stay waiting',
  ]);

  // A new approval while GitHub is still down approves nothing either.
  await h.comment('tom', approve);
  expect(h.runStatus(556)).toBe('waiting');
  // Once GitHub is back, the next event decides and unblocks the run.
  h.gh.clearFaults();
  await h.comment('tom', approve);
  expect(h.runStatus(556)).toBe('queued');
});

describe('also', () => {
  test('ordinary comments cost no GitHub call; bots without a marker neither', async () => {
    h.setup();
    for (const body of ['LGTM', 'please run /approve-destroy when ready', '> /approve-destroy']) {
      await h.comment('dba-dana', body);
    }
    await h.comment('dependabot[bot]', '/approve-destroy', { type: 'Bot' });
    expect(h.gh.requests).toEqual([]);
  });

  test('a near miss gets a "did you mean" reply; an edit into the real command never counts, a new comment does', async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');
    const c = await h.comment('dba-dana', '/aprove-destroy');
    expect(h.appComments().at(-1)).toContain('Did you mean `/approve-destroy`?');
    await h.editComment(c['id'] as number, approve);
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    expect(h.appComments().at(-1)).toContain(REFUSE.edited());
    expect(h.runStatus(555)).toBe('waiting');
    await h.comment('dba-dana', approve);
    expect(h.check()).toMatchObject({ conclusion: 'success' });
    expect(h.runStatus(555)).toBe('queued');
  });

  test('a push to the default branch deploys the merged PR: its final head decides', async () => {
    h.setup();
    await h.summary('destroy');
    await h.comment('dba-dana', approve);
    const merge = 'c4'.repeat(20);
    h.gh.mergePull(OWNER, REPO, PR, merge);
    h.waitingRun(600, merge, 'push');
    h.calls();
    await h.gate(600, { sha: merge, pulls: [], event: 'push' });
    expect(h.reviews(600)).toEqual([
      {
        run: 600,
        state: 'approved',
        comment: 'Approved: 1/1 approvals by @dba-dana. (pull request #7, commit a1a1a1a)',
      },
    ]);
    expect(h.calls()).toContain(CALL.commitPulls);
  });

  test("CODEOWNERS: GitHub's order (.github/, root, docs/), first found wins, bad lines skipped", async () => {
    h.setup();
    h.gh.deleteFile(OWNER, REPO, BASE, '.github/CODEOWNERS');
    h.gh.setFile(OWNER, REPO, BASE, 'docs/CODEOWNERS', '* @writer\n');
    h.gh.setFile(OWNER, REPO, BASE, 'CODEOWNERS', '/db/ @dba-dana\n!negated @x\n');
    await h.summary('destroy');
    await h.comment('writer', approve); // docs/CODEOWNERS comes after the root file: not used
    expect(h.appComments().at(-1)).toContain('@writer **Not counted.** Not a code owner');
    await h.comment('dba-dana', approve);
    expect(h.check()).toMatchObject({ conclusion: 'success' });
    expect(h.check()!.summary).toContain('Note: 1 invalid line of `CODEOWNERS` skipped');
    const paths = h.gh
      .requestsTo(`${R}/contents/{path}`)
      .map((r) => decodeURIComponent(r.path.split('/contents/')[1]!));
    expect(paths).toEqual(['.github/applygate.yml', '.github/CODEOWNERS', 'CODEOWNERS']);
  });

  test('a CODEOWNERS file of 3 MB or more is not loaded, as on GitHub: only approvers may approve', async () => {
    h.setup({ config: 'approval:\n  approvers: ["@ops-olga"]\n' });
    const huge = `/db/ @dba-dana\n${'# padding\n'.repeat(330_000)}`;
    expect(huge.length).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    h.gh.setFile(OWNER, REPO, BASE, '.github/CODEOWNERS', huge);
    h.gh.setFile(OWNER, REPO, BASE, 'CODEOWNERS', '* @mallory\n');
    await h.summary('destroy');
    await h.comment('dba-dana', approve);
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    expect(h.check()!.summary).toContain(
      'Note: .github/CODEOWNERS on the base branch is 3 MB or larger, which GitHub ignores.',
    );
    await h.comment('ops-olga', approve);
    expect(h.check()).toMatchObject({ conclusion: 'success' });
  });

  test('a broken base-branch config: check failure, deployments rejected with the errors', async () => {
    h.setup({ config: 'approval:\n  required: many\n' });
    h.waitingRun(555);
    await h.summary('destroy');
    expect(h.check()).toMatchObject({
      conclusion: 'failure',
      title: '.github/applygate.yml on the base branch is invalid: nothing can be approved',
    });
    expect(h.check()!.summary).toContain('`approval.required` must be a whole number');
    // The waiting run was rejected with the reason when the summary arrived.
    expect(h.reviews(555)).toEqual([
      {
        run: 555,
        state: 'rejected',
        comment: expect.stringContaining('`approval.required` must be a whole number'),
      },
    ]);
    h.waitingRun(556);
    await h.gate(556);
    expect(h.reviews(556).map((r) => r.state)).toEqual(['rejected']);
  });
});
