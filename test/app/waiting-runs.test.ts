/**
 * When an approval completes the decision, the app approves the deployment runs waiting on the
 * head itself. A run whose environment waits for someone else's rule is left alone; any other
 * failure to approve one is not swallowed: the evaluation fails (so the next event, or a
 * redelivery, tries again), and the check run says the deployment is still waiting.
 */
import { Harness, harnessForEachTest } from '../../testkit/app/harness.js';

const approve = '/approve-destroy';
const REVIEW = 'POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule';

let h: Harness;
harnessForEachTest((x) => (h = x));

const approvals = (runId: number) => h.reviews(runId).filter((r) => r.state === 'approved');

test('a run whose environment waits for another rule is left alone; the others are approved', async () => {
  h.setup();
  h.waitingRun(556);
  h.waitingRun(558);
  await h.summary('destroy');
  // GitHub refuses the review of run 556: its environment is not gated by this app's rule.
  const notOurs = h.gh.fault({ route: REVIEW, pathIncludes: '/runs/556/', status: 422 });
  await h.comment('tom', approve);
  expect(notOurs.hits).toBe(1); // a 422 is an answer, not retried
  expect(h.runStatus(556)).toBe('waiting');
  expect(approvals(558)).toHaveLength(1);
  expect(h.logs.filter((l) => l.level === 'error')).toEqual([]);
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  expect(h.check()!.summary).not.toContain('not approved yet');
});

test('a server error approving a run fails the evaluation, and the check says the run waits', async () => {
  h.setup();
  h.waitingRun(556);
  await h.summary('destroy');
  const down = h.gh.fault({ route: REVIEW, status: 502 });
  await h.comment('tom', approve);
  expect(down.hits).toBe(4); // Probot's first try and three retries
  expect(h.runStatus(556)).toBe('waiting');
  expect(h.logs.map((l) => l.level)).toContain('error');
  const check = h.check()!;
  expect(check.conclusion).toBe('success'); // the decision stands; the ledger approves
  expect(check.summary).toContain('A waiting deployment is not approved yet');
  expect(check.summary).toContain('HTTP 502');

  // GitHub is back: the next event approves the run, and the note goes.
  h.gh.clearFaults();
  await h.comment('dba-dana', approve);
  expect(approvals(556)).toHaveLength(1);
  expect(h.check()!.summary).not.toContain('not approved yet');
});
