import { linesMissing, setDigest } from './binding.js';
import { decodeLedger, ledgerProject, type Ledger } from './ledger.js';
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

/** A check run with the ledger's name on the PR head, as the API lists it. */
export interface LedgerCheckRun {
  id: number;
  appSlug: string | undefined;
  text: string | null | undefined;
  url?: string;
}

export type LedgerPick =
  { ok: true; ledger: Ledger; run: LedgerCheckRun } | { ok: false; message: string };

/**
 * The one ledger to believe among the check runs named LEDGER_CHECK_NAME on `headSha`: from a
 * GitHub App other than github-actions (the one `gate.app` pins, when set), for this head and
 * this pull request. Anything else fails with the cause and the fix.
 */
export function pickLedger(
  runs: readonly LedgerCheckRun[],
  want: { headSha: string; pull: number; app: string },
): LedgerPick {
  const head = want.headSha.slice(0, 7);
  const fromApps = runs.filter((r) => r.appSlug !== undefined && r.appSlug !== ACTIONS_APP_SLUG);
  const pinned = want.app
    ? fromApps.filter((r) => r.appSlug!.toLowerCase() === want.app.toLowerCase())
    : fromApps;
  const ignored = runs.filter((r) => !pinned.includes(r));
  const why = ignored.length
    ? ` (ignored ${ignored.length} check run${ignored.length === 1 ? '' : 's'} of the same name from ${[...new Set(ignored.map((r) => r.appSlug ?? 'no app'))].join(', ')}: ${want.app ? `only the app \`${want.app}\` (gate.app) writes the ledger` : 'a workflow can create those'})`
    : '';
  if (pinned.length === 0) {
    return {
      ok: false,
      message: `no applygate ledger on head ${head} of PR #${want.pull}${why}. Is the applygate app installed${want.app ? ` as \`${want.app}\`` : ''}, and did it evaluate this pull request? Comment on the PR or push to make it run.`,
    };
  }
  const apps = [...new Set(pinned.map((r) => r.appSlug))];
  if (apps.length > 1) {
    return {
      ok: false,
      message: `check runs named like the ledger on head ${head} come from several apps (${apps.join(', ')}); set \`gate.app\` in the default branch's config to the applygate app's slug`,
    };
  }
  const run = [...pinned].sort((a, b) => b.id - a.id)[0]!;
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
  return { ok: true, ledger: d.ledger, run };
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
      message: `${name}: needs approval (${reasons}), and ${pr} is not approved for it (ledger state: ${lp.state}). A code owner comments the approval command on ${pr}; then re-run this job.`,
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
    message: `${name}: the plan about to be applied is not what ${pr} approved: ${diffs.join('; ')}; ${both}. Open a pull request with the change so code owners can approve it.`,
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
