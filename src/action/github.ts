import * as github from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { CommentLike } from '../core/summaries.js';

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

/** Pull requests associated with a commit (a push to the default branch after a merge). */
export async function pullsForCommit(
  o: Octokit,
  r: Repo,
  sha: string,
): Promise<{ number: number; state: string; merged_at: string | null }[]> {
  const { data } = await o.rest.repos.listPullRequestsAssociatedWithCommit({
    ...r,
    commit_sha: sha,
  });
  return data.map((p) => ({ number: p.number, state: p.state, merged_at: p.merged_at }));
}
