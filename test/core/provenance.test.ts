import { provenanceProblem, runWorkflowPath } from '../../src/core/provenance.js';

// Summary provenance (Gate v3): the run the marker names must be this head's plan job.

const HEAD = 'a'.repeat(40);
const run = { headSha: HEAD, event: 'pull_request', path: '.github/workflows/plan.yml' };
const base = { marker: { runId: 7 }, headSha: HEAD, run, planWorkflow: '' };

test('the plan job of this head: trusted; every other run is not, with why', () => {
  expect(provenanceProblem(base)).toBeUndefined();
  expect(provenanceProblem({ ...base, marker: {} })).toMatch(/does not name the workflow run/);
  expect(provenanceProblem({ ...base, run: undefined })).toBe(
    'the workflow run 7 it names does not exist in this repository',
  );
  expect(provenanceProblem({ ...base, run: { ...run, headSha: 'b'.repeat(40) } })).toBe(
    "the workflow run 7 it names ran on commit `bbbbbbb`, not on this pull request's head `aaaaaaa`",
  );
  for (const event of ['pull_request_target', 'push', 'workflow_dispatch', 'issue_comment']) {
    expect(provenanceProblem({ ...base, run: { ...run, event } })).toBe(
      `the workflow run 7 it names was started by a \`${event}\` event, not \`pull_request\``,
    );
  }
});

test('gate.plan_workflow: that workflow, and its file as on the default branch', () => {
  const set = { ...base, planWorkflow: '.github/workflows/plan.yml' };
  expect(provenanceProblem({ ...set, workflowUnchanged: true })).toBeUndefined();
  expect(provenanceProblem({ ...set, workflowUnchanged: false })).toMatch(
    /ran `\.github\/workflows\/plan\.yml` as changed by this pull request/,
  );
  // Not read (undefined) is not "unchanged".
  expect(provenanceProblem(set)).toMatch(/as changed by this pull request/);
  expect(
    provenanceProblem({
      ...set,
      run: { ...run, path: '.github/workflows/other.yml' },
      workflowUnchanged: true,
    }),
  ).toMatch(/is of `\.github\/workflows\/other\.yml`, not of `\.github\/workflows\/plan\.yml`/);
  expect(runWorkflowPath('.github/workflows/plan.yml@refs/heads/main')).toBe(
    '.github/workflows/plan.yml',
  );
});
