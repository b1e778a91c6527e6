/**
 * The container's entry, `node lib/app/server.js`, as a real process configured by Probot's
 * environment variables (GHE_HOST = the emulator): on SIGTERM it stops taking webhooks and
 * finishes the evaluation it had already acknowledged before it exits. Without that, the
 * deployment below would wait for an event that never comes.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/github/emulator.js';
import { repoRoot } from '../../testkit/support/shared.js';
import { freePort, postWebhook, probotEnv, summaryBody } from '../../testkit/app/harness.js';
import { deploymentProtectionRulePayload } from '../../testkit/app/payloads.js';

const OWNER = 'acme';
const REPO = 'infra';
const HEAD = 'd2'.repeat(20);
const SERVER = join(repoRoot, 'lib/app/server.js');

test('SIGTERM: no new webhooks, the acknowledged evaluation finishes, then exit 0', async () => {
  const gh = await startEmulator({ validate: true });
  const site = { gh, owner: OWNER, repo: REPO };
  gh.addRepo({ owner: OWNER, repo: REPO });
  gh.addPull({
    owner: OWNER,
    repo: REPO,
    number: 3,
    title: 'Add subnets',
    user: { login: 'alice' },
    head: { sha: HEAD, ref: 'subnets' },
    base: { sha: 'e2'.repeat(20), ref: 'main' },
    files: [{ filename: 'network/main.tf', status: 'modified' }],
  });
  gh.addComment(OWNER, REPO, 3, {
    user: { login: 'github-actions[bot]', type: 'Bot' },
    body: summaryBody('creates', HEAD),
  });
  gh.addWorkflowRun({
    owner: OWNER,
    repo: REPO,
    id: 78,
    head_sha: HEAD,
    status: 'waiting',
    environment: 'production',
    event: 'pull_request',
  });
  // The evaluation is still talking to GitHub when the signal arrives.
  const slow = gh.fault({ route: 'GET /repos/{owner}/{repo}/pulls/{pull_number}', delayMs: 1500 });

  const port = await freePort();
  const secret = 'server-secret';
  const child = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      ...probotEnv(gh, port, secret, 'warn'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const url = `http://127.0.0.1:${port}/api/github/webhooks`;
  const send = (event: string, payload: object) => postWebhook(url, secret, event, payload);
  try {
    // Wait for the server to listen.
    for (let i = 0; ; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/ping`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 100) throw new Error(`the server did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const gate = deploymentProtectionRulePayload(site, {
      runId: 78,
      environment: 'production',
      sha: HEAD,
      pulls: [3],
    });
    const res = await send('deployment_protection_rule', gate);
    expect(res.status).toBe(200); // acknowledged; the evaluation is under way
    while (slow.hits === 0) await new Promise((r) => setTimeout(r, 20));
    expect(gh.protectionReviews(OWNER, REPO, 78)).toEqual([]);

    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // No new webhooks once stopping.
    await expect(send('deployment_protection_rule', gate)).rejects.toThrow();

    expect(await exited).toBe(0);
    expect(gh.protectionReviews(OWNER, REPO, 78).map((r) => r.state)).toEqual(['approved']);
    expect(out).toMatch(/finishing the evaluations under way/);
    expect(gh.violations).toEqual([]);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await gh.close();
  }
}, 30_000);
