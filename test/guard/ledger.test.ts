import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { findApproval } from '../../src/guard/ledger.js';
import { encodeLedger, LEDGER_CHECK_NAME, type Ledger } from '../../src/core/ledger.js';
import { parsePlanObject } from '../../src/core/plan/index.js';
import { startEmulator, type GitHubEmulator } from '../../testkit/github/emulator.js';
import { installStandIn } from '../../testkit/guard/stand-in.js';
import { incidentDestroyPlan } from '../../testkit/plans/samples.js';
import { repoRoot } from '../../testkit/support/shared.js';

// The ledger lookup of `applygate guard` against the local GitHub emulator: a real git repository
// whose `origin` is on github.com, the pull request found from its commit, the check run read
// with Octokit. Only an approval written by the applygate app, for this digest, on the pull
// request's current head, lets a command through.

const DIGEST = `sha256v2:${'d'.repeat(64)}`;
const OTHER = `sha256v2:${'e'.repeat(64)}`;
const SET = 'f'.repeat(64);

const built = join(repoRoot, 'lib/cli/index.js');

interface HookOut {
  hookSpecificOutput?: {
    permissionDecision: string;
    permissionDecisionReason: string;
    updatedInput?: { command?: string };
  };
}

function runHook(cwd: string, env: Record<string, string>): Promise<HookOut> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [built, 'guard', 'claude-hook'], { cwd, env });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out.trim() ? (JSON.parse(out) as HookOut) : {}));
    child.stdin.end(
      JSON.stringify({
        tool_name: 'Bash',
        tool_input: { command: 'terraform destroy -auto-approve' },
        cwd,
      }),
    );
  });
}

let gh: GitHubEmulator;
let repoDir: string;
let head: string;

function git(args: string[], cwd: string) {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  })
    .toString()
    .trim();
}

beforeAll(async () => {
  gh = await startEmulator();
  gh.addRepo({ owner: 'acme', repo: 'infra', collaborators: ['dana'] });
  gh.addToken('ghs_app', { login: `${gh.app.slug}[bot]`, type: 'Bot', app: 'app' });
  gh.addToken('ghs_actions', { login: 'github-actions[bot]', type: 'Bot', app: 'github-actions' });
  gh.addToken('ghp_dev', { login: 'dev' });
  repoDir = mkdtempSync(join(tmpdir(), 'applygate-ledger-'));
  git(['init', '-q', '-b', 'feature'], repoDir);
  writeFileSync(join(repoDir, 'main.tf'), 'resource "null_resource" "x" {}\n');
  mkdirSync(join(repoDir, '.github'));
  writeFileSync(join(repoDir, '.github/applygate.yml'), `gate:\n  app: ${gh.app.slug}\n`);
  git(['add', '.'], repoDir);
  git(['commit', '-q', '-m', 'x'], repoDir);
  git(['remote', 'add', 'origin', 'git@github.com:acme/infra.git'], repoDir);
  head = git(['rev-parse', 'HEAD'], repoDir);
  gh.addPull({
    owner: 'acme',
    repo: 'infra',
    number: 7,
    title: 'Tear down the old stack',
    user: { login: 'alice' },
    head: { sha: head, ref: 'feature' },
    base: { sha: 'b1'.repeat(20), ref: 'main' },
    files: [{ filename: 'main.tf', status: 'modified' }],
  });
});

afterAll(async () => {
  expect(gh.violations).toEqual([]);
  await gh.close();
});

function ledger(over: Partial<Ledger> = {}, digest = DIGEST): Ledger {
  return {
    headSha: head,
    pull: 7,
    baseRef: 'main',
    projects: [
      {
        name: 'infra',
        digest,
        destroySet: SET,
        riskSet: SET,
        level: 'critical',
        requiresApproval: true,
        state: 'approved',
        approvals: [{ login: 'dana', commentId: 101, at: '2026-11-25T19:00:00Z' }],
      },
    ],
    ...over,
  };
}

async function writeCheckRun(token: string, l: Ledger, sha = head) {
  const octokit = new Octokit({ auth: token, baseUrl: gh.url });
  await octokit.rest.checks.create({
    owner: 'acme',
    repo: 'infra',
    name: LEDGER_CHECK_NAME,
    head_sha: sha,
    status: 'completed',
    conclusion: 'success',
    output: { title: 'approved', summary: 'approved', text: `Approved.\n\n${encodeLedger(l)}` },
  });
}

const lookup = (
  digest: string,
  extra: { pull?: number; app?: string; env?: Record<string, string> } = {},
) =>
  findApproval({
    dir: repoDir,
    digest,
    env: {
      PATH: process.env.PATH,
      HOME: repoDir,
      GITHUB_TOKEN: 'ghp_dev',
      GITHUB_API_URL: gh.url,
      ...extra.env,
    },
    deadline: Date.now() + 20_000,
    ...(extra.pull ? { pull: extra.pull } : {}),
    app: extra.app ?? gh.app.slug,
    command: '/approve-destroy',
  });

// Every test starts from a head without check runs: none depends on another's writes.
beforeEach(() => {
  for (const r of gh.checkRuns('acme', 'infra')) gh.dropCheckRun('acme', 'infra', r.id as number);
});

describe('guard: the ledger on GitHub', () => {
  test('no check run yet: not approved, and says why', async () => {
    const r = await lookup(DIGEST);
    expect(r).toEqual({
      approved: false,
      detail: expect.stringMatching(
        /^no applygate ledger on head \w{7} of PR #7\. Is the applygate app installed as `applygate`/,
      ),
    });
  });

  test('a ledger from a check run written by github-actions does not count', async () => {
    await writeCheckRun('ghs_actions', ledger());
    const r = await lookup(DIGEST);
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/ignored 1 check run of the same name from github-actions/);
  });

  test("the app's ledger for another digest does not count", async () => {
    await writeCheckRun('ghs_app', ledger({}, OTHER));
    const r = await lookup(DIGEST);
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/does not approve this plan/);
  });

  test("the app's ledger approving this digest lets it through, found from the local commit", async () => {
    await writeCheckRun('ghs_app', ledger());
    const r = await lookup(DIGEST);
    expect(r).toEqual({
      approved: true,
      detail: 'approved on pull request #7 by @dana (project infra)',
    });
    // --pr finds the same pull request without the local commit.
    expect((await lookup(DIGEST, { pull: 7 })).approved).toBe(true);
    // The slug compares case-blind, as GitHub's do.
    expect((await lookup(DIGEST, { app: 'ApplyGate' })).approved).toBe(true);
  });

  test('gate.app pins the app: a ledger of another app does not count', async () => {
    await writeCheckRun('ghs_app', ledger());
    expect((await lookup(DIGEST, { app: 'some-other-app' })).approved).toBe(false);
  });

  test('without gate.app nothing is read and nothing counts: the answer is the one-line fix', async () => {
    await writeCheckRun('ghs_app', ledger());
    gh.resetLog();
    const r = await lookup(DIGEST, { app: '' });
    expect(r).toEqual({
      approved: false,
      detail: expect.stringMatching(/^gate\.app is not set: set `gate: \{ app: <slug> \}`/),
    });
    expect(r.detail).not.toContain('\n');
    expect(gh.requests).toEqual([]);
  });

  test("another app's approving record never counts, not even beside the app's own pending one", async () => {
    gh.addApp('release-bot');
    gh.addToken('ghs_release', { login: 'release-bot[bot]', type: 'Bot', app: 'release-bot' });
    const pending = ledger();
    pending.projects[0] = { ...pending.projects[0]!, state: 'pending', approvals: [] };
    await writeCheckRun('ghs_app', pending);
    await writeCheckRun('ghs_release', ledger());
    const r = await lookup(DIGEST);
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/infra|pending/);
    expect(r.detail).toMatch(/sha256v2:d{12}… pending/);
    // Alone, the other app's record is ignored and named.
    for (const c of gh.checkRuns('acme', 'infra'))
      if ((c.app as { slug: string }).slug === gh.app.slug)
        gh.dropCheckRun('acme', 'infra', c.id as number);
    const alone = await lookup(DIGEST);
    expect(alone.approved).toBe(false);
    expect(alone.detail).toMatch(/ignored 1 check run of the same name from release-bot/);
  });

  test("the app's latest record counts: an approval it has since withdrawn does not", async () => {
    await writeCheckRun('ghs_app', ledger());
    const pending = ledger();
    pending.projects[0] = { ...pending.projects[0]!, state: 'pending', approvals: [] };
    await writeCheckRun('ghs_app', pending);
    expect((await lookup(DIGEST)).approved).toBe(false);
  });

  test('a malformed record of the app fails closed, saying what is wrong', async () => {
    const bad = ledger();
    (bad.projects[0] as { state: string }).state = 'approved-by-admin';
    await writeCheckRun('ghs_app', bad);
    const r = await lookup(DIGEST);
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(
      /cannot be read: the ledger is malformed: projects\[0\]\.state is unknown/,
    );
  });

  test('a pending project does not count', async () => {
    const pending = ledger();
    pending.projects[0] = { ...pending.projects[0]!, state: 'pending', approvals: [] };
    await writeCheckRun('ghs_app', pending);
    expect((await lookup(DIGEST)).approved).toBe(false);
  });

  test('an approving ledger written for another head, found on this head, does not count', async () => {
    // The app's own check run on this head, carrying a record that approves this digest for
    // another commit of the pull request: not this head's decision.
    await writeCheckRun('ghs_app', ledger({ headSha: 'c'.repeat(40) }));
    const r = await lookup(DIGEST);
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/is for ccccccc of PR #7, not head \w{7} of PR #7/);
    // And a record for another pull request at this head.
    await writeCheckRun('ghs_app', ledger({ pull: 8 }));
    expect((await lookup(DIGEST)).detail).toMatch(/of PR #8, not head/);
  });

  test('a ledger decided before the newest command on the pull request does not count', async () => {
    // The app approved having seen dana's approval; then dana revoked, and the app has not
    // written its record again (down, or slow). The guard must not act on the old record.
    const approve = gh.addComment('acme', 'infra', 7, {
      user: { login: 'dana' },
      body: '/approve-destroy',
    });
    const seen = { commentId: approve['id'] as number, at: approve['updated_at'] as string };
    await writeCheckRun('ghs_app', ledger({ newestCommand: seen }));
    expect(await lookup(DIGEST)).toEqual({
      approved: true,
      detail: 'approved on pull request #7 by @dana (project infra)',
    });
    const revoke = gh.addComment('acme', 'infra', 7, {
      user: { login: 'dana' },
      body: '/revoke-destroy',
    });
    const r = await lookup(DIGEST);
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/decided before the newest command on the pull request/);
    expect(r.detail).toContain(`comment ${revoke['id'] as number}`);
    // The next test starts from a pull request without comments again.
    for (const c of [approve, revoke]) gh.deleteComment('acme', 'infra', c['id'] as number);
  });

  test('without a token it fails closed, saying so', async () => {
    const r = await lookup(DIGEST, { env: { GITHUB_TOKEN: '', PATH: '/nonexistent' } });
    expect(r).toEqual({ approved: false, detail: expect.stringMatching(/no GitHub token/) });
  });

  test('an unreachable GitHub fails closed', async () => {
    const r = await lookup(DIGEST, { env: { GITHUB_API_URL: 'http://127.0.0.1:9' } });
    expect(r.approved).toBe(false);
    expect(r.detail).toMatch(/reading the ledger from GitHub failed/);
  });

  test('end to end: the hook lets the incident destroy through only once the app approved its digest', async () => {
    const plan = join(repoDir, '..', `destroy-${Date.now()}.json`);
    writeFileSync(plan, JSON.stringify(incidentDestroyPlan()));
    const terraform = installStandIn(mkdtempSync(join(tmpdir(), 'applygate-tf-')), {
      destroy: plan,
    });
    const parsed = parsePlanObject(incidentDestroyPlan(), 'incident');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const digest = parsed.plan.digest;
    const hook = () =>
      runHook(repoDir, {
        PATH: terraform.path,
        HOME: repoDir,
        GITHUB_TOKEN: 'ghp_dev',
        GITHUB_API_URL: gh.url,
      });
    // The same approval, written by a workflow as github-actions: not the app's, denied.
    await writeCheckRun('ghs_actions', ledger({}, digest));
    const forged = await hook();
    expect(forged.hookSpecificOutput?.permissionDecision).toBe('deny');
    // Another GitHub App installed on the repository approves it: not the app gate.app names.
    gh.addApp('release-bot');
    gh.addToken('ghs_release', { login: 'release-bot[bot]', type: 'Bot', app: 'release-bot' });
    await writeCheckRun('ghs_release', ledger({}, digest));
    const other = await hook();
    expect(other.hookSpecificOutput?.permissionDecision).toBe('deny');
    expect(other.hookSpecificOutput?.permissionDecisionReason).toMatch(
      /ignored 2 check runs of the same name from github-actions, release-bot/,
    );
    // The app approved another digest: denied.
    await writeCheckRun('ghs_app', ledger({}, OTHER));
    expect((await hook()).hookSpecificOutput?.permissionDecision).toBe('deny');
    // The app approved this plan's digest: allowed, saying who approved.
    await writeCheckRun('ghs_app', ledger({}, digest));
    // Approved: asked (allow only on the opt-in), and what runs is the plan checked.
    const approved = await hook();
    expect(approved.hookSpecificOutput?.permissionDecision).toBe('ask');
    expect(approved.hookSpecificOutput?.updatedInput?.command).toMatch(
      / terraform apply -input=false \S+\.tfplan$/,
    );
    expect(approved.hookSpecificOutput?.permissionDecisionReason).toMatch(
      /approved on pull request #7 by @dana/,
    );
    // terraform was only asked to plan and show, never to destroy.
    expect(terraform.calls().every((c) => c.args[0] === 'plan' || c.args[0] === 'show')).toBe(true);
  }, 180_000);
});
