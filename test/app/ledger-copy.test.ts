/**
 * The ledger's copy for fine-grained tokens (issue 26, "Reading approvals"), end to end: the app
 * under test gets signed webhooks and writes its check run, its copy comment and its commit
 * status `applygate / ledger` to the emulator (every request checked against GitHub's OpenAPI
 * description); the guard's lookup (src/guard/ledger.ts) then reads them over HTTP with a
 * fine-grained personal access token, which the emulator, like GitHub, refuses check runs. Each
 * attack of a person with write access, or of another app, is refused with the reason.
 */
import { Octokit } from '@octokit/rest';
import { findApproval } from '../../src/guard/ledger.js';
import {
  LEDGER_STATUS_CONTEXT,
  ledgerLines,
  ledgerStatusDescription,
} from '../../src/core/ledger-copy.js';
import { decodeLedger, encodeLedger, type Ledger } from '../../src/core/ledger.js';
import { parsePlan } from '../../src/core/plan/index.js';
import {
  CODEOWNERS,
  HEAD,
  HEAD2,
  Harness,
  OWNER,
  PR,
  REPO,
  harnessForEachTest,
} from '../../testkit/app/harness.js';
import { incidentDestroyPlan } from '../../testkit/plans/samples.js';

const approve = '/approve-destroy';
const PUBLISH = 'gate:\n  app: applygate\n  publish_ledger: true\n';
const FINE = 'github_pat_11FINEGRAINED';
const CLASSIC = 'ghp_classic';
const statusesRoute = `POST /repos/{owner}/{repo}/statuses/{sha}`;

const digest = (() => {
  const parsed = parsePlan(JSON.stringify(incidentDestroyPlan()), 'default/plan.json');
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.plan.digest;
})();

let h: Harness;
harnessForEachTest((started) => (h = started));

/** The guard's lookup of PR #7 with `token`, as a laptop runs it. */
function lookup(token = FINE, app = 'applygate') {
  return findApproval({
    dir: '/nonexistent',
    digest,
    env: { GITHUB_TOKEN: token, GITHUB_API_URL: h.gh.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}` },
    deadline: Date.now() + 20_000,
    pull: PR,
    app,
    command: approve,
  });
}

function tokens(): void {
  h.gh.addToken(FINE, { login: 'dev', kind: 'fine-grained' });
  h.gh.addToken(CLASSIC, { login: 'dev' });
  h.gh.addToken('ghp_mallory', { login: 'mallory' });
}

/** An approved pull request with the copy published. */
async function approved(): Promise<void> {
  h.setup({ config: PUBLISH });
  tokens();
  await h.summary('destroy');
  await h.comment('dba-dana', approve);
  expect(h.check()?.conclusion).toBe('success');
}

/** The app's copy comment (one) and its statuses on `sha`, newest first. */
function copy(sha = HEAD) {
  const comments = h.gh
    .comments(OWNER, REPO, PR)
    .filter(
      (c) =>
        (c['user'] as { login: string }).login === 'applygate[bot]' &&
        ledgerLines(String(c['body'])).length > 0,
    );
  const statuses = h.gh
    .statuses(OWNER, REPO, sha)
    .filter((s) => s['context'] === LEDGER_STATUS_CONTEXT);
  return { comments, statuses };
}

const octokit = (token: string) => new Octokit({ auth: token, baseUrl: h.gh.url });

/** A success status naming `line`, created over HTTP with `token` (whoever holds it is the creator). */
async function statusNaming(
  token: string,
  line: string,
  opts: { sha?: string; context?: string } = {},
): Promise<void> {
  await octokit(token).rest.repos.createCommitStatus({
    owner: OWNER,
    repo: REPO,
    sha: opts.sha ?? HEAD,
    state: 'success',
    context: opts.context ?? LEDGER_STATUS_CONTEXT,
    description: ledgerStatusDescription(line),
  });
}

describe('the app publishes its ledger where a fine-grained token can read it', () => {
  test('a fine-grained token cannot read check runs; it reads the approval from the copy', async () => {
    await approved();
    const { comments, statuses } = copy();
    expect(comments).toHaveLength(1);
    // The copy carries the check run's exact ledger line; the status names its sha256.
    const checkText = String(
      (h.gh.checkRuns(OWNER, REPO).at(-1)!['output'] as { text: string }).text,
    );
    const line = ledgerLines(checkText)[0]!;
    expect(ledgerLines(String(comments[0]!['body']))).toEqual([line]);
    expect(statuses[0]).toMatchObject({
      state: 'success',
      description: ledgerStatusDescription(line),
      creator: { login: 'applygate[bot]', type: 'Bot' },
      target_url: comments[0]!['html_url'],
    });
    // The check run is refused to the fine-grained token, as GitHub does.
    await expect(
      octokit(FINE).rest.checks.listForRef({ owner: OWNER, repo: REPO, ref: HEAD }),
    ).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/Resource not accessible by personal access token/),
    });
    expect(await lookup()).toEqual({
      approved: true,
      detail:
        "approved on pull request #7 by @dba-dana (project default; read from the app's ledger copy: the token cannot read check runs)",
    });
    // A classic token still reads the check run.
    expect(await lookup(CLASSIC)).toEqual({
      approved: true,
      detail: 'approved on pull request #7 by @dba-dana (project default)',
    });
  });

  test('while approvals are missing the copy says pending: denied', async () => {
    h.setup({ config: PUBLISH });
    tokens();
    await h.summary('destroy');
    expect(copy().statuses[0]).toMatchObject({ state: 'pending' });
    const r = await lookup();
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/does not approve this plan .* pending/);
  });

  test('without gate.publish_ledger the app writes no copy, and the guard says how to get one', async () => {
    h.setup({ config: 'gate:\n  app: applygate\n' });
    tokens();
    await h.summary('destroy');
    await h.comment('dba-dana', approve);
    expect(h.gh.requestsTo('/repos/{owner}/{repo}/statuses/{sha}')).toEqual([]);
    expect(copy().comments).toEqual([]);
    const r = await lookup();
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/no applygate ledger on head a1a1a1a .*gate\.publish_ledger: true/);
  });

  test('re-deciding an unchanged ledger writes nothing new (one comment, one status)', async () => {
    await approved();
    h.calls();
    h.waitingRun(556);
    await h.gate(556); // a deployment asks: the same decision, the same ledger
    expect(h.runStatus(556)).toBe('queued');
    const calls = h.calls();
    expect(calls.filter((c) => c === statusesRoute)).toEqual([]);
    expect(calls).toContain('GET /repos/{owner}/{repo}/commits/{ref}/statuses');
    expect(copy().comments).toHaveLength(1);
    expect(copy().statuses).toHaveLength(2); // pending (summary), then approved
  });
});

describe('attacks on the copy: each refused with the reason', () => {
  test('a writer forges the copy before approval: edits the comment, adds a status of the same context', async () => {
    h.setup({ config: PUBLISH });
    tokens();
    await h.summary('destroy');
    const { comments } = copy();
    const pending = decodeLedger(ledgerLines(String(comments[0]!['body']))[0]!);
    if (!pending.ok) throw new Error(pending.detail);
    const forged: Ledger = {
      ...pending.ledger,
      projects: pending.ledger.projects.map((p) => ({
        ...p,
        state: 'approved',
        approvals: [{ login: 'dba-dana', commentId: 1, at: '2026-12-08T00:00:00Z' }],
      })),
    };
    const line = encodeLedger(forged);
    // The edit reaches the app as a webhook by mallory; the app's own copy is not a summary.
    await h.editComment(comments[0]!['id'] as number, `approved!\n${line}`, { by: 'mallory' });
    await statusNaming('ghp_mallory', line);
    const r = await lookup();
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(
      /the ledger of applygate on head a1a1a1a cannot be read: the ledger in the comment of applygate\[bot\] is not the one its newest status names \(sha256 differs\)/,
    );
  });

  test("a person's status alone (the app published nothing): ignored and named", async () => {
    h.setup({ config: 'gate:\n  app: applygate\n' });
    tokens();
    await h.summary('destroy');
    const line = encodeLedger({
      headSha: HEAD,
      pull: PR,
      baseRef: 'main',
      newestCommand: null,
      projects: [
        {
          name: 'default',
          digest,
          destroySet: 'f'.repeat(64),
          riskSet: 'f'.repeat(64),
          level: 'critical',
          requiresApproval: true,
          state: 'approved',
          approvals: [{ login: 'dba-dana', commentId: 1, at: '2026-12-08T00:00:00Z' }],
        },
      ],
    });
    await octokit('ghp_mallory').rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: PR,
      body: line,
    });
    // Contexts compare case-blind.
    await statusNaming('ghp_mallory', line, { context: 'Applygate / Ledger' });
    const r = await lookup();
    expect(r).toEqual({
      approved: false,
      detail: expect.stringMatching(
        /^no applygate ledger on head a1a1a1a of PR #7 \(ignored 1 commit status with the same context from @mallory: only the app `applygate` \(gate\.app\) writes the ledger\)/,
      ),
    });
  });

  test("another app's status and comment carrying an approving ledger: not gate.app's, ignored", async () => {
    await approved();
    // The app's own copy is pending on a new head; release-bot "approves" it.
    h.gh.addApp({
      slug: 'release-bot',
      permissions: { issues: 'write', metadata: 'read', statuses: 'write' },
    });
    const bot = h.gh.installationToken('release-bot');
    await h.push(HEAD2);
    await h.summary('destroy', HEAD2);
    const mine = copy(HEAD2);
    const pending = decodeLedger(ledgerLines(String(mine.comments[0]!['body']))[0]!);
    if (!pending.ok) throw new Error(pending.detail);
    const line = encodeLedger({
      ...pending.ledger,
      projects: pending.ledger.projects.map((p) => ({
        ...p,
        state: 'approved',
        approvals: [{ login: 'dba-dana', commentId: 1, at: '2026-12-08T00:00:00Z' }],
      })),
    });
    await octokit(bot).rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: PR,
      body: line,
    });
    await statusNaming(bot, line, { sha: HEAD2 });
    const r = await lookup();
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/does not approve this plan .*pending/);
    // With gate.app naming release-bot the guard would believe it: gate.app is what pins it.
    expect((await lookup(FINE, 'release-bot')).approved).toBe(true);
  });

  test("a writer edits the app's approved copy: the sha256 differs, refused", async () => {
    await approved();
    const [c] = copy().comments;
    const body = String(c!['body']);
    // Any change to the line (here: the approval's time) breaks the match.
    const d = decodeLedger(ledgerLines(body)[0]!);
    if (!d.ok) throw new Error(d.detail);
    const edited = encodeLedger({
      ...d.ledger,
      projects: d.ledger.projects.map((p) => ({ ...p, level: 'low' })),
    });
    h.gh.editComment(OWNER, REPO, c!['id'] as number, body.replace(ledgerLines(body)[0]!, edited));
    const r = await lookup();
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/sha256 differs/);
  });

  test('the approved copy of one head never approves another head', async () => {
    await approved();
    const line = ledgerLines(String(copy().comments[0]!['body']))[0]!;
    // A push the app has not seen yet: no status of the app on the new head.
    h.gh.setPullHead(OWNER, REPO, PR, HEAD2);
    expect((await lookup()).detail).toMatch(/^no applygate ledger on head a2a2a2a of PR #7/);
    // Even a status of the app on the new head naming the old head's line is refused.
    await statusNaming(h.gh.installationToken(), line, { sha: HEAD2 });
    const r = await lookup();
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(
      /the ledger on head a2a2a2a is for a1a1a1a of PR #7, not head a2a2a2a/,
    );
  });

  test('a copy older than the newest command (a revoke the app has not judged) is stale: refused', async () => {
    await approved();
    // dana revokes on github.com; the webhook has not reached the app yet.
    h.clock.tick();
    h.gh.addComment(OWNER, REPO, PR, { user: { login: 'dba-dana' }, body: '/revoke-destroy' });
    const r = await lookup();
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/decided before the newest command on the pull request/);
  });
});

describe('the write order: a reader never believes a half-written copy', () => {
  test('the comment written and the status not (GitHub failing): refused; the next evaluation completes it', async () => {
    h.setup({ config: PUBLISH });
    tokens();
    await h.summary('destroy');
    const fault = h.gh.fault({ route: statusesRoute, status: 500 });
    await h.comment('dba-dana', approve);
    expect(fault.hits).toBeGreaterThan(0);
    // The check run approves; the copy's comment says approved, its status still pending.
    expect(h.check()?.conclusion).toBe('success');
    expect(copy().statuses[0]).toMatchObject({ state: 'pending' });
    const r = await lookup();
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/sha256 differs/);
    expect(h.logs.some((l) => /could not publish the ledger copy/.test(l.msg))).toBe(true);
    // GitHub is back; the next evaluation finds the comment current and writes the status.
    h.gh.clearFaults();
    h.waitingRun(557);
    await h.gate(557);
    expect(copy().statuses[0]).toMatchObject({ state: 'success' });
    expect((await lookup()).approved).toBe(true);
  });

  test('a comment write that fails while the decision approves less withdraws the copy', async () => {
    await approved();
    // dba-dana loses write access: her approval no longer counts (no new command on the PR).
    h.gh.setCollaborator(OWNER, REPO, 'dba-dana', null);
    h.gh.fault({ route: 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', status: 500 });
    h.waitingRun(558);
    await h.gate(558);
    expect(h.check()?.conclusion).toBe('action_required');
    // The comment still carries the approving line; the status withdrew it.
    expect(copy().statuses[0]).toMatchObject({
      state: 'pending',
      description: ledgerStatusDescription(undefined),
    });
    const r = await lookup();
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/carries no ledger digest/);
  });

  test('the app cannot tell (a read fails after retries): the check run and the copy both drop the ledger', async () => {
    await approved();
    h.gh.fault({
      route: 'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
      status: 500,
    });
    h.waitingRun(560);
    await h.gate(560);
    expect(h.check()?.title).toMatch(/^Not decided/);
    expect(copy().statuses[0]).toMatchObject({ description: ledgerStatusDescription(undefined) });
    expect(copy().comments).toEqual([]);
    const r = await lookup();
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/carries no ledger digest/);
  });

  test('gate.publish_ledger turned off: the copy of this head is withdrawn, status first', async () => {
    await approved();
    // The default branch moves on with the setting off (a file at a commit never changes).
    const base2 = 'b2'.repeat(20);
    h.gh.setFile(OWNER, REPO, base2, '.github/applygate.yml', 'gate:\n  app: applygate\n');
    h.gh.setFile(OWNER, REPO, base2, '.github/CODEOWNERS', CODEOWNERS);
    h.gh.setPullBase(OWNER, REPO, PR, base2);
    h.calls();
    h.waitingRun(559);
    await h.gate(559);
    const writes = h
      .calls()
      .filter((c) => /^(POST|PATCH) .*(statuses\/\{sha\}|comments\/\{comment_id\})$/.test(c));
    expect(writes).toEqual([
      statusesRoute,
      'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
    ]);
    expect(copy().comments).toEqual([]);
    expect((await lookup()).detail).toMatch(/carries no ledger digest/);
  });

  test('an app not yet granted statuses: write still decides; its copy is refused, never believed', async () => {
    h.gh.app.permissions = { ...h.gh.app.permissions, statuses: 'read' };
    await approved();
    expect(copy().comments).toHaveLength(1);
    expect(copy().statuses).toEqual([]);
    expect(h.logs.some((l) => /does the app have statuses: write/.test(l.msg))).toBe(true);
    const r = await lookup();
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/^no applygate ledger on head a1a1a1a/);
  });
});
