import { newestCommand } from '../core/approval/command.js';
import { pullWithHead } from '../core/approval/deployment.js';
import { statusRecords } from '../core/ledger-copy.js';
import { LEDGER_CHECK_NAME } from '../core/ledger.js';
import { approvesDigest, GATE_APP_FIX, pickLedger, type LedgerCheckRun } from '../core/verify.js';
import type { Approval } from './check.js';
import { runChild } from './run.js';

// The approval a terminal can trust: the ledger the applygate app writes into its check run
// `applygate / destroy approval` on the pull request's head (or, for a token that cannot read
// check runs, its copy: core/ledger-copy.ts), chosen by verify's one rule
// (core/verify.ts pickLedger: only the app `gate.app` names, its latest record, for this head
// and pull request, or nothing), and the pull request chosen by the app's one rule
// (core/approval/deployment.ts: exactly one open pull request has the commit as its head). The
// digest must be one that ledger approved.

export interface LedgerOptions {
  /** The repository directory (for `git` to find the commit and the remote). */
  dir: string;
  digest: string;
  env: NodeJS.ProcessEnv;
  deadline: number;
  /** `--pr N`; otherwise the open pull request whose head is the current commit. */
  pull?: number;
  /** config `gate.app`: the app's slug; required, empty refuses. */
  app: string;
  /** config `approval.command`: which comments are commands, for the ledger's freshness. */
  command: string;
}

export async function findApproval(opts: LedgerOptions): Promise<Approval> {
  const no = (detail: string): Approval => ({ approved: false, detail });
  // Before any call: without the app's identity no record can be believed.
  if (opts.app.trim() === '') return no(`gate.app is not set: ${GATE_APP_FIX}`);
  const token = opts.env.GITHUB_TOKEN || opts.env.GH_TOKEN || (await ghToken(opts));
  if (!token)
    return no('no GitHub token (set GITHUB_TOKEN or run `gh auth login`) to read the ledger');
  const repo = opts.env.GITHUB_REPOSITORY ?? (await originRepo(opts));
  if (!repo) return no('cannot tell the GitHub repository (no `origin` remote on github)');
  const [owner, name] = repo.split('/') as [string, string];
  // Loaded here, not at the top: most hook runs never read the ledger, and Octokit is most of
  // the guard's start-up.
  const { Octokit } = await import('@octokit/rest');
  const octokit = new Octokit({
    auth: token,
    baseUrl: opts.env.GITHUB_API_URL || 'https://api.github.com',
    request: { signal: AbortSignal.timeout(Math.max(1, Math.floor(opts.deadline - Date.now()))) },
    // Failures are reported in the guard's answer; Octokit's own log would go to the hook's stderr.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  try {
    let pull: { number: number; head: { sha: string } };
    if (opts.pull !== undefined) {
      pull = (await octokit.rest.pulls.get({ owner, repo: name, pull_number: opts.pull })).data;
    } else {
      const sha = (await git(opts, ['rev-parse', 'HEAD']))?.trim();
      if (!sha) return no('not in a git repository with commits, and no --pr given');
      const pulls = await octokit.paginate(
        octokit.rest.repos.listPullRequestsAssociatedWithCommit,
        { owner, repo: name, commit_sha: sha, per_page: 100 },
      );
      const mapped = pullWithHead(
        sha,
        pulls.map((p) => ({
          number: p.number,
          state: p.state,
          headSha: p.head.sha,
          baseRef: p.base.ref,
        })),
      );
      const found = pulls.find((p) => p.number === mapped.pull);
      if (!found) return no(`${mapped.reason ?? 'no pull request'} (push it, or pass --pr N)`);
      pull = found;
    }
    // Verify's rule: a ledger decided before the pull request's newest command (a revoke the
    // app has not judged yet, say) is refused, so the comments are read before it is judged.
    // They also hold the ledger's copy, for a token that cannot read check runs.
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo: name,
      issue_number: pull.number,
      per_page: 100,
    });
    let records: LedgerCheckRun[];
    let record: 'check run' | 'status' = 'check run';
    try {
      const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
        owner,
        repo: name,
        ref: pull.head.sha,
        check_name: LEDGER_CHECK_NAME,
        // Each app's latest run only: an approval the app has since withdrawn must not count.
        filter: 'latest',
        per_page: 100,
      });
      records = runs.map((r) => ({ id: r.id, appSlug: r.app?.slug, text: r.output?.text }));
    } catch (e) {
      if (!cannotReadChecks(e)) throw e;
      // A fine-grained personal access token: the copy, named by the app's commit status.
      const statuses = await octokit.paginate(octokit.rest.repos.listCommitStatusesForRef, {
        owner,
        repo: name,
        ref: pull.head.sha,
        per_page: 100,
      });
      records = statusRecords(
        statuses.map((x) => ({
          id: x.id,
          context: x.context,
          description: x.description,
          creator: x.creator ? { login: x.creator.login, type: x.creator.type } : null,
        })),
        comments,
      );
      record = 'status';
    }
    const pick = pickLedger(records, {
      headSha: pull.head.sha,
      pull: pull.number,
      app: opts.app,
      newestCommand: newestCommand(comments, opts.command),
      record,
    });
    if (!pick.ok) return no(pick.message);
    const verdict = approvesDigest(pick.ledger, opts.digest);
    if (!verdict.approved) return no(verdict.detail);
    const who = verdict.project.approvals.map((a) => `@${a.login}`).join(', ');
    const via =
      record === 'status'
        ? "; read from the app's ledger copy: the token cannot read check runs"
        : '';
    return {
      approved: true,
      detail: `approved on pull request #${pull.number} by ${who || 'the gate'} (project ${verdict.project.name}${via})`,
    };
  } catch (e) {
    return no(`reading the ledger from GitHub failed: ${(e as Error).message}`);
  }
}

/**
 * GitHub's answer to a token without access to check runs: a fine-grained personal access token
 * ("Resource not accessible by personal access token": GitHub offers it no checks permission),
 * or an installation token without `checks: read`. A rate limit is also a 403, and is not this.
 */
function cannotReadChecks(e: unknown): boolean {
  const err = e as { status?: unknown; message?: unknown };
  return (
    err.status === 403 &&
    typeof err.message === 'string' &&
    /Resource not accessible by (personal access token|integration)/.test(err.message)
  );
}

async function git(opts: LedgerOptions, args: string[]): Promise<string | undefined> {
  const r = await runChild('git', ['-C', opts.dir, ...args], {
    cwd: opts.dir,
    env: opts.env,
    deadline: Math.min(opts.deadline, Date.now() + 5000),
  });
  return r.code === 0 ? r.stdout : undefined;
}

async function ghToken(opts: LedgerOptions): Promise<string | undefined> {
  const r = await runChild('gh', ['auth', 'token'], {
    cwd: opts.dir,
    env: opts.env,
    deadline: Math.min(opts.deadline, Date.now() + 5000),
  });
  return r.code === 0 ? r.stdout.trim() || undefined : undefined;
}

/** owner/repo of the `origin` remote when it is on github.com (or GH_HOST). */
async function originRepo(opts: LedgerOptions): Promise<string | undefined> {
  const url = (await git(opts, ['remote', 'get-url', 'origin']))?.trim();
  if (!url) return undefined;
  const host = (opts.env.GH_HOST || 'github.com').replace(/[.]/g, '\\.');
  const m = new RegExp(
    `^(?:https?://(?:[^@/]+@)?|ssh://git@|git@)${host}[:/]([^/]+)/([^/]+?)(?:\\.git)?/?$`,
  ).exec(url);
  return m ? `${m[1]}/${m[2]}` : undefined;
}
