// The app's small parts: the zero-call pre-check on comments, the callback URL, the queue, the
// settings read from the environment.
import { recordedSummaries, undecidedCheck } from '../../src/app/messages.js';
import { appOptionsFrom, runIdFromCallbackUrl } from '../../src/app/index.js';
import { Harness } from '../../testkit/app/harness.js';
import { WorkQueue } from '../../src/app/queue.js';
import { commentMayMatter } from '../../src/app/triggers.js';

const user = { login: 'dana', type: 'User' };
const bot = { login: 'github-actions[bot]', type: 'Bot' };
const may = (body: string, opts: { from?: string; u?: typeof user } = {}) =>
  commentMayMatter({
    comment: { body, user: opts.u ?? user },
    ...(opts.from !== undefined && { changes: { body: { from: opts.from } } }),
  });

test('the pre-check lets commands, near misses, any slash command and summaries through', () => {
  expect(may('/approve-destroy')).toBe(true);
  expect(may('\n  /revoke-destroy abc')).toBe(true);
  expect(may('/approve-apply')).toBe(true); // a configured command the payload cannot know
  expect(may('approve-destroy')).toBe(true); // near miss: did you mean
  expect(may('\u2215approve-destroy')).toBe(true); // a look-alike slash
  expect(may('<!-- applygate:v1 abc -->', { u: bot })).toBe(true);
  expect(may('someone pasted <!-- applygate:v1 abc -->')).toBe(true);
});

test('the pre-check drops conversation and bots without a marker', () => {
  expect(may('LGTM')).toBe(false);
  expect(may('please /approve-destroy when ready')).toBe(false);
  expect(may('> /approve-destroy')).toBe(false);
  expect(may('')).toBe(false);
  expect(may('/approve-destroy', { u: { login: 'dependabot[bot]', type: 'Bot' } })).toBe(false);
  expect(may('waiting for approval', { u: { login: 'applygate[bot]', type: 'Bot' } })).toBe(false);
});

test('an edit matters when the comment was a command or a summary before it', () => {
  expect(may('never mind', { from: '/approve-destroy' })).toBe(true);
  expect(may('gone', { from: '<!-- applygate:v1 x -->', u: bot })).toBe(true);
  expect(may('never mind', { from: 'ok' })).toBe(false);
});

test('the run id comes from the deployment callback URL, on github.com and on GHES', () => {
  expect(
    runIdFromCallbackUrl(
      'https://api.github.com/repos/acme/infra/actions/runs/123/deployment_protection_rule',
    ),
  ).toBe(123);
  expect(
    runIdFromCallbackUrl(
      'https://ghe.example/api/v3/repos/acme/infra/actions/runs/9/deployment_protection_rule/',
    ),
  ).toBe(9);
  expect(runIdFromCallbackUrl('https://api.github.com/repos/acme/infra/actions/runs/x')).toBe(
    undefined,
  );
  expect(runIdFromCallbackUrl('not a url')).toBe(undefined);
  expect(runIdFromCallbackUrl(undefined)).toBe(undefined);
});

test('the queue runs one task at a time per key, keeps going after a failure, and settles', async () => {
  const q = new WorkQueue();
  const log: string[] = [];
  const errors: unknown[] = [];
  const task =
    (name: string, ms: number, fail = false) =>
    async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
    };
  q.enqueue('a', task('a1', 20, true), (e) => errors.push(e));
  q.enqueue('a', task('a2', 1), (e) => errors.push(e));
  q.enqueue('b', task('b1', 5), (e) => errors.push(e));
  expect(q.size).toBe(3);
  await q.settled();
  expect(q.size).toBe(0);
  expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
  expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  expect(errors).toEqual([new Error('a1')]);
});

test("the check run's record of summary versions: written, read back, and nothing else read as it", () => {
  const seen = ['12@2026-12-07T23:00:00Z', '7@2026-12-07T23:01:02.5Z'];
  const text = undecidedCheck(undefined, { number: 7, htmlUrl: 'https://x' }, seen).text ?? null;
  expect([...recordedSummaries(text)]).toEqual(seen);
  // Malformed entries are neither written nor read; no record reads as none.
  const odd = undecidedCheck(undefined, { number: 7, htmlUrl: 'https://x' }, ['x@y', '1@now']);
  expect(odd.text).not.toContain('summaries');
  expect(recordedSummaries('<!-- applygate-app summaries x@y 3@2026-12-07T23:00:00Z -->')).toEqual(
    new Set(['3@2026-12-07T23:00:00Z']),
  );
  expect(recordedSummaries(null).size).toBe(0);
});

test("the app's settings are read from the environment its entry passes, in one place", () => {
  const env = {
    APP_ID: '123456',
    REDIS_URL: 'redis://redis.internal:6379',
    APPLYGATE_LOCK_LEASE_MS: '5000',
    APPLYGATE_LOCK_WAIT_MS: 'soon', // not milliseconds: the default
    PRIVATE_KEY: 'not a setting of the app',
  };
  expect(appOptionsFrom(env)).toEqual({
    appId: 123456,
    redisUrl: 'redis://redis.internal:6379',
    lock: { leaseMs: 5000 },
  });
  expect(appOptionsFrom({ APP_ID: 'x', REDIS_URL: '' })).toEqual({
    appId: undefined,
    redisUrl: undefined,
    lock: {},
  });
});

test('applygate() itself reads no environment: REDIS_URL counts only when passed in', async () => {
  const saved = process.env.REDIS_URL;
  process.env.REDIS_URL = 'redis://127.0.0.1:9';
  const h = await Harness.start();
  try {
    const said = h.logs.map((l) => l.msg);
    expect(said).toContainEqual(expect.stringContaining('REDIS_URL is not set'));
    expect(said).not.toContainEqual(expect.stringContaining('locked in Redis'));
  } finally {
    await h.app.close(); // a Redis client, had one been made, is closed with the app
    await h.close();
    if (saved === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = saved;
  }
});
