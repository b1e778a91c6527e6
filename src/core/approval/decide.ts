import type { MarkerProject } from '../marker.js';
import { digestHex, shortDigest } from '../plan/model.js';
import { atLeast } from '../risk/types.js';
import type { CommentLike, TrustedSummary } from '../summaries.js';
import { foldLogin, isBotUser, isTeam, sameLogin } from '../principal.js';
import {
  CODEOWNERS_MAX_SIZE,
  formatOwner,
  MAX_LISTED_FILES_TEXT,
  ownersFor,
  type Owner,
  type Rule,
} from './codeowners.js';
import { newestCommand, parseCommand } from './command.js';
import type { ApprovalPolicy } from './policy.js';
import { firedOwnedPolicies, policyRoutes, type OwnedPolicy } from './policy-owners.js';
import { allScopes, filesMatching, scopedTo } from './scope.js';

// The approval decision: one pure function over what GitHub says about a pull request. The app
// gathers the inputs (and nothing else), calls decide(), and acts on the result. Like
// policy-bot, every approval is a candidate first; each candidate that does not count carries
// the reason the user is told.
//
// Comments are trusted only as GitHub first recorded them. Anyone with write access can edit any
// comment, and the REST API does not say who edited it or what it said before; a comment whose
// `updated_at` differs from its `created_at` (or that a webhook reported edited) was edited. An
// edited comment never approves, and it withdraws every earlier approval of its author (it may
// have been their /revoke-destroy, or their approval, before the edit).

export interface ApprovalComment extends CommentLike {
  body?: string | null;
  created_at: string;
  author_association?: string;
}

export interface ApprovalInput {
  policy: ApprovalPolicy;
  pull: { number: number; author: string; headSha: string };
  /** Trusted summaries (bot-authored, one marker each) on the PR. */
  summaries: readonly TrustedSummary[];
  comments: readonly ApprovalComment[];
  /** Rules of the base branch's CODEOWNERS; null when there is none. */
  codeowners: readonly Rule[] | null;
  changedFiles: readonly string[];
  /** The files API stops at MAX_LISTED_FILES; past that the owners of the rest are unknown. */
  changedFilesTruncated: boolean;
  /** Team memberships the adapter looked up: key `org/slug`, value the member logins. */
  teamMembers: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Who has write access to the repository now, as the adapter looked it up (accessToCheck):
   * logins whose collaborator permission is write, maintain or admin, and `org/slug` teams whose
   * repository permission is. Anyone not in here does not count.
   */
  writeAccess: { users: ReadonlySet<string>; teams: ReadonlySet<string> };
  /** Comments a webhook reported edited (their timestamps may not show it). */
  editedIds?: ReadonlySet<number>;
}

export type DecisionState = 'not-required' | 'approved' | 'pending' | 'no-summary' | 'not-gated';

export interface ProjectDecision {
  name: string;
  digest: string;
  level: MarkerProject['level'];
  destroyCount: number;
  requiresApproval: boolean;
  /** Distinct approvers this project needs (its own `approval.required` under `projects:`). */
  required: number;
  /** Who may approve this project, as `@login` / `@org/team` (before write access). */
  eligible: string[];
  /** Logins whose approvals count for this project, in order. */
  approvedBy: string[];
  /** The comment that carries each counted approval (the latest one per login), and when. */
  approvals: { login: string; commentId: number; at: string }[];
  missing: number;
  /** When the summary for the current head was written: approvals must be newer. */
  since: string;
  /** From the marker v2: the hashes of the destroy set and of the high-risk findings. */
  destroySet: string;
  riskSet: string;
  /** The marker's lines of both sets, which hash to them (or are marked cut): what the app shows. */
  bound: Pick<MarkerProject, 'destroys' | 'risks' | 'cut'>;
  /** Policies with owners that fired in this plan: each needs one of its owners' approval. */
  policies: PolicyDecision[];
}

export interface PolicyDecision extends OwnedPolicy {
  /** Owners whose approval counts for this policy. */
  approvedBy: string[];
}

export interface RefusedCommand {
  commentId: number;
  login: string;
  reason: string;
}

export interface ApprovalDecision {
  state: DecisionState;
  headSha: string;
  required: number;
  projects: ProjectDecision[];
  refused: RefusedCommand[];
  /** Who could still approve, as `@login` / `@org/team`. */
  eligible: string[];
  /** One line for check titles and protection-rule comments. */
  summary: string;
  /** The newest command among the comments decided from (the ledger records it). */
  newestCommand?: { commentId: number; at: string } | null;
}

/** Every reason an approval does not count, in one place. */
export const REFUSE = {
  nearMiss: (message: string) => message,
  bot: () => 'bots cannot approve',
  author: () =>
    'The author of a pull request may not approve its destroy (`approval.allow_author` is false): someone else must approve',
  notOwner: () =>
    'Not a code owner of any changed file (base-branch CODEOWNERS) and not in `approval.approvers`',
  noCodeowners: () =>
    `Not in \`approval.approvers\`, and the base branch has no CODEOWNERS file to find owners in (none, or one of ${CODEOWNERS_MAX_SIZE} or more, which GitHub ignores)`,
  truncated: () =>
    `Cannot be checked as a code owner: this pull request changes more than ${MAX_LISTED_FILES_TEXT} files, beyond what GitHub lists, so only \`approval.approvers\` may approve`,
  noWriteAccess: () =>
    'Has no write access to this repository now (collaborator permission write, maintain or admin, or through the owning team), which GitHub also requires of code owners',
  edited: () =>
    'This comment was edited, and an edited comment never approves (anyone with write access can edit any comment): write the command in a new comment',
  noSummary: () => 'there is no applygate summary for the current head commit yet',
  stale: (sha: string) =>
    `this approval was written before the plan for the current head ${sha.slice(0, 7)} was summarized; approve the current plan again`,
  wrongDigest: (given: string, actual: string) =>
    `the digest ${given} is not the current plan's digest ${actual}`,
  needDigest: (actual: string) =>
    `this repository requires the plan digest in the approval: comment \`COMMAND ${actual}\``,
  unknownProject: (project: string, known: string[]) =>
    `there is no project '${project}' in this pull request's plan (projects: ${known.join(', ') || 'none'})`,
} as const;

export function decide(input: ApprovalInput): ApprovalDecision {
  const { policy, pull } = input;
  const eligible = [...new Set(allScopes(input).flatMap(eligibleApprovers))];
  const projects = currentProjects(input.summaries, pull.headSha);
  if (projects.length === 0) return noSummary(input, eligible);

  const decisions = projects.map(({ project, since }) =>
    projectDecision(project, since, scopedTo(input, project.name)),
  );
  const { approvals, refused } = countApprovals(input, decisions);
  for (const d of decisions) tally(d, approvals.get(d.name)!);
  const needing = decisions.filter((d) => d.requiresApproval);
  const state: DecisionState =
    needing.length === 0
      ? 'not-required'
      : needing.every((d) => d.missing === 0 && policiesMissing(d).length === 0)
        ? 'approved'
        : 'pending';
  return {
    newestCommand: newestCommand(input.comments, policy.command),
    state,
    headSha: pull.headSha,
    required: policy.required,
    projects: decisions,
    refused,
    eligible,
    summary: summaryLine(state, decisions),
  };
}

/** No summary for the head: nothing to approve, and every approve command is told so. */
function noSummary(input: ApprovalInput, eligible: string[]): ApprovalDecision {
  const refused: RefusedCommand[] = [];
  for (const c of commandComments(input)) {
    if (c.parsed.type === 'command' && c.parsed.action === 'approve') {
      refused.push({ commentId: c.comment.id, login: c.login, reason: REFUSE.noSummary() });
    }
  }
  return {
    state: 'no-summary',
    headSha: input.pull.headSha,
    required: input.policy.required,
    projects: [],
    refused,
    eligible,
    summary: noSummaryLine(input.pull.headSha.slice(0, 7)),
  };
}

/** A project of the current summary, before any approval is counted. */
function projectDecision(
  project: MarkerProject,
  since: string,
  scope: ApprovalInput,
): ProjectDecision {
  const { policy } = scope;
  const policies = firedOwnedPolicies(project, policy.policies);
  return {
    name: project.name,
    digest: project.digest,
    level: project.level,
    destroyCount: project.destroyCount,
    requiresApproval: needsApproval(project, policy) || policies.length > 0,
    required: policy.required,
    eligible: eligibleApprovers(scope),
    approvedBy: [],
    approvals: [],
    missing: 0,
    since,
    destroySet: project.destroySet,
    riskSet: project.riskSet,
    bound: { destroys: project.destroys, risks: project.risks, cut: project.cut },
    policies: policies.map((p) => ({ ...p, approvedBy: [] })),
  };
}

/**
 * Walk the commands oldest first: per project, the logins whose latest command is an approval
 * that counts (as a usual approver, and for which of the project's owned policies); every
 * command that does not count, with the reason.
 */
function countApprovals(
  input: ApprovalInput,
  decisions: readonly ProjectDecision[],
): { approvals: Map<string, Map<string, Counted>>; refused: RefusedCommand[] } {
  const { pull } = input;
  const refused: RefusedCommand[] = [];
  const names = decisions.map((d) => d.name);
  // Each project under its own policy and its own changed files (`projects:`; scope.ts).
  const scopes = new Map(names.map((n) => [n, scopedTo(input, n)]));
  const scope = (name: string) => scopes.get(name)!;
  const approvals = new Map<string, Map<string, Counted>>(names.map((n) => [n, new Map()]));

  for (const { comment, login, parsed, edited } of commandComments(input)) {
    const refuse = (reason: string) => refused.push({ commentId: comment.id, login, reason });
    if (edited) {
      for (const d of decisions) approvals.get(d.name)!.delete(login);
      if (parsed.type === 'command' && parsed.action === 'approve') refuse(REFUSE.edited());
      continue;
    }
    if (parsed.type === 'reply') {
      refuse(REFUSE.nearMiss(parsed.message));
      continue;
    }
    if (parsed.type !== 'command') continue;
    if (parsed.project !== undefined && !names.includes(parsed.project)) {
      refuse(REFUSE.unknownProject(parsed.project, names));
      continue;
    }
    const targets = decisions.filter(
      (d) => parsed.project === undefined || d.name === parsed.project,
    );
    if (parsed.action === 'revoke') {
      for (const d of targets) approvals.get(d.name)!.delete(login);
      continue;
    }
    // Written before the current summary of every project it names: stale, whoever wrote it.
    if (targets.every((d) => !writtenAfter(comment, d.since))) {
      refuse(REFUSE.stale(pull.headSha));
      continue;
    }
    // Why this person is no usual approver of each project (undefined: they are).
    const whyNot = new Map(targets.map((d) => [d.name, eligibility(login, scope(d.name))]));
    // A policy's owner approves for that policy even when not a usual approver.
    const owned = (d: ProjectDecision) =>
      isBarredAuthor(login, scope(d.name))
        ? []
        : d.policies.filter((p) => ownsWithAccess(login, p, input));
    const counts = (d: ProjectDecision) => !whyNot.get(d.name) || owned(d).length > 0;
    const reasons = new Set(targets.filter((d) => !counts(d)).map((d) => whyNot.get(d.name)!));
    if (!targets.some(counts) && reasons.size === 1) {
      refuse([...reasons][0]!);
      continue;
    }
    for (const d of targets) {
      const reason = counts(d)
        ? bindingRefusal(comment, parsed.digest, d, scope(d.name).policy, pull.headSha)
        : whyNot.get(d.name);
      if (reason && targets.length === 1) refuse(reason);
      else if (reason && targets.length > 1) refuse(`project '${d.name}': ${reason}`);
      else {
        const usual = !whyNot.get(d.name);
        approvals.get(d.name)!.set(login, { comment, usual, policies: owned(d).map((p) => p.id) });
      }
    }
  }
  return { approvals, refused };
}

/** Record a project's counted approvals and how many are still missing. */
function tally(d: ProjectDecision, counted: ReadonlyMap<string, Counted>): void {
  const all = [...counted];
  d.approvedBy = all.filter(([, c]) => c.usual).map(([login]) => login);
  d.approvals = all.map(([login, c]) => ({
    login,
    commentId: c.comment.id,
    at: c.comment.created_at,
  }));
  for (const p of d.policies) {
    p.approvedBy = all.filter(([, c]) => c.policies.includes(p.id)).map(([login]) => login);
  }
  d.missing = d.requiresApproval ? Math.max(0, d.required - d.approvedBy.length) : 0;
}

/**
 * Whether a command was written after the summary it would approve (`since`): one written
 * before (or in the same second) approves an earlier plan, whoever wrote it.
 */
function writtenAfter(comment: Pick<ApprovalComment, 'created_at'>, since: string): boolean {
  return comment.created_at > since;
}

/** Whether `login` is the pull request's author and the policy does not let the author approve. */
function isBarredAuthor(login: string, input: Pick<ApprovalInput, 'policy' | 'pull'>): boolean {
  return !input.policy.allowAuthor && sameLogin(login, input.pull.author);
}

/**
 * The owners of relevant changed files whose approval counts: none when the policy does not use
 * CODEOWNERS, or when GitHub lists only part of the files (more than MAX_LISTED_FILES), since the
 * owners of the rest are unknown.
 */
function countingOwners(
  input: Pick<ApprovalInput, 'codeowners' | 'changedFiles' | 'changedFilesTruncated' | 'policy'>,
): Owner[] {
  return input.policy.codeowners && !input.changedFilesTruncated ? changedFileOwners(input) : [];
}

/**
 * The decision for a pull request into a base branch that is not gated (neither the default
 * branch nor in `gate.base_branches`): its config and CODEOWNERS are not trusted, nothing in it
 * counts, and it approves no deployment.
 */
export function notGated(headSha: string, baseRef: string, required: number): ApprovalDecision {
  return {
    state: 'not-gated',
    headSha,
    required,
    projects: [],
    refused: [],
    eligible: [],
    summary: `Not gated: ${notGatedWhy(baseRef)}, so this pull request approves no deployment.`,
  };
}

/** "No summary for this head": the decision's line and the check's (`sha` as it is to be shown). */
export function noSummaryLine(sha: string): string {
  return `No applygate summary for ${sha}: the plan job has not reported for this commit (run or re-run it: summaries from applygate before v2 do not count).`;
}

/** Why a pull request into `baseRef` is not gated: the decision's line and the deployment's. */
export function notGatedWhy(baseRef: string): string {
  return `the base branch ${JSON.stringify(baseRef).slice(0, 120)} is neither the default branch nor in \`gate.base_branches\``;
}

/** The app's own config decides what needs approval; the marker's own claim can only add to it. */
export function needsApproval(p: MarkerProject, policy: Pick<ApprovalPolicy, 'when'>): boolean {
  const when = policy.when;
  return (
    p.requiresApproval ||
    (when.destroys && p.destroyCount > 0) ||
    (when.level !== 'never' && atLeast(p.level, when.level))
  );
}

function currentProjects(summaries: readonly TrustedSummary[], headSha: string) {
  const byName = new Map<string, { project: MarkerProject; since: string }>();
  for (const s of summaries) {
    if (s.marker.headSha !== headSha) continue;
    const since = s.comment.updated_at ?? s.comment.created_at ?? '';
    for (const project of s.marker.projects) {
      const prev = byName.get(project.name);
      if (!prev || since > prev.since) byName.set(project.name, { project, since });
    }
  }
  return [...byName.values()].sort((a, b) => a.project.name.localeCompare(b.project.name));
}

/** Whether a comment was edited since GitHub first recorded it. */
export function wasEdited(
  c: Pick<ApprovalComment, 'id' | 'created_at' | 'updated_at'>,
  editedIds?: ReadonlySet<number>,
): boolean {
  return (
    (editedIds?.has(c.id) ?? false) || (c.updated_at !== undefined && c.updated_at !== c.created_at)
  );
}

function commandComments(input: Pick<ApprovalInput, 'policy' | 'comments' | 'editedIds'>) {
  const command = input.policy.command;
  return [...input.comments]
    .filter((c) => c.user && !isBotUser(c.user))
    .sort((a, b) =>
      a.created_at === b.created_at ? a.id - b.id : a.created_at < b.created_at ? -1 : 1,
    )
    .map((comment) => ({
      comment,
      login: foldLogin(comment.user!.login),
      parsed: parseCommand(comment.body, { command }),
      edited: wasEdited(comment, input.editedIds),
    }))
    .filter((c) => c.edited || c.parsed.type !== 'ignore');
}

/** An approval that counts for a project: as a usual approver, and for which policies. */
interface Counted {
  comment: ApprovalComment;
  usual: boolean;
  policies: string[];
}

/** The project's fired policies that no owner has approved yet. */
export function policiesMissing(d: Pick<ProjectDecision, 'policies'>): PolicyDecision[] {
  return d.policies.filter((p) => p.approvedBy.length === 0);
}

/** Whether `login` owns `policy` through a user or team that has write access now. */
function ownsWithAccess(login: string, policy: OwnedPolicy, input: ApprovalInput): boolean {
  const { writeAccess } = input;
  return policyRoutes(login, policy, input.teamMembers).some((r) =>
    r.kind === 'user' ? writeAccess.users.has(r.login) : writeAccess.teams.has(r.team),
  );
}

/** A way someone may approve: as themselves (a listed or owning user) or through a team. */
export type Route = { kind: 'user'; login: string } | { kind: 'team'; team: string };

/**
 * Every principal through which `login` may approve under the policy, before write access is
 * checked: a listed user or team, an owning user or team of a relevant changed file, or (with
 * neither owners nor a list) the login itself as a collaborator. The one place that says who may
 * approve a given pull request; whoMayApprove (policy.ts) says it in general.
 */
export function routes(
  login: string,
  input: Pick<
    ApprovalInput,
    'policy' | 'codeowners' | 'changedFiles' | 'changedFilesTruncated' | 'teamMembers'
  >,
): Route[] {
  const { policy, teamMembers } = input;
  const out: Route[] = [];
  const member = (team: string) => teamMembers.get(team)?.has(login) ?? false;
  for (const p of policy.approvers) {
    if (isTeam(p) ? member(p) : p === login) {
      out.push(isTeam(p) ? { kind: 'team', team: p } : { kind: 'user', login });
    }
  }
  for (const o of countingOwners(input)) {
    if (o.kind === 'user' && o.login === login) out.push({ kind: 'user', login });
    if (o.kind === 'team' && member(`${o.org}/${o.slug}`)) {
      out.push({ kind: 'team', team: `${o.org}/${o.slug}` });
    }
  }
  if (!policy.codeowners && policy.approvers.length === 0) out.push({ kind: 'user', login });
  return out;
}

/** Why this person may not approve at all, or undefined when they may. */
function eligibility(login: string, input: ApprovalInput): string | undefined {
  const { policy, writeAccess } = input;
  if (isBarredAuthor(login, input)) return REFUSE.author();
  const ways = routes(login, input);
  if (ways.length === 0) {
    if (!policy.codeowners) return REFUSE.notOwner();
    if (input.changedFilesTruncated) return REFUSE.truncated();
    if (!input.codeowners) return REFUSE.noCodeowners();
    return REFUSE.notOwner();
  }
  const writes = ways.some((r) =>
    r.kind === 'user' ? writeAccess.users.has(r.login) : writeAccess.teams.has(r.team),
  );
  return writes ? undefined : REFUSE.noWriteAccess();
}

/**
 * The write-access questions decide() needs answered: the users and teams through which the
 * candidates (approvalCandidates) may approve. The adapter asks GitHub about each, every time
 * (a "yes" is never cached), and passes the answers as `writeAccess`.
 */
export function accessToCheck(input: Omit<ApprovalInput, 'writeAccess'>): {
  users: string[];
  teams: string[];
} {
  const users = new Set<string>();
  const teams = new Set<string>();
  for (const login of approvalCandidates(input)) {
    for (const r of [
      ...allScopes(input).flatMap((scope) => routes(login, scope)),
      ...input.policy.policies.flatMap((p) => policyRoutes(login, p, input.teamMembers)),
    ]) {
      if (r.kind === 'user') users.add(r.login);
      else teams.add(r.team);
    }
  }
  return { users: [...users].sort(), teams: [...teams].sort() };
}

/** Distinct owners of the changed files under the base-branch CODEOWNERS. */
export function changedFileOwners(
  input: Pick<ApprovalInput, 'codeowners' | 'changedFiles' | 'policy'>,
): Owner[] {
  if (!input.codeowners) return [];
  const seen = new Map<string, Owner>();
  for (const f of relevantFiles(input.changedFiles, input.policy.ownerPaths)) {
    for (const o of ownersFor(input.codeowners, f) ?? []) seen.set(formatOwner(o), o);
  }
  return [...seen.values()];
}

/**
 * The changed files whose owners count: all of them, or with `approval.owner_paths` only those
 * matching one of its patterns (CODEOWNERS syntax), so that touching README.md does not widen
 * who may approve the database's destroy. An invalid pattern matches nothing (the config
 * validator has already refused it).
 */
export function relevantFiles(files: readonly string[], ownerPaths: readonly string[]): string[] {
  return ownerPaths.length === 0 ? [...files] : filesMatching(files, ownerPaths);
}

/**
 * The people whose team memberships decide() may need: authors of approve commands while a
 * summary for the head exists, lowercased, without the PR author when the author may not approve
 * (decide() refuses them before looking at teams). The adapter asks each team in teamsToResolve()
 * about each of them, and about nobody else.
 */
export function approvalCandidates(
  input: Pick<ApprovalInput, 'policy' | 'pull' | 'summaries' | 'comments' | 'editedIds'>,
): string[] {
  const projects = currentProjects(input.summaries, input.pull.headSha);
  if (projects.length === 0) return [];
  // Approvals written before every current summary are refused as stale, without asking.
  const since = projects.map((p) => p.since).sort()[0]!;
  const out = new Set<string>();
  for (const c of commandComments(input)) {
    if (c.edited || c.parsed.type !== 'command' || c.parsed.action !== 'approve') continue;
    if (!writtenAfter(c.comment, since)) continue;
    // The author is asked about only where some project's policy lets the author approve.
    const policies = [input.policy, ...input.policy.projects.map((p) => p.policy)];
    if (policies.every((policy) => isBarredAuthor(c.login, { ...input, policy }))) continue;
    out.add(c.login);
  }
  return [...out].sort();
}

/**
 * Teams whose membership decide() needs: owning teams of changed files whose owners count
 * (countingOwners), approver teams and policy owner teams.
 */
export function teamsToResolve(
  input: Pick<ApprovalInput, 'codeowners' | 'changedFiles' | 'changedFilesTruncated' | 'policy'>,
): string[] {
  const teams = new Set<string>();
  for (const scope of allScopes(input)) {
    for (const o of countingOwners(scope)) if (o.kind === 'team') teams.add(`${o.org}/${o.slug}`);
    for (const p of scope.policy.approvers) if (isTeam(p)) teams.add(p);
  }
  for (const p of input.policy.policies) for (const o of p.owners) if (isTeam(o)) teams.add(o);
  return [...teams].sort();
}

/** Why an otherwise valid approver's comment does not bind to this project's current plan. */
function bindingRefusal(
  comment: ApprovalComment,
  digest: string | undefined,
  d: ProjectDecision,
  policy: ApprovalPolicy,
  headSha: string,
): string | undefined {
  if (!writtenAfter(comment, d.since)) return REFUSE.stale(headSha);
  if (digest !== undefined && !digestHex(d.digest).startsWith(digest)) {
    return REFUSE.wrongDigest(digest, shortDigest(d.digest));
  }
  if (digest === undefined && policy.confirmDigest) {
    return REFUSE.needDigest(shortDigest(d.digest)).replace('COMMAND', policy.command);
  }
  return undefined;
}

/** The named users and teams who may approve this pull request (before write access). */
function eligibleApprovers(input: ApprovalInput): string[] {
  const out = new Set<string>();
  for (const o of countingOwners(input)) {
    if (o.kind === 'user' && isBarredAuthor(o.login, input)) continue;
    out.add(formatOwner(o));
  }
  for (const p of input.policy.approvers) {
    if (isBarredAuthor(p, input)) continue;
    out.add(`@${p}`);
  }
  return [...out];
}

function summaryLine(state: DecisionState, projects: ProjectDecision[]): string {
  if (state === 'not-required') return 'The current plan needs no approval.';
  const parts = projects
    .filter((p) => p.requiresApproval)
    .map((p) => {
      const who = p.approvedBy.length ? ` by ${p.approvedBy.map((l) => `@${l}`).join(', ')}` : '';
      const owners = p.policies.map(
        (q) =>
          `, policy ${q.id}: ${q.approvedBy.length > 0 ? `approved by ${q.approvedBy.map((l) => `@${l}`).join(', ')}` : `needs one of ${q.owners.map((o) => `@${o}`).join(', ')}`}`,
      );
      return `${projects.length > 1 ? `${p.name}: ` : ''}${p.approvedBy.length}/${p.required} approvals${who}${owners.join('')}`;
    });
  return state === 'approved'
    ? `Approved: ${parts.join('; ')}.`
    : `Waiting for approval: ${parts.join('; ')}.`;
}
