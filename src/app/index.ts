import type { Context, Probot } from 'probot';
import { DEFAULT_CLIENT_POLICY, harden, type ClientPolicy } from './client.js';
import { evaluate, evaluateGate, type CommentTrigger, type Job } from './evaluate.js';
import { createCaches, pullKey } from './cache.js';
import { commitPull, GitHub } from './github.js';
import { PROCESS_LOCKS, redisLocks, type PullLocks, type RedisLockOptions } from './lock.js';
import { WorkQueue } from './queue.js';
import { commentMayMatter } from './triggers.js';

// The Probot app: wiring only. Each handler returns early on its guard clauses, then queues an
// evaluation and returns, so the webhook is acknowledged at once; the work runs in the queue.

export interface ApplygateOptions {
  /**
   * The GitHub App's id, to find this app's own check runs and records. Without it (Probot's
   * setup page, before the app exists) nothing counts as the app's own. The entries read it
   * from `APP_ID` (appOptionsFrom).
   */
  appId?: number;
  /** Time limits and rate-limit retries of GitHub calls (see client.ts). */
  client?: Partial<ClientPolicy>;
  /** How many recent delivery ids to remember, to drop a webhook delivered twice. */
  rememberDeliveries?: number;
  /**
   * How long a "not a member of this team" answer is remembered, in milliseconds (default 5
   * minutes; 0: never). It can only refuse; see MembershipCache in cache.ts.
   */
  membershipTtlMs?: number;
  /** The clock of that memory, in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
  /**
   * Redis for the lock that lets one replica at a time decide a pull request (lock.ts). Unset
   * or empty: no lock across processes (one replica only). The entries read it from
   * `REDIS_URL` (appOptionsFrom).
   */
  redisUrl?: string;
  /**
   * The lock's lease, wait and so on (default DEFAULT_LOCK_OPTIONS); the entries read the lease
   * and the wait from `APPLYGATE_LOCK_LEASE_MS` and `APPLYGATE_LOCK_WAIT_MS`.
   */
  lock?: Partial<Omit<RedisLockOptions, 'log'>>;
}

export interface ApplygateApp {
  (app: Probot): void;
  /** Resolves when every queued evaluation has finished (tests, graceful shutdown). */
  settled(): Promise<void>;
  /** Once settled: closes the connection to Redis, if any. */
  close(): Promise<void>;
}

const RUN_ID_RE = /\/actions\/runs\/(\d+)\/deployment_protection_rule\/?$/;

/** The workflow run id in a `deployment_callback_url`. */
export function runIdFromCallbackUrl(url: string | undefined): number | undefined {
  if (!url) return undefined;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const m = RUN_ID_RE.exec(path);
  return m ? Number(m[1]) : undefined;
}

/**
 * The delivery ids (`X-GitHub-Delivery`) this process has accepted, newest last, at most `max`.
 * A webhook delivered twice (GitHub's "Redeliver" keeps the id) is dropped the second time. It
 * is per process: replicas do not share it, and a restart forgets it. A duplicate that gets
 * through anyway is mostly harmless because effects are checked against GitHub first (replies
 * and notices carry a hidden tag, the one check run of a head is written in place, runs to
 * approve are listed afresh and an approved run no longer waits); what it would repeat is the
 * answer to a `deployment_protection_rule.requested` (a second status report or review of that
 * run).
 */
export class RecentDeliveries {
  private readonly ids = new Set<string>();
  constructor(private readonly max = 5000) {}

  /** True the first time an id is seen. */
  claim(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }

  /** Forget an id whose work failed, so that a redelivery is processed. */
  release(id: string): void {
    this.ids.delete(id);
  }
}

/** The evaluation a `pull_request` webhook asks for, with the head it names. */
function pullJob(pr: { number: number; head: { sha: string }; html_url: string }): Job {
  return {
    pull: pr.number,
    head: { number: pr.number, headSha: pr.head.sha, htmlUrl: pr.html_url },
  };
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The app's settings from an environment: the one place that reads them (docs/app.md, "Running
 * it"), called by the entries (server.ts, lambda.ts, `probot run`); applygate() reads none.
 * `APP_ID` (if it is a number), `REDIS_URL`, and the lock's `APPLYGATE_LOCK_LEASE_MS` and
 * `APPLYGATE_LOCK_WAIT_MS` (positive whole milliseconds; anything else is the default).
 */
export function appOptionsFrom(env: Env): ApplygateOptions {
  const lock = {
    leaseMs: positiveInteger(env['APPLYGATE_LOCK_LEASE_MS']),
    waitMs: positiveInteger(env['APPLYGATE_LOCK_WAIT_MS']),
  };
  return {
    appId: positiveInteger(env['APP_ID']),
    redisUrl: env['REDIS_URL'] || undefined,
    lock: Object.fromEntries(Object.entries(lock).filter(([, v]) => v !== undefined)),
  };
}

/** A positive whole number written in `text`, else undefined. */
function positiveInteger(text: string | undefined): number | undefined {
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * The app, with its own work queue, caches and memory of deliveries: each call builds a new one,
 * and nothing is built at import.
 */
export function applygate(options: ApplygateOptions = {}): ApplygateApp {
  const queue = new WorkQueue();
  /**
   * Comment-triggered evaluations queued but not started, by repository and pull request: a
   * burst of commands on one pull request joins the one waiting evaluation (which answers each
   * of them) instead of queueing one evaluation per comment.
   */
  const waiting = new Map<string, Job>();
  // Per process, keyed by repository; each cache says why it cannot serve a stale decision.
  const caches = createCaches({ membershipTtlMs: options.membershipTtlMs, now: options.now });
  const deliveries = new RecentDeliveries(options.rememberDeliveries);
  const policy: ClientPolicy = { ...DEFAULT_CLIENT_POLICY, ...options.client };
  let locks: PullLocks = PROCESS_LOCKS;

  const appId = options.appId;
  const appFn = (app: Probot): void => {
    locks = pullLocks(app, options);

    /** False (and logged) when this delivery was accepted before. */
    const firstDelivery = (context: Context): boolean => {
      if (deliveries.claim(context.id)) return true;
      context.log.info(
        { event: context.name, delivery: context.id },
        'applygate: webhook delivered twice; ignored',
      );
      return false;
    };

    /** Queue `work` for this event's repository; failures are logged and approve nothing. */
    const schedule = (context: Context, work: (gh: GitHub) => Promise<unknown>): void => {
      const repo: { owner: string; repo: string } = context.repo();
      harden(context.octokit, policy);
      const gh = new GitHub(context.octokit, repo, caches, appId, locks);
      queue.enqueue(
        `${repo.owner}/${repo.repo}`.toLowerCase(),
        async () => {
          await work(gh);
        },
        (err) => {
          deliveries.release(context.id);
          context.log.error(
            { err, event: context.name, delivery: context.id },
            'applygate: evaluation failed after retries; waiting deployments stay waiting',
          );
        },
      );
    };
    const evaluateLater = (context: Context, job: Job) =>
      schedule(context, (gh) => evaluate(gh, job, context.log));

    /** Queue an evaluation for a comment, or add it to the one already waiting for this PR. */
    const evaluateComment = (context: Context, pull: number, trigger: CommentTrigger) => {
      const { owner, repo }: { owner: string; repo: string } = context.repo();
      const key = pullKey({ owner, repo }, pull);
      const pending = waiting.get(key);
      if (pending) {
        pending.triggers!.push(trigger);
        return;
      }
      const job: Job = { pull, triggers: [trigger] };
      waiting.set(key, job);
      schedule(context, (gh) => {
        // From here on, new comments queue a new evaluation: this one has read nothing yet, but
        // the next read of the comments must come after them.
        if (waiting.get(key) === job) waiting.delete(key);
        return evaluate(gh, job, context.log);
      });
    };

    app.on(
      ['issue_comment.created', 'issue_comment.edited', 'issue_comment.deleted'],
      (context) => {
        const { payload } = context;
        if (!payload.issue.pull_request) return;
        if (!commentMayMatter(payload)) return;
        if (!firstDelivery(context)) return;
        evaluateComment(context, payload.issue.number, {
          commentId: payload.comment.id,
          action: payload.action,
          author: payload.comment.user?.login,
          sender: payload.sender.login,
          updatedAt: payload.comment.updated_at,
        });
      },
    );

    app.on(
      ['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'],
      (context) => {
        if (!firstDelivery(context)) return;
        evaluateLater(context, pullJob(context.payload.pull_request));
      },
    );

    // A new base branch means another config, other owners, maybe no gate at all: decide again.
    // (Title and body edits change nothing the gate reads.)
    app.on('pull_request.edited', (context) => {
      if (!context.payload.changes.base) return;
      if (!firstDelivery(context)) return;
      evaluateLater(context, pullJob(context.payload.pull_request));
    });

    app.on('deployment_protection_rule.requested', (context) => {
      const { payload } = context;
      const runId = runIdFromCallbackUrl(payload.deployment_callback_url);
      const environment = payload.environment;
      if (runId === undefined || !environment) {
        context.log.warn(
          { callback: payload.deployment_callback_url, environment },
          'applygate: deployment_protection_rule without a run id or environment; ignored',
        );
        return;
      }
      if (!firstDelivery(context)) return;
      // Newer payloads carry the commit as `sha`; otherwise the deployment's, else the run's.
      const sha = (payload as { sha?: unknown }).sha;
      const request = {
        runId,
        environment,
        event: payload.event ?? '',
        sha: typeof sha === 'string' ? sha : payload.deployment?.sha,
        defaultBranch: payload.repository?.default_branch,
        pulls: (payload.pull_requests ?? []).map(commitPull),
      };
      // A failure is told on the run by evaluateGate itself; the run stays pending either way.
      schedule(context, (gh) => evaluateGate(gh, request, context.log));
    });

    // Someone joined a team: their cached "not a member" answers in that organization go at once,
    // so an approval they write next is counted without waiting for the TTL. No GitHub call.
    // (Removals need nothing: "active member" is never cached.)
    app.on('membership.added', (context) => {
      const { payload } = context;
      const login = payload.member?.login;
      if (!login) return;
      const dropped = caches.memberships.forget(payload.organization.login, login);
      context.log.debug(
        { org: payload.organization.login, team: payload.team.slug, login, dropped },
        'applygate: team membership added; cached refusals dropped',
      );
    });
  };

  return Object.assign(appFn, {
    settled: () => queue.settled(),
    close: async () => {
      await queue.settled();
      await locks.close();
    },
  });
}

/**
 * The environment Probot itself is given: everything but REDIS_URL. With REDIS_URL Probot would
 * route every GitHub call through a Redis-backed throttle (Bottleneck), and a Redis outage would
 * then stall every call, the one that writes "not decided, Redis is down" on the check included.
 * The app reads REDIS_URL for its lock only (appOptionsFrom); Probot's throttle stays per process.
 */
export function probotEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { REDIS_URL: _lock, ...rest } = env;
  return rest;
}

/** The lock across replicas: Redis at `redisUrl` (REDIS_URL), or this process only (said loudly). */
function pullLocks(app: Probot, options: ApplygateOptions): PullLocks {
  const url = options.redisUrl ?? '';
  if (!url) {
    app.log.warn(
      'applygate: REDIS_URL is not set, so pull requests are decided one at a time in this process only. Run exactly ONE replica (on Lambda: reserved concurrency 1): two replicas without Redis can leave a revoked approval approved. See docs/deploy.md.',
    );
    return PROCESS_LOCKS;
  }
  app.log.info('applygate: pull requests are locked in Redis (REDIS_URL) across replicas');
  return redisLocks(url, { ...options.lock, log: app.log });
}

/**
 * The app `probot run` loads: built when Probot loads it, configured by Probot's environment.
 * (The entries server.ts and lambda.ts build theirs the same way, and keep a handle on it.)
 */
export default function probotRunApp(app: Probot): void {
  applygate(appOptionsFrom(process.env))(app);
}
