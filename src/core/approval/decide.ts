import { normalizePrincipal, type Config } from '../config.js';
import type { MarkerProject } from '../marker.js';
import { digestHex, shortDigest } from '../plan/model.js';
import { atLeast } from '../risk/types.js';
import type { CommentLike, TrustedSummary } from '../summaries.js';
import { formatOwner, ownersFor, type Owner, type Rule } from './codeowners.js';
import { parseCommand } from './command.js';

// The approval decision: one pure function over what GitHub says about a pull request. The app
// gathers the inputs (and nothing else), calls decide(), and acts on the result. Like
// policy-bot, every approval is a candidate first; each candidate that does not count carries
// the reason the user is told.

export interface ApprovalComment extends CommentLike {
  body?: string | null;
  created_at: string;
  author_association?: string;
}

export interface ApprovalInput {
  config: Config;
  pull: { number: number; author: string; headSha: string };
  /** Trusted summaries (bot-authored, one marker each) on the PR. */
  summaries: readonly TrustedSummary[];
  comments: readonly ApprovalComment[];
  /** Rules of the base branch's CODEOWNERS; null when there is none. */
  codeowners: readonly Rule[] | null;
  changedFiles: readonly string[];
  /** The files API stops at 3,000 files; past that the owners of the rest are unknown. */
  changedFilesTruncated: boolean;
  /** Team memberships the adapter looked up: key `org/slug`, value the member logins. */
  teamMembers: ReadonlyMap<string, ReadonlySet<string>>;
}

export type DecisionState = 'not-required' | 'approved' | 'pending' | 'no-summary';

export interface ProjectDecision {
  name: string;
  digest: string;
  level: MarkerProject['level'];
  destroyCount: number;
  requiresApproval: boolean;
  /** Logins whose approvals count for this project, in order. */
  approvedBy: string[];
  /** The comment that carries each counted approval (the latest one per login). */
  approvals: { login: string; commentId: number }[];
  missing: number;
  /** When the summary for the current head was written: approvals must be newer. */
  since: string;
}

export interface Refusal {
  commentId: number;
  login: string;
  reason: string;
}

export interface Decision {
  state: DecisionState;
  headSha: string;
  required: number;
  projects: ProjectDecision[];
  refused: Refusal[];
  /** Who could still approve, as `@login` / `@org/team`. */
  eligible: string[];
  /** One line for check titles and protection-rule comments. */
  summary: string;
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
    'Not in `approval.approvers`, and the base branch has no CODEOWNERS file to find owners in (none, or one of 3 MB or more, which GitHub ignores)',
  truncated: () =>
    'Cannot be checked as a code owner: this pull request changes more than 3,000 files, beyond what GitHub lists, so only `approval.approvers` may approve',
  notCollaborator: () => 'Not a member or collaborator of this repository',
  noSummary: () => 'there is no plangate summary for the current head commit yet',
  stale: (sha: string) =>
    `this approval was written before the plan for the current head ${sha.slice(0, 7)} was summarized; approve the current plan again`,
  wrongDigest: (given: string, actual: string) =>
    `the digest ${given} is not the current plan's digest ${actual}`,
  needDigest: (actual: string) =>
    `this repository requires the plan digest in the approval: comment \`COMMAND ${actual}\``,
  unknownProject: (project: string, known: string[]) =>
    `there is no project '${project}' in this pull request's plan (projects: ${known.join(', ') || 'none'})`,
} as const;

export function decide(input: ApprovalInput): Decision {
  const { config, pull } = input;
  const required = config.approval.required;
  const projects = currentProjects(input.summaries, pull.headSha);
  const refused: Refusal[] = [];
  const eligible = eligibleApprovers(input);

  if (projects.length === 0) {
    for (const c of commandComments(input)) {
      if (c.parsed.type === 'command' && c.parsed.action === 'approve') {
        refused.push({ commentId: c.comment.id, login: c.login, reason: REFUSE.noSummary() });
      }
    }
    return {
      state: 'no-summary',
      headSha: pull.headSha,
      required,
      projects: [],
      refused,
      eligible,
      summary: `No plangate summary for ${pull.headSha.slice(0, 7)}: the plan job has not reported for this commit (run or re-run it: summaries from plangate before v2 do not count).`,
    };
  }

  const decisions: ProjectDecision[] = projects.map(({ project, since }) => ({
    name: project.name,
    digest: project.digest,
    level: project.level,
    destroyCount: project.destroyCount,
    requiresApproval: needsApproval(project, config),
    approvedBy: [],
    approvals: [],
    missing: 0,
    since,
  }));
  const names = decisions.map((d) => d.name);
  // Per project, the logins whose latest command is an approval that counts.
  const approvals = new Map<string, Map<string, number>>(names.map((n) => [n, new Map()]));

  for (const { comment, login, parsed } of commandComments(input)) {
    const refuse = (reason: string) => refused.push({ commentId: comment.id, login, reason });
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
    const who = eligibility(login, comment, input);
    if (who) {
      refuse(who);
      continue;
    }
    for (const d of targets) {
      const reason = bindingRefusal(comment, parsed.digest, d, config, pull.headSha);
      if (reason && targets.length === 1) refuse(reason);
      else if (reason && targets.length > 1) refuse(`project '${d.name}': ${reason}`);
      else approvals.get(d.name)!.set(login, comment.id);
    }
  }

  for (const d of decisions) {
    d.approvedBy = [...approvals.get(d.name)!.keys()];
    d.approvals = [...approvals.get(d.name)!].map(([login, commentId]) => ({ login, commentId }));
    d.missing = d.requiresApproval ? Math.max(0, required - d.approvedBy.length) : 0;
  }
  const needing = decisions.filter((d) => d.requiresApproval);
  const state: DecisionState =
    needing.length === 0
      ? 'not-required'
      : needing.every((d) => d.missing === 0)
        ? 'approved'
        : 'pending';
  return {
    state,
    headSha: pull.headSha,
    required,
    projects: decisions,
    refused,
    eligible,
    summary: summaryLine(state, decisions, required),
  };
}

/** The app's own config decides what needs approval; the marker's own claim can only add to it. */
export function needsApproval(p: MarkerProject, config: Config): boolean {
  const when = config.approval.when;
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

function commandComments(input: Pick<ApprovalInput, 'config' | 'comments'>) {
  const command = input.config.approval.command;
  return [...input.comments]
    .filter((c) => c.user && !isBot(c.user))
    .sort((a, b) =>
      a.created_at === b.created_at ? a.id - b.id : a.created_at < b.created_at ? -1 : 1,
    )
    .map((comment) => ({
      comment,
      login: foldLogin(comment.user!.login),
      parsed: parseCommand(comment.body, { command }),
    }))
    .filter((c) => c.parsed.type !== 'ignore');
}

/**
 * A login for comparison: GitHub logins are ASCII and case-insensitive, so only A-Z is folded.
 * Unicode lower-casing would turn look-alikes into real logins (the Kelvin sign U+212A lowers to
 * `k`, so a `\u212Aate` would become the owner `kate`); folded this way they stay different.
 */
export function foldLogin(login: string): string {
  return login.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

function isBot(user: { login: string; type?: string }): boolean {
  return user.type === 'Bot' || user.login.endsWith('[bot]');
}

/** Why this person may not approve at all, or undefined when they may. */
function eligibility(
  login: string,
  comment: ApprovalComment,
  input: ApprovalInput,
): string | undefined {
  const { config, pull } = input;
  if (!config.approval.allow_author && login === foldLogin(pull.author)) return REFUSE.author();
  if (inApprovers(login, input)) return undefined;
  if (config.approval.codeowners) {
    if (input.changedFilesTruncated) return REFUSE.truncated();
    if (!input.codeowners) return REFUSE.noCodeowners();
    return ownsAChangedFile(login, input) ? undefined : REFUSE.notOwner();
  }
  if (config.approval.approvers.length > 0) return REFUSE.notOwner();
  // Neither owners nor a list: anyone with a stake in the repository, never a drive-by account.
  const assoc = comment.author_association ?? 'NONE';
  return ['OWNER', 'MEMBER', 'COLLABORATOR'].includes(assoc) ? undefined : REFUSE.notCollaborator();
}

function inApprovers(login: string, input: ApprovalInput): boolean {
  return input.config.approval.approvers.some((a) => {
    const p = normalizePrincipal(a);
    return p.includes('/') ? (input.teamMembers.get(p)?.has(login) ?? false) : p === login;
  });
}

function ownerMatches(owner: Owner, login: string, teams: ApprovalInput['teamMembers']): boolean {
  return owner.kind === 'user'
    ? owner.login === login
    : (teams.get(`${owner.org}/${owner.slug}`)?.has(login) ?? false);
}

function ownsAChangedFile(login: string, input: ApprovalInput): boolean {
  return changedFileOwners(input).some((o) => ownerMatches(o, login, input.teamMembers));
}

/** Distinct owners of the changed files under the base-branch CODEOWNERS. */
export function changedFileOwners(
  input: Pick<ApprovalInput, 'codeowners' | 'changedFiles'>,
): Owner[] {
  if (!input.codeowners) return [];
  const seen = new Map<string, Owner>();
  for (const f of input.changedFiles) {
    for (const o of ownersFor(input.codeowners, f) ?? []) seen.set(formatOwner(o), o);
  }
  return [...seen.values()];
}

/**
 * The people whose team memberships decide() may need: authors of approve commands while a
 * summary for the head exists, lowercased, without the PR author when the author may not approve
 * (decide() refuses them before looking at teams). The adapter asks each team in teamsToResolve()
 * about each of them, and about nobody else.
 */
export function approvalCandidates(
  input: Pick<ApprovalInput, 'config' | 'pull' | 'summaries' | 'comments'>,
): string[] {
  if (currentProjects(input.summaries, input.pull.headSha).length === 0) return [];
  const author = foldLogin(input.pull.author);
  const out = new Set<string>();
  for (const c of commandComments(input)) {
    if (c.parsed.type !== 'command' || c.parsed.action !== 'approve') continue;
    if (c.login === author && !input.config.approval.allow_author) continue;
    out.add(c.login);
  }
  return [...out].sort();
}

/** Teams whose membership decide() needs: owning teams of changed files and approver teams. */
export function teamsToResolve(
  input: Pick<ApprovalInput, 'codeowners' | 'changedFiles' | 'config'>,
): string[] {
  const teams = new Set<string>();
  if (input.config.approval.codeowners) {
    for (const o of changedFileOwners(input))
      if (o.kind === 'team') teams.add(`${o.org}/${o.slug}`);
  }
  for (const a of input.config.approval.approvers) {
    const p = normalizePrincipal(a);
    if (p.includes('/')) teams.add(p);
  }
  return [...teams].sort();
}

/** Why an otherwise valid approver's comment does not bind to this project's current plan. */
function bindingRefusal(
  comment: ApprovalComment,
  digest: string | undefined,
  d: ProjectDecision,
  config: Config,
  headSha: string,
): string | undefined {
  if (!(comment.created_at > d.since)) return REFUSE.stale(headSha);
  if (digest !== undefined && !digestHex(d.digest).startsWith(digest)) {
    return REFUSE.wrongDigest(digest, shortDigest(d.digest));
  }
  if (digest === undefined && config.approval.confirm_digest) {
    return REFUSE.needDigest(shortDigest(d.digest)).replace('COMMAND', config.approval.command);
  }
  return undefined;
}

function eligibleApprovers(input: ApprovalInput): string[] {
  const author = foldLogin(input.pull.author);
  const out = new Set<string>();
  if (input.config.approval.codeowners && !input.changedFilesTruncated) {
    for (const o of changedFileOwners(input)) {
      if (o.kind === 'user' && o.login === author && !input.config.approval.allow_author) continue;
      out.add(formatOwner(o));
    }
  }
  for (const a of input.config.approval.approvers) {
    const p = normalizePrincipal(a);
    if (p === author && !input.config.approval.allow_author) continue;
    out.add(`@${p}`);
  }
  return [...out];
}

function summaryLine(state: DecisionState, projects: ProjectDecision[], required: number): string {
  if (state === 'not-required') return 'The current plan needs no approval.';
  const parts = projects
    .filter((p) => p.requiresApproval)
    .map((p) => {
      const who = p.approvedBy.length ? ` by ${p.approvedBy.map((l) => `@${l}`).join(', ')}` : '';
      return `${projects.length > 1 ? `${p.name}: ` : ''}${p.approvedBy.length}/${required} approvals${who}`;
    });
  return state === 'approved'
    ? `Approved: ${parts.join('; ')}.`
    : `Waiting for approval: ${parts.join('; ')}.`;
}
