import { createHash } from 'node:crypto';
import { decodeLedger, type Ledger } from './ledger.js';
import { sameLogin } from './principal.js';
import type { LedgerCheckRun } from './verify.js';

// The ledger's copy for readers that cannot read check runs (a fine-grained personal access
// token has no permission for them). Its content is a comment of the app's own on the pull
// request carrying the same encoded ledger line as the check run; its identity is a commit
// status the app creates on the head with the sha256 of that exact line. Anyone with write
// access can edit any comment, so the comment alone is never believed; a status cannot be edited
// (each create adds one), and GitHub names its creator: for a GitHub App, its bot `SLUG[bot]`
// (type Bot), a login no person or other app can have. So a line counts only when it is the one
// ledger line of `gate.app`'s comments and its sha256 is the digest of that app's newest status
// with LEDGER_STATUS_CONTEXT on the head; then verify's one rule (pickLedger) judges it like a
// check run's text (DESIGN.md "Guard v2").

/** The commit status context of the ledger's digest (GitHub compares contexts case-blind). */
export const LEDGER_STATUS_CONTEXT = 'applygate / ledger';

const LINE_RE = /<!-- applygate-ledger:v\d+ [A-Za-z0-9_-]* -->/g;
const DESCRIPTION_RE = /^ledger (sha256:[0-9a-f]{64})$/;
/** The status description when the app has no ledger for the head (not decided, withdrawn). */
export const NO_LEDGER_DESCRIPTION = 'no ledger: applygate has not decided this head';

/** `sha256:` and the hex sha256 of a ledger line, exactly as encodeLedger wrote it. */
export function ledgerLineDigest(line: string): string {
  return `sha256:${createHash('sha256').update(line, 'utf8').digest('hex')}`;
}

/** The status description for a ledger line (at most 140 characters, as GitHub requires). */
export function ledgerStatusDescription(line: string | undefined): string {
  return line === undefined ? NO_LEDGER_DESCRIPTION : `ledger ${ledgerLineDigest(line)}`;
}

/** The digest a status description names, if it names one. */
export function statusDigest(description: string | null | undefined): string | undefined {
  return DESCRIPTION_RE.exec(description ?? '')?.[1];
}

/** Every ledger line in a text, as written. */
export function ledgerLines(text: string): string[] {
  return [...text.matchAll(LINE_RE)].map((m) => m[0]);
}

/** A commit status as the API lists it. */
export interface LedgerStatus {
  id: number;
  context: string;
  description: string | null;
  creator: { login: string; type?: string } | null;
  target_url?: string | null;
}

/** An issue comment as the API lists it. */
export interface LedgerComment {
  id: number;
  body?: string | null;
  user: { login: string; type?: string } | null;
  html_url?: string;
}

/** A status with LEDGER_STATUS_CONTEXT (GitHub compares contexts case-blind), by anyone. */
export function isLedgerStatus(s: Pick<LedgerStatus, 'context'>): boolean {
  return s.context.toLowerCase() === LEDGER_STATUS_CONTEXT.toLowerCase();
}

/** The app whose bot created a status (`SLUG[bot]`, type Bot), or undefined for anyone else. */
export function statusApp(creator: LedgerStatus['creator']): string | undefined {
  if (!creator || creator.type !== 'Bot') return undefined;
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\[bot\]$/.exec(creator.login);
  return m?.[1];
}

/**
 * The statuses with LEDGER_STATUS_CONTEXT as records for pickLedger: the app is the status's
 * creator (statusApp), and the text is the one ledger line of that app's comments whose sha256
 * is the status's digest. When there is none, the record says why instead (`problem`), and
 * pickLedger refuses it if it is the app's newest: a half-written copy (the comment written, the
 * status not yet), an edited or deleted comment, or a status that withdraws the ledger.
 */
export function statusRecords(
  statuses: readonly LedgerStatus[],
  comments: readonly LedgerComment[],
): LedgerCheckRun[] {
  const mine = statuses.filter(isLedgerStatus);
  return mine.map((s) => {
    const app = statusApp(s.creator);
    const by = app === undefined ? `@${s.creator?.login ?? 'ghost'}` : undefined;
    const record = { id: s.id, appSlug: app, ...(by && { by }) };
    if (app === undefined) return { ...record, text: null };
    const found = copyText(s, app, comments);
    return 'text' in found
      ? { ...record, text: found.text, ...(found.url && { url: found.url }) }
      : { ...record, text: null, problem: found.problem };
  });
}

function copyText(
  status: LedgerStatus,
  app: string,
  comments: readonly LedgerComment[],
): { text: string; url?: string } | { problem: string } {
  const digest = statusDigest(status.description);
  if (digest === undefined) {
    return {
      problem: `its newest status \`${LEDGER_STATUS_CONTEXT}\` carries no ledger digest (${JSON.stringify(status.description ?? '')}): applygate has no decision for this head`,
    };
  }
  const lines = comments
    .filter((c) => c.user?.type === 'Bot' && sameLogin(c.user.login, `${app}[bot]`))
    .flatMap((c) => ledgerLines(c.body ?? '').map((line) => ({ line, url: c.html_url })));
  if (lines.length === 0) {
    return {
      problem: `its status names ledger ${digest.slice(0, 19)}… but no comment of ${app}[bot] on the pull request carries a ledger (deleted, or not written yet)`,
    };
  }
  if (lines.length > 1) {
    return {
      problem: `the comments of ${app}[bot] carry ${lines.length} ledger lines, not one (edited by someone, or being rewritten)`,
    };
  }
  const { line, url } = lines[0]!;
  if (ledgerLineDigest(line) !== digest) {
    return {
      problem: `the ledger in the comment of ${app}[bot] is not the one its newest status names (sha256 differs): the comment was edited, or a new decision is being written`,
    };
  }
  return { text: line, ...(url && { url }) };
}

/** The ledger a comment of the app carries, when it has exactly one that decodes. */
export function commentLedger(body: string): { line: string; ledger: Ledger } | undefined {
  const lines = ledgerLines(body);
  if (lines.length !== 1) return undefined;
  const d = decodeLedger(lines[0]!);
  return d.ok ? { line: lines[0]!, ledger: d.ledger } : undefined;
}
