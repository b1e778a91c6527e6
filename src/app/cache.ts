import { foldLogin } from '../core/principal.js';
import type { RunFacts } from '../core/provenance.js';

// What the app remembers between events, per process (created once in index.ts), keyed by
// repository so that installations never share an entry. Every decision is still recomputed on
// every event; these caches only spare GitHub calls whose answer cannot have changed, or whose
// cached answer can only make the app refuse. Each class says why it can never serve a stale
// decision. Nothing else is remembered: the pull request, its comments, positive team
// memberships, waiting runs and the check run's content are read (or written) on every event.

/** `owner/name` with ASCII case folded, as GitHub compares repository names. */
export function repoKey(repo: { owner: string; repo: string }): string {
  return foldLogin(`${repo.owner}/${repo.repo}`);
}

/** One pull request of a repository: its work and its lock (lock.ts) are keyed by this. */
export function pullKey(repo: { owner: string; repo: string }, pull: number): string {
  return `${repoKey(repo)}#${pull}`;
}

/**
 * A map that keeps at most `maxEntries` entries and at most `maxWeight` in total (an entry's
 * weight: characters of a file, paths of a list), dropping the least recently used first.
 */
export class Bounded<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private total = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxWeight = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get weight(): number {
    return this.total;
  }

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: V, weight = 1): void {
    this.delete(key);
    // An entry heavier than the whole budget is not kept at all.
    if (weight > this.maxWeight) return;
    this.entries.set(key, { value, weight });
    this.total += weight;
    while (this.entries.size > this.maxEntries || this.total > this.maxWeight) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.total -= e.weight;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }
}

export type FileRead =
  | { found: false }
  | { found: true; tooLarge: true; size: number }
  | { found: true; tooLarge: false; text: string };

/**
 * File contents (`.github/applygate.yml`, `CODEOWNERS`) by repository, commit SHA and path.
 * Safe: a commit SHA names its tree, so the contents of a path at a SHA can never change. A
 * base branch that moves has a new SHA, hence new keys: the new files are read. At most 500
 * entries and 32 M characters (a CODEOWNERS file may be up to 3 MB).
 */
export class ContentCache {
  private readonly map: Bounded<FileRead>;
  constructor(maxEntries = 500, maxChars = 32 * 1024 * 1024) {
    this.map = new Bounded(maxEntries, maxChars);
  }

  static key(repo: string, sha: string, path: string): string {
    return `${repo}@${sha}:${path}`;
  }

  get(key: string): FileRead | undefined {
    return this.map.get(key);
  }

  set(key: string, value: FileRead): void {
    this.map.set(key, value, 1 + (value.found && !value.tooLarge ? value.text.length : 0));
  }
}

export interface ChangedFiles {
  readonly files: readonly string[];
  /** GitHub lists fewer files than the pull request changes (over 3,000). */
  readonly truncated: boolean;
}

/**
 * A pull request's changed files by repository, base SHA, head SHA and the number of changed
 * files `pulls.get` reported with them. Safe: a pull request's files are the diff from the merge
 * base of its base and head commits to the head, and two fixed commits have one merge base and
 * one diff; the count in the key makes the entry miss should GitHub's diff for the same pair
 * ever differ (a base branch that merged part of the head without `base.sha` moving). The whole
 * result is kept, `truncated` included, so the 3,000-file rule decides exactly as with a fresh
 * read. A list is stored only when every file it names is at the expected head (the files API
 * takes a pull request number, not a SHA, so a push between `pulls.get` and the listing would
 * otherwise file the new head's list under the old head). At most 500 lists and 100,000 paths.
 */
export class FilesCache {
  private readonly map: Bounded<ChangedFiles>;
  constructor(maxEntries = 500, maxFiles = 100_000) {
    this.map = new Bounded(maxEntries, maxFiles);
  }

  static key(repo: string, baseSha: string, headSha: string, count: number): string {
    return `${repo}@${baseSha}...${headSha}#${count}`;
  }

  get(key: string): ChangedFiles | undefined {
    return this.map.get(key);
  }

  set(key: string, value: ChangedFiles): void {
    this.map.set(key, value, 1 + value.files.length);
  }
}

/**
 * The id of this app's check run by repository, head SHA and check name, once found by
 * `checks.listForRef` (the latest one). Safe: check runs cannot be deleted through the API and
 * the app creates at most one per head (evaluations of a repository run one at a time), so the
 * id keeps naming the same check run. Ids from `checks.create` are not kept: two replicas that
 * both found no check run on a new head can both create one, and GitHub then shows the newer;
 * the next lookup on every replica finds that one.
 * Only the id is kept, never its content: with an id, the app writes the check run on every
 * evaluation (an idempotent update) instead of reading it, so nothing is skipped because of what
 * this process believes the check says (another replica may have written since). If that
 * update answers 404 or 422, the entry is dropped and the app finds or creates the check again.
 */
export class CheckRunCache {
  private readonly map: Bounded<number>;
  constructor(maxEntries = 5000) {
    this.map = new Bounded(maxEntries);
  }

  static key(repo: string, headSha: string, name: string): string {
    return `${repo}@${headSha}:${name}`;
  }

  get(key: string): number | undefined {
    return this.map.get(key);
  }

  set(key: string, id: number): void {
    this.map.set(key, id);
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

/**
 * "Not a member of this team" answers (GitHub's 404), by repository, team and login, for a
 * limited time (default 5 minutes). Safe: a cached answer can only make the app refuse an
 * approval, never count one (fail closed), and it is dropped at once when GitHub reports the
 * login added to a team of that organization (the `membership.added` webhook; all of the
 * login's entries for the organization, because a member of a child team is a member of its
 * parents). Without the webhook (another replica received it, or it was lost), the refusal
 * lasts at most the TTL. "Active member" answers are never cached: a member removed from the
 * team must not have an approval counted on the strength of an answer from minutes ago. Pending
 * invitations, teams the app cannot see and rate limits are not cached either. At most 10,000
 * entries.
 */
export class MembershipCache {
  /** Key: repository, team, login; value: until when (ms). */
  private readonly map: Bounded<number>;
  /** Bumped by every `forget`: an answer read before it must not be stored after it. */
  private generation = 0;

  constructor(
    private readonly ttlMs = 5 * 60 * 1000,
    private readonly now: () => number = Date.now,
    maxEntries = 10_000,
  ) {
    this.map = new Bounded(maxEntries);
  }

  private static key(repo: string, team: string, login: string): string {
    return `${repo}\0${foldLogin(team)}\0${foldLogin(login)}`;
  }

  /** Call before asking GitHub; pass the result to `refuse`. */
  mark(): number {
    return this.generation;
  }

  /** Whether `login` is known not to be a member of `team` (`org/slug`). */
  isNonMember(repo: string, team: string, login: string): boolean {
    const key = MembershipCache.key(repo, team, login);
    const until = this.map.get(key);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.map.delete(key);
    return false;
  }

  /** Remember a 404, unless a `forget` happened since `mark` (the answer may predate it). */
  refuse(repo: string, team: string, login: string, mark: number): void {
    if (this.ttlMs <= 0 || mark !== this.generation) return;
    this.map.set(MembershipCache.key(repo, team, login), this.now() + this.ttlMs);
  }

  /** `login` joined a team of `org`: drop every cached refusal of them in that organization. */
  forget(org: string, login: string): number {
    this.generation++;
    const o = foldLogin(org);
    const l = foldLogin(login);
    const drop: string[] = [];
    for (const key of this.map.keys()) {
      const [, team = '', member] = key.split('\0');
      if (member === l && team.split('/')[0] === o) drop.push(key);
    }
    for (const key of drop) this.map.delete(key);
    return drop.length;
  }
}

/**
 * What the app read of a workflow run a summary names, by repository and run id: its head SHA,
 * event and workflow file. Safe: GitHub never changes them for a run id (a re-run keeps them);
 * a run GitHub did not find is not kept. At most 1,000 entries.
 */
export class RunCache extends Bounded<RunFacts> {
  constructor() {
    super(1000);
  }

  static key(repo: string, runId: number): string {
    return `${repo}\u0000${runId}`;
  }
}

/**
 * Summary versions (`id@updated_at`, editedSummaryKey) this process saw written by the plan job,
 * by repository. Safe: a version seen written is that version forever (a new edit gets a new
 * `updated_at`), so remembering it can only spare reading the check run's record of it, never
 * make a version nobody saw written count. Another replica's sightings are read from the check
 * run. At most 5,000 entries.
 */
export class SeenSummaryCache extends Bounded<true> {
  constructor() {
    super(5000);
  }

  static key(repo: string, version: string): string {
    return `${repo}\u0000${version}`;
  }
}

export interface AppCaches {
  runs: RunCache;
  seenSummaries: SeenSummaryCache;
  contents: ContentCache;
  files: FilesCache;
  checkRuns: CheckRunCache;
  memberships: MembershipCache;
}

export interface CacheOptions {
  /** How long a "not a member" answer is kept, in milliseconds; 0 keeps none. */
  membershipTtlMs?: number;
  /** The clock of that TTL (tests use a fake one). */
  now?: () => number;
}

export function createCaches(opts: CacheOptions = {}): AppCaches {
  return {
    runs: new RunCache(),
    seenSummaries: new SeenSummaryCache(),
    contents: new ContentCache(),
    files: new FilesCache(),
    checkRuns: new CheckRunCache(),
    memberships: new MembershipCache(opts.membershipTtlMs, opts.now),
  };
}
