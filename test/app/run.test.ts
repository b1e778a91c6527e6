/**
 * `npm run app` (`lib/app/server.js`) is Probot's own runner, configured only by its environment
 * conventions (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST/GHE_PROTOCOL, HOST, PORT). Here the
 * runner is pointed at the emulator through GHE_HOST, exactly as it would be at an Enterprise
 * server, and decides a deployment end to end.
 */
import { ProbotOctokit, run } from 'probot';
import { applygate } from '../../src/app/index.js';
import { startEmulator } from '../../testkit/github/emulator.js';
import {
  OWNER,
  REPO,
  creatingPull,
  freePort,
  postWebhook,
  probotEnv,
  waitingApply,
} from '../../testkit/app/harness.js';
import {
  deploymentProtectionRulePayload,
  issueCommentPayload,
} from '../../testkit/app/payloads.js';

const HEAD = 'd1'.repeat(20);

test('probot run, configured by environment variables (GHE_HOST = the emulator), approves a deployment', async () => {
  const gh = await startEmulator({ validate: true });
  const app = applygate({ appId: gh.app.id });
  const port = await freePort();
  const secret = 'run-secret';
  const server = await run(app, {
    env: probotEnv(gh, port, secret, 'fatal'),
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      throttle: { ...(options['throttle'] as object), enabled: false },
    })),
  });
  try {
    const { site, summary } = creatingPull(gh, { number: 3, head: HEAD, base: 'e1'.repeat(20) });
    const send = async (event: string, payload: object) => {
      const url = `http://127.0.0.1:${port}/api/github/webhooks`;
      const res = await postWebhook(url, secret, event, payload);
      expect(res.status).toBe(200);
      await app.settled();
    };
    await send('issue_comment', issueCommentPayload(site, 'created', summary, { pull: 3 }));
    // The plan job reported; the apply job reaches its environment and waits.
    waitingApply(gh, 77, HEAD);
    await send(
      'deployment_protection_rule',
      deploymentProtectionRulePayload(site, {
        runId: 77,
        environment: 'production',
        sha: HEAD,
        pulls: [3],
      }),
    );
    expect(gh.protectionReviews(OWNER, REPO, 77).map((r) => r.state)).toEqual(['approved']);
    // Every call went to the emulator, under /api/v3 as to an Enterprise server.
    expect(gh.requests.map((r) => r.route)).toContain(
      '/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule',
    );
    expect(gh.violations).toEqual([]);
  } finally {
    await app.settled();
    await server.stop();
    await gh.close();
  }
});
