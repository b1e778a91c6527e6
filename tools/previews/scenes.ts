// What the README's preview images show: the summary comment for a routine plan and for the
// incident's destroy plan (the demo's own plans), and the approval check after a code owner
// approved the incident plan, with the approvals that did not count. Fixed inputs (head SHA, run
// id, timestamps), so every run renders the same pages.
import {
  decide,
  type ApprovalComment,
  type ApprovalDecision,
} from '../../src/core/approval/decide.js';
import { parseCodeowners } from '../../src/core/approval/codeowners.js';
import { approvalPolicy } from '../../src/core/approval/policy.js';
import { DEFAULT_CONFIG, type Config } from '../../src/core/config.js';
import { parsePlan } from '../../src/core/plan/index.js';
import { renderMarkdown } from '../../src/core/render/index.js';
import { buildReport, type Report } from '../../src/core/report.js';
import { trustedSummaries } from '../../src/core/summaries.js';
import { createsOnlyPlan, incidentDestroyPlan } from '../../testkit/plans/samples.js';
import { checkRun } from '../../src/app/messages.js';
import { LEDGER_CHECK_NAME as CHECK_NAME } from '../../src/core/ledger.js';
import type { PullInfo } from '../../src/app/github.js';
import { checkRunPage, commentPage, type CheckRunView } from './github-html.js';

export const HEAD_SHA = '4f2a9c1e7b3d5a8f0e6c2b9d1a7f3e5c8b0d4a62';
export const RUN_ID = 6_410_233_871;
const BOT = 'github-actions[bot]';

/** The incident's pull request. */
export const PULL: PullInfo = {
  number: 42,
  author: 'sam-oncall',
  state: 'open',
  headSha: HEAD_SHA,
  baseSha: '9c0d2e4f6a8b1c3d5e7f9a0b2c4d6e8f1a3b5c7d',
  baseRef: 'main',
  defaultBranch: 'main',
  htmlUrl: 'https://github.com/acme/infra/pull/42',
  merged: false,
  mergeCommitSha: null,
  changedFiles: 1,
};

export interface Scene {
  /** File name under docs/images/. */
  file: string;
  /** What the image shows, for the script's log. */
  caption: string;
  html: string;
  /** `<details>` opened before the screenshot, by index (as if a reader had clicked them). */
  open?: number[];
}

/** A demo plan (a `terraform show -json` document) as a one-project report. */
export function reportOf(
  doc: unknown,
  config: Config = DEFAULT_CONFIG,
  file = 'plan.json',
): Report {
  const parsed = parsePlan(JSON.stringify(doc), file);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return buildReport([{ name: 'default', plan: parsed.plan }], config);
}

/** The sticky comment's body, as the Action posts it for this head commit. */
export function summaryMarkdown(report: Report): string {
  return renderMarkdown(report, { marker: { headSha: HEAD_SHA, runId: RUN_ID } });
}

export function lowRiskMarkdown(): string {
  return summaryMarkdown(reportOf(createsOnlyPlan()));
}

export function criticalMarkdown(): string {
  return summaryMarkdown(reportOf(incidentDestroyPlan()));
}

/**
 * The incident PR after three `/approve-destroy` comments: the author's own and a collaborator's
 * who owns nothing (both refused, with reasons), then a member of the owning team (counted).
 */
export function approvalDecision(config: Config = DEFAULT_CONFIG): ApprovalDecision {
  const at = (hhmm: string) => `2026-11-20T${hhmm}:00Z`;
  const comments: ApprovalComment[] = [
    {
      id: 101,
      user: { login: BOT, type: 'Bot' },
      body: criticalMarkdown(),
      created_at: at('21:20'),
      updated_at: at('21:20'),
    },
    {
      id: 102,
      user: { login: 'sam-oncall', type: 'User' },
      body: '/approve-destroy',
      created_at: at('21:24'),
      author_association: 'MEMBER',
    },
    {
      id: 103,
      user: { login: 'kim-contractor', type: 'User' },
      body: '/approve-destroy',
      created_at: at('21:31'),
      author_association: 'COLLABORATOR',
    },
    {
      id: 104,
      user: { login: 'alice', type: 'User' },
      body: '/approve-destroy',
      created_at: at('21:46'),
      author_association: 'MEMBER',
    },
  ];
  return decide({
    policy: approvalPolicy(config),
    pull: { number: PULL.number, author: PULL.author, headSha: PULL.headSha },
    summaries: trustedSummaries(comments, config.bots),
    comments,
    codeowners: parseCodeowners('/infra/ @acme/platform\n').rules,
    changedFiles: ['infra/prod/main.tf'],
    changedFilesTruncated: false,
    teamMembers: new Map([['acme/platform', new Set(['alice', 'bob'])]]),
    writeAccess: { users: new Set(), teams: new Set(['acme/platform']) },
  });
}

/** The check run the app writes for that decision (src/app/messages.ts). */
export function approvalCheck(config: Config = DEFAULT_CONFIG): CheckRunView {
  const write = checkRun(
    approvalDecision(config),
    approvalPolicy(config),
    { path: '.github/CODEOWNERS', truncated: false },
    PULL,
  );
  return {
    name: CHECK_NAME,
    conclusion: write.conclusion,
    title: write.title,
    summary: write.summary,
    ...(write.text ? { text: write.text } : {}),
  };
}

export function scenes(): Scene[] {
  return [
    {
      file: 'comment-low.png',
      caption: 'summary comment, routine plan (two new subnets), first details opened',
      html: commentPage(lowRiskMarkdown()),
      open: [0],
    },
    {
      file: 'comment-critical.png',
      caption: 'summary comment, the incident plan (destroys everything), details collapsed',
      html: commentPage(criticalMarkdown()),
    },
    {
      file: 'approval-check.png',
      caption: 'the applygate / destroy approval check run after a code owner approved',
      html: checkRunPage(approvalCheck()),
    },
  ];
}
