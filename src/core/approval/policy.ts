import { DEFAULT_CONFIG, type ApprovalLevel, type Config } from '../config.js';
import { isTeam, normalizePrincipal } from '../principal.js';
import { commandTokens } from './command.js';
import { ownedPolicies, type OwnedPolicy } from './policy-owners.js';

// The approval policy: what `approval` in the base-branch config means, built once and passed
// whole to decide(), to the renderers (PR comment, job summary, terminal) and to the app's
// messages (check run, replies, notices, deployment reviews). "Who may approve" is answered by
// one function (whoMayApprove) and put into words by one (describeApprovers), so the comment,
// the check and the app's replies cannot disagree.

export interface ApprovalPolicy {
  /** The approve command, e.g. `/approve-destroy`, and the revoke command derived from it. */
  command: string;
  revoke: string;
  /** Distinct approvers needed. */
  required: number;
  /** Code owners (base-branch CODEOWNERS) of the changed files may approve. */
  codeowners: boolean;
  /** When not empty, only owners of changed files matching these patterns count. */
  ownerPaths: readonly string[];
  /** Listed users and `org/team`s, normalized (no `@`, A-Z folded). */
  approvers: readonly string[];
  allowAuthor: boolean;
  confirmDigest: boolean;
  when: { destroys: boolean; level: ApprovalLevel };
  /** The config's policies that have owners: one of them approves when the policy fires. */
  policies: readonly OwnedPolicy[];
  /** Monorepo projects (`projects:`), each approved under its own policy; none by default. */
  projects: readonly ProjectPolicy[];
}

/** A project of `projects:`: its paths (CODEOWNERS patterns) and its own approval policy. */
export interface ProjectPolicy {
  name: string;
  paths: readonly string[];
  policy: ApprovalPolicy;
}

export function approvalPolicy(
  config: Pick<Config, 'approval'> & Partial<Pick<Config, 'policies' | 'projects'>>,
): ApprovalPolicy {
  const projects = (config.projects ?? []).map((p) => {
    // A project's approval holds only the keys it overrides (its schema has no defaults).
    const own = p.approval as Partial<Config['approval']> | undefined;
    const approval = {
      ...config.approval,
      ...own,
      when: { ...config.approval.when, ...own?.when },
    };
    return {
      name: p.name,
      paths: p.paths,
      policy: approvalPolicy({ approval, policies: config.policies }),
    };
  });
  return { ...basePolicy(config), projects };
}

function basePolicy(
  config: Pick<Config, 'approval'> & Partial<Pick<Config, 'policies'>>,
): Omit<ApprovalPolicy, 'projects'> {
  const a = config.approval;
  return {
    command: a.command,
    revoke: commandTokens(a.command).revoke,
    required: a.required,
    codeowners: a.codeowners,
    ownerPaths: a.owner_paths ?? [],
    approvers: a.approvers.map(normalizePrincipal),
    allowAuthor: a.allow_author,
    confirmDigest: a.confirm_digest,
    when: a.when,
    policies: ownedPolicies(config.policies),
  };
}

/** The policy of the default config (no `.github/applygate.yml`). */
export const DEFAULT_POLICY: ApprovalPolicy = approvalPolicy(DEFAULT_CONFIG);

/** Where approvers come from, in the order they are told. */
export type ApproverSource =
  | { kind: 'codeowners'; paths: readonly string[] }
  | { kind: 'users'; logins: readonly string[] }
  | { kind: 'teams'; teams: readonly string[] }
  /** Neither owners nor a list: anyone with write access to the repository. */
  | { kind: 'writers' };

export interface WhoMayApprove {
  sources: ApproverSource[];
  /** The pull request's author is excluded. */
  notAuthor: boolean;
  required: number;
}

/** The one answer to "who may approve", from the policy alone. */
export function whoMayApprove(policy: ApprovalPolicy): WhoMayApprove {
  const sources: ApproverSource[] = [];
  if (policy.codeowners) sources.push({ kind: 'codeowners', paths: policy.ownerPaths });
  const users = policy.approvers.filter((p) => !isTeam(p));
  const teams = policy.approvers.filter(isTeam);
  if (users.length > 0) sources.push({ kind: 'users', logins: users });
  if (teams.length > 0) sources.push({ kind: 'teams', teams });
  if (sources.length === 0) sources.push({ kind: 'writers' });
  return { sources, notAuthor: !policy.allowAuthor, required: policy.required };
}

export interface DescribeOptions {
  /** Quote a name (login, team, path) for the output at hand; default: a Markdown code span. */
  quote?: (text: string) => string;
  /** List at most this many names per source, then "and N more". Default 20. */
  maxNames?: number;
}

/**
 * "Who may approve" in one sentence, e.g. "code owners of the changed files (base-branch
 * CODEOWNERS), or `@dba-dana`, other than the author of the pull request, while they have write
 * access; approvals needed: 2". Names are quoted, never mentions.
 */
export function describeApprovers(policy: ApprovalPolicy, opts: DescribeOptions = {}): string {
  const quote = opts.quote ?? ((t: string) => `\`${t}\``);
  const max = opts.maxNames ?? 20;
  const list = (names: readonly string[]) => {
    const shown = names.slice(0, max).map(quote);
    const more = names.length - shown.length;
    return shown.join(', ') + (more > 0 ? ` and ${more} more` : '');
  };
  const who = whoMayApprove(policy);
  const parts = who.sources.map((s) => {
    switch (s.kind) {
      case 'codeowners':
        return s.paths.length > 0
          ? `code owners (base-branch CODEOWNERS) of changed files matching ${list(s.paths)}`
          : 'code owners of the changed files (base-branch CODEOWNERS)';
      case 'users':
        return list(s.logins.map((l) => `@${l}`));
      case 'teams':
        return `members of ${list(s.teams.map((t) => `@${t}`))}`;
      case 'writers':
        return 'anyone with write access to the repository';
    }
  });
  const access = who.sources.some((s) => s.kind === 'writers')
    ? ''
    : ', while they have write access to the repository';
  const author = who.notAuthor ? ', other than the author of the pull request' : '';
  return `${parts.join(', or ')}${author}${access}; approvals needed: ${who.required}`;
}
