import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeLedger, LEDGER_CHECK_NAME, type Ledger } from '../../src/core/ledger.js';
import { decodeMarker, encodeMarker, type Marker } from '../../src/core/marker.js';
import { runAction, type RunOptions } from '../../testkit/action/runner.js';
import { startEmulator, type GitHubEmulator } from '../../testkit/github/emulator.js';
import { incidentDestroyPlan } from '../../testkit/plans/samples.js';
import { rc } from '../../testkit/support/build.js';
import { examplePayload } from '../../testkit/support/webhooks.js';

// `verify` end to end (DESIGN.md "Gate v2"): the built dist/index.js against the GitHub
// emulator. The plan job summarizes the PR; the app's ledger is a check run created by a GitHub
// App (encodeLedger, as the app writes it); after the merge, the apply job re-plans on main and
// verifies. Nothing the summary says about risk is believed: verify recomputes it.

const OWNER = 'acme';
const REPO = 'infra';
const PR = 42;
const HEAD = '1'.repeat(40);
const BASE = '2'.repeat(40);
const MERGE = '9'.repeat(40);
const ACTIONS = 'ghs_actions_token';
const APP = 'ghs_applygate_app';
/** The default branch's config: the app's identity is required for verify. */
const GATE = 'gate:\n  app: applygate\n';

type Obj = Record<string, unknown>;
let gh: GitHubEmulator;
let work: string;

/** The PR's plan: the incident's destroys plus an untouched (no-op) log group. */
function prPlan(): Obj {
  const doc = incidentDestroyPlan();
  (doc.resource_changes as Obj[]).push(
    rc({
      address: 'aws_cloudwatch_log_group.app',
      actions: ['no-op'],
      before: { name: 'app', tags: {} },
      after: { name: 'app', tags: {} },
    }),
  );
  return doc;
}

function repoJson() {
  return {
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    owner: { login: OWNER },
    default_branch: 'main',
  };
}

function prEvent() {
  const p = examplePayload('pull_request', 'opened') as Obj & { pull_request: Obj };
  Object.assign(p, { number: PR, repository: { ...(p.repository as Obj), ...repoJson() } });
  Object.assign(p.pull_request, {
    number: PR,
    head: { ...(p.pull_request.head as Obj), sha: HEAD },
    base: { ...(p.pull_request.base as Obj), sha: BASE, ref: 'main' },
  });
  return { name: 'pull_request', payload: p };
}

function pushEvent() {
  const p = examplePayload('push') as Obj;
  Object.assign(p, {
    ref: 'refs/heads/main',
    after: MERGE,
    repository: { ...(p.repository as Obj), ...repoJson() },
  });
  return { name: 'push', payload: p };
}

function run(plan: Obj, inputs: Obj = {}, over: Partial<RunOptions> = {}) {
  writeFileSync(join(work, 'plan.json'), JSON.stringify(plan));
  return runAction({
    inputs: { 'github-token': ACTIONS, plan: 'plan.json', ...inputs },
    apiUrl: gh.url,
    event: prEvent(),
    repository: `${OWNER}/${REPO}`,
    sha: HEAD,
    cwd: work,
    ...over,
  });
}

/** The apply job on main after the merge. */
const applyOnMain = (plan: Obj) =>
  run(plan, { mode: 'verify' }, { event: pushEvent(), sha: MERGE });

/** The summary the plan job wrote, decoded. */
function summaryMarker(): Marker {
  const c = gh.comments(OWNER, REPO, PR).find((x) => String(x.body).includes('applygate:v2'));
  const m = decodeMarker(String(c?.body));
  if (!m.ok) throw new Error('no summary');
  return m.marker;
}

/** The ledger the app writes from the summary (state approved unless told). */
function ledgerFrom(
  m: Marker,
  over: Partial<Ledger['projects'][number]> = {},
  head = HEAD,
): Ledger {
  return {
    headSha: head,
    pull: PR,
    baseRef: 'main',
    projects: m.projects.map((p) => ({
      name: p.name,
      digest: p.digest,
      destroySet: p.destroySet,
      riskSet: p.riskSet,
      level: p.level,
      requiresApproval: p.requiresApproval,
      state: 'approved',
      approvals: [{ login: 'dba-dana', commentId: 2200000999, at: '2026-11-25T10:00:00Z' }],
      ...over,
    })),
  };
}

/** Create the ledger check run over the real API, as `token`'s app. */
async function postLedger(ledger: Ledger, token = APP, sha = HEAD): Promise<void> {
  const res = await fetch(`${gh.url}/repos/${OWNER}/${REPO}/check-runs`, {
    method: 'POST',
    headers: {
      authorization: `token ${token}`,
      'content-type': 'application/json',
      accept: 'application/vnd.github+json',
    },
    body: JSON.stringify({
      name: LEDGER_CHECK_NAME,
      head_sha: sha,
      status: 'completed',
      conclusion: ledger.projects.every((p) => p.state !== 'pending')
        ? 'success'
        : 'action_required',
      output: {
        title: 'applygate',
        summary: 'decision',
        text: `Approvals...\n${encodeLedger(ledger)}`,
      },
    }),
  });
  expect(res.status).toBe(201);
}

beforeEach(async () => {
  gh = await startEmulator({ validate: true });
  gh.addRepo({ owner: OWNER, repo: REPO, defaultBranch: 'main' });
  gh.addToken(ACTIONS, { login: 'github-actions[bot]', type: 'Bot', app: 'github-actions' });
  gh.addToken(APP, { login: 'applygate[bot]', type: 'Bot', app: 'app' });
  gh.setFile(OWNER, REPO, 'main', '.github/applygate.yml', GATE);
  gh.addPull({
    owner: OWNER,
    repo: REPO,
    number: PR,
    title: 'retire the old platform',
    user: { login: 'alice' },
    head: { sha: HEAD, ref: 'retire' },
    base: { sha: BASE, ref: 'main' },
    files: [{ filename: 'main.tf', status: 'modified' }],
  });
  work = mkdtempSync(join(tmpdir(), 'applygate-verify-'));
  const summarized = await run(prPlan());
  expect(summarized.code).toBe(0);
  gh.mergePull(OWNER, REPO, PR, MERGE);
});

afterEach(async () => {
  expect(gh.violations).toEqual([]);
  await gh.close();
});

test('re-plan after the merge with refreshed no-op values and an unrelated change: passes (match: destroys)', async () => {
  await postLedger(ledgerFrom(summaryMarker()));
  const replan = prPlan();
  const logs = (replan.resource_changes as Obj[]).find(
    (c) => c.address === 'aws_cloudwatch_log_group.app',
  )!;
  Object.assign(logs.change as Obj, {
    before: { name: 'app', tags: { owner: 'ops' } },
    after: { name: 'app', tags: { owner: 'ops' } },
  });
  (replan.resource_changes as Obj[]).push(
    rc({ address: 'aws_sns_topic.alerts', actions: ['create'], after: { name: 'alerts' } }),
  );
  gh.resetLog();
  const r = await applyOnMain(replan);
  expect(r.stdout).toMatch(/approved on PR #42 by dba-dana; same destroys and high findings/);
  expect(r.code).toBe(0);
  expect(r.outputs.verified).toBe('true');
  expect(gh.requests.filter((q) => q.method !== 'GET')).toEqual([]);
});

test('a new destroy, or a new high finding: fails, naming it', async () => {
  await postLedger(ledgerFrom(summaryMarker()));
  const more = prPlan();
  (more.resource_changes as Obj[]).push(
    rc({ address: 'aws_s3_bucket.archive', actions: ['delete'], before: { bucket: 'archive' } }),
  );
  const r = await applyOnMain(more);
  expect(r.code).not.toBe(0);
  expect(r.outputs.verified).toBe('false');
  expect(r.stdout).toMatch(/destroys added: delete aws_s3_bucket\.archive/);
  expect(r.stdout).toMatch(
    /findings at high or above added: [^;]*stateful-destroy aws_s3_bucket\.archive/,
  );
  expect(r.stdout).toContain(summaryMarker().projects[0]!.digest);

  const open = prPlan();
  (open.resource_changes as Obj[]).push(
    rc({
      address: 'aws_security_group.web',
      actions: ['update'],
      before: { ingress: [] },
      after: {
        ingress: [{ cidr_blocks: ['0.0.0.0/0'], from_port: 22, to_port: 22, protocol: 'tcp' }],
      },
    }),
  );
  const r2 = await applyOnMain(open);
  expect(r2.code).not.toBe(0);
  expect(r2.stdout).toMatch(
    /findings at high or above added: network-exposure aws_security_group\.web/,
  );
  expect(r2.stdout).not.toMatch(/destroys added/);
});

test('a forged low-risk summary with the real digest: the app may approve, verify recomputes and fails', async () => {
  // Any workflow can comment as github-actions[bot]: the summary now claims nothing to approve.
  const c = gh.comments(OWNER, REPO, PR).find((x) => String(x.body).includes('applygate:v2'))!;
  const real = summaryMarker();
  const forged: Marker = {
    ...real,
    projects: real.projects.map((p) => ({
      ...p,
      level: 'none',
      score: 0,
      requiresApproval: false,
      destroyCount: 0,
      destroys: [],
      risks: [],
    })),
  };
  gh.editComment(
    OWNER,
    REPO,
    c.id as number,
    String(c.body).replace(/<!-- applygate:v2 [A-Za-z0-9_-]+ -->/, encodeMarker(forged)),
  );
  // The app believed it: nothing required, no approvals.
  await postLedger(
    ledgerFrom(summaryMarker(), {
      level: 'none',
      requiresApproval: false,
      state: 'not-required',
      approvals: [],
    }),
  );
  const r = await applyOnMain(prPlan());
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(
    /needs approval \(it destroys or replaces 16 resources; its risk level is critical/,
  );
  expect(r.stdout).toMatch(/PR #42 is not approved for it \(ledger state: not-required\)/);
});

test('a ledger in a check run created by a workflow (github-actions) with the same name: fails', async () => {
  await postLedger(ledgerFrom(summaryMarker()), ACTIONS);
  const r = await applyOnMain(prPlan());
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(
    /no applygate ledger on head 1111111 of PR #42 \(ignored 1 check run of the same name from github-actions/,
  );
});

test('a ledger approved for another plan: fails with both digests; for another head: fails', async () => {
  const other = {
    digest: `sha256v2:${'e'.repeat(64)}`,
    destroySet: 'a'.repeat(64),
    riskSet: 'b'.repeat(64),
  };
  await postLedger(ledgerFrom(summaryMarker(), other));
  const r = await applyOnMain(prPlan());
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(/the destroys differ from the approved ones/);
  expect(r.stdout).toContain(
    `approved digest ${other.digest}, this plan's digest ${summaryMarker().projects[0]!.digest}`,
  );

  gh.dropCheckRun(OWNER, REPO, gh.checkRuns(OWNER, REPO)[0]!.id as number);
  await postLedger(ledgerFrom(summaryMarker(), {}, '3'.repeat(40)));
  const r2 = await applyOnMain(prPlan());
  expect(r2.code).not.toBe(0);
  expect(r2.stdout).toMatch(/the ledger on head 1111111 is for 3333333 of PR #42/);
});

test('match: exact needs the same digest: refreshed no-op values pass, any other change fails', async () => {
  gh.setFile(OWNER, REPO, 'main', '.github/applygate.yml', `${GATE}verify:\n  match: exact\n`);
  await postLedger(ledgerFrom(summaryMarker()));
  const refreshed = prPlan();
  const logs = (refreshed.resource_changes as Obj[]).find(
    (c) => c.address === 'aws_cloudwatch_log_group.app',
  )!;
  Object.assign(logs.change as Obj, {
    before: { name: 'app', tags: { a: 'b' } },
    after: { name: 'app', tags: { a: 'b' } },
  });
  const ok = await applyOnMain(refreshed);
  expect(ok.stdout).toMatch(/same digest sha256v2:[0-9a-f]{64} \(match: exact\)/);
  expect(ok.code).toBe(0);
  const unrelated = prPlan();
  (unrelated.resource_changes as Obj[]).push(
    rc({ address: 'aws_sns_topic.alerts', actions: ['create'], after: {} }),
  );
  const bad = await applyOnMain(unrelated);
  expect(bad.code).not.toBe(0);
  expect(bad.stdout).toMatch(
    /is not the approved plan \(match: exact\): approved digest sha256v2:\w+, this plan's digest sha256v2:\w+/,
  );
});

test('gate.app pins the app: a ledger from another app is ignored', async () => {
  gh.setFile(OWNER, REPO, 'main', '.github/applygate.yml', 'gate:\n  app: applygate-prod\n');
  await postLedger(ledgerFrom(summaryMarker()));
  const r = await applyOnMain(prPlan());
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(/only the app `applygate-prod` \(gate.app\) writes the ledger/);
});

test("another GitHub App's approving ledger never counts, even when the app's own says pending", async () => {
  gh.addApp('release-bot');
  gh.addToken('ghs_release', { login: 'release-bot[bot]', type: 'Bot', app: 'release-bot' });
  await postLedger(ledgerFrom(summaryMarker(), { state: 'pending', approvals: [] }));
  await postLedger(ledgerFrom(summaryMarker()), 'ghs_release');
  const r = await applyOnMain(prPlan());
  expect(r.code).not.toBe(0);
  expect(r.outputs.verified).toBe('false');
  expect(r.stdout).toMatch(/is not approved for it \(ledger state: pending\)/);
  // Alone, the other app's record is named and ignored.
  for (const c of gh.checkRuns(OWNER, REPO))
    if ((c.app as { slug: string }).slug === 'applygate')
      gh.dropCheckRun(OWNER, REPO, c.id as number);
  const alone = await applyOnMain(prPlan());
  expect(alone.code).not.toBe(0);
  expect(alone.stdout).toMatch(
    /ignored 1 check run of the same name from release-bot: only the app `applygate` \(gate.app\)/,
  );
});

test('without gate.app verify trusts no record: it fails with the one-line fix', async () => {
  gh.setFile(OWNER, REPO, 'main', '.github/applygate.yml', 'verify:\n  match: destroys\n');
  await postLedger(ledgerFrom(summaryMarker()));
  const r = await applyOnMain(prPlan());
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(
    /needs approval, and gate\.app is not set: set `gate: \{ app: <slug> \}` in \.github\/applygate\.yml/,
  );
});

test('a plan that needs no approval passes without any ledger; without a pull request, a risky one names the break-glass way', async () => {
  const harmless = {
    ...prPlan(),
    resource_changes: [rc({ address: 'aws_sns_topic.t', actions: ['create'], after: {} })],
  };
  const r = await applyOnMain(harmless);
  expect(r.stdout).toMatch(/needs no approval \(recomputed here with the default branch's config/);
  expect(r.code).toBe(0);
  const dispatch = await run(
    prPlan(),
    { mode: 'verify' },
    {
      event: { name: 'workflow_dispatch', payload: { repository: repoJson(), inputs: {} } },
      sha: '4'.repeat(40),
    },
  );
  expect(dispatch.code).not.toBe(0);
  expect(dispatch.stdout).toMatch(
    /is not the merge commit of a pull request into main \(event: workflow_dispatch\)/,
  );
  expect(dispatch.stdout).toContain('docs/action.md#break-glass');
});

test('fork or Dependabot PR (read-only token): a 403 on the comment is a warning; job summary and outputs still appear', async () => {
  gh.fault({ route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', status: 403 });
  gh.fault({ route: 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', status: 403 });
  const more = prPlan();
  (more.resource_changes as Obj[]).push(
    rc({ address: 'aws_sns_topic.t', actions: ['create'], after: {} }),
  );
  const r = await run(more);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/::warning::applygate: the token may not comment on PR #42 \(403/);
  expect(r.outputs.level).toBe('critical');
  expect(r.summary).toContain('aws_db_instance.main');
});

test('a ledger it cannot parse (an approved state it does not know): fails closed, saying why', async () => {
  const ledger = ledgerFrom(summaryMarker());
  const unknown = ledger.projects.map((p) => ({ ...p, state: 'approved-by-admin' }));
  await postLedger({ ...ledger, projects: unknown } as unknown as Ledger);
  const r = await applyOnMain(prPlan());
  expect(r.code).not.toBe(0);
  expect(r.outputs.verified).toBe('false');
  expect(r.stdout).toMatch(
    /the ledger of \S+ on head 1111111 cannot be read: the ledger is malformed: projects\[0\]\.state is unknown\. Fail closed/,
  );
});
