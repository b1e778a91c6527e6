import type { Marker } from './marker.js';
import { codeSpan } from './render/escape.js';

// Summary provenance (Gate v3): the summary comment is written by `github-actions[bot]`, the
// identity every workflow of the repository shares, including one pushed to an unreviewed side
// branch. So a summary is trusted only when the marker names the workflow run that wrote it and
// that run is the plan job of this pull request's head: same head SHA, a `pull_request` event,
// and, with `gate.plan_workflow`, that workflow with its file unchanged from the default branch.
//
// Why only `pull_request`: its runs are of the pull request's head commit (the run's head SHA is
// the head's), which is what the summary describes. A `pull_request_target` run is of the base
// branch's commit, and a plan job under it that checks out the head runs the pull request's code
// with the base's secrets; `push`, `workflow_dispatch`, `schedule` and the rest run on any branch
// anyone with write access pushes. None of those is a plan of this head by the reviewed job.

/** The event whose runs may write a summary. */
export const SUMMARY_EVENT = 'pull_request';

/** What the app read about the run a marker names (GET /repos/{o}/{r}/actions/runs/{id}). */
export interface RunFacts {
  headSha: string;
  event: string;
  /** The workflow file, e.g. `.github/workflows/plan.yml`. */
  path: string;
}

export interface ProvenanceInput {
  marker: Pick<Marker, 'runId'>;
  /** The pull request's head. */
  headSha: string;
  /** The run the marker names; undefined when GitHub has no such run in this repository. */
  run: RunFacts | undefined;
  /** `gate.plan_workflow`, '' when not set. */
  planWorkflow: string;
  /** With planWorkflow: whether the file at the run's head SHA is the default branch's blob. */
  workflowUnchanged?: boolean;
}

/** The workflow file a run names (GitHub may add `@ref` to the path of some runs). */
export function runWorkflowPath(path: string): string {
  const at = path.indexOf('@');
  return at < 0 ? path : path.slice(0, at);
}

/**
 * Why the summary does not come from this head's plan job (markdown, escaped), or undefined
 * when it does. Everything it checks is from GitHub, except the run id the marker names.
 */
export function provenanceProblem(i: ProvenanceInput): string | undefined {
  const runId = i.marker.runId;
  if (runId === undefined)
    return 'it does not name the workflow run that wrote it (the applygate Action names it)';
  const run = i.run;
  if (!run) return `the workflow run ${runId} it names does not exist in this repository`;
  if (run.headSha !== i.headSha) {
    return `the workflow run ${runId} it names ran on commit ${codeSpan(run.headSha.slice(0, 7))}, not on this pull request's head ${codeSpan(i.headSha.slice(0, 7))}`;
  }
  if (run.event !== SUMMARY_EVENT) {
    return `the workflow run ${runId} it names was started by a ${codeSpan(run.event)} event, not ${codeSpan(SUMMARY_EVENT)}`;
  }
  if (i.planWorkflow) {
    const path = runWorkflowPath(run.path);
    if (path !== i.planWorkflow) {
      return `the workflow run ${runId} it names is of ${codeSpan(path)}, not of ${codeSpan(i.planWorkflow)} (\`gate.plan_workflow\`)`;
    }
    if (i.workflowUnchanged !== true) {
      return `the workflow run ${runId} it names ran ${codeSpan(path)} as changed by this pull request (its file differs from the default branch's), so it is not the reviewed plan job`;
    }
  }
  return undefined;
}
