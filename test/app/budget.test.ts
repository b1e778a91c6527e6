/**
 * The app's GitHub API budget per event (issue 6): the exact calls, as lists of routes in the
 * order they are made, counted in the emulator (never timed). The scenario, and what "caches
 * warm" means, is in budget.ts; `npm run bench` prints the same lists.
 * Targets: (a) a comment that is not a command: 0; (b) an accepted `/approve-destroy` with
 * caches warm: <= 10 (Gate v2: write access is asked every time); (c)
 * `deployment_protection_rule.requested`: <= 7. Gate v3's compare before write adds one read of
 * the comments (one call per 100 comments) before a deployment is approved or rejected.
 */
import { measureBudget, type Budget } from '../../testkit/app/budget.js';
import { CALL, HEAD2, Harness, finish } from '../../testkit/app/harness.js';

let h: Harness;
let budget: Budget;

beforeAll(async () => {
  h = await Harness.start();
  budget = await measureBudget(h);
});

afterAll(() => finish(h));

test('(a) a comment that is not a command: no call', () => {
  expect(budget.nonCommand).toEqual([]);
});

test('(b) an accepted /approve-destroy, caches warm, one waiting run: 10 calls', () => {
  expect(budget.approval).toEqual([
    CALL.pull,
    CALL.comments,
    CALL.membership, // tom in acme/dba: asked every time
    CALL.teamPermission, // can acme/dba push? asked every time, never cached
    CALL.updateCheck, // by its known id, not read first
    CALL.comment, // the reply saying what was approved
    CALL.comments, // compare before write: unchanged since the decision read them
    CALL.waiting(HEAD2),
    CALL.pending,
    CALL.review, // the waiting run approved
  ]);
  expect(budget.approval.length).toBeLessThanOrEqual(10);
});

test('(c) deployment_protection_rule.requested while the approval is missing: 5 calls', () => {
  expect(budget.gatePending).toEqual([
    CALL.pull,
    CALL.comments,
    CALL.updateCheck,
    CALL.review, // a status report: the run keeps waiting
    CALL.comment, // the notice naming who can approve, once per head
  ]);
  expect(budget.gatePending.length).toBeLessThanOrEqual(7);
});

test('(c) deployment_protection_rule.requested once approved: 7 calls', () => {
  expect(budget.gateApproved).toEqual([
    CALL.pull,
    CALL.comments,
    CALL.membership, // tom's approval counts only while he is in acme/dba: asked again
    CALL.teamPermission, // and while acme/dba can push
    CALL.updateCheck,
    CALL.comments, // compare before write
    CALL.review, // approved
  ]);
  expect(budget.gateApproved.length).toBeLessThanOrEqual(7);
});

test('(b) and (c) with a direct owner whose "not a member of the team" is cached: 9 and 6 calls', async () => {
  const other = await Harness.start();
  try {
    const b = await measureBudget(other, { approver: 'dba-dana' });
    expect(b.approval).toEqual([
      CALL.pull,
      CALL.comments,
      CALL.permission, // can dba-dana push? asked every time
      CALL.updateCheck,
      CALL.comment, // the reply saying what was approved
      CALL.comments,
      CALL.waiting(HEAD2),
      CALL.pending,
      CALL.review,
    ]);
    expect(b.gateApproved).toEqual([
      CALL.pull,
      CALL.comments,
      CALL.permission,
      CALL.updateCheck,
      CALL.comments,
      CALL.review,
    ]);
  } finally {
    await finish(other);
  }
});
