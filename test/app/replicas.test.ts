/**
 * Several replicas of the app (real processes, `node lib/app/server.js`) against one emulator and
 * one real `redis-server` (DESIGN.md, "Gate v3": one decision per pull request at a time across
 * replicas). The bug of issue 22 part 2 first: an approval slow on one replica, a revoke on
 * another, the slow one writing last left the check, the ledger and the deployment approved.
 */
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
  summaryBody,
  waitingApply,
  type AppProcess,
} from '../../testkit/app/harness.js';
import { deploymentProtectionRulePayload } from '../../testkit/app/payloads.js';
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
});
