// The app's benchmarks (issue 6), against the local GitHub emulator on loopback, with the real
// Probot app listening on HTTP on 127.0.0.1 as in the end-to-end tests (testkit/app/harness.ts):
//
// 1. GitHub API calls per event, counted in the emulator (never timed): (a) a comment that is
//    not a command, (b) an accepted `/approve-destroy` with caches warm, (c) a
//    `deployment_protection_rule.requested` while the approval is missing and once approved.
//    The scenario, and what "warm" means, is testkit/app/budget.ts, which budget.test.ts asserts.
// 2. Webhook throughput and acknowledge latency: signed `issue_comment.created` webhooks whose
//    comment is not a command (a real payload from @octokit/webhooks-examples, filled in from the
//    emulator and checked against @octokit/webhooks-schemas, then given a new comment id and
//    body per event), each with its own X-GitHub-Delivery and X-Hub-Signature-256, POSTed over
//    keep-alive HTTP by a fixed number of concurrent senders. Payloads are serialized and signed
//    before the clock starts (that is GitHub's work). Latency is per request, from the call that
//    sends it to the end of the response; throughput is events over the wall time of the run.
//    A warm-up runs first and is not recorded. Senders run in this process, on the app's event
//    loop: their CPU time counts against the app, so the numbers are conservative.
//
// Logging: Probot logs each webhook at debug level (`issue_comment event received`); the
// harness's logger records every level in memory (an array push, no formatting, no I/O), and
// the app itself logs nothing for a comment that is not a command.

import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { sign } from '@octokit/webhooks-methods';
import { callName, measureBudget } from '../../testkit/app/budget.js';
import { Harness, OWNER, PR, REPO, WEBHOOK_SECRET } from '../../testkit/app/harness.js';
import { issueCommentPayload } from '../../testkit/app/payloads.js';
import { log, type Row } from './row.js';

export interface AppBenchOptions {
  /** Webhooks measured (default 5,000). */
  events?: number;
  /** Webhooks sent first and not measured (default 500). */
  warmup?: number;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
}

export interface Throughput {
  events: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

interface Signed {
  body: string;
  delivery: string;
  signature: string;
}

/** `n` signed non-command comment webhooks, from one validated real payload. */
async function signedComments(h: Harness, n: number, from: number): Promise<Signed[]> {
  const c = h.gh.addComment(OWNER, REPO, PR, {
    user: { login: 'dba-dana' },
    body: 'Looks right to me.',
  });
  const payload = issueCommentPayload(h, 'created', c, { pull: PR });
  const comment = payload['comment'] as Record<string, unknown>;
  const out: Signed[] = [];
  for (let i = from; i < from + n; i++) {
    const id = (comment['id'] as number) + i;
    const body = JSON.stringify({
      ...payload,
      comment: {
        ...comment,
        id,
        url: String(comment['url']).replace(/\d+$/, String(id)),
        html_url: String(comment['html_url']).replace(/\d+$/, String(id)),
        body: `Looks right to me (${i}); the old cluster has been empty since May.`,
      },
    });
    out.push({ body, delivery: randomUUID(), signature: await sign(WEBHOOK_SECRET, body) });
  }
  return out;
}

/** POST every webhook, `concurrency` at a time over keep-alive connections. */
async function blast(
  url: URL,
  hooks: Signed[],
  concurrency: number,
): Promise<{ latencies: number[]; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = new Array<number>(hooks.length);
  let next = 0;
  const send = (hook: Signed): Promise<number> =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(hook.body),
            'user-agent': 'GitHub-Hookshot/applygate-bench',
            'x-github-event': 'issue_comment',
            'x-github-delivery': hook.delivery,
            'x-hub-signature-256': hook.signature,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) reject(new Error(`webhook answered ${res.statusCode}`));
            else resolve(performance.now() - t0);
          });
        },
      );
      req.on('error', reject);
      req.end(hook.body);
    });
  const worker = async (): Promise<void> => {
    while (next < hooks.length) {
      const i = next++;
      latencies[i] = await send(hooks[i]!);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { latencies, seconds };
}

/** Webhook throughput and acknowledge latency of the app, on a fresh harness. */
export async function webhookThroughput(opts: AppBenchOptions = {}): Promise<Throughput> {
  const events = opts.events ?? 5000;
  const warmup = opts.warmup ?? 500;
  const concurrency = opts.concurrency ?? 16;
  const h = await Harness.start();
  try {
    h.setup();
    const warm = await signedComments(h, warmup, 0);
    const hooks = await signedComments(h, events, warmup);
    const url = new URL(h.url);
    h.gh.resetLog();
    await blast(url, warm, concurrency);
    const run = await blast(url, hooks, concurrency);
    await h.app.settled();
    if (h.gh.requests.length !== 0) {
      throw new Error(`comments that are not commands made ${h.gh.requests.length} API calls`);
    }
    const sorted = [...run.latencies].sort((a, b) => a - b);
    return {
      events,
      concurrency,
      seconds: run.seconds,
      perSecond: events / run.seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
    };
  } finally {
    await h.close();
  }
}

const list = (calls: string[]) =>
  calls.length === 0 ? 'none' : calls.map((c) => callName(c)).join(', ');

/** The rows of `npm run bench` for the app. */
export async function appBenchmarks(opts: AppBenchOptions = {}): Promise<Row[]> {
  log('app: API calls per event (counted in the emulator):');
  const h = await Harness.start();
  let budget;
  try {
    budget = await measureBudget(h);
  } finally {
    await h.close();
  }
  const calls: [string, string[], number, string][] = [
    ['(a) a comment that is not a command', budget.nonCommand, 0, '0'],
    [
      '(b) an accepted `/approve-destroy`, caches warm, one waiting run',
      budget.approval,
      10,
      '<= 10',
    ],
    // Gate v3's compare before write reads the comments once more before a run is approved.
    ['(c) `deployment_protection_rule.requested`, approval missing', budget.gatePending, 7, '<= 7'],
    ['(c) `deployment_protection_rule.requested`, approved', budget.gateApproved, 7, '<= 7'],
  ];
  const rows: Row[] = [];
  for (const [what, list_, max, target] of calls) {
    log(`  ${what}: ${list_.length}: ${list(list_)}`);
    rows.push({
      what: `App: API calls, ${what}`,
      measured: `${list_.length} (${list(list_)})`,
      target,
      met: list_.length <= max,
    });
  }

  const events = opts.events ?? 5000;
  const concurrency = opts.concurrency ?? 16;
  log(`app: ${events} signed non-command comment webhooks, ${concurrency} concurrent, keep-alive:`);
  const t = await webhookThroughput(opts);
  log(
    `  ${t.perSecond.toFixed(0)} events/s (${t.seconds.toFixed(2)} s), p50 ${t.p50.toFixed(2)} ms, p99 ${t.p99.toFixed(2)} ms, max ${t.max.toFixed(2)} ms`,
  );
  rows.push({
    what: `App: ${events.toLocaleString('en-US')} signed non-command comment webhooks (${concurrency} concurrent): throughput`,
    measured: `${t.perSecond.toFixed(0)} events/s`,
    target: '>= 500 events/s',
    met: t.perSecond >= 500,
  });
  rows.push({
    what: `App: the same webhooks: acknowledge latency p50 / p99`,
    measured: `${t.p50.toFixed(1)} / ${t.p99.toFixed(1)} ms`,
    target: 'p99 <= 50 ms',
    met: t.p99 <= 50,
  });
  return rows;
}
