import type { Level } from './risk/types.js';
import { LEVELS } from './risk/types.js';

// The ledger is the app's decision, written into the output text of its own check run on the PR
// head. `verify` (apply job) and `applygate guard` (terminals, agents) read it to learn whether
// code owners approved the plan about to be applied. Only the app that created a check run can
// update it, so a reader trusts a ledger only in a check run of the expected GitHub App; this
// module only encodes and strictly decodes the record (DESIGN.md, "Gate v2", Ledger).

/** The check run that carries the ledger (also what branch protection can require). */
export const LEDGER_CHECK_NAME = 'applygate / destroy approval';
export const LEDGER_VERSION = 1;
const PREFIX = `<!-- applygate-ledger:v${LEDGER_VERSION} `;
const SUFFIX = ' -->';
const LEDGER_RE = new RegExp(`${PREFIX}([A-Za-z0-9_-]*)${SUFFIX}`, 'g');

export type LedgerState = 'approved' | 'pending' | 'not-required';
export const LEDGER_STATES: readonly LedgerState[] = ['approved', 'pending', 'not-required'];

export interface LedgerApproval {
  /** GitHub login as GitHub spells it. */
  login: string;
  /** The `/approve-destroy` comment that counted. */
  commentId: number;
  /** When that comment was written (ISO 8601). */
  at: string;
}

export interface LedgerProject {
  name: string;
  /** The plan's digest v2 (`sha256v2:` and 64 hex). */
  digest: string;
  /** sha256 hex of the sorted `KIND ADDRESS` lines of every delete/replace/forget. */
  destroySet: string;
  /** sha256 hex of the sorted `RULE ADDRESS` lines of every finding at high or above. */
  riskSet: string;
  level: Level;
  requiresApproval: boolean;
  state: LedgerState;
  approvals: LedgerApproval[];
}

/** A command comment, as the ledger names the newest one it considered. */
export interface LedgerCommand {
  commentId: number;
  /** When it was last written (its `updated_at`, ISO 8601). */
  at: string;
}

export interface Ledger {
  headSha: string;
  pull: number;
  baseRef: string;
  projects: LedgerProject[];
  /**
   * The newest command (approve or revoke) on the pull request when the app decided, null when
   * there was none (Gate v3): verify and the guard refuse a ledger older than the pull request's
   * newest command (ledgerIsStale).
   */
  newestCommand?: LedgerCommand | null;
}

export function encodeLedger(ledger: Ledger): string {
  const json = JSON.stringify(ledger);
  return `${PREFIX}${Buffer.from(json, 'utf8').toString('base64url')}${SUFFIX}`;
}

export type LedgerResult =
  | { ok: true; ledger: Ledger }
  | { ok: false; reason: 'none' | 'several' | 'malformed'; detail: string };

/** Find and strictly decode the one ledger line in a check run's output text. */
export function decodeLedger(text: string): LedgerResult {
  const found = [...text.matchAll(LEDGER_RE)];
  if (found.length === 0) {
    return { ok: false, reason: 'none', detail: 'the check run carries no applygate ledger' };
  }
  if (found.length > 1) {
    return { ok: false, reason: 'several', detail: 'the check run carries more than one ledger' };
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(found[0]![1]!, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed', detail: 'the ledger is not valid base64url JSON' };
  }
  const problem = ledgerProblem(value);
  return problem === undefined
    ? { ok: true, ledger: value as Ledger }
    : { ok: false, reason: 'malformed', detail: `the ledger is malformed: ${problem}` };
}

/** The one project of `ledger` named `name`, if any. */
export function ledgerProject(ledger: Ledger, name: string): LedgerProject | undefined {
  return ledger.projects.find((p) => p.name === name);
}

const SHA_RE = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const DIGEST_RE = /^sha256v2:[0-9a-f]{64}$/;
const SET_RE = /^[0-9a-f]{64}$/;
const LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isPositiveInt = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) > 0;

/** Why `x` is not a ledger (a field path and what is wrong), or undefined when it is one. */
function ledgerProblem(x: unknown): string | undefined {
  if (!isObj(x)) return 'not an object';
  if (typeof x.headSha !== 'string' || !SHA_RE.test(x.headSha)) {
    return 'headSha is not a full commit SHA';
  }
  if (!isPositiveInt(x.pull)) return 'pull is not a pull request number';
  if (typeof x.baseRef !== 'string' || x.baseRef === '') return 'baseRef is not a branch name';
  if (!Array.isArray(x.projects) || x.projects.length === 0) return 'projects is empty';
  const n = x.newestCommand;
  if (
    n !== undefined &&
    n !== null &&
    (!isObj(n) ||
      !isPositiveInt(n.commentId) ||
      typeof n.at !== 'string' ||
      Number.isNaN(Date.parse(n.at)))
  ) {
    return 'newestCommand is not {commentId, at}';
  }
  const names = new Set<string>();
  for (const [i, p] of x.projects.entries()) {
    const problem = projectProblem(p);
    if (problem !== undefined) return `projects[${i}].${problem}`;
    const name = (p as LedgerProject).name;
    if (names.has(name)) return `projects[${i}].name repeats ${JSON.stringify(name)}`;
    names.add(name);
  }
  return undefined;
}

function projectProblem(p: unknown): string | undefined {
  if (!isObj(p)) return 'is not an object';
  if (typeof p.name !== 'string' || p.name === '') return 'name is empty';
  if (typeof p.digest !== 'string' || !DIGEST_RE.test(p.digest)) return 'digest is not sha256v2';
  if (typeof p.destroySet !== 'string' || !SET_RE.test(p.destroySet)) {
    return 'destroySet is not a sha256';
  }
  if (typeof p.riskSet !== 'string' || !SET_RE.test(p.riskSet)) return 'riskSet is not a sha256';
  if (!(LEVELS as readonly unknown[]).includes(p.level)) return 'level is not a risk level';
  if (typeof p.requiresApproval !== 'boolean') return 'requiresApproval is not a boolean';
  if (!(LEDGER_STATES as readonly unknown[]).includes(p.state)) return 'state is unknown';
  if (!Array.isArray(p.approvals)) return 'approvals is not a list';
  for (const [i, a] of p.approvals.entries()) {
    if (
      !isObj(a) ||
      typeof a.login !== 'string' ||
      !LOGIN_RE.test(a.login) ||
      !isPositiveInt(a.commentId) ||
      typeof a.at !== 'string' ||
      Number.isNaN(Date.parse(a.at))
    ) {
      return `approvals[${i}] is not {login, commentId, at}`;
    }
  }
  if (p.state === 'approved' && p.requiresApproval && p.approvals.length === 0) {
    return 'state is approved without approvals';
  }
  return undefined;
}

/**
 * Why a ledger is older than the pull request's newest command (`newest`, as newestCommand in
 * core/approval/command.ts finds it), or undefined when it considered exactly that command. A
 * command written, edited or deleted after the app decided means the app has not decided since:
 * the ledger is not believed until it has (a replica that wrote last from an older read).
 */
export function ledgerIsStale(ledger: Ledger, newest: LedgerCommand | null): string | undefined {
  const had = ledger.newestCommand;
  if (had === undefined) {
    return newest === null ? undefined : 'it does not say which commands it considered';
  }
  if (had === null && newest === null) return undefined;
  if (had && newest && had.commentId === newest.commentId && had.at === newest.at) return undefined;
  const now = newest
    ? `comment ${newest.commentId} at ${newest.at}`
    : 'none (a command was deleted)';
  const then = had ? `comment ${had.commentId} at ${had.at}` : 'none';
  return `it was decided before the newest command on the pull request (considered: ${then}; now: ${now})`;
}
