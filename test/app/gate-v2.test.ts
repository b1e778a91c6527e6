/**
 * Gate v2 (issue 11): the gate holds against a person with write access who is not a code owner.
 * Each attack of the issue, end to end against the emulator (signed webhooks, requests checked
 * against GitHub's OpenAPI description); each fails on the code before Gate v2.
 */
import { REFUSE } from '../../src/core/approval/decide.js';
import { GATE } from '../../src/app/messages.js';
import { decodeLedger } from '../../src/core/ledger.js';
import {
  AUTHOR,
  BASE,
  CALL,
  ENV,
  HEAD,
  Harness,
  OWNER,
  PR,
  REPO,
  summaryBody,
  harnessForEachTest,
} from '../../testkit/app/harness.js';
import {
  deploymentProtectionRulePayload,
  issueCommentPayload,
  pullRequestPayload,
} from '../../testkit/app/payloads.js';

const approve = '/approve-destroy';
const EVIL = 'e1'.repeat(20);
const MERGE = 'c1'.repeat(20);
const OTHER = 9;
/** A base branch the PR author controls, with a permissive config and CODEOWNERS of their own. */
const PERMISSIVE = [
  'approval:',
  '  when: { destroys: false, level: never }',
  '  allow_author: true',
  '  codeowners: false',
  `bots: ["${AUTHOR}", "github-actions[bot]"]`,
  '',
].join('\n');

let h: Harness;

harnessForEachTest((started) => (h = started));

function stillWaiting(runId: number): void {
  expect(h.runStatus(runId)).toBe('waiting');
  expect(h.reviews(runId).map((r) => r.state)).not.toContain('approved');
}

/** Push a branch `evil` with the permissive config and CODEOWNERS naming the author. */
function evilBranch(): void {
  h.gh.setBranch(OWNER, REPO, 'evil', EVIL);
  h.gh.setFile(OWNER, REPO, EVIL, '.github/applygate.yml', PERMISSIVE);
  h.gh.setFile(OWNER, REPO, EVIL, '.github/CODEOWNERS', `* @${AUTHOR}\n`);
}

/** Another pull request (#9) by the author, opened on github.com, then its webhook. */
async function openOther(head: { sha: string; ref: string }, base: { sha: string; ref: string }) {
  h.gh.addPull({
    owner: OWNER,
    repo: REPO,
    number: OTHER,
    title: 'Harmless',
    user: { login: AUTHOR },
    head,
    base,
    files: [{ filename: 'db/main.tf', status: 'modified' }],
  });
  await h.send('pull_request', pullRequestPayload(h, 'opened', OTHER));
}

/** A comment on pull request #9, then its webhook. */
async function commentOn(pull: number, login: string, body: string, type?: 'User' | 'Bot') {
  h.clock.tick();
  const c = h.gh.addComment(OWNER, REPO, pull, { user: { login, type }, body });
  await h.send('issue_comment', issueCommentPayload(h, 'created', c, { pull }));
  return c;
}

describe('1. edited comments never approve', () => {
  test("the author edits an owner's refusal into /approve-destroy: not approved", async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');
    await h.gate(555);
    const no = await h.comment('dba-dana', 'This drops the primary database. Not approving.');
    await h.editComment(no['id'] as number, approve, { by: AUTHOR });
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    expect(h.check()!.summary).toContain(`- \`@dba-dana\`: ${REFUSE.edited()}`);
    stillWaiting(555);
    // Typing the digest as well (confirm_digest) or editing a second owner's comment changes
    // nothing: every edited comment is out.
    await h.gate(555);
    stillWaiting(555);
  });

  test("an owner's /revoke-destroy edited by the author does not restore the approval", async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');
    await h.comment('dba-dana', approve);
    expect(h.runStatus(555)).toBe('queued');
    h.waitingRun(556);
    const revoke = await h.comment('dba-dana', '/revoke-destroy');
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    await h.editComment(revoke['id'] as number, 'fine by me', { by: AUTHOR });
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    await h.gate(556);
    stillWaiting(556);
  });

  test('an owner editing their own approval withdraws it; a new comment approves again', async () => {
    h.setup();
    await h.summary('destroy');
    const ok = await h.comment('dba-dana', approve);
    expect(h.check()).toMatchObject({ conclusion: 'success' });
    await h.editComment(ok['id'] as number, `${approve}  `); // still the command, but edited
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    h.waitingRun(555);
    await h.comment('dba-dana', approve);
    expect(h.check()).toMatchObject({ conclusion: 'success' });
    expect(h.runStatus(555)).toBe('queued');
  });

  test('after downtime (the edit webhook never arrived), the next event does not trust the edit', async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');
    const no = await h.comment('dba-dana', 'Not approving.');
    // The app is down: the comment is edited on github.com, no webhook reaches the app.
    h.clock.tick();
    h.gh.editComment(OWNER, REPO, no['id'] as number, approve);
    await h.gate(555);
    stillWaiting(555);
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
  });
});

describe('2. only trusted base branches gate, and one PR decides only its own runs', () => {
  test('(a) a second PR from the same head into `evil`: no approval, no check overwritten', async () => {
    h.setup();
    evilBranch();
    h.waitingRun(555);
    await h.summary('destroy');
    await openOther({ sha: HEAD, ref: 'cleanup' }, { sha: EVIL, ref: 'evil' });
    await commentOn(OTHER, 'github-actions[bot]', summaryBody('destroy', HEAD), 'Bot');
    await commentOn(OTHER, AUTHOR, approve);
    // PR #7's check still waits for its owners; the run is neither approved nor rejected.
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    await h.gate(555, { pulls: [PR, OTHER] });
    stillWaiting(555);
    expect(h.reviews(555).map((r) => r.state)).toEqual(['status']);
    expect(h.reviews(555)[0]!.comment).toContain('several open pull requests (#7, #9)');
  });

  test('(b) after PR #7 merged unapproved, a PR from main into `evil` does not approve main', async () => {
    h.setup();
    evilBranch();
    await h.summary('destroy');
    h.gh.mergePull(OWNER, REPO, PR, MERGE);
    await openOther({ sha: MERGE, ref: 'main' }, { sha: EVIL, ref: 'evil' });
    await commentOn(OTHER, AUTHOR, summaryBody('creates', MERGE));
    h.waitingRun(700, MERGE, 'push');
    await h.gate(700, { sha: MERGE, pulls: [], event: 'push' });
    stillWaiting(700);
    // It maps to the merged PR #7, whose plan needs an approval it never got.
    expect(h.reviews(700).map((r) => r.state)).not.toContain('approved');
  });

  test('(c) PR #7 retargeted to `evil` and self-approved: not gated, neutral, nothing approved', async () => {
    h.setup();
    evilBranch();
    h.waitingRun(555);
    await h.summary('destroy');
    await h.retarget('evil', EVIL);
    expect(h.check()).toMatchObject({ conclusion: 'neutral' });
    expect(h.check()!.title).toContain('Not gated');
    await h.comment(AUTHOR, approve);
    expect(h.check()).toMatchObject({ conclusion: 'neutral' });
    await h.gate(555);
    expect(h.reviews(555)).toEqual([
      { run: 555, state: 'rejected', comment: GATE.notGated(PR, 'evil') },
    ]);
    // Back to main: gated again, pending.
    await h.retarget('main', BASE);
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
  });

  test('(d) an open main -> X PR without a summary does not reject deployments from main', async () => {
    h.setup();
    await h.summary('destroy');
    await h.comment('dba-dana', approve);
    h.gh.mergePull(OWNER, REPO, PR, MERGE);
    await openOther({ sha: MERGE, ref: 'main' }, { sha: EVIL, ref: 'evil' });
    h.waitingRun(701, MERGE, 'push');
    await h.gate(701, { sha: MERGE, pulls: [], event: 'push' });
    expect(h.reviews(701).map((r) => r.state)).toEqual(['approved']);
    expect(h.reviews(701)[0]!.comment).toContain('pull request #7');
  });

  test('a branch listed in gate.base_branches on the default branch is gated', async () => {
    h.setup();
    h.gh.setFile(
      OWNER,
      REPO,
      'main',
      '.github/applygate.yml',
      'gate:\n  base_branches: [release]\n',
    );
    await h.retarget('release', BASE);
    h.waitingRun(555);
    await h.summary('destroy');
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    await h.comment('dba-dana', approve);
    expect(h.runStatus(555)).toBe('queued');
    // The list is read from the default branch, every time: `evil` listing itself is not enough.
    h.gh.setFile(OWNER, REPO, EVIL, '.github/applygate.yml', 'gate:\n  base_branches: [evil]\n');
    await h.retarget('evil', EVIL);
    expect(h.check()).toMatchObject({ conclusion: 'neutral' });
  });
});

describe('3. imitated app records are ignored', () => {
  test("a workflow posting the app's edited-summary record does not make the summary untrusted", async () => {
    h.setup();
    h.waitingRun(555);
    const s = await h.summary('destroy');
    const forged = [
      '### ⚠️ The applygate summary was edited by `@someone`',
      '',
      `<!-- applygate-app edited-summary comment=${(s['id'] as number).toString(16)} at=${String(s['updated_at'])} -->`,
    ].join('\n');
    // A marker mention makes the pre-check let it through, as a real record would be.
    await commentOn(PR, 'github-actions[bot]', `${forged}\n<!-- applygate:v1 -->`, 'Bot');
    await h.comment('dba-dana', approve);
    expect(h.check()).toMatchObject({ conclusion: 'success' });
    expect(h.runStatus(555)).toBe('queued');
  });

  test("a workflow imitating the app's pending notice does not stop the real one", async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');
    await commentOn(
      PR,
      'github-actions[bot]',
      `Nothing to see here\n<!-- applygate-app notice sha=${HEAD} -->\n<!-- applygate:v1 -->`,
      'Bot',
    );
    await h.gate(555);
    expect(h.appComments()).toEqual([expect.stringContaining('A deployment is waiting')]);
  });
});

describe('4. owners and approvers count only while they have write access', () => {
  test('a CODEOWNERS login without access to the repository does not approve', async () => {
    h.setup();
    h.gh.setCollaborator(OWNER, REPO, 'dba-dana', null);
    h.waitingRun(555);
    await h.summary('destroy');
    await h.comment('dba-dana', approve);
    expect(h.appComments().at(-1)).toContain(
      `@dba-dana **Not counted.** ${REFUSE.noWriteAccess()}`,
    );
    stillWaiting(555);
    // Read access is not enough either.
    h.gh.setCollaborator(OWNER, REPO, 'dba-dana', 'read');
    await h.gate(555);
    stillWaiting(555);
  });

  test("a team's approval stops counting when the team loses write access", async () => {
    h.setup();
    await h.summary('destroy');
    await h.comment('tom', approve);
    expect(h.check()).toMatchObject({ conclusion: 'success' });
    h.gh.setTeamRepoRole(OWNER, 'dba', OWNER, REPO, 'read');
    h.waitingRun(555);
    await h.gate(555);
    stillWaiting(555);
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
  });

  test('a permission lookup failing after retries decides nothing (closed)', async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');
    h.gh.fault({ route: 'GET /repos/{owner}/{repo}/collaborators/{username}/permission' });
    await h.comment('dba-dana', approve);
    stillWaiting(555);
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    h.gh.clearFaults();
    await h.gate(555);
    expect(h.runStatus(555)).toBe('queued');
  });
});

test('5. owner_paths: an owner of README.md (owned by *) cannot approve the database destroy', async () => {
  h.setup({
    files: ['db/main.tf', 'README.md'],
    config: 'approval:\n  owner_paths: ["/db/"]\n',
  });
  h.waitingRun(555);
  await h.summary('destroy');
  await h.comment('pat', approve); // acme/platform owns README.md through `*`
  expect(h.appComments().at(-1)).toContain('@pat **Not counted.** Not a code owner');
  stillWaiting(555);
  await h.comment('dba-dana', approve);
  expect(h.runStatus(555)).toBe('queued');
});

test('6. a burst of command comments on one PR costs one evaluation', async () => {
  h.setup();
  await h.summary('destroy');
  h.calls();
  const people = ['dba-dana', 'mallory', 'lena', 'kate', 'writer'];
  const comments = people.map((login) => {
    h.clock.tick();
    return h.gh.addComment(OWNER, REPO, PR, { user: { login }, body: approve });
  });
  // Delivered back to back: the first waits in the queue while the others arrive.
  await Promise.all(
    comments.map((c) =>
      h.deliver('issue_comment', issueCommentPayload(h, 'created', c, { pull: PR })),
    ),
  );
  await h.app.settled();
  const evaluations = h.calls().filter((c) => c === CALL.pull).length;
  expect(evaluations).toBeLessThan(people.length);
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  // Each refused comment still got its reply.
  expect(h.appComments().filter((b) => b.includes('**Not counted.**'))).toHaveLength(4);
});

test('a pull_request run of another PR at an old head is rejected as superseded, not approved', async () => {
  h.setup();
  await h.summary('destroy');
  await h.comment('dba-dana', approve);
  h.waitingRun(557);
  await h.send(
    'deployment_protection_rule',
    deploymentProtectionRulePayload(h, {
      runId: 557,
      environment: ENV,
      sha: 'f0'.repeat(20),
      pulls: [PR],
    }),
  );
  expect(h.reviews(557).map((r) => r.state)).toEqual(['rejected']);
});

test('7. the check run carries the ledger: who approved which digest, per project', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  const text = () => {
    const runs = h.gh.checkRuns(OWNER, REPO).filter((c) => c['head_sha'] === HEAD);
    return String((runs.at(-1)!['output'] as { text: string | null }).text ?? '');
  };
  const pending = decodeLedger(text());
  expect(pending.ok && pending.ledger).toMatchObject({
    headSha: HEAD,
    pull: PR,
    baseRef: 'main',
    projects: [{ name: 'default', state: 'pending', requiresApproval: true, approvals: [] }],
  });
  const c = await h.comment('dba-dana', approve);
  const approved = decodeLedger(text());
  if (!approved.ok) throw new Error(approved.detail);
  const [project] = approved.ledger.projects;
  expect(project).toMatchObject({
    state: 'approved',
    approvals: [{ login: 'dba-dana', commentId: c['id'], at: c['created_at'] }],
  });
  expect(project!.digest).toMatch(/^sha256v2:[0-9a-f]{64}$/);
  // A revoke: the ledger says pending again (verify reads the current decision).
  await h.comment('dba-dana', '/revoke-destroy');
  const again = decodeLedger(text());
  expect(again.ok && again.ledger.projects[0]!.state).toBe('pending');
});
