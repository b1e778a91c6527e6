/**
 * Several replicas of the app, each a real process (`node lib/app/server.js`, Probot's server as
 * the container runs it) pointed at one emulator, and what the tests of the lock across replicas
 * need around them: webhooks for the shared repository (setupRepo), conditions to wait for, and a
 * stop that waits until every acknowledged evaluation has finished (server.ts: SIGTERM).
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import type { GitHubEmulator } from '../github/emulator.js';
import { repoRoot } from '../support/shared.js';
import { OWNER, PR, REPO, WEBHOOK_SECRET, startAppProcess, type AppProcess } from './harness.js';
import { issueCommentPayload, type Site } from './payloads.js';

export const SERVER = join(repoRoot, 'lib/app/server.js');

/** Start `count` replicas one after the other (CPU is shared), each with `env` added. */
export async function startReplicas(
  gh: GitHubEmulator,
  count: number,
  env: Record<string, string>,
): Promise<AppProcess[]> {
  const apps: AppProcess[] = [];
  for (let i = 0; i < count; i++) {
    apps.push(
      await startAppProcess(gh, {
        args: [SERVER],
        secret: WEBHOOK_SECRET,
        env: { NODE_ENV: 'production', ...env },
        logLevel: 'debug',
      }),
    );
  }
  return apps;
}

/**
 * Stop replicas as an orchestrator does (SIGTERM; a frozen one is thawed first) and wait until
 * each has exited: by then every evaluation it had acknowledged has finished.
 */
export async function stopReplicas(apps: readonly AppProcess[]): Promise<void> {
  for (const app of apps) {
    if (app.child.exitCode !== null || app.child.signalCode !== null) continue;
    app.child.kill('SIGCONT');
    app.child.kill('SIGTERM');
  }
  await Promise.all(apps.map((a) => a.exited));
}

/** Wait until `cond` holds, checking every 20 ms; `limitMs` only bounds a test that is broken. */
export async function until(cond: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`still waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The site of PR #7 for webhook payloads. */
export function site(gh: GitHubEmulator): Site {
  return { gh, owner: OWNER, repo: REPO };
}

/**
 * Deliver a webhook to `url` (a replica's or the proxy's), signed as GitHub signs it, on a
 * connection of its own (a kept-alive one may be closed by the server as it is reused); expects
 * GitHub's 200.
 */
export async function deliver(url: string, event: string, payload: object): Promise<void> {
  const body = JSON.stringify(payload);
  const signature = await sign(WEBHOOK_SECRET, body);
  const { status, text } = await new Promise<{ status: number; text: string }>(
    (resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'GitHub-Hookshot/applygate-test',
            'x-github-event': event,
            'x-github-delivery': randomUUID(),
            'x-hub-signature-256': signature,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
  if (status !== 200) throw new Error(`${event} answered ${status}: ${text}`);
}

/** A comment written on PR #7 by `login`, delivered as `issue_comment.created` to `url`. */
export async function commentTo(
  url: string,
  gh: GitHubEmulator,
  login: string,
  body: string,
): Promise<Record<string, unknown>> {
  const type = login.endsWith('[bot]') ? 'Bot' : 'User';
  const c = gh.addComment(OWNER, REPO, PR, { user: { login, type }, body });
  await deliver(url, 'issue_comment', issueCommentPayload(site(gh), 'created', c, { pull: PR }));
  return c;
}
