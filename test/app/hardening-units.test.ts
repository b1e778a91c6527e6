// Hardening (issue 7): the small parts behind the end-to-end tests, one by one.
import { isRateLimit, secondaryRateLimitWait, timedFetch } from '../../src/app/client.js';
import type { PullComment } from '../../src/app/github.js';
import { RecentDeliveries } from '../../src/app/index.js';
import { editedSummaries, editedSummaryKey, editedSummaryNotice } from '../../src/app/messages.js';
import { foldLogin } from '../../src/core/principal.js';

const err = (status: number, message: string, headers: Record<string, string> = {}) =>
  Object.assign(new Error(message), { status, response: { headers } });

test('a secondary rate limit says how long to wait; other errors are not one', () => {
  expect(secondaryRateLimitWait(err(403, 'x', { 'retry-after': '30' }))).toBe(30);
  expect(secondaryRateLimitWait(err(429, 'x', { 'retry-after': '0' }))).toBe(0);
  // GitHub's advice without a header: a minute.
  expect(secondaryRateLimitWait(err(403, 'You have exceeded a secondary rate limit.'))).toBe(60);
  expect(secondaryRateLimitWait(err(403, 'Resource not accessible by integration'))).toBe(
    undefined,
  );
  expect(secondaryRateLimitWait(err(500, 'secondary rate limit'))).toBe(undefined);
  expect(secondaryRateLimitWait('boom')).toBe(undefined);
  expect(isRateLimit(err(403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0' }))).toBe(
    true,
  );
  expect(isRateLimit(err(403, 'x', { 'retry-after': '5' }))).toBe(true);
  expect(isRateLimit(err(403, 'Resource not accessible by integration'))).toBe(false);
  expect(isRateLimit(err(404, 'Not Found'))).toBe(false);
});

describe('the time limit of one attempt', () => {
  const never: typeof fetch = (_input, init) =>
    new Promise((_resolve, reject) => {
      const signal = init?.signal;
      // As fetch does: reject with the signal's reason (an AbortError or TimeoutError).
      if (signal?.aborted) reject(signal.reason as Error);
      signal?.addEventListener('abort', () => reject(signal.reason as Error));
    });

  test('a read that does not answer fails as a plain error (retried like a 5xx)', async () => {
    const p = timedFetch(never, 20)('https://api.github.test/x', { method: 'GET' });
    await expect(p).rejects.toMatchObject({
      name: 'Error',
      message: 'GitHub did not answer GET https://api.github.test/x within 20 ms',
    });
  });

  test('a POST that does not answer fails as an AbortError (not retried: it may have landed)', async () => {
    const p = timedFetch(never, 20)('https://api.github.test/x', { method: 'POST' });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await expect(p).rejects.toThrow(/not retried, the write may have been applied/);
  });

  test('answers in time and other failures pass through', async () => {
    const ok: typeof fetch = async () => new Response('{}');
    expect((await timedFetch(ok, 1000)('https://api.github.test/x')).status).toBe(200);
    const broken: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(timedFetch(broken, 1000)('https://api.github.test/x')).rejects.toThrow(
      'fetch failed',
    );
    // The caller's own abort is the caller's.
    const mine = new AbortController();
    mine.abort(new Error('mine'));
    await expect(
      timedFetch(never, 1000)('https://api.github.test/x', { signal: mine.signal }),
    ).rejects.toThrow('mine');
  });
});

test('delivery ids: a repeat is refused, a released one is accepted again, the oldest go first', () => {
  const d = new RecentDeliveries(2);
  expect(d.claim('a')).toBe(true);
  expect(d.claim('a')).toBe(false);
  d.release('a');
  expect(d.claim('a')).toBe(true);
  expect(d.claim('b')).toBe(true);
  expect(d.claim('c')).toBe(true); // 'a' forgotten
  expect(d.claim('b')).toBe(false);
  expect(d.claim('a')).toBe(true);
});

test("records of edited summaries: read from the app's own comments only, one version each", () => {
  const summary: PullComment = {
    id: 0x2a,
    body: 'summary',
    html_url: 'https://github.com/acme/infra/pull/7#issuecomment-42',
    user: { login: 'github-actions[bot]', type: 'Bot' },
    created_at: '2030-01-01T00:00:00Z',
    updated_at: '2030-01-01T00:05:00Z',
  };
  const notice = editedSummaryNotice(summary, 'mallory');
  expect(notice).toContain('### ⚠️ The applygate summary was edited by `@mallory`');
  expect(notice).not.toMatch(/(^|[^`])@mallory/); // named, not mentioned
  const APP = 424242;
  const record = (login: string, type: string, body = notice, viaApp = APP): PullComment => ({
    ...summary,
    id: 99,
    body,
    user: { login, type },
    viaApp,
  });
  expect([...editedSummaries([record('applygate[bot]', 'Bot')], APP)]).toEqual([
    editedSummaryKey(summary),
  ]);
  expect(editedSummaryKey(summary)).toBe('42@2030-01-01T00:05:00Z');
  // A person pasting the record changes nothing; nor does a workflow or another app posting it
  // (it would make the real summary untrusted: a denial of service).
  expect(editedSummaries([record('mallory', 'User')], APP).size).toBe(0);
  expect(editedSummaries([record('github-actions[bot]', 'Bot', notice, 15368)], APP).size).toBe(0);
  expect(editedSummaries([record('applygate[bot]', 'Bot', 'no tag')], APP).size).toBe(0);
  expect(editedSummaries([record('applygate[bot]', 'Bot')], undefined).size).toBe(0);
});

test('logins fold A-Z only: look-alikes stay different', () => {
  expect(foldLogin('Dba-Dana')).toBe('dba-dana');
  expect(foldLogin('\u212Aate')).toBe('\u212Aate');
  expect('\u212Aate'.toLowerCase()).toBe('kate'); // what the app did before
  expect(foldLogin('dba-d\u0430na')).not.toBe('dba-dana');
});
