import {
  LEDGER_STATUS_CONTEXT,
  ledgerLineDigest,
  ledgerStatusDescription,
  statusDigest,
  statusRecords,
  type LedgerComment,
  type LedgerStatus,
} from '../../src/core/ledger-copy.js';
import { encodeLedger, type Ledger } from '../../src/core/ledger.js';
import { pickLedger } from '../../src/core/verify.js';

// The ledger's copy without GitHub (the end-to-end runs are in test/app/ledger-copy.test.ts): a
// status names the sha256 of the one ledger line in its creator app's comments, and verify's one
// rule (pickLedger) judges the result like a check run.

const HEAD = 'a'.repeat(40);
const APP = 'applygate';
const BOT = { login: 'applygate[bot]', type: 'Bot' };

function ledger(state: 'approved' | 'pending' = 'approved', over: Partial<Ledger> = {}): Ledger {
  return {
    headSha: HEAD,
    pull: 7,
    baseRef: 'main',
    projects: [
      {
        name: 'db',
        digest: `sha256v2:${'d'.repeat(64)}`,
        destroySet: 'f'.repeat(64),
        riskSet: 'f'.repeat(64),
        level: 'critical',
        requiresApproval: true,
        state,
        approvals:
          state === 'approved' ? [{ login: 'dana', commentId: 5, at: '2026-12-08T01:00:00Z' }] : [],
      },
    ],
    newestCommand: null,
    ...over,
  };
}

let ids = 100;
const status = (line: string | undefined, creator = BOT, context = LEDGER_STATUS_CONTEXT) =>
  ({
    id: ids++,
    context,
    description: ledgerStatusDescription(line),
    creator,
  }) satisfies LedgerStatus;
const comment = (body: string, user = BOT): LedgerComment => ({ id: ids++, body, user });

const pick = (statuses: LedgerStatus[], comments: LedgerComment[], app = APP) =>
  pickLedger(statusRecords(statuses, comments), {
    headSha: HEAD,
    pull: 7,
    app,
    newestCommand: null,
    record: 'status',
  });

describe('the ledger copy: a comment believed only through the app status naming its sha256', () => {
  const line = encodeLedger(ledger());

  test('the description carries `ledger sha256:<64 hex>`, within 140 characters', () => {
    const d = ledgerStatusDescription(line);
    expect(d).toMatch(/^ledger sha256:[0-9a-f]{64}$/);
    expect(d.length).toBeLessThanOrEqual(140);
    expect(statusDigest(d)).toBe(ledgerLineDigest(line));
    expect(statusDigest(ledgerStatusDescription(undefined))).toBeUndefined();
  });

  test("the app's status and its comment with that line: the ledger", () => {
    const r = pick([status(line)], [comment(`Ledger.\n${line}`)]);
    expect(r.ok && r.ledger.projects[0]!.state).toBe('approved');
  });

  test('a status of the same context by a person is ignored and named', () => {
    const r = pick([status(line, { login: 'mallory', type: 'User' })], [comment(line)]);
    expect(r).toEqual({
      ok: false,
      message: expect.stringMatching(
        /ignored 1 commit status with the same context from @mallory: only the app `applygate`/,
      ),
    });
  });

  test('a person named like a bot is not the app (GitHub marks the type)', () => {
    const r = pick([status(line, { login: 'applygate[bot]', type: 'User' })], [comment(line)]);
    expect(r.ok).toBe(false);
  });

  test("another app's status and comment are ignored", () => {
    const other = { login: 'release-bot[bot]', type: 'Bot' };
    const r = pick([status(line, other)], [comment(line, other)]);
    expect(r).toEqual({
      ok: false,
      message: expect.stringMatching(
        /ignored 1 commit status with the same context from release-bot/,
      ),
    });
  });

  test('an edited comment does not match the status: refused, saying so', () => {
    const forged = encodeLedger(ledger('approved', { baseRef: 'main ' }));
    const r = pick([status(encodeLedger(ledger('pending')))], [comment(forged)]);
    expect(r).toEqual({
      ok: false,
      message: expect.stringMatching(/is not the one its newest status names \(sha256 differs\)/),
    });
  });

  test("only the app's newest status counts: an older one naming the comment's line does not", () => {
    const r = pick([status(line), status(encodeLedger(ledger('pending')))], [comment(line)]);
    expect(r.ok).toBe(false);
  });

  test('a newest status that withdraws the ledger: refused', () => {
    const r = pick([status(line), status(undefined)], [comment(line)]);
    expect(r).toEqual({
      ok: false,
      message: expect.stringMatching(/carries no ledger digest/),
    });
  });

  test('several ledger lines in the app comments, or none: refused', () => {
    expect(pick([status(line)], [comment(`${line}\n${line}`)])).toEqual({
      ok: false,
      message: expect.stringMatching(/carry 2 ledger lines, not one/),
    });
    expect(pick([status(line)], [])).toEqual({
      ok: false,
      message: expect.stringMatching(/no comment of applygate\[bot\] .* carries a ledger/),
    });
  });

  test('a comment by someone else carrying the line does not stand in for the app', () => {
    expect(pick([status(line)], [comment(line, { login: 'mallory', type: 'User' })]).ok).toBe(
      false,
    );
  });

  test('no status at all: no ledger, and the setting that publishes it is named', () => {
    expect(pick([], [comment(line)])).toEqual({
      ok: false,
      message: expect.stringMatching(/no applygate ledger on head aaaaaaa .*gate\.publish_ledger/),
    });
  });

  test('the same rule as check runs: another head, and a stale ledger, are refused', () => {
    const other = encodeLedger(ledger('approved', { headSha: 'c'.repeat(40) }));
    expect(pick([status(other)], [comment(other)])).toEqual({
      ok: false,
      message: expect.stringMatching(/is for ccccccc of PR #7, not head aaaaaaa/),
    });
    const r = pickLedger(statusRecords([status(line)], [comment(line)]), {
      headSha: HEAD,
      pull: 7,
      app: APP,
      newestCommand: { commentId: 9, at: '2026-12-08T02:00:00Z' },
      record: 'status',
    });
    expect(r).toEqual({
      ok: false,
      message: expect.stringMatching(/decided before the newest command/),
    });
  });
});
