/**
 * The container's entry, `node lib/app/server.js`, as a real process configured by Probot's
 * environment variables (GHE_HOST = the emulator): on SIGTERM it stops taking webhooks and
 * finishes the evaluation it had already acknowledged before it exits. Without that, the
 * deployment below would wait for an event that never comes.
 */
import { join } from 'node:path';
import { startEmulator } from '../../testkit/github/emulator.js';
import { repoRoot } from '../../testkit/support/shared.js';
import {
  OWNER,
  REPO,
  creatingPull,
  postWebhook,
  startAppProcess,
  waitingApply,
} from '../../testkit/app/harness.js';
import { deploymentProtectionRulePayload } from '../../testkit/app/payloads.js';
import { until } from '../../testkit/support/wait.js';

const HEAD = 'd2'.repeat(20);
const SERVER = join(repoRoot, 'lib/app/server.js');

test('SIGTERM: no new webhooks, the acknowledged evaluation finishes, then exit 0', async () => {
  const gh = await startEmulator({ validate: true });
  const { site } = creatingPull(gh, { number: 3, head: HEAD, base: 'e2'.repeat(20) });
  waitingApply(gh, 78, HEAD);
  // The evaluation is still talking to GitHub when the signal arrives: the emulator holds its
  // read of the pull request until the test releases it.
  const slow = gh.fault({ route: 'GET /repos/{owner}/{repo}/pulls/{pull_number}', hold: true });

  const secret = 'server-secret';
  const app = await startAppProcess(gh, {
    args: [SERVER],
    secret,
    env: { NODE_ENV: 'production' },
  });
  const send = (event: string, payload: object) => postWebhook(app.url, secret, event, payload);
  try {
    const gate = deploymentProtectionRulePayload(site, {
      runId: 78,
      environment: 'production',
      sha: HEAD,
      pulls: [3],
    });
    const res = await send('deployment_protection_rule', gate);
    expect(res.status).toBe(200); // acknowledged; the evaluation is under way
    await until(() => slow.hits > 0);
    expect(gh.protectionReviews(OWNER, REPO, 78)).toEqual([]);

    app.child.kill('SIGTERM');
    // The server closes its listener in the same turn as it logs this line.
    await until(() => /finishing the evaluations under way/.test(app.output()));
    // No new webhooks once stopping, while the acknowledged evaluation is still held.
    await expect(send('deployment_protection_rule', gate)).rejects.toThrow();
    expect(app.child.exitCode).toBeNull();
    expect(slow.hits).toBe(1);

    slow.release();
    expect(await app.exited).toBe(0);
    expect(gh.protectionReviews(OWNER, REPO, 78).map((r) => r.state)).toEqual(['approved']);
    expect(gh.violations).toEqual([]);
  } finally {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
    await gh.close();
  }
}, 30_000);
