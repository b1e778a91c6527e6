import { linesMissing, setDigest } from './binding.js';
import {
  decodeLedger,
  ledgerIsStale,
  ledgerProject,
  type Ledger,
  type LedgerCommand,
  type LedgerProject,
} from './ledger.js';
import type { MarkerProject } from './marker.js';
import type { ProjectReport } from './report.js';
import { levelRank } from './risk/types.js';

// `verify` (the apply job), as a pure decision (DESIGN.md "Gate v2"). The report is recomputed
// from the plan about to be applied with the default branch's config; nothing the summary
// claims about risk is believed. When that report needs approval, the app's ledger must approve
// this project: same destroySet and riskSet and a level not above the approved one
// (`match: destroys`), or the same digest (`match: exact`). Every failure says what differs.

export type VerifyMatch = 'destroys' | 'exact';

/** The GitHub Actions app: any workflow can create a check run as it, so it never holds a ledger. */
export const ACTIONS_APP_SLUG = 'github-actions';

/**
 * A record that may carry the ledger: a check run with the ledger's name on the PR head, as the
 * API lists it, or the ledger's copy named by a commit status (core/ledger-copy.ts statusRecords).
 */
export interface LedgerCheckRun {
  /** Ascending with time: the highest of the app's records is its latest. */
  id: number;
  /** The GitHub App that created it; undefined for anyone else. */
  appSlug: string | undefined;
  text: string | null | undefined;
  url?: string;
  /** Who created it when no app did (a person's status), to name what was ignored. */
  by?: string;
  /** Why its text cannot be established (a copy whose comment does not match its status). */
  problem?: string;
}

/** The kinds of record pickLedger reads, as its messages name them. */
const RECORD = {
  'check run': { one: 'check run', many: 'check runs', same: 'of the same name', hint: '' },
  status: {
    one: 'commit status',
    many: 'commit statuses',
    same: 'with the same context',
    hint: " The copy a fine-grained token can read is published only with `gate.publish_ledger: true` in the base branch's .github/applygate.yml.",
  },
} as const;

export type LedgerPick =
  { ok: true; ledger: Ledger; run: LedgerCheckRun } | { ok: false; message: string };

/** The one-line fix when `gate.app` is not set, for verify's log and the guard's answer alike. */
export const GATE_APP_FIX =
  "set `gate: { app: <slug> }` in .github/applygate.yml (verify reads the default branch's, the guard the one nearest the command) to the slug of your applygate GitHub App (the name in its URL, github.com/apps/<slug>), so that only that app's record counts";

/** Whether a check run was created by the app `gate.app` names (slugs compare case-blind). */
export function isLedgerApp(appSlug: string | undefined, app: string): boolean {
  return (
    appSlug !== undefined &&
    app !== '' &&
    appSlug.toLowerCase() === app.toLowerCase() &&
    appSlug.toLowerCase() !== ACTIONS_APP_SLUG
  );
}

/**
 * The one rule for which ledger to believe, for verify and the guard alike (DESIGN.md "Gate v3"):
 * among the check runs named LEDGER_CHECK_NAME on `headSha`, only those the app `gate.app` names
 * created (only the app that created a check run can update it), and of those the latest (the
 * highest id), which must decode strictly and be for this head and this pull request. Another
 * app's record is never read, not even when the app's own says pending; without `gate.app` there
 * is no ledger at all. Anything else fails with the cause and the fix.
 */
export function pickLedger(
  runs: readonly LedgerCheckRun[],
  want: {
    headSha: string;
    pull: number;
    app: string;
    /** The pull request's newest command now (newestCommand), when the caller read them. */
    newestCommand?: LedgerCommand | null;
    /** What the records are (default: check runs); only the messages differ. */
    record?: keyof typeof RECORD;
  },
): LedgerPick {
  const kind = RECORD[want.record ?? 'check run'];
  const head = want.headSha.slice(0, 7);
  const app = want.app.trim();
  if (app === '') return { ok: false, message: `gate.app is not set: ${GATE_APP_FIX}` };
  if (app.toLowerCase() === ACTIONS_APP_SLUG) {
    return {
      ok: false,
      message: `gate.app is \`${ACTIONS_APP_SLUG}\`, which every workflow can act as: ${GATE_APP_FIX}`,
    };
  }
  const mine = runs.filter((r) => isLedgerApp(r.appSlug, app));
  const ignored = runs.filter((r) => !mine.includes(r));
  const why = ignored.length
    ? ` (ignored ${ignored.length} ${ignored.length === 1 ? kind.one : kind.many} ${kind.same} from ${[...new Set(ignored.map((r) => r.appSlug ?? r.by ?? 'no app'))].sort().join(', ')}: only the app \`${app}\` (gate.app) writes the ledger)`
    : '';
  if (mine.length === 0) {
    return {
      ok: false,
      message: `no applygate ledger on head ${head} of PR #${want.pull}${why}. Is the applygate app installed as \`${app}\`, and did it evaluate this pull request? Comment on the PR or push to make it run.${kind.hint}`,
    };
  }
  const run = [...mine].sort((a, b) => b.id - a.id)[0]!;
  if (run.problem !== undefined) {
    return {
      ok: false,
      message: `the ledger of ${run.appSlug} on head ${head} cannot be read: ${run.problem}. Fail closed: wait for the app to finish writing it, or make it decide again (comment on the PR).`,
    };
  }
  const d = decodeLedger(run.text ?? '');
  if (!d.ok) {
    return {
      ok: false,
      message: `the ledger of ${run.appSlug} on head ${head} cannot be read: ${d.detail}. Fail closed: re-run the app's evaluation (comment on the PR) and this job.`,
    };
  }
  if (d.ledger.headSha !== want.headSha.toLowerCase() || d.ledger.pull !== want.pull) {
    return {
      ok: false,
      message: `the ledger on head ${head} is for ${d.ledger.headSha.slice(0, 7)} of PR #${d.ledger.pull}, not head ${head} of PR #${want.pull}`,
    };
  }
  if (want.newestCommand !== undefined) {
    const stale = ledgerIsStale(d.ledger, want.newestCommand);
    if (stale) {
      return {
        ok: false,
        message: `the ledger on head ${head} of PR #${want.pull} is out of date: ${stale}. The app decides again on every command; re-run this job once its check run is updated.`,
      };
    }
  }
  return { ok: true, ledger: d.ledger, run };
}

/**
 * The guard's question of a ledger pickLedger returned: does it approve the plan with this
 * digest (the guard plans locally and knows no project name, so the digest must be one the
 * ledger approved: `match: exact`)?
 */
export function approvesDigest(
  ledger: Ledger,
  digest: string,
): { approved: true; project: LedgerProject } | { approved: false; detail: string } {
  const project = ledger.projects.find((p) => p.digest === digest && p.state === 'approved');
  if (project) return { approved: true, project };
  return {
    approved: false,
    detail: `the ledger of PR #${ledger.pull} does not approve this plan (its digests: ${ledger.projects.map((p) => `${p.digest.slice(0, 21)}… ${p.state}`).join(', ')})`,
  };
}

export interface ProjectVerdict {
  ok: boolean;
  message: string;
}

/**
 * One project's verdict. `approvedLists` (optional): the trusted summary's marker project for
 * the same head, used only to name the destroys and findings that differ, and only when its
 * lists hash to the ledger's sets.
 */
export function verifyProject(
  p: ProjectReport,
  ledger: Ledger | undefined,
  match: VerifyMatch,
  /** Who may approve, the policy's one sentence (describeApprovers). */
  who: string,
  approvedLists?: MarkerProject,
): ProjectVerdict {
  const name = `project '${p.name}'`;
  const mine = { digest: p.plan.digest, level: p.assessment.level, ...p.binding };
  if (!p.assessment.requiresApproval) {
    return {
      ok: true,
      message: `${name}: needs no approval (recomputed here with the default branch's config: level ${mine.level}, no destroys that need one), digest ${mine.digest}`,
    };
  }
  const reasons = p.assessment.approvalReasons.map((r) => r.message).join('; ');
  if (!ledger)
    return { ok: false, message: `${name}: needs approval (${reasons}), and there is no ledger` };
  const lp = ledgerProject(ledger, p.name);
  const pr = `PR #${ledger.pull}`;
  if (!lp) {
    return {
      ok: false,
      message: `${name}: needs approval (${reasons}), but the ledger of ${pr} has no project '${p.name}' (projects: ${ledger.projects.map((x) => x.name).join(', ')}); the plan job must summarize it under the same name`,
    };
  }
  if (lp.state !== 'approved') {
    return {
      ok: false,
      message: `${name}: needs approval (${reasons}), and ${pr} is not approved for it (ledger state: ${lp.state}). Who may approve: ${who}. One of them comments the approval command on ${pr}; then re-run this job.`,
    };
  }
  const both = `approved digest ${lp.digest}, this plan's digest ${mine.digest}`;
  if (match === 'exact') {
    return lp.digest === mine.digest
      ? {
          ok: true,
          message: `${name}: approved on ${pr}, same digest ${mine.digest} (match: exact)`,
        }
      : {
          ok: false,
          message: `${name}: the plan about to be applied is not the approved plan (match: exact): ${both}. Plan and approve again, or use match: destroys.`,
        };
  }
  const diffs: string[] = [];
  if (lp.destroySet !== mine.destroySet) {
    diffs.push(setDiff('destroys', mine.destroys, approvedLists?.destroys, lp.destroySet));
  }
  if (lp.riskSet !== mine.riskSet) {
    diffs.push(setDiff('findings at high or above', mine.risks, approvedLists?.risks, lp.riskSet));
  }
  if (levelRank(mine.level) > levelRank(lp.level)) {
    diffs.push(`the level rose from ${lp.level} (approved) to ${mine.level}`);
  }
  if (diffs.length === 0) {
    return {
      ok: true,
      message: `${name}: approved on ${pr} by ${lp.approvals.map((a) => a.login).join(', ') || 'nobody needed'}; same destroys and high findings, level ${mine.level} (approved ${lp.level}); ${both}`,
    };
  }
  return {
    ok: false,
    message: `${name}: the plan about to be applied is not what ${pr} approved: ${diffs.join('; ')}; ${both}. Open a pull request with the change so that it can be approved (who may approve: ${who}).`,
  };
}

/** What differs in one set: the lines added and gone when the approved list is known. */
function setDiff(
  what: string,
  mine: readonly string[],
  approved: readonly string[] | undefined,
  approvedSet: string,
): string {
  if (approved === undefined || setDigest(approved) !== approvedSet) {
    return `the ${what} differ from the approved ones (now: ${mine.join(', ') || 'none'})`;
  }
  const added = linesMissing(mine, approved);
  const gone = linesMissing(approved, mine);
  const parts = [
    added.length ? `added: ${added.join(', ')}` : '',
    gone.length ? `gone: ${gone.join(', ')}` : '',
  ].filter(Boolean);
  return `${what} ${parts.join(', ')}`;
}
