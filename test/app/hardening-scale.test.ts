/**
 * Hardening (issue 7), the scale of a pull request: 1,000 comments, 3,000 changed files (the
 * files API's limit) and more, a CODEOWNERS file at GitHub's 3 MB limit. End to end, as in
 * app.test.ts.
 */
import { REFUSE } from '../../src/core/approval/decide.js';
import { CODEOWNERS_MAX_BYTES } from '../../src/core/approval/codeowners.js';
import { BASE, Harness, OWNER, PR, REPO, harnessForEachTest } from '../../testkit/app/harness.js';
import { issueCommentPayload } from '../../testkit/app/payloads.js';

const R = '/repos/{owner}/{repo}';
const approve = '/approve-destroy';

let h: Harness;

harnessForEachTest((started) => (h = started));

/** The `page` of each read of a route (1 when absent). */
function pages(route: string): number[] {
  return h.gh
    .requestsTo(route)
    .filter((r) => r.method === 'GET')
    .map((r) => Number(r.query['page'] ?? 1));
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test('1,000 comments: the approval on page 10 counts', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy'); // comment 1
  h.clock.tick();
  const people = ['ann', 'bob', 'cy', 'dee', 'eve'];
  for (let i = 2; i <= 940; i++) {
    h.gh.addComment(OWNER, REPO, PR, {
      user: { login: people[i % people.length]! },
      body: `comment ${i}: looks fine to me`,
    });
  }
  h.clock.tick();
  const approval = h.gh.addComment(OWNER, REPO, PR, { user: { login: 'dba-dana' }, body: approve });
  for (let i = 942; i <= 1000; i++) {
    h.gh.addComment(OWNER, REPO, PR, { user: { login: 'ann' }, body: `comment ${i}` });
  }
  const all = h.gh.comments(OWNER, REPO, PR);
  expect(all).toHaveLength(1000);
  expect(all.findIndex((c) => c['id'] === approval['id'])).toBe(940); // page 10 of 100

  h.gh.resetLog();
  await h.send('issue_comment', issueCommentPayload(h, 'created', approval, { pull: PR }));
  // Read whole twice: to decide, and again before the run is approved (compare before write),
  // by then with the app's reply to the approval as the 1,001st comment.
  expect(pages(`${R}/issues/{issue_number}/comments`)).toEqual([...range(10), ...range(11)]);
  expect(h.check()).toMatchObject({
    conclusion: 'success',
    title: 'Approved: 1/1 approvals by @dba-dana.',
  });
  expect(h.runStatus(555)).toBe('queued');
});

test('3,000 changed files: the owner of a file on the last page counts', async () => {
  const files = [...range(2999).map((i) => `app/module-${i}.tf`), 'zz/last.tf'];
  h.setup({ files });
  h.gh.setFile(OWNER, REPO, BASE, '.github/CODEOWNERS', 'app/ @acme/platform\n/zz/ @lena\n');
  h.waitingRun(555);
  await h.summary('destroy');
  expect(h.check()!.summary).toContain('`@lena`');
  const c = await h.comment('lena', approve);
  // Before the fix, a list of exactly 3,000 files counted as cut off: lena was refused.
  expect(h.appComments()).toEqual([h.replyTo(c['id'] as number)]);
  expect(h.replyTo(c['id'] as number)).toMatch(/^@lena approved plan /);
  expect(h.check()).toMatchObject({
    conclusion: 'success',
    title: 'Approved: 1/1 approvals by @lena.',
  });
  expect(h.runStatus(555)).toBe('queued');
  expect(pages(`${R}/pulls/{pull_number}/files`).slice(-30)).toEqual(range(30));
});

test('more than 3,000 changed files: the files API stops at 3,000, so only approval.approvers may approve', async () => {
  // lena owns a file the API does list; the owners of the 3,001st are unknown.
  const files = ['zz/first.tf', ...range(3000).map((i) => `app/module-${i}.tf`)];
  h.setup({ files, config: 'approval:\n  approvers: ["@ops-olga"]\n' });
  h.gh.setFile(OWNER, REPO, BASE, '.github/CODEOWNERS', 'app/ @acme/platform\n/zz/ @lena\n');
  expect(h.gh.pull(OWNER, REPO, PR)['changed_files']).toBe(3001);
  h.waitingRun(555);
  await h.summary('destroy');
  await h.gate(555);
  expect(h.appComments()[0]).toContain(
    '**Who can approve:** `@ops-olga` (code owners of the changed files (base-branch CODEOWNERS), or `@ops-olga`',
  );
  await h.comment('lena', approve);
  expect(h.appComments().at(-1)).toContain(`@lena **Not counted.** ${REFUSE.truncated()}`);
  expect(h.check()).toMatchObject({ conclusion: 'action_required' });
  expect(h.check()!.summary).toContain(`- \`@lena\`: ${REFUSE.truncated()}`);
  expect(h.runStatus(555)).toBe('waiting');
  // GitHub lists 30 pages of 100 and no more.
  expect(Math.max(...pages(`${R}/pulls/{pull_number}/files`))).toBe(30);

  await h.comment('ops-olga', approve);
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  expect(h.runStatus(555)).toBe('queued');
});

/** A CODEOWNERS file of exactly `bytes` bytes whose last line makes dba-dana own /db/. */
function codeownersOf(bytes: number): string {
  const rule = '/db/ @dba-dana\n';
  const line = '# padding padding padding padding padding padding padding padding\n';
  const room = bytes - rule.length;
  const text = line.repeat(Math.floor(room / line.length)) + '#'.repeat(room % line.length);
  return `${text.slice(0, -1)}\n${rule}`;
}

test('CODEOWNERS just under 3 MB: read (raw, as GitHub serves files over 1 MB) and used', async () => {
  const text = codeownersOf(CODEOWNERS_MAX_BYTES - 1);
  expect(Buffer.byteLength(text)).toBe(CODEOWNERS_MAX_BYTES - 1);
  h.setup({ config: 'approval:\n  approvers: ["@ops-olga"]\n' });
  h.gh.setFile(OWNER, REPO, BASE, '.github/CODEOWNERS', text);
  h.waitingRun(555);
  await h.summary('destroy');
  await h.comment('dba-dana', approve); // owner by the file's last line
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  expect(h.runStatus(555)).toBe('queued');
  // The JSON came without content (over 1 MB); the second request asked for the raw bytes.
  const reads = h.gh
    .requestsTo(`${R}/contents/{path}`)
    .filter((r) => r.path.endsWith('CODEOWNERS'))
    .map((r) => r.headers['accept']);
  expect(reads).toEqual(['application/vnd.github.v3+json', 'application/vnd.github.v3.raw']);
});

test('CODEOWNERS of exactly 3 MB: ignored, as GitHub does; only approval.approvers may approve', async () => {
  const text = codeownersOf(CODEOWNERS_MAX_BYTES);
  expect(Buffer.byteLength(text)).toBe(CODEOWNERS_MAX_BYTES);
  h.setup({ config: 'approval:\n  approvers: ["@ops-olga"]\n' });
  h.gh.setFile(OWNER, REPO, BASE, '.github/CODEOWNERS', text);
  h.waitingRun(555);
  await h.summary('destroy');
  await h.comment('dba-dana', approve);
  expect(h.appComments().at(-1)).toContain(`@dba-dana **Not counted.** ${REFUSE.noCodeowners()}`);
  expect(h.check()!.summary).toContain(
    'Note: .github/CODEOWNERS on the base branch is 3 MB or larger, which GitHub ignores.',
  );
  expect(h.runStatus(555)).toBe('waiting');
  // Its size was enough: the bytes were never asked for.
  expect(
    h.gh.requestsTo(`${R}/contents/{path}`).filter((r) => r.path.endsWith('CODEOWNERS')),
  ).toHaveLength(1);
  await h.comment('ops-olga', approve);
  expect(h.runStatus(555)).toBe('queued');
});
