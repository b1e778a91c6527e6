/**
 * Several replicas of the app (real processes, `node lib/app/server.js`) against one emulator and
 * one real `redis-server` (DESIGN.md, "Gate v3": one decision per pull request at a time across
 * replicas). The bug of issue 22 part 2 first: an approval slow on one replica, a revoke on
 * another, the slow one writing last left the check, the ledger and the deployment approved.
 * Then Redis down (nothing approved, the check says why), and a storm: three replicas behind a
 * round-robin proxy, every GitHub call 0-30 ms late, 24 seeded events (approve, revoke, deploy,
 * one push mid-storm) delivered as fast as they are acknowledged. The replicas are stopped with
 * SIGTERM, which waits for every acknowledged evaluation: the tests wait for that, never for time.
 */
import { parseCommand } from '../../src/core/approval/command.js';
import { decodeLedger } from '../../src/core/ledger.js';
import type { GitHubEmulator } from '../../testkit/github/emulator.js';
import {
  Clock,
  ENV,
  HEAD,
  OWNER,
  PR,
  REPO,
  setupRepo,
  startAppEmulator,
  planRun,
  summaryBody,
  waitingApply,
  type AppProcess,
} from '../../testkit/app/harness.js';
import {
  deploymentProtectionRulePayload,
  issueCommentPayload,
  pullRequestPayload,
} from '../../testkit/app/payloads.js';
import { roundRobin } from '../../testkit/app/proxy.js';
import {
  commentTo,
  deliver,
  site,
  startReplicas,
  stopReplicas,
  until,
} from '../../testkit/app/replicas.js';
import { redisMissing, startRedis, type RedisServer } from '../../testkit/support/redis.js';

const OWNER_LOGIN = 'dba-dana';
const CHECK = 'applygate / destroy approval';
const PATCH_CHECK = 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}';
const RUN = 90;

if (redisMissing) console.warn(`test/app/replicas: skipped: ${redisMissing}`);
const describeRedis = redisMissing ? describe.skip : describe;

/** The app's check run on `sha` as it stands: conclusion, title and the ledger's state. */
function checkOn(gh: GitHubEmulator, sha = HEAD) {
  const runs = gh
    .checkRuns(OWNER, REPO)
    .filter((c) => c['head_sha'] === sha && c['name'] === CHECK);
  const last = runs[runs.length - 1];
  if (!last) return undefined;
  const output = last['output'] as { title: string; text?: string };
  const ledger = decodeLedger(output.text ?? '');
  return {
    conclusion: last['conclusion'],
    title: output.title,
    state: ledger.ok ? ledger.ledger.projects[0]!.state : undefined,
  };
}

function approvedRuns(gh: GitHubEmulator): number[] {
  return gh
    .protectionReviews(OWNER, REPO)
    .filter((r) => r.state === 'approved')
    .map((r) => r.runId);
}

describeRedis('replicas with a Redis lock', () => {
  let redis: RedisServer;
  let gh: GitHubEmulator;
  let clock: Clock;
  let apps: AppProcess[] = [];

  beforeEach(async () => {
    redis = await startRedis();
    clock = new Clock();
    gh = await startAppEmulator(clock);
    setupRepo(gh);
    waitingApply(gh, RUN, HEAD);
  });

  afterEach(async () => {
    await stopReplicas(apps);
    apps = [];
    await redis.stop();
    await gh.close();
  });

  /** The plan job's summary for HEAD, delivered to `url`; resolves once a check shows it. */
  async function summarized(url: string): Promise<void> {
    clock.tick();
    await commentTo(url, gh, 'github-actions[bot]', summaryBody('destroy', HEAD));
    await until(() => checkOn(gh)?.state === 'pending', 'the pending check of the summary');
  }

  test('an approval slow on replica 1, a revoke on replica 2: not approved', async () => {
    apps = await startReplicas(gh, 2, { REDIS_URL: redis.url });
    const [r1, r2] = apps as [AppProcess, AppProcess];
    await summarized(r1.url);

    // Replica 1's next write of the check run is slow: GitHub answers when the test says.
    const slow = gh.fault({ route: PATCH_CHECK, times: 1, hold: true });
    clock.tick();
    await commentTo(r1.url, gh, OWNER_LOGIN, '/approve-destroy');
    await until(() => slow.hits === 1, "replica 1's approved check on its way");

    clock.tick();
    await commentTo(r2.url, gh, OWNER_LOGIN, '/revoke-destroy');
    // Without a lock replica 2 writes its pending check at once; with one it waits for replica 1.
    await until(
      () =>
        gh.requestsTo(PATCH_CHECK.slice(6), 'PATCH').some((r) => !r.fault && r.status === 200) ||
        /waiting for the lock/.test(r2.output()),
      "replica 2's pending check, or replica 2 waiting for the lock",
    );
    slow.release();
    await stopReplicas(apps);

    expect(checkOn(gh)).toMatchObject({ state: 'pending' });
    expect(checkOn(gh)?.conclusion).not.toBe('success');
    expect(approvedRuns(gh)).toEqual([]);
    expect(gh.violations).toEqual([]);
  }, 60_000);

  test('Redis down: nothing approved, and the check says why', async () => {
    apps = await startReplicas(gh, 1, { REDIS_URL: redis.url });
    const [r1] = apps as [AppProcess];
    await summarized(r1.url);
    await redis.stop();

    clock.tick();
    await commentTo(r1.url, gh, OWNER_LOGIN, '/approve-destroy');
    await until(() => /Redis/.test(checkOn(gh)?.title ?? ''), 'the check naming Redis');
    expect(checkOn(gh)).toMatchObject({ state: undefined, conclusion: 'action_required' });
    expect(checkOn(gh)?.title).toMatch(/^Not decided: applygate could not read its lock in Redis/);

    // A deployment that asks is told why and keeps waiting.
    await deliver(
      r1.url,
      'deployment_protection_rule',
      deploymentProtectionRulePayload(site(gh), {
        runId: RUN,
        environment: ENV,
        sha: HEAD,
        pulls: [PR],
      }),
    );
    await until(() => gh.protectionReviews(OWNER, REPO, RUN).length > 0, 'the run told why');
    await stopReplicas(apps);
    expect(gh.protectionReviews(OWNER, REPO, RUN)).toEqual([
      expect.objectContaining({ state: undefined, comment: expect.stringMatching(/Redis/) }),
    ]);
    expect(approvedRuns(gh)).toEqual([]);
    expect(gh.violations).toEqual([]);
  }, 60_000);

  test('three replicas behind a round-robin proxy, GitHub slow, a storm of approve, revoke, push and deploy', async () => {
    const STORM = 24;
    apps = await startReplicas(gh, 3, { REDIS_URL: redis.url });
    const proxy = await roundRobin(apps.map((a) => a.url.replace(/\/api\/github\/webhooks$/, '')));
    const hook = `${proxy.url}/api/github/webhooks`;
    try {
      await summarized(hook);
      // A seeded generator: the same storm every run.
      let seed = 0x5eed;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      let lseed = 0x1a7e;
      gh.setLatency(() =>
        Math.floor(((lseed = (lseed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 30),
      );

      let head = HEAD;
      let runId = 1000;
      const summaryId = gh
        .comments(OWNER, REPO, PR)
        .find((c) => String(c['body']).includes('applygate:v2'))!['id'] as number;
      const started = Date.now();
      const actions: string[] = [];
      for (let i = 0; i < STORM; i++) {
        const r = rand();
        const push = i === STORM / 2; // one push, mid-storm: approvals before it go stale
        actions.push(push ? 'P' : r < 0.45 ? 'A' : r < 0.65 ? 'R' : 'D');
        clock.tick();
        if (push) {
          // A push, then the plan job's summary for the new head (edited in place).
          const before = head;
          head = (0xc0000 + i).toString(16) + 'c'.repeat(35);
          gh.setPullHead(OWNER, REPO, PR, head);
          await deliver(
            hook,
            'pull_request',
            pullRequestPayload(site(gh), 'synchronize', PR, { before }),
          );
          clock.tick();
          planRun(gh, head);
          const from = String(
            gh.comments(OWNER, REPO, PR).find((c) => c['id'] === summaryId)!['body'],
          );
          const edited = gh.editComment(OWNER, REPO, summaryId, summaryBody('destroy', head));
          await deliver(
            hook,
            'issue_comment',
            issueCommentPayload(site(gh), 'edited', edited, { pull: PR, from }),
          );
        } else if (r < 0.45) await commentTo(hook, gh, OWNER_LOGIN, '/approve-destroy');
        else if (r < 0.65) await commentTo(hook, gh, OWNER_LOGIN, '/revoke-destroy');
        else {
          waitingApply(gh, ++runId, head);
          await deliver(
            hook,
            'deployment_protection_rule',
            deploymentProtectionRulePayload(site(gh), {
              runId,
              environment: ENV,
              sha: head,
              pulls: [PR],
            }),
          );
        }
      }
      // Every acknowledged evaluation finishes before a replica exits (SIGTERM).
      await stopReplicas(apps);
      const elapsed = Date.now() - started;
      gh.setLatency(undefined);

      // The final state is what a serial evaluation of GitHub's final state gives.
      const expected = serialState(gh, summaryId);
      expect(checkOn(gh, head)?.state).toBe(expected);
      if (expected === 'approved') {
        for (let id = 1001; id <= runId; id++) {
          const run = gh.workflowRun(OWNER, REPO, id)!;
          // Approved, or rejected when it asked before the new head's summary was trusted:
          // never left waiting once the final decision approves.
          if (run['head_sha'] === head) expect([id, run['status']]).not.toEqual([id, 'waiting']);
        }
      }
      // ... and one more evaluation, serial, of that final state writes nothing new.
      const writes = () =>
        gh.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/access_tokens')).length;
      const writesBefore = writes();
      apps = await startReplicas(gh, 1, { REDIS_URL: redis.url });
      await deliver(
        apps[0]!.url,
        'pull_request',
        pullRequestPayload(site(gh), 'synchronize', PR, { before: head }),
      );
      await stopReplicas(apps);
      expect(writes()).toBe(writesBefore);
      expect(checkOn(gh, head)?.state).toBe(expected);

      // No deployment approved after a revoke: each approval came right after a read of the
      // comments (under the lock) whose newest command was an approval.
      const log = [...gh.requests].filter((r) => r.handled !== undefined);
      log.sort((a, b) => a.handled! - b.handled!);
      let lastRead: { body?: string }[] | undefined;
      const approvals: unknown[] = [];
      for (const r of log) {
        if (
          r.method === 'GET' &&
          r.route === '/repos/{owner}/{repo}/issues/{issue_number}/comments'
        ) {
          lastRead = r.response as { body?: string }[];
        }
        const body = r.body as { state?: string } | undefined;
        if (r.route?.endsWith('/deployment_protection_rule') && body?.state === 'approved') {
          approvals.push(r.path);
          expect(newestCommand(lastRead ?? [])).toBe('approve');
        }
      }
      expect(gh.violations).toEqual([]);
      console.log(
        `storm: ${STORM} events through 3 replicas in ${elapsed} ms; ${approvals.length} deployments approved; final state ${expected}; ${actions.join('')}; routed ${JSON.stringify(count(proxy.routed))}`,
      );
    } finally {
      await proxy.close();
    }
  }, 240_000);
});

/** approve or revoke: the newest command by the owner in a read of the comments. */
function newestCommand(comments: readonly { body?: string; user?: unknown }[]): string | undefined {
  let newest: string | undefined;
  for (const c of comments) {
    if ((c.user as { login?: string } | undefined)?.login !== OWNER_LOGIN) continue;
    const parsed = parseCommand(c.body ?? '');
    if (parsed.type === 'command') newest = parsed.action;
  }
  return newest;
}

/**
 * The decision of a serial evaluation of the final state, by the rule of the gate: the owner's
 * approvals count when written after the current summary; a revoke withdraws them.
 */
function serialState(gh: GitHubEmulator, summaryId: number): 'approved' | 'pending' {
  const comments = gh.comments(OWNER, REPO, PR);
  const since = String(comments.find((c) => c['id'] === summaryId)!['updated_at']);
  let approved = false;
  for (const c of comments) {
    if ((c['user'] as { login: string }).login !== OWNER_LOGIN) continue;
    const parsed = parseCommand(String(c['body']));
    if (parsed.type !== 'command') continue;
    if (parsed.action === 'revoke') approved = false;
    else if (String(c['created_at']) > since) approved = true;
  }
  return approved ? 'approved' : 'pending';
}

function count(routed: readonly number[]): number[] {
  const out = [0, 0, 0];
  for (const i of routed) out[i]!++;
  return out;
}
