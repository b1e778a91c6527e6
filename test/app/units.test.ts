// The app's small pure parts: the zero-call pre-check on comments, the callback URL, the queue.
import { recordedSummaries, undecidedCheck } from '../../src/app/messages.js';
import { runIdFromCallbackUrl } from '../../src/app/index.js';
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
