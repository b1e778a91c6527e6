import { MAX_LISTED_FILES } from '../core/approval/codeowners.js';
import type { ApprovalComment } from '../core/approval/decide.js';
import type { LedgerStatus } from '../core/ledger-copy.js';
import type { RunFacts } from '../core/provenance.js';
import {
  CheckRunCache,
  RunCache,
  SeenSummaryCache,
  ContentCache,
  FilesCache,
  pullKey,
  repoKey,
  type AppCaches,
  type ChangedFiles,
  type FileRead,
} from './cache.js';
import { isRateLimit, statusOf, type Octokit } from './client.js';
import { PROCESS_LOCKS, type Fence, type PullLocks } from './lock.js';

// Every GitHub read and write of the app, in one place. The client is Probot's per-event
// Octokit, which already retries server errors, with the app's time limit per attempt and its
// retries after secondary rate limits (client.ts); whatever still fails here throws, and the
// caller fails closed (nothing is approved). What is remembered between events is in cache.ts:
// file contents at a commit SHA, changed files of a base/head pair, the id of the app's check
// run on a head, and "not a member" answers for a few minutes; each says why it cannot serve a
// stale decision. Writes made while holding a pull request's lock (holding) first check that
// this replica still holds it (lock.ts): one whose lease ran out writes nothing.

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullInfo {
  number: number;
  author: string;
  state: string;
  headSha: string;
  baseSha: string;
  /** The base branch's name, and the repository's default branch (undefined if not reported). */
  baseRef: string;
  defaultBranch: string | undefined;
  htmlUrl: string;
  merged: boolean;
  mergeCommitSha: string | null;
  /** The count GitHub reports, which may exceed what the files API lists. */
  changedFiles: number;
}

export interface PullComment extends ApprovalComment {
  body: string;
  html_url: string;
  user: { login: string; type?: string } | null;
  /** The GitHub App that wrote it (set by GitHub, not by the writer): the app's own records. */
  viaApp?: number;
}

export interface CheckRunSummary {
  id: number;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
}

export interface CheckRunWrite {
  conclusion: 'success' | 'action_required' | 'failure' | 'neutral';
  title: string;
  summary: string;
  text?: string;
  detailsUrl?: string;
}

export interface StatusWrite {
  state: 'success' | 'pending' | 'failure' | 'error';
  context: string;
  /** At most 140 characters (GitHub refuses longer). */
  description: string;
  targetUrl?: string;
}

export interface GateReview {
  /** Omitted: a status report (comment only), the run keeps waiting. */
  state?: 'approved' | 'rejected';
  comment: string;
}

export interface CommitPull {
  number: number;
  state: string;
  headSha: string;
  baseRef: string;
  mergeCommitSha: string | null;
  merged: boolean;
}

/** A pull request as GitHub lists it (REST or a webhook's `pull_requests`), for mapRun. */
export function commitPull(p: {
  number: number;
  state: string;
  head: { sha: string };
  base: { ref: string };
  merge_commit_sha?: string | null;
  merged_at?: string | null;
}): CommitPull {
  return {
    number: p.number,
    state: p.state,
    headSha: p.head.sha,
    baseRef: p.base.ref,
    mergeCommitSha: p.merge_commit_sha ?? null,
    merged: Boolean(p.merged_at),
  };
}

/** A workflow run waiting for a deployment protection rule, with what maps it to a pull request. */
export interface WaitingRun {
  id: number;
  event: string;
  headSha: string;
  headBranch: string | null;
  /** Open pull requests GitHub lists for the run (head commit or branch). */
  pulls: { number: number; headSha: string; baseRef: string }[];
}

/** Repository roles that can push: GitHub's code owners need one of these. */
const WRITE_ROLES = new Set(['admin', 'maintain', 'write', 'push']);

/**
 * The body of a raw-format content read. @octokit/request gives text for a text media type and
 * an ArrayBuffer otherwise; anything else is refused rather than read as "[object Object]".
 */
function rawText(data: unknown, path: string): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  throw new Error(`GitHub answered the raw content of ${path} with ${typeof data}, not text`);
}

export class GitHub {
  /** The repository's key in the caches. */
  private readonly key: string;

  constructor(
    private readonly octokit: Octokit,
    readonly repo: RepoRef,
    private readonly caches: AppCaches,
    /** The app's id: our check runs are the ones this app created. */
    readonly appId?: number,
    /** One evaluation per pull request at a time, across replicas with Redis (lock.ts). */
    private readonly locks: PullLocks = PROCESS_LOCKS,
    private readonly fence?: Fence,
  ) {
    this.key = repoKey(repo);
  }

  /**
   * Run `work` holding pull request `number`'s lock, with a client whose every write first
   * checks the fence (throws FenceLost or LockUnavailable instead of writing).
   */
  holding<T>(number: number, work: (gh: GitHub) => Promise<T>): Promise<T> {
    return this.locks.hold(pullKey(this.repo, number), (fence) =>
      work(new GitHub(this.octokit, this.repo, this.caches, this.appId, this.locks, fence)),
    );
  }

  /** Before a write: still the holder of the lock, if this client was given one. */
  private async mayWrite(): Promise<void> {
    await this.fence?.check();
  }

  async pull(number: number): Promise<PullInfo> {
    const { data } = await this.octokit.rest.pulls.get({ ...this.repo, pull_number: number });
    return {
      number: data.number,
      author: data.user.login,
      state: data.state,
      headSha: data.head.sha,
      baseSha: data.base.sha,
      baseRef: data.base.ref,
      defaultBranch: data.base.repo?.default_branch ?? undefined,
      htmlUrl: data.html_url,
      merged: data.merged,
      mergeCommitSha: data.merge_commit_sha,
      changedFiles: data.changed_files,
    };
  }

  async comments(number: number): Promise<PullComment[]> {
    const all = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
      ...this.repo,
      issue_number: number,
      per_page: 100,
    });
    return all.map((c) => ({
      id: c.id,
      body: c.body ?? '',
      html_url: c.html_url,
      user: c.user ? { login: c.user.login, type: c.user.type } : null,
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: c.author_association,
      viaApp: c.performed_via_github_app?.id,
    }));
  }

  /**
   * A file at the head of a branch, read every time: a branch name is not a commit, its files
   * change with every push (the default branch's `gate.base_branches`).
   */
  async branchFile(path: string, branch: string, maxBytes: number): Promise<FileRead> {
    return this.readFile(path, `refs/heads/${branch}`, maxBytes);
  }

  /** A file at a commit; files of `maxBytes` or more are reported, not read. */
  async file(path: string, sha: string, maxBytes: number): Promise<FileRead> {
    const key = ContentCache.key(this.key, sha, path);
    const cached = this.caches.contents.get(key);
    if (cached) return cached;
    const read = await this.readFile(path, sha, maxBytes);
    this.caches.contents.set(key, read);
    return read;
  }

  private async readFile(path: string, ref: string, maxBytes: number): Promise<FileRead> {
    let data: unknown;
    try {
      ({ data } = await this.octokit.rest.repos.getContent({ ...this.repo, path, ref }));
    } catch (err) {
      if (statusOf(err) === 404) return { found: false };
      throw err;
    }
    if (Array.isArray(data) || typeof data !== 'object' || data === null) return { found: false };
    const f = data as { type?: string; size?: number; content?: string; encoding?: string };
    if (f.type !== 'file') return { found: false };
    const size = f.size ?? 0;
    if (size >= maxBytes) return { found: true, tooLarge: true, size };
    if (f.encoding === 'base64' && typeof f.content === 'string') {
      return {
        found: true,
        tooLarge: false,
        text: Buffer.from(f.content, 'base64').toString('utf8'),
      };
    }
    // Files over 1 MB come without content: ask for the raw bytes.
    const raw = await this.octokit.rest.repos.getContent({
      ...this.repo,
      path,
      ref,
      mediaType: { format: 'raw' },
    });
    return { found: true, tooLarge: false, text: rawText(raw.data, path) };
  }

  /** Changed paths (a rename counts its old path too); `truncated` when GitHub lists fewer. */
  async changedFiles(pull: PullInfo): Promise<ChangedFiles> {
    const key = FilesCache.key(this.key, pull.baseSha, pull.headSha, pull.changedFiles);
    const cached = this.caches.files.get(key);
    if (cached) return cached;
    const all = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, {
      ...this.repo,
      pull_number: pull.number,
      per_page: 100,
    });
    const files = new Set<string>();
    for (const f of all) {
      files.add(f.filename);
      if (f.previous_filename) files.add(f.previous_filename);
    }
    const changed: ChangedFiles = {
      files: [...files],
      // Exactly 3,000 is a complete list; beyond, or a list that stops at the limit while GitHub
      // counts another number (the head moved in between), the owners of the rest are unknown.
      truncated:
        pull.changedFiles > MAX_LISTED_FILES ||
        (all.length >= MAX_LISTED_FILES && all.length !== pull.changedFiles),
    };
    // The files API lists the pull request's current head: keep the list only if every file in
    // it is at the head `pulls.get` reported (each names its commit in `contents_url`).
    if (all.every((f) => (listedAt(f.contents_url) ?? pull.headSha) === pull.headSha)) {
      this.caches.files.set(key, changed);
    }
    return changed;
  }

  /**
   * Whether `login` is an active member of `org/slug` (a pending invitation is not). `hidden`:
   * GitHub does not show this installation the team (another organization, or no Members
   * permission); the caller treats it as not a member. Only GitHub's 404 ("not a member") is
   * remembered, for a few minutes (MembershipCache); "active" is asked every time.
   */
  async membership(team: string, login: string): Promise<'active' | 'none' | 'hidden'> {
    const known = this.caches.memberships;
    if (known.isNonMember(this.key, team, login)) return 'none';
    const mark = known.mark();
    const [org = '', slug = ''] = team.split('/');
    try {
      const { data } = await this.octokit.rest.teams.getMembershipForUserInOrg({
        org,
        team_slug: slug,
        username: login,
      });
      return data.state === 'active' ? 'active' : 'none';
    } catch (err) {
      if (statusOf(err) === 404) {
        known.refuse(this.key, team, login, mark);
        return 'none';
      }
      // A rate limit is also a 403, and says nothing about the team: the caller fails closed.
      if (statusOf(err) === 403 && !isRateLimit(err)) return 'hidden';
      throw err;
    }
  }

  /**
   * Whether `login` can push to the repository now (collaborator permission write, maintain or
   * admin, directly, through a team or as an organization owner). Asked every time, never
   * cached: access can be taken away at any moment. GitHub's 404 (not a collaborator, or no such
   * user) is "no".
   */
  async userCanWrite(login: string): Promise<boolean> {
    try {
      const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({
        ...this.repo,
        username: login,
      });
      return WRITE_ROLES.has(data.role_name) || WRITE_ROLES.has(data.permission);
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  /**
   * Whether the team `org/slug` can push to the repository now (GitHub requires it of an owning
   * team). Asked every time, never cached. 404: the team has no access (or is not visible).
   */
  async teamCanWrite(team: string): Promise<boolean> {
    const [org = '', slug = ''] = team.split('/');
    try {
      const { data } = await this.octokit.rest.teams.checkPermissionsForRepoInOrg({
        org,
        team_slug: slug,
        ...this.repo,
        headers: { accept: 'application/vnd.github.v3.repository+json' },
      });
      const perms = (data as { permissions?: Record<string, boolean> } | undefined)?.permissions;
      return Boolean(perms?.['admin'] || perms?.['maintain'] || perms?.['push']);
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  /** This app's check run named `name` on `headSha`, read from GitHub (its id is remembered). */
  async findCheckRun(headSha: string, name: string): Promise<CheckRunSummary | undefined> {
    const { data } = await this.octokit.rest.checks.listForRef({
      ...this.repo,
      ref: headSha,
      check_name: name,
      filter: 'latest',
      per_page: 100,
      ...(this.appId !== undefined && { app_id: this.appId }),
    });
    const run = data.check_runs.find((r) => this.appId === undefined || r.app?.id === this.appId);
    if (!run) return undefined;
    this.caches.checkRuns.set(CheckRunCache.key(this.key, headSha, name), run.id);
    return {
      id: run.id,
      status: run.status,
      conclusion: run.conclusion,
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
    };
  }

  async createCheckRun(headSha: string, name: string, check: CheckRunWrite): Promise<void> {
    await this.mayWrite();
    await this.octokit.rest.checks.create({
      ...this.repo,
      name,
      head_sha: headSha,
      ...checkBody(check),
    });
  }

  async updateCheckRun(id: number, check: CheckRunWrite): Promise<void> {
    await this.mayWrite();
    await this.octokit.rest.checks.update({ ...this.repo, check_run_id: id, ...checkBody(check) });
  }

  /**
   * Write the check run whose id this process found before, without reading it.
   * False when there is no such id, or when GitHub answers 404 or 422 for it (the id is then
   * forgotten): the caller finds or creates the check run.
   */
  async updateKnownCheckRun(headSha: string, name: string, check: CheckRunWrite): Promise<boolean> {
    const key = CheckRunCache.key(this.key, headSha, name);
    const id = this.caches.checkRuns.get(key);
    if (id === undefined) return false;
    try {
      await this.updateCheckRun(id, check);
      return true;
    } catch (err) {
      const code = statusOf(err);
      if (code !== 404 && code !== 422) throw err;
      this.caches.checkRuns.delete(key);
      return false;
    }
  }

  async react(commentId: number, content: '+1'): Promise<void> {
    await this.mayWrite();
    await this.octokit.rest.reactions.createForIssueComment({
      ...this.repo,
      comment_id: commentId,
      content,
    });
  }

  async comment(number: number, body: string): Promise<void> {
    await this.createComment(number, body);
  }

  /** Post a comment; its id and address as GitHub answers them. */
  async createComment(number: number, body: string): Promise<{ id: number; htmlUrl: string }> {
    await this.mayWrite();
    const { data } = await this.octokit.rest.issues.createComment({
      ...this.repo,
      issue_number: number,
      body,
    });
    return { id: data.id, htmlUrl: data.html_url };
  }

  async updateComment(commentId: number, body: string): Promise<void> {
    await this.mayWrite();
    await this.octokit.rest.issues.updateComment({ ...this.repo, comment_id: commentId, body });
  }

  async deleteComment(commentId: number): Promise<void> {
    await this.mayWrite();
    await this.octokit.rest.issues.deleteComment({ ...this.repo, comment_id: commentId });
  }

  /** The commit statuses of `sha`, newest first, as GitHub lists them. */
  async statuses(sha: string): Promise<LedgerStatus[]> {
    const all = await this.octokit.paginate(this.octokit.rest.repos.listCommitStatusesForRef, {
      ...this.repo,
      ref: sha,
      per_page: 100,
    });
    return all.map((x) => ({
      id: x.id,
      context: x.context,
      description: x.description,
      creator: x.creator ? { login: x.creator.login, type: x.creator.type } : null,
      target_url: x.target_url,
    }));
  }

  /** A new commit status on `sha` (GitHub keeps every one; the newest per context counts). */
  async createStatus(sha: string, status: StatusWrite): Promise<void> {
    await this.mayWrite();
    await this.octokit.rest.repos.createCommitStatus({
      ...this.repo,
      sha,
      state: status.state,
      context: status.context,
      description: status.description,
      ...(status.targetUrl && { target_url: status.targetUrl }),
    });
  }

  /** Workflow runs of `sha` waiting for a deployment protection rule or a reviewer. */
  async waitingRuns(sha: string): Promise<WaitingRun[]> {
    const runs = await this.octokit.paginate(this.octokit.rest.actions.listWorkflowRunsForRepo, {
      ...this.repo,
      head_sha: sha,
      status: 'waiting',
      per_page: 100,
    });
    return runs.map((r) => ({
      id: r.id,
      event: r.event,
      headSha: r.head_sha,
      headBranch: r.head_branch,
      pulls: (r.pull_requests ?? []).map((p) => ({
        number: p.number,
        headSha: p.head.sha,
        baseRef: p.base.ref,
      })),
    }));
  }

  /** The environments a run is waiting for. */
  async pendingEnvironments(runId: number): Promise<string[]> {
    const { data } = await this.octokit.rest.actions.getPendingDeploymentsForRun({
      ...this.repo,
      run_id: runId,
    });
    return data.flatMap((p) => (p.environment.name ? [p.environment.name] : []));
  }

  /** Approve, reject or report on this app's protection rule for a run's environment. */
  async reviewGate(runId: number, environment: string, review: GateReview): Promise<void> {
    await this.mayWrite();
    await this.octokit.rest.actions.reviewCustomGatesForRun({
      ...this.repo,
      run_id: runId,
      environment_name: environment,
      comment: review.comment,
      ...(review.state && { state: review.state }),
    });
  }

  async run(
    runId: number,
  ): Promise<{ headSha: string; event: string; headBranch: string | null; path: string }> {
    const { data } = await this.octokit.rest.actions.getWorkflowRun({
      ...this.repo,
      run_id: runId,
    });
    return {
      headSha: data.head_sha,
      event: data.event,
      headBranch: data.head_branch,
      path: data.path,
    };
  }

  /** Whether this process saw this summary version written by the plan job (SeenSummaryCache). */
  sawSummary(version: string): boolean {
    return this.caches.seenSummaries.get(SeenSummaryCache.key(this.key, version)) === true;
  }

  rememberSummary(version: string): void {
    this.caches.seenSummaries.set(SeenSummaryCache.key(this.key, version), true);
  }

  /**
   * The workflow run a summary names (its head SHA, event and workflow file), remembered by id
   * (RunCache); undefined when GitHub has no such run in this repository (404).
   */
  async summaryRun(runId: number): Promise<RunFacts | undefined> {
    const key = RunCache.key(this.key, runId);
    const known = this.caches.runs.get(key);
    if (known) return known;
    try {
      const { headSha, event, path } = await this.run(runId);
      const facts = { headSha, event, path };
      this.caches.runs.set(key, facts);
      return facts;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Pull requests associated with a commit: its head, or its merge commit once merged. */
  async pullsForCommit(sha: string): Promise<CommitPull[]> {
    const pulls = await this.octokit.paginate(
      this.octokit.rest.repos.listPullRequestsAssociatedWithCommit,
      { ...this.repo, commit_sha: sha, per_page: 100 },
    );
    return pulls.map(commitPull);
  }
}

/** The commit a files API entry is listed at: the `ref` of its `contents_url`. */
function listedAt(contentsUrl: string | undefined): string | undefined {
  if (!contentsUrl) return undefined;
  try {
    return new URL(contentsUrl).searchParams.get('ref') ?? undefined;
  } catch {
    return undefined;
  }
}

function checkBody(check: CheckRunWrite) {
  return {
    status: 'completed' as const,
    conclusion: check.conclusion,
    ...(check.detailsUrl && { details_url: check.detailsUrl }),
    output: {
      title: check.title,
      summary: check.summary,
      ...(check.text !== undefined && { text: check.text }),
    },
  };
}
