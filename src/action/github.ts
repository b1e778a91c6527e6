import * as github from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { CommentLike } from '../core/summaries.js';
import type { LedgerCheckRun } from '../core/verify.js';

// Every GitHub call the Action makes, in one place. @actions/github honours GITHUB_API_URL, so
// GitHub Enterprise Server (and the test emulator) work unchanged.

export type Octokit = ReturnType<typeof github.getOctokit>;

export interface Comment extends CommentLike {
  body: string;
  html_url: string;
}

export function client(token: string, log: (m: string) => void): Octokit {
  return github.getOctokit(
    token,
    {
      throttle: {
        onRateLimit: (
          retryAfter: number,
          options: { method: string; url: string },
          _o: unknown,
          retryCount: number,
        ) => {
          log(`GitHub rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
          return retryCount < 2;
        },
        onSecondaryRateLimit: (
          retryAfter: number,
          options: { method: string; url: string },
          _o: unknown,
          retryCount: number,
        ) => {
          log(
            `GitHub secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`,
          );
          return retryCount < 2;
        },
      },
      retry: { retries: 3 },
    },
    retry,
    throttling,
  );
}

export interface Repo {
  owner: string;
  repo: string;
}

export async function listComments(o: Octokit, r: Repo, issue: number): Promise<Comment[]> {
  const all = await o.paginate(o.rest.issues.listComments, {
    ...r,
    issue_number: issue,
    per_page: 100,
  });
  return all.map((c) => ({
    ...c,
    body: c.body ?? '',
    user: c.user ? { login: c.user.login, type: c.user.type } : null,
  }));
}

export async function createComment(
  o: Octokit,
  r: Repo,
  issue: number,
  body: string,
): Promise<Comment> {
  const { data } = await o.rest.issues.createComment({ ...r, issue_number: issue, body });
  return { ...data, body: data.body ?? '', user: data.user ? { login: data.user.login } : null };
}

export async function updateComment(
  o: Octokit,
  r: Repo,
  id: number,
  body: string,
): Promise<Comment> {
  const { data } = await o.rest.issues.updateComment({ ...r, comment_id: id, body });
  return { ...data, body: data.body ?? '', user: data.user ? { login: data.user.login } : null };
}

export async function deleteComment(o: Octokit, r: Repo, id: number): Promise<void> {
  await o.rest.issues.deleteComment({ ...r, comment_id: id });
}

/** A file's text at a ref, or undefined when it does not exist there. */
export async function fileAt(
  o: Octokit,
  r: Repo,
  path: string,
  ref: string,
): Promise<string | undefined> {
  try {
    const { data } = await o.rest.repos.getContent({ ...r, path, ref });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
    return Buffer.from(data.content, 'base64').toString('utf8');
  } catch (e) {
    if ((e as { status?: number }).status === 404) return undefined;
    throw e;
  }
}

export interface PullSummary {
  number: number;
  state: string;
  merged: boolean;
  mergeCommitSha: string | null;
  headSha: string;
  baseRef: string;
}

/** Pull requests associated with a commit (a push to the default branch after a merge). */
export async function pullsForCommit(o: Octokit, r: Repo, sha: string): Promise<PullSummary[]> {
  const data = await o.paginate(o.rest.repos.listPullRequestsAssociatedWithCommit, {
    ...r,
    commit_sha: sha,
    per_page: 100,
  });
  return data.map((p) => ({
    number: p.number,
    state: p.state,
    merged: Boolean(p.merged_at),
    mergeCommitSha: p.merge_commit_sha ?? null,
    headSha: p.head.sha,
    baseRef: p.base.ref,
  }));
}

/** The repository's default branch. */
export async function defaultBranch(o: Octokit, r: Repo): Promise<string> {
  const { data } = await o.rest.repos.get({ ...r });
  return data.default_branch;
}

/** Check runs named `name` on `sha` (the latest per app), with the app that created each. */
export async function checkRunsNamed(
  o: Octokit,
  r: Repo,
  sha: string,
  name: string,
): Promise<LedgerCheckRun[]> {
  const runs = await o.paginate(o.rest.checks.listForRef, {
    ...r,
    ref: sha,
    check_name: name,
    filter: 'latest',
    per_page: 100,
  });
  return runs.map((c) => ({
    id: c.id,
    appSlug: c.app?.slug,
    text: c.output.text,
    url: c.html_url ?? undefined,
  }));
}

/** True for the error a read-only token (fork or Dependabot pull request) gets on a write. */
export function isForbidden(e: unknown): boolean {
  return (e as { status?: number }).status === 403;
}
