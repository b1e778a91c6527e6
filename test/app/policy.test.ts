/**
 * One approval policy, said the same way everywhere (issue 13): for each configuration, the PR
 * comment (the Action's renderer), the app's check run, its pending notice and its deployment
 * status all carry the one sentence describeApprovers() makes of the policy. Before, the comment
 * got the settings field by field and said "Nobody is configured to approve" while the app let
 * any collaborator approve.
 */
import { decide } from '../../src/core/approval/decide.js';
import { approvalPolicy, describeApprovers } from '../../src/core/approval/policy.js';
import { DEFAULT_CONFIG, type Config } from '../../src/core/config.js';
import { parsePlan } from '../../src/core/plan/index.js';
import { renderMarkdown } from '../../src/core/render/index.js';
import { buildReport } from '../../src/core/report.js';
import { trustedSummaries } from '../../src/core/summaries.js';
import { checkRun, gateStatus, pendingNotice } from '../../src/app/messages.js';
import type { PullInfo } from '../../src/app/github.js';
import { incidentDestroyPlan } from '../../testkit/plans/samples.js';

const HEAD = 'a1'.repeat(20);
const PULL: PullInfo = {
  number: 7,
  author: 'alice',
  state: 'open',
  headSha: HEAD,
  baseSha: 'b1'.repeat(20),
  baseRef: 'main',
  defaultBranch: 'main',
  htmlUrl: 'https://github.com/acme/infra/pull/7',
  merged: false,
  mergeCommitSha: null,
  changedFiles: 1,
};

const OWNERS = 'code owners of the changed files (base-branch CODEOWNERS)';
const NOT_AUTHOR = 'other than the author of the pull request';
const WRITE = 'while they have write access to the repository';

/** Each configuration, and the sentence it must give, written out by hand (not computed). */
const CONFIGS: [string, Partial<Config['approval']>, string][] = [
  ['the defaults', {}, `${OWNERS}, ${NOT_AUTHOR}, ${WRITE}; approvals needed: 1`],
  [
    'required 2, no code owners, one approver',
    { required: 2, codeowners: false, approvers: ['@Bob'] },
    `\`@bob\`, ${NOT_AUTHOR}, ${WRITE}; approvals needed: 2`,
  ],
  [
    'no code owners and no list',
    { codeowners: false },
    `anyone with write access to the repository, ${NOT_AUTHOR}; approvals needed: 1`,
  ],
  [
    'owners and a team, author allowed',
    { approvers: ['@acme/sre'], allow_author: true },
    `${OWNERS}, or members of \`@acme/sre\`, ${WRITE}; approvals needed: 1`,
  ],
  [
    'owner_paths',
    { owner_paths: ['/db/', '/infra/'] },
    `code owners (base-branch CODEOWNERS) of changed files matching \`/db/\`, \`/infra/\`, ${NOT_AUTHOR}, ${WRITE}; approvals needed: 1`,
  ],
  [
    'confirm_digest and another command',
    { confirm_digest: true, command: '/approve-apply' },
    `${OWNERS}, ${NOT_AUTHOR}, ${WRITE}; approvals needed: 1`,
  ],
];

test.each(CONFIGS)(
  '%s: the comment, the check and the app say who may approve alike',
  (_, over, sentence) => {
    const config: Config = { ...DEFAULT_CONFIG, approval: { ...DEFAULT_CONFIG.approval, ...over } };
    const policy = approvalPolicy(config);
    const parsed = parsePlan(JSON.stringify(incidentDestroyPlan()), 'plan.json');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const report = buildReport([{ name: 'default', plan: parsed.plan }], config);
    const comment = renderMarkdown(report, { policy, marker: { headSha: HEAD } });
    const summaryComment = {
      id: 1,
      body: comment,
      user: { login: 'github-actions[bot]', type: 'Bot' },
      created_at: '2030-01-01T00:00:00Z',
      updated_at: '2030-01-01T00:00:00Z',
    };
    const decision = decide({
      policy,
      pull: { number: 7, author: 'alice', headSha: HEAD },
      summaries: trustedSummaries([summaryComment], config.bots),
      comments: [],
      codeowners: null,
      changedFiles: ['db/main.tf'],
      changedFilesTruncated: false,
      teamMembers: new Map(),
      writeAccess: { users: new Set(), teams: new Set() },
    });
    expect(decision.state).toBe('pending');

    const rule = describeApprovers(policy);
    const owners = { problem: 'the base branch has no CODEOWNERS file', truncated: false };
    expect(comment).toContain(`Who can approve: ${rule}.`);
    expect(checkRun(decision, policy, owners, PULL).summary).toContain(rule);
    const gate = { runId: 555, environment: 'production', sha: HEAD };
    expect(pendingNotice(decision, policy, owners, gate)).toContain(rule);
    expect(gateStatus(decision, policy, 7)).toContain(
      describeApprovers(policy, { quote: (t) => t }),
    );

    // The sentence follows the policy: sources, author, write access, required count.
    expect(rule).toBe(sentence);
    // The command to type is the policy's, in the comment and in the check.
    expect(comment).toContain(`\`\`\`\n${policy.command}`);
  },
);
