/**
 * Caches never serve a stale decision (issue 6). The app keeps, per process: file contents by
 * base SHA, changed files by (base SHA, head SHA), its check run's id by head SHA, and "not a
 * member" answers for a few minutes (src/app/cache.ts). End to end, as in app.test.ts: each test
 * changes what GitHub says under the cache and checks that the next decision follows GitHub.
 */
import { Bounded, ContentCache, MembershipCache } from '../../src/app/cache.js';
import {
  BASE,
  CALL,
  HEAD,
  HEAD2,
  Harness,
  OWNER,
  PR,
  REPO,
  summaryBody,
  harnessForEachTest,
} from '../../testkit/app/harness.js';
import { issueCommentPayload, membershipPayload } from '../../testkit/app/payloads.js';

const R = '/repos/{owner}/{repo}';
const BASE2 = 'b2'.repeat(20);
const approve = '/approve-destroy';
const waitingFor = 'Waiting for approval: 0/1 approvals.';

let h: Harness;

harnessForEachTest((started) => (h = started));

const reads = () => h.fileReads();

const filesReads = () => h.gh.requestsTo(`${R}/pulls/{pull_number}/files`).length;

function checkRunIds(sha: string): number[] {
  return h.gh
    .checkRuns(OWNER, REPO)
    .filter((c) => c['head_sha'] === sha)
    .map((c) => c['id'] as number);
}

test('(i) the base branch moves: config and CODEOWNERS are read at the new base SHA and decide; the same base SHA again reads nothing', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  await h.comment('dba-dana', approve);
  expect(h.check()).toMatchObject({
    conclusion: 'success',
    title: 'Approved: 1/1 approvals by @dba-dana.',
  });
  expect(h.runStatus(555)).toBe('queued');
  expect(reads()).toEqual([`.github/applygate.yml@${BASE}`, `.github/CODEOWNERS@${BASE}`]);

  // main moves on: dba-dana no longer owns /db/ (ops-olga does, with the team), and two
  // approvals are needed. GitHub reports the new base SHA on the pull request.
  h.gh.setFile(OWNER, REPO, BASE2, '.github/CODEOWNERS', '/db/ @acme/dba @ops-olga\n');
  h.gh.setFile(OWNER, REPO, BASE2, '.github/applygate.yml', 'approval:\n  required: 2\n');
  h.gh.setPullBase(OWNER, REPO, PR, BASE2);
  h.gh.resetLog();
  h.waitingRun(556);
  await h.gate(556);
  expect(reads()).toEqual([`.github/applygate.yml@${BASE2}`, `.github/CODEOWNERS@${BASE2}`]);
  expect(filesReads()).toBe(1); // a new (base, head) pair
  expect(h.check()).toMatchObject({
    conclusion: 'action_required',
    title: 'Waiting for approval: 0/2 approvals.',
  });
  expect(h.check()!.summary).toContain('- `@dba-dana`: Not a code owner of any changed file');
  expect(h.reviews(556).map((r) => r.state)).toEqual(['status']);
  expect(h.runStatus(556)).toBe('waiting');

  // The same base SHA again: nothing read but the pull request and its comments.
  h.gh.resetLog();
  await h.comment('tom', approve);
  expect(h.check()).toMatchObject({
    conclusion: 'action_required',
    title: 'Waiting for approval: 1/2 approvals by @tom.',
  });
  await h.comment('ops-olga', approve);
  expect(reads()).toEqual([]);
  expect(filesReads()).toBe(0);
  expect(h.check()).toMatchObject({
    conclusion: 'success',
    title: 'Approved: 2/2 approvals by @tom, @ops-olga.',
  });
  expect(h.runStatus(556)).toBe('queued');
});

test("(ii) a push: the new head's files are read, its own check run is found (none) and created, the old approval does not carry over", async () => {
  h.setup();
  await h.summary('destroy');
  await h.comment('dba-dana', approve);
  expect(h.check(HEAD)).toMatchObject({ conclusion: 'success' });
  const [old] = checkRunIds(HEAD);

  // The push reverts the change to db/ and changes app/ instead (owned by acme/platform).
  h.gh.setPullFiles(OWNER, REPO, PR, [{ filename: 'app/main.tf', status: 'modified' }]);
  h.gh.resetLog();
  await h.push(HEAD2);
  expect(h.gh.requestsTo(`${R}/commits/{ref}/check-runs`).map((r) => r.path)).toEqual([
    `/repos/${OWNER}/${REPO}/commits/${HEAD2}/check-runs`,
  ]);
  expect(h.gh.requestsTo(`${R}/check-runs`, 'POST').map((r) => r.body)).toEqual([
    expect.objectContaining({ head_sha: HEAD2 }),
  ]);
  expect(h.check(HEAD2)).toMatchObject({
    conclusion: 'action_required',
    title:
      'No applygate summary for a2a2a2a: the plan job has not reported for this commit (run or re-run it: summaries from applygate before v2 do not count).',
  });

  await h.summary('destroy', HEAD2);
  expect(filesReads()).toBe(1); // read for the new head
  expect(h.check(HEAD2)).toMatchObject({ conclusion: 'action_required', title: waitingFor });
  await h.comment('dba-dana', approve);
  expect(h.appComments().at(-1)).toContain(
    '@dba-dana **Not counted.** Not a code owner of any changed file',
  );
  await h.comment('pat', approve); // acme/platform owns app/
  expect(h.check(HEAD2)).toMatchObject({
    conclusion: 'success',
    title: 'Approved: 1/1 approvals by @pat.',
  });
  expect(filesReads()).toBe(1); // and cached for (base, new head) since
  // The old head's check run was never written again; the new head has its own.
  const [fresh] = checkRunIds(HEAD2);
  expect(fresh).not.toBe(old);
  expect(
    h.gh.requestsTo(`${R}/check-runs/{check_run_id}`, 'PATCH').map((r) => r.path.split('/').pop()),
  ).toEqual(expect.arrayContaining([String(fresh)]));
  expect(
    h.gh
      .requestsTo(`${R}/check-runs/{check_run_id}`, 'PATCH')
      .filter((r) => r.path.endsWith(`/${old}`)),
  ).toEqual([]);
  expect(h.check(HEAD)).toMatchObject({ conclusion: 'success' });
});

test('(iii) a member removed from the team: their approval stops counting at the next event, and a new one is refused at once', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  await h.comment('tom', approve); // an owner through acme/dba
  expect(h.check()).toMatchObject({
    conclusion: 'success',
    title: 'Approved: 1/1 approvals by @tom.',
  });
  expect(h.runStatus(555)).toBe('queued');

  // The same minute (no time passes on the clock): tom leaves acme/dba.
  h.calls();
  await h.leaveTeam('dba', 'tom');
  expect(h.calls()).toEqual([]); // the webhook costs nothing: nothing positive was cached
  h.waitingRun(556);
  await h.gate(556);
  expect(h.calls()).toEqual([
    CALL.pull,
    CALL.comments,
    CALL.membership, // asked again: 404 now
    CALL.updateCheck,
    CALL.review,
    CALL.comment,
  ]);
  expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });
  expect(h.reviews(556).map((r) => r.state)).toEqual(['status']);
  expect(h.runStatus(556)).toBe('waiting');

  await h.comment('tom', approve);
  expect(h.appComments().at(-1)).toContain('@tom **Not counted.** Not a code owner');
  expect(h.runStatus(556)).toBe('waiting');
});

describe('(iv) a refused non-member added to the team', () => {
  test('with the membership.added webhook: counted at once', async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');
    await h.comment('mallory', approve);
    expect(h.appComments().at(-1)).toContain('@mallory **Not counted.** Not a code owner');
    // Refused again without asking GitHub: the "not a member" answer is remembered.
    h.calls();
    await h.comment('mallory', approve);
    expect(h.calls()).not.toContain(CALL.membership);
    expect(h.appComments().at(-1)).toContain('@mallory **Not counted.**');

    await h.joinTeam('dba', 'mallory'); // the webhook: the cached answer is dropped, no call
    expect(h.calls()).toEqual([]);
    await h.comment('mallory', approve);
    expect(h.calls()).toContain(CALL.membership);
    expect(h.check()).toMatchObject({
      conclusion: 'success',
      title: 'Approved: 1/1 approvals by @mallory.',
    });
    expect(h.runStatus(555)).toBe('queued');
  });

  test('without the webhook: refused until the TTL (5 minutes) has passed, counted after', async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');
    await h.comment('mallory', approve); // a minute later on the clock: 404, kept 5 minutes
    await h.joinTeam('dba', 'mallory', { webhook: false });
    h.calls();
    await h.comment('mallory', approve); // one minute later: refused from the cache (fail closed)
    expect(h.calls()).not.toContain(CALL.membership);
    expect(h.appComments().at(-1)).toContain('@mallory **Not counted.** Not a code owner');
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    expect(h.runStatus(555)).toBe('waiting');

    h.clock.tick(4 * 60); // past the TTL
    await h.comment('mallory', approve);
    expect(h.calls()).toContain(CALL.membership);
    expect(h.check()).toMatchObject({
      conclusion: 'success',
      title: 'Approved: 1/1 approvals by @mallory.',
    });
    expect(h.runStatus(555)).toBe('queued');
  });

  test('a member of another organization joining a team of the same name changes nothing here', async () => {
    h.setup();
    await h.summary('destroy');
    await h.comment('mallory', approve);
    h.gh.addTeam('other-org', 'dba', []);
    // A membership webhook about another organization's team drops nothing of acme's.
    const other = { gh: h.gh, owner: 'other-org', repo: REPO };
    h.gh.addTeamMember('other-org', 'dba', 'mallory');
    await h.send(
      'membership',
      membershipPayload(other, 'added', { team: 'dba', login: 'mallory' }),
    );
    h.calls();
    await h.comment('mallory', approve);
    expect(h.calls()).not.toContain(CALL.membership);
    expect(h.appComments().at(-1)).toContain('@mallory **Not counted.**');
  });
});

describe('(v) the known check run id no longer works', () => {
  test.each([404, 422])(
    'the update answers %d: the id is forgotten, the check run found again and written right',
    async (status) => {
      h.setup();
      h.waitingRun(555);
      await h.summary('destroy'); // creates the check run (an id from creating is not kept)
      await h.comment('mallory', approve); // refused; the lookup makes the id known
      h.calls();
      h.gh.fault({ route: `PATCH ${R}/check-runs/{check_run_id}`, status, times: 1 });
      await h.comment('dba-dana', approve);
      expect(h.calls()).toEqual([
        CALL.pull,
        CALL.comments,
        CALL.membership,
        CALL.permission,
        `${CALL.updateCheck} (fault)`,
        CALL.findCheck,
        CALL.updateCheck,
        CALL.comment, // the reply saying what was approved
        CALL.comments, // compare before write
        CALL.waiting(HEAD),
        CALL.pending,
        CALL.review,
      ]);
      expect(h.check()).toMatchObject({
        conclusion: 'success',
        title: 'Approved: 1/1 approvals by @dba-dana.',
      });
      expect(h.checkCount()).toBe(1);
      expect(h.runStatus(555)).toBe('queued');
      // The id found again is known: the next event writes without reading.
      await h.comment('dba-dana', '/revoke-destroy');
      expect(h.calls()).not.toContain(CALL.findCheck);
      expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });
    },
  );

  test('GitHub no longer has the check run: a new one is created and says the right thing', async () => {
    h.setup();
    await h.summary('destroy');
    await h.comment('mallory', approve); // refused; the lookup makes the id known
    const [old] = checkRunIds(HEAD);
    h.gh.dropCheckRun(OWNER, REPO, old!);
    h.calls();
    await h.comment('dba-dana', approve);
    const calls = h.calls();
    expect(calls.filter((c) => c.includes('check-runs'))).toEqual([
      CALL.updateCheck, // 404
      CALL.findCheck, // none
      CALL.createCheck,
    ]);
    expect(checkRunIds(HEAD)).toHaveLength(1);
    expect(checkRunIds(HEAD)[0]).not.toBe(old);
    expect(h.check()).toMatchObject({
      conclusion: 'success',
      title: 'Approved: 1/1 approvals by @dba-dana.',
    });
  });
});

test('changed files listed while a push moved the head are not kept for the old head', async () => {
  h.setup();
  // The files API takes a pull request number: hold its answer until the head has moved.
  h.gh.fault({ route: `GET ${R}/pulls/{pull_number}/files`, delayMs: 1000, times: 1 });
  h.clock.tick();
  const summary = h.gh.addComment(OWNER, REPO, PR, {
    user: { login: 'github-actions[bot]', type: 'Bot' },
    body: summaryBody('destroy', HEAD),
  });
  const res = await h.deliver(
    'issue_comment',
    issueCommentPayload(h, 'created', summary, { pull: PR }),
  );
  expect(res.status).toBe(200);
  while (!h.gh.requests.some((r) => r.route === `${R}/pulls/{pull_number}/files`)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // A push while the listing is in flight: the list answers for HEAD2 (app/ only).
  h.gh.setPullFiles(OWNER, REPO, PR, [{ filename: 'app/main.tf', status: 'modified' }]);
  h.gh.setPullHead(OWNER, REPO, PR, HEAD2);
  await h.app.settled();
  await h.quiet();

  // The push is undone (force-push back to HEAD, db/ changed again): the next evaluation reads
  // the files for HEAD again, and dba-dana, owner of db/, counts.
  h.gh.setPullFiles(OWNER, REPO, PR, [{ filename: 'db/main.tf', status: 'modified' }]);
  h.gh.setPullHead(OWNER, REPO, PR, HEAD);
  h.gh.resetLog();
  await h.comment('dba-dana', approve);
  expect(filesReads()).toBe(1);
  expect(h.check(HEAD)).toMatchObject({
    conclusion: 'success',
    title: 'Approved: 1/1 approvals by @dba-dana.',
  });
});

describe('the cache classes', () => {
  test('Bounded drops the least recently used first, by count and by weight', () => {
    const b = new Bounded<string>(3, 10);
    b.set('a', 'A', 4);
    b.set('b', 'B', 4);
    expect(b.get('a')).toBe('A'); // a is now the most recent
    b.set('c', 'C', 4); // 12 > 10: b goes
    expect([...b.keys()]).toEqual(['a', 'c']);
    expect(b.weight).toBe(8);
    b.set('huge', 'H', 11); // heavier than the whole budget: not kept, nothing dropped
    expect([...b.keys()]).toEqual(['a', 'c']);
    b.set('d', 'D', 1);
    b.set('e', 'E', 1); // 4 entries > 3: a goes
    expect([...b.keys()]).toEqual(['c', 'd', 'e']);
  });

  test('ContentCache keeps a file only within its character budget', () => {
    const c = new ContentCache(10, 100);
    c.set('k1', { found: true, tooLarge: false, text: 'x'.repeat(200) });
    expect(c.get('k1')).toBeUndefined();
    c.set('k2', { found: false });
    expect(c.get('k2')).toEqual({ found: false });
  });

  test('MembershipCache: refusals expire, a forget drops them and wins over an answer read before it', () => {
    let now = 0;
    const m = new MembershipCache(1000, () => now);
    let mark = m.mark();
    m.refuse('acme/infra', 'acme/dba', 'Mallory', mark);
    expect(m.isNonMember('acme/infra', 'ACME/dba', 'mallory')).toBe(true);
    expect(m.isNonMember('acme/other', 'acme/dba', 'mallory')).toBe(false); // per repository
    now = 1000;
    expect(m.isNonMember('acme/infra', 'acme/dba', 'mallory')).toBe(false); // expired

    mark = m.mark();
    m.refuse('acme/infra', 'acme/dba', 'mallory', mark);
    m.refuse('acme/infra', 'acme/parent', 'mallory', mark);
    m.refuse('acme/infra', 'acme/dba', 'eve', mark);
    // mallory joins a child team: every refusal of her in the organization goes, eve's stays.
    expect(m.forget('ACME', 'Mallory')).toBe(2);
    expect(m.isNonMember('acme/infra', 'acme/parent', 'mallory')).toBe(false);
    expect(m.isNonMember('acme/infra', 'acme/dba', 'eve')).toBe(true);

    // A 404 read before that forget is not stored after it.
    m.refuse('acme/infra', 'acme/dba', 'mallory', mark);
    expect(m.isNonMember('acme/infra', 'acme/dba', 'mallory')).toBe(false);

    // Logins fold ASCII case only: the Kelvin sign is not a K.
    m.refuse('acme/infra', 'acme/dba', '\u212Aate', m.mark());
    expect(m.isNonMember('acme/infra', 'acme/dba', 'kate')).toBe(false);
  });

  test('MembershipCache with a TTL of 0 keeps nothing', () => {
    const m = new MembershipCache(0);
    m.refuse('acme/infra', 'acme/dba', 'mallory', m.mark());
    expect(m.isNonMember('acme/infra', 'acme/dba', 'mallory')).toBe(false);
  });
});
