import { Octokit } from '@octokit/rest';
import { decodeLedger, LEDGER_CHECK_NAME } from '../../core/ledger.js';
import type { Approval } from './check.js';
import { run } from './run.js';

// The approval a terminal can trust: the ledger the applygate app writes into its check run
// `applygate / destroy approval` on the pull request's head. Only the app that created a check
// run can update it, so the ledger counts only from a check run created by a GitHub App other
// than github-actions (any workflow's GITHUB_TOKEN can create check runs as github-actions), and
// pinned to `gate.app` when the config names the app. The digest must be one the ledger approved.

export interface LedgerOptions {
  /** The repository directory (for `git` to find the commit and the remote). */
  dir: string;
  digest: string;
  env: NodeJS.ProcessEnv;
  deadline: number;
  /** `--pr N`; otherwise the open pull request whose head is the current commit. */
  pull?: number;
  /** config `gate.app`: the app's slug, when pinned. */
  app?: string;
}

export async function findApproval(opts: LedgerOptions): Promise<Approval> {
  const no = (detail: string): Approval => ({ approved: false, detail });
  const token = opts.env.GITHUB_TOKEN || opts.env.GH_TOKEN || (await ghToken(opts));
  if (!token)
    return no('no GitHub token (set GITHUB_TOKEN or run `gh auth login`) to read the ledger');
  const repo = opts.env.GITHUB_REPOSITORY ?? (await originRepo(opts));
  if (!repo) return no('cannot tell the GitHub repository (no `origin` remote on github)');
  const [owner, name] = repo.split('/') as [string, string];
  const octokit = new Octokit({
    auth: token,
    baseUrl: opts.env.GITHUB_API_URL || 'https://api.github.com',
    request: { signal: AbortSignal.timeout(Math.max(1, Math.floor(opts.deadline - Date.now()))) },
    // Failures are reported in the guard's answer; Octokit's own log would go to the hook's stderr.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  try {
    let pull: { number: number; head: { sha: string }; state: string };
    if (opts.pull !== undefined) {
      pull = (await octokit.rest.pulls.get({ owner, repo: name, pull_number: opts.pull })).data;
    } else {
      const sha = (await git(opts, ['rev-parse', 'HEAD']))?.trim();
      if (!sha) return no('not in a git repository with commits, and no --pr given');
      const pulls = (
        await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
          owner,
          repo: name,
          commit_sha: sha,
        })
      ).data;
      const open = pulls.find((p) => p.state === 'open' && p.head.sha === sha);
      if (!open)
        return no(
          `no open pull request has the current commit ${sha.slice(0, 12)} as its head (push it, or pass --pr N)`,
        );
      pull = open;
    }
    const runs = (
      await octokit.rest.checks.listForRef({
        owner,
        repo: name,
        ref: pull.head.sha,
        check_name: LEDGER_CHECK_NAME,
        // Each app's latest run only: an approval the app has since withdrawn must not count.
        filter: 'latest',
      })
    ).data.check_runs;
    const trusted = runs.filter(
      (r) => r.app && r.app.slug !== 'github-actions' && (!opts.app || r.app.slug === opts.app),
    );
    if (trusted.length === 0) {
      return no(
        `pull request #${pull.number} has no \`${LEDGER_CHECK_NAME}\` check run written by the applygate app${runs.length ? ` (${runs.length} written by others are ignored)` : ''}`,
      );
    }
    for (const r of trusted) {
      const ledger = decodeLedger(r.output?.text ?? '');
      if (!ledger.ok) continue;
      const l = ledger.ledger;
      if (l.headSha !== pull.head.sha || l.pull !== pull.number) continue;
      const p = l.projects.find((x) => x.digest === opts.digest && x.state === 'approved');
      if (p) {
        const who = p.approvals.map((a) => `@${a.login}`).join(', ');
        return {
          approved: true,
          detail: `approved on pull request #${pull.number} by ${who || 'the gate'} (project ${p.name})`,
        };
      }
    }
    return no(
      `the ledger of pull request #${pull.number} does not approve this plan (its digests: ${
        trusted
          .flatMap((r) => {
            const d = decodeLedger(r.output?.text ?? '');
            return d.ok ? d.ledger.projects.map((p) => `${p.digest.slice(0, 19)}… ${p.state}`) : [];
          })
          .join(', ') || 'none'
      })`,
    );
  } catch (e) {
    return no(`reading the ledger from GitHub failed: ${(e as Error).message}`);
  }
}

async function git(opts: LedgerOptions, args: string[]): Promise<string | undefined> {
  const r = await run('git', ['-C', opts.dir, ...args], {
    cwd: opts.dir,
    env: opts.env,
    deadline: Math.min(opts.deadline, Date.now() + 5000),
  });
  return r.code === 0 ? r.stdout : undefined;
}

async function ghToken(opts: LedgerOptions): Promise<string | undefined> {
  const r = await run('gh', ['auth', 'token'], {
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
