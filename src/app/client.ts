import type { ProbotOctokit } from 'probot';

// What the app adds to Probot's per-event Octokit, whose retry plugin already retries server
// errors (500, 502, ...) three times with back-off:
// - a time limit on every attempt, so that one request that never answers cannot hold the
//   repository's work queue. A timed-out read (GET, HEAD) or idempotent write (PATCH, PUT,
//   DELETE) is retried like a server error; a timed-out POST is not, because GitHub may have
//   applied it (a second PR comment, a second check run): the evaluation fails closed and the
//   next event, which re-reads GitHub, writes again only what is missing;
// - retries after a secondary rate limit (403 or 429 with GitHub's message or `retry-after`),
//   which Probot's throttling options only log. The app waits as long as GitHub asks, a few
//   times, and gives up at once when GitHub asks for longer than `maxRetryAfterSeconds`: the
//   evaluation fails closed (nothing is approved) and the next event decides.

/** Probot's per-event Octokit: the client every GitHub call of the app goes through. */
export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface ClientPolicy {
  /** Time limit of one attempt, in milliseconds; 0 for none. */
  timeoutMs: number;
  /** Retries after a secondary rate limit. */
  rateLimitRetries: number;
  /** The longest `retry-after` the app waits for; longer means give up now. */
  maxRetryAfterSeconds: number;
  /** Milliseconds per second of `retry-after` (tests shrink it). */
  retryAfterUnitMs: number;
}

export const DEFAULT_CLIENT_POLICY: ClientPolicy = {
  timeoutMs: 20_000,
  rateLimitRetries: 2,
  maxRetryAfterSeconds: 60,
  retryAfterUnitMs: 1000,
};

/** GitHub's advice when a secondary rate limit comes without `retry-after`: wait a minute. */
const SECONDARY_DEFAULT_WAIT_SECONDS = 60;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE']);

type Fetch = typeof globalThis.fetch;

/** `fetch` with a time limit per call. */
export function timedFetch(inner: Fetch, timeoutMs: number): Fetch {
  return async (input, init) => {
    const limit = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, limit]) : limit;
    try {
      return await inner(input, { ...init, signal });
    } catch (err) {
      if (!limit.aborted) throw err;
      const method = (init?.method ?? 'GET').toUpperCase();
      const message = `GitHub did not answer ${method} ${urlOf(input)} within ${timeoutMs} ms`;
      if (IDEMPOTENT.has(method)) {
        // A plain error: @octokit/request turns it into a status-500 RequestError, retried.
        throw new Error(message, { cause: err });
      }
      // Named AbortError, @octokit/request passes it through as is and the retry plugin does
      // not retry it: the write may have been applied.
      throw Object.assign(new Error(`${message}; not retried, the write may have been applied`), {
        name: 'AbortError',
        cause: err,
      });
    }
  };
}

/** The URL a fetch was called with, as text (a Request's own URL, not "[object Request]"). */
function urlOf(input: Parameters<Fetch>[0]): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

interface ErrorLike {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, unknown> };
}

/** The HTTP status of a failed request (Octokit's RequestError), if it has one. */
export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'status' in err
    ? Number(err.status)
    : undefined;
}

/** Seconds GitHub asks to wait after a secondary rate limit; undefined for any other error. */
export function secondaryRateLimitWait(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as ErrorLike;
  if (e.status !== 403 && e.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  const secondary = /\bsecondary rate limit\b/i.test(messageOf(e));
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && headers['retry-after'] !== undefined) {
    return retryAfter;
  }
  return secondary ? SECONDARY_DEFAULT_WAIT_SECONDS : undefined;
}

/** Whether an error is any rate limit (primary or secondary), not an answer about the resource. */
export function isRateLimit(err: unknown): boolean {
  if (secondaryRateLimitWait(err) !== undefined) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as ErrorLike;
  return (
    (e.status === 403 || e.status === 429) &&
    (e.response?.headers?.['x-ratelimit-remaining'] === '0' || /\brate limit\b/i.test(messageOf(e)))
  );
}

function messageOf(e: ErrorLike): string {
  return typeof e.message === 'string' ? e.message : '';
}

const hardened = new WeakSet<object>();

/** Add the time limit and the secondary-rate-limit retries to an Octokit (once per client). */
export function harden(octokit: Octokit, policy: ClientPolicy = DEFAULT_CLIENT_POLICY): void {
  if (hardened.has(octokit)) return;
  hardened.add(octokit);
  octokit.hook.wrap('request', async (request, options) => {
    if (policy.timeoutMs > 0) {
      const inner = (options.request?.fetch as Fetch | undefined) ?? globalThis.fetch;
      options.request = { ...options.request, fetch: timedFetch(inner, policy.timeoutMs) };
    }
    for (let retry = 0; ; retry++) {
      try {
        return await request(options);
      } catch (err) {
        const wait = secondaryRateLimitWait(err);
        if (
          wait === undefined ||
          retry >= policy.rateLimitRetries ||
          wait > policy.maxRetryAfterSeconds
        ) {
          throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, wait * policy.retryAfterUnitMs));
      }
    }
  });
}
