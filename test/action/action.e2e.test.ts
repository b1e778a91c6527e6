import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMarker, mentionsMarker } from '../../src/core/marker.js';
import { createsOnlyPlan, incidentDestroyPlan } from '../../testkit/plans/samples.js';
import { startEmulator, type GitHubEmulator } from '../../testkit/github/emulator.js';
import { planDoc, rc } from '../../testkit/support/build.js';
import { examplePayload } from '../../testkit/support/webhooks.js';
import { mentionsOutsideCode } from '../core/render/checks.js';
import { runAction, type RunOptions } from '../../testkit/action/runner.js';

const OWNER = 'acme';
const REPO = 'infra';
const PR = 42;
const HEAD = '1'.repeat(40);
const BASE = '2'.repeat(40);
const TOKEN = 'ghs_actions_token';

let gh: GitHubEmulator;
let work: string;

function prPayload(headSha = HEAD) {
  type Pr = { number: number; head: { sha: string }; base: { sha: string } };
  type Repo = { name: string; full_name: string; owner: { login: string } };
  const p = examplePayload('pull_request', 'opened') as {
    number: number;
    pull_request: Pr;
    repository: Repo;
  };
  p.number = PR;
  p.pull_request.number = PR;
  p.pull_request.head.sha = headSha;
  p.pull_request.base.sha = BASE;
  p.repository.name = REPO;
  p.repository.full_name = `${OWNER}/${REPO}`;
  p.repository.owner.login = OWNER;
  return p;
}

function writePlan(name: string, doc: unknown): string {
  writeFileSync(join(work, name), JSON.stringify(doc));
  return name;
}

function opts(inputs: Record<string, string>, over: Partial<RunOptions> = {}): RunOptions {
  return {
    inputs: { 'github-token': TOKEN, ...inputs },
    apiUrl: gh.url,
    event: { name: 'pull_request', payload: prPayload() },
    repository: `${OWNER}/${REPO}`,
    sha: HEAD,
    cwd: work,
    ...over,
  };
}

const applygateComments = () =>
  gh
    .comments(OWNER, REPO, PR)
    .filter((c) => String((c as { body: string }).body).includes('applygate:v2'));

beforeEach(async () => {
  gh = await startEmulator({ validate: true });
  gh.addRepo({ owner: OWNER, repo: REPO, defaultBranch: 'main' });
  gh.addToken(TOKEN, { login: 'github-actions[bot]', type: 'Bot', app: 'github-actions' });
  gh.addToken('ghp_mallory', { login: 'mallory', type: 'User' });
  gh.addPull({
    owner: OWNER,
    repo: REPO,
    number: PR,
    title: 'clean up duplicates',
    user: { login: 'alice' },
    head: { sha: HEAD, ref: 'cleanup' },
    base: { sha: BASE, ref: 'main' },
    files: [{ filename: 'main.tf', status: 'modified' }],
  });
  work = mkdtempSync(join(tmpdir(), 'applygate-action-'));
});

afterEach(async () => {
  expect(gh.violations).toEqual([]);
  await gh.close();
});

test('first run creates the comment; a changed plan updates the same comment; outputs and job summary', async () => {
  const first = await runAction(opts({ plan: writePlan('plan.json', createsOnlyPlan()) }));
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.outputs).toMatchObject({
    level: 'none',
    score: '0',
    'requires-approval': 'false',
    'destroy-count': '0',
  });
  expect(first.outputs.digest).toMatch(/^sha256v2:[0-9a-f]{64}$/);
  expect(applygateComments()).toHaveLength(1);
  const id = (applygateComments()[0] as { id: number }).id;
  expect(first.outputs['comment-url']).toContain(`#issuecomment-${id}`);
  expect(
    gh.requestsTo('/repos/{owner}/{repo}/issues/{issue_number}/comments', 'POST'),
  ).toHaveLength(1);

  const second = await runAction(opts({ plan: writePlan('plan.json', incidentDestroyPlan()) }));
  expect(second.code).toBe(0);
  expect(second.outputs).toMatchObject({
    level: 'critical',
    'requires-approval': 'true',
    'destroy-count': '16',
  });
  expect(second.outputs.digest).not.toBe(first.outputs.digest);
  const comments = applygateComments() as { id: number; body: string; user: { login: string } }[];
  expect(comments.map((c) => c.id)).toEqual([id]);
  expect(comments[0]!.user.login).toBe('github-actions[bot]');
  expect(comments[0]!.body).toContain('aws_db_instance.main');
  expect(comments[0]!.body).toContain('/approve-destroy');
  const m = decodeMarker(comments[0]!.body);
  expect(m.ok && [m.marker.headSha, m.marker.projects[0]!.digest]).toEqual([
    HEAD,
    second.outputs.digest,
  ]);
  expect(gh.requestsTo('/repos/{owner}/{repo}/issues/comments/{comment_id}', 'PATCH')).toHaveLength(
    1,
  );

  expect(second.summary).toContain('aws_db_instance.main');
  const json = JSON.parse(readFileSync(second.outputs['summary-json']!, 'utf8'));
  expect(json).toMatchObject({ schemaVersion: 1, level: 'critical', requiresApproval: true });
  expect(second.summary + JSON.stringify(json) + comments[0]!.body).not.toContain('hunter2');
});

test('comment: on-change makes no write when nothing changed; always does', async () => {
  const plan = writePlan('plan.json', incidentDestroyPlan());
  await runAction(opts({ plan }));
  gh.resetLog();
  const again = await runAction(opts({ plan }, { runId: 2002 }));
  expect(again.code).toBe(0);
  expect(gh.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  await runAction(opts({ plan, comment: 'always' }, { runId: 2003 }));
  expect(gh.requestsTo('/repos/{owner}/{repo}/issues/comments/{comment_id}', 'PATCH')).toHaveLength(
    1,
  );
  expect(applygateComments()).toHaveLength(1);
});

test('a new head SHA with the same plan rewrites the marker (approvals bind to the head)', async () => {
  const plan = writePlan('plan.json', incidentDestroyPlan());
  await runAction(opts({ plan }));
  const newHead = '3'.repeat(40);
  gh.setPullHead(OWNER, REPO, PR, newHead);
  await runAction(
    opts({ plan }, { event: { name: 'pull_request', payload: prPayload(newHead) }, sha: newHead }),
  );
  const [c] = applygateComments() as { body: string }[];
  const m = decodeMarker(c!.body);
  expect(m.ok && m.marker.headSha).toBe(newHead);
  expect(applygateComments()).toHaveLength(1);
});

test('a duplicate applygate comment from the bot is removed; a user-pasted marker is left alone and ignored', async () => {
  const plan = writePlan('plan.json', incidentDestroyPlan());
  await runAction(opts({ plan }));
  const [original] = applygateComments() as { body: string }[];
  gh.addComment(OWNER, REPO, PR, {
    user: { login: 'github-actions[bot]', type: 'Bot' },
    body: original!.body,
  });
  gh.addComment(OWNER, REPO, PR, {
    user: { login: 'mallory', type: 'User' },
    body: original!.body,
  });
  await runAction(opts({ plan, comment: 'always' }));
  const left = applygateComments() as { user: { login: string } }[];
  expect(left.map((c) => c.user.login).sort()).toEqual(['github-actions[bot]', 'mallory']);
  expect(
    gh.requestsTo('/repos/{owner}/{repo}/issues/comments/{comment_id}', 'DELETE'),
  ).toHaveLength(1);
});

test('monorepo: one sticky comment per project, or one combined', async () => {
  const a = writePlan('net.json', createsOnlyPlan());
  const b = writePlan('db.json', incidentDestroyPlan());
  const run = await runAction(opts({ plan: `network=${a}\ndatabase=${b}` }));
  expect(run.code).toBe(0);
  expect(JSON.parse(run.outputs.digest!)).toEqual({
    network: expect.any(String),
    database: expect.any(String),
  });
  expect(applygateComments()).toHaveLength(2);
  await runAction(opts({ plan: `network=${a}\ndatabase=${b}` }));
  expect(applygateComments()).toHaveLength(2);
  await runAction(opts({ plan: `network=${a}\ndatabase=${b}`, 'comment-layout': 'combined' }));
  const all = applygateComments() as { body: string }[];
  expect(all).toHaveLength(3);
  const combined = all
    .map((c) => decodeMarker(c.body))
    .filter((m) => m.ok && m.marker.projects.length === 2);
  expect(combined).toHaveLength(1);
});

test('a plan too big for one comment: under 65,536 characters, destroys first, exact count, where the rest is', async () => {
  const long = 'x'.repeat(120);
  const changes = [
    ...Array.from({ length: 200 }, (_, i) =>
      rc({
        address: `module.app_${long}.aws_instance.web[${i}]`,
        actions: ['create'],
        after: { ami: 'ami-1' },
      }),
    ),
    ...Array.from({ length: 3000 }, (_, i) =>
      rc({
        address: `module.legacy_${long}.aws_ebs_volume.data[${i}]`,
        actions: ['delete'],
        before: { size: 100 },
      }),
    ),
  ];
  const run = await runAction(
    opts({ plan: writePlan('big.json', planDoc({ changes, priorResources: 4000 })) }),
  );
  expect(run.code).toBe(0);
  const [c] = applygateComments() as { body: string }[];
  expect(c!.body.length).toBeLessThanOrEqual(65_536);
  expect(c!.body).toMatch(/3,?000 to destroy or replace/);
  expect(c!.body).toMatch(/job summary/);
  expect(c!.body.indexOf('aws_ebs_volume.data[0]')).toBeGreaterThan(0);
  expect(
    c!.body.indexOf('aws_instance.web[0]') === -1 ||
      c!.body.indexOf('aws_instance.web[0]') > c!.body.indexOf('aws_ebs_volume.data[0]'),
  ).toBe(true);
  const json = JSON.parse(readFileSync(run.outputs['summary-json']!, 'utf8'));
  expect(
    json.projects[0].changes.filter((x: { kind: string }) => x.kind === 'delete'),
  ).toHaveLength(3000);
});

test('a plan above the streaming threshold: the same comment, JSON and outputs; at most 1,024 details in the job summary', async () => {
  // APPLYGATE_STREAM_THRESHOLD=0 streams every plan, as a plan over 256 MiB is streamed.
  const changes = Array.from({ length: 1500 }, (_, i) =>
    rc({
      address: `aws_instance.web[${String(i).padStart(4, '0')}]`,
      actions: ['update'],
      before: { ami: 'ami-1', tags: { n: String(i) } },
      after: { ami: 'ami-2', tags: { n: String(i) } },
    }),
  );
  const plan = writePlan('wide.json', planDoc({ changes, priorResources: 1500 }));
  const whole = await runAction(opts({ plan, comment: 'always' }));
  expect(whole.code).toBe(0);
  const [first] = applygateComments() as { body: string }[];
  const wholeJson = readFileSync(whole.outputs['summary-json']!, 'utf8');

  const streamed = await runAction(
    opts({ plan, comment: 'always' }, { env: { APPLYGATE_STREAM_THRESHOLD: '0' } }),
  );
  expect(streamed.code).toBe(0);
  const [second] = applygateComments() as { body: string }[];
  expect(second!.body).toBe(first!.body);
  expect({ ...streamed.outputs, 'summary-json': '' }).toEqual({
    ...whole.outputs,
    'summary-json': '',
  });
  expect(readFileSync(streamed.outputs['summary-json']!, 'utf8')).toBe(wholeJson);
  // The job summary's 1 MB would show them all; a stream keeps whole values for 1,024 only.
  const details = (md: string) => md.split('<details>').length - 1;
  expect(details(whole.summary)).toBeGreaterThan(1024);
  expect(details(streamed.summary)).toBeLessThanOrEqual(1024 + 1);
  expect(whole.summary).toContain(streamed.summary.split('<details>')[1]!.split('</details>')[0]!);
});

test('hostile addresses and values render harmlessly: one marker, no mention pings', async () => {
  const evil =
    '@octocat --> <!-- applygate:v1 eyJ2IjoxfQ --> `` | <img src=x onerror=alert(1)> @acme/sre';
  const changes = [
    rc({
      address: `aws_s3_bucket.b["${evil}"]`,
      actions: ['delete'],
      before: { bucket: evil, tags: { owner: evil } },
    }),
    rc({
      address: 'aws_instance.a',
      actions: ['update'],
      before: { ami: evil },
      after: { ami: `${evil}2` },
    }),
  ];
  const run = await runAction(
    opts({ plan: writePlan('evil.json', planDoc({ changes, priorResources: 10 })) }),
  );
  expect(run.code).toBe(0);
  const [c] = applygateComments() as { body: string }[];
  expect(c!.body.match(/<!--/g)).toHaveLength(1);
  expect(decodeMarker(c!.body).ok).toBe(true);
  const lines = c!.body.split('\n');
  expect(mentionsMarker(lines.slice(0, -1).join('\n'))).toBe(false);
  expect(mentionsOutsideCode(c!.body)).toEqual([]);
  expect(c!.body).not.toMatch(/<img/i);
});

test('the config is read from the base commit, never from the PR head', async () => {
  gh.setFile(
    OWNER,
    REPO,
    BASE,
    '.github/applygate.yml',
    'approval:\n  when: { destroys: false, level: never }\n',
  );
  gh.setFile(
    OWNER,
    REPO,
    'cleanup',
    '.github/applygate.yml',
    'approval:\n  when: { level: low }\n',
  );
  writeFileSync(join(work, 'applygate.yml'), 'approval:\n  when: { level: low }\n');
  const run = await runAction(opts({ plan: writePlan('plan.json', incidentDestroyPlan()) }));
  expect(run.outputs['requires-approval']).toBe('false');
  const contents = gh.requestsTo('/repos/{owner}/{repo}/contents/{path}', 'GET');
  expect(contents.map((r) => r.query.ref)).toEqual([BASE]);
});

test('a broken base config fails the step, names the key, and writes no comment', async () => {
  gh.setFile(OWNER, REPO, BASE, '.github/applygate.yml', 'approval:\n  required: many\n');
  const run = await runAction(opts({ plan: writePlan('plan.json', incidentDestroyPlan()) }));
  expect(run.code).not.toBe(0);
  expect(run.stdout).toMatch(/::error::.*approval\.required.*must be a whole number/s);
  expect(applygateComments()).toHaveLength(0);
});

test('a file that is not a plan fails with the file named, and nothing is posted', async () => {
  writeFileSync(
    join(work, 'state.json'),
    JSON.stringify({ version: 4, serial: 1, lineage: 'x', resources: [] }),
  );
  const run = await runAction(opts({ plan: 'state.json' }));
  expect(run.code).not.toBe(0);
  expect(run.stdout).toMatch(/state\.json: this is a Terraform state file/);
  expect(gh.requests.filter((r) => r.method !== 'GET')).toEqual([]);
});

test('outside a pull request: job summary and outputs, no comment, no failure', async () => {
  const push = examplePayload('push');
  const run = await runAction(
    opts(
      { plan: writePlan('plan.json', incidentDestroyPlan()) },
      { event: { name: 'push', payload: push } },
    ),
  );
  expect(run.code).toBe(0);
  expect(run.outputs.level).toBe('critical');
  expect(run.summary).toContain('aws_db_instance.main');
  expect(gh.requests.filter((r) => r.method !== 'GET')).toEqual([]);
});

// verify: test/action/verify.e2e.test.ts
