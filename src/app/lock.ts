import { Redis } from 'ioredis';

// One decision per pull request at a time, across every replica of the app (DESIGN.md, "Gate
// v3"). Without it, two replicas (or two Lambda environments) evaluate the same pull request at
// once and the slower one writes last: an approval read before a revoke ends up as the check run,
// the ledger and an approved deployment after the revoke (issue 22).
//
// With REDIS_URL (the variable Probot already reads), an evaluation holds a lock in Redis for
// its pull request: a key set only if absent, with a lease (PX) that the holder renews while it
// works, so that a replica that dies or freezes frees the pull request after one lease. Each
// acquisition takes a fencing token from one counter (INCR: strictly increasing). Before every
// write to GitHub the holder asks Redis whether the lock still holds its token (and renews it);
// a replica whose lease ran out (frozen, partitioned) learns that it lost the lock and writes
// nothing, so it cannot write last over the newer holder. GitHub has no conditional writes: a
// request already on its way when the lease ran out cannot be called back; the lease (default 60
// s, renewed every third of it) is far longer than one GitHub call's time limit (client.ts), so
// only a process frozen for a whole lease gets there, and the ledger's newest command (verify and
// the guard refuse an older ledger) covers the record even then.
//
// Without REDIS_URL there is no lock across processes: one process serializes its own work per
// repository (queue.ts), which is right for exactly one replica. The app says so loudly at start.
//
// Redis configured but unreachable: no lock, so no decision. The caller fails closed (nothing
// approved; the check run says why).

/** The Redis lock could not be taken or checked: Redis is down, unreachable or too slow. */
export class LockUnavailable extends Error {
  constructor(
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`the Redis lock (REDIS_URL) is unavailable: ${detail}`, options);
  }
}

/** The lock was held by another replica for longer than this one waits (it goes on working). */
export class LockBusy extends Error {}

/** This holder's lease ran out and another replica may hold the lock now: write nothing more. */
export class FenceLost extends Error {}

/** What a holder checks before each write. */
export interface Fence {
  /** The fencing token of this holding (undefined without Redis). */
  readonly token: number | undefined;
  /** Resolves when this holder still holds the lock; throws FenceLost or LockUnavailable. */
  check(): Promise<void>;
}

export interface PullLocks {
  /** `redis` (across replicas) or `process` (this process only). */
  readonly kind: 'redis' | 'process';
  /** Run `work` holding the lock named `key`, released afterwards whatever happens. */
  hold<T>(key: string, work: (fence: Fence) => Promise<T>): Promise<T>;
  /** Drop the connection (graceful stop, tests). */
  close(): Promise<void>;
}

/** No lock across processes: the work queue already serializes this process's work. */
export const PROCESS_LOCKS: PullLocks = {
  kind: 'process',
  hold: (_key, work) => work({ token: undefined, check: () => Promise.resolve() }),
  close: () => Promise.resolve(),
};

export interface RedisLockOptions {
  /** How long a lock outlives its holder's last renewal, in milliseconds. */
  leaseMs: number;
  /** How long to wait for another replica's lock before giving up, in milliseconds. */
  waitMs: number;
  /** Time limit of one Redis command (and of connecting), in milliseconds. */
  commandTimeoutMs: number;
  /** Key prefix (tests run several apps on one Redis). */
  prefix: string;
  /** Told when the app starts waiting for another replica's lock, and why Redis failed. */
  log?: { debug(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export const DEFAULT_LOCK_OPTIONS: RedisLockOptions = {
  leaseMs: 60_000,
  waitMs: 5 * 60_000,
  commandTimeoutMs: 2_000,
  prefix: 'applygate:',
};

// Take the lock when it is free: one new token from the counter, stored as the lock's value.
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return token`;
// Still ours? Then renew the lease. 1 when held, 0 when lost.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;
// Release only our own holding (after a lost lease the key is someone else's).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type LockCommands = {
  applygateAcquire(lock: string, fence: string, leaseMs: number): Promise<number>;
  applygateRenew(lock: string, token: string, leaseMs: number): Promise<number>;
  applygateRelease(lock: string, token: string): Promise<number>;
};

/** Locks in the Redis at `url` (REDIS_URL, read as Probot reads it: ioredis's URL forms). */
export function redisLocks(url: string, options: Partial<RedisLockOptions> = {}): PullLocks {
  const opts: RedisLockOptions = { ...DEFAULT_LOCK_OPTIONS, ...options };
  const redis = new Redis(url, {
    // Fail fast rather than queue: a decision waits for no Redis that is not there.
    maxRetriesPerRequest: 1,
    connectTimeout: opts.commandTimeoutMs,
    commandTimeout: opts.commandTimeoutMs,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  }) as Redis & LockCommands;
  redis.defineCommand('applygateAcquire', { numberOfKeys: 2, lua: ACQUIRE });
  redis.defineCommand('applygateRenew', { numberOfKeys: 1, lua: RENEW });
  redis.defineCommand('applygateRelease', { numberOfKeys: 1, lua: RELEASE });
  // ioredis reports every failed reconnection as an `error` event: say it once per outage.
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    opts.log?.warn(
      { err: err.message },
      'applygate: Redis (REDIS_URL) is unreachable; no pull request is decided until it is back',
    );
  });
  redis.on('ready', () => (down = false));

  const call = async <T>(what: string, command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (err) {
      throw new LockUnavailable(`${what}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  };
  const fenceKey = `${opts.prefix}fence`;

  return {
    kind: 'redis',
    async hold(key, work) {
      const lockKey = `${opts.prefix}lock:${key}`;
      const until = Date.now() + opts.waitMs;
      let token: number;
      let pause = 20;
      let told = false;
      for (;;) {
        token = await call('taking the lock', () =>
          redis.applygateAcquire(lockKey, fenceKey, opts.leaseMs),
        );
        if (token > 0) break;
        if (Date.now() > until) {
          throw new LockBusy(`${key} stayed locked by another replica for ${opts.waitMs} ms`);
        }
        if (!told) {
          told = true;
          opts.log?.debug({ key }, 'applygate: waiting for the lock held by another replica');
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, 250);
      }
      const held = String(token);
      let lost = false;
      const renew = async (): Promise<void> => {
        const ok = await call('checking the lock', () =>
          redis.applygateRenew(lockKey, held, opts.leaseMs),
        );
        if (ok !== 1) lost = true;
        if (lost) throw new FenceLost(`the lease of ${key} (token ${held}) ran out`);
      };
      // Renewed while the work runs, so that only a holder frozen for a whole lease loses it.
      const timer = setInterval(
        () => void renew().catch(() => undefined),
        Math.max(1, Math.floor(opts.leaseMs / 3)),
      );
      timer.unref();
      try {
        return await work({ token, check: renew });
      } finally {
        clearInterval(timer);
        if (!lost) {
          // Best effort: an unreleased lock frees itself after one lease.
          await redis.applygateRelease(lockKey, held).catch(() => undefined);
        }
      }
    },
    async close() {
      redis.disconnect();
      await Promise.resolve();
    },
  };
}
