// Which pull request a waiting deployment belongs to: exactly one, or none. One pull request's
// decision acts only on its own runs, so an unrelated pull request at the same commit (another
// base, another author) can neither approve nor reject them. The same rule `verify` uses:
// - a `pull_request` run: the one open pull request whose head is the run's commit (or, when
//   none is, the one pull request listed for the run, whose evaluation rejects an old head);
// - a run on the default branch (a push after a merge): the merged pull request whose merge
//   commit is the run's commit and whose base is the default branch.
// Anything else (other events or branches) maps to no pull request: the run is rejected. Several
// open pull requests at the commit: the run waits, neither approved nor rejected.

export interface RunRef {
  event: string;
  sha: string;
  /** The branch the run ran on; needed for runs that are not `pull_request`. */
  headBranch?: string | null;
}

export interface PullRef {
  number: number;
  /** `open` or `closed`; runs list only open pull requests and may leave it out. */
  state?: string;
  headSha: string;
  baseRef: string;
  merged?: boolean;
  mergeCommitSha?: string | null;
}

/**
 * `pull`: the run's one pull request. Otherwise why there is none; `ambiguous` when several
 * open pull requests could be the run's: it is neither approved nor rejected (either could be
 * an unrelated pull request at the same commit), it waits until only one is left.
 */
export type RunMapping =
  | { pull: number; reason?: undefined; ambiguous?: undefined }
  | { pull?: undefined; reason: string; ambiguous: boolean };

const short = (sha: string) => sha.slice(0, 7);

/**
 * The one open pull request whose head is `sha`, or why there is none (several is `ambiguous`).
 * The guard asks this of the local commit; mapRun of a pull_request run.
 */
export function pullWithHead(sha: string, pulls: readonly PullRef[]): RunMapping {
  const open = unique(pulls.filter((p) => (p.state ?? 'open') === 'open' && p.headSha === sha));
  if (open.length === 1) return { pull: open[0]!.number };
  return {
    ambiguous: open.length > 1,
    reason:
      open.length === 0
        ? `no open pull request has commit ${short(sha)} as its head`
        : `several open pull requests (${open.map((p) => `#${p.number}`).join(', ')}) have commit ${short(sha)} as their head, so applygate cannot tell which one it is; close the others`,
  };
}

/**
 * The one merged pull request into `base` whose merge commit is `sha`, or why there is none.
 * verify asks this of a push to the default branch; mapRun of a run there.
 */
export function pullMergedAs(sha: string, pulls: readonly PullRef[], base: string): RunMapping {
  const merged = unique(
    pulls.filter((p) => p.merged && p.mergeCommitSha === sha && p.baseRef === base),
  );
  if (merged.length === 1) return { pull: merged[0]!.number };
  return {
    ambiguous: false,
    reason: `commit ${short(sha)} on ${base} is not the merge commit of ${merged.length > 1 ? 'exactly one' : 'a'} pull request into ${base}, so no reviewed plan covers it`,
  };
}

export function mapRun(run: RunRef, pulls: readonly PullRef[], defaultBranch: string): RunMapping {
  if (run.event === 'pull_request') {
    const listed = unique(pulls.filter((p) => (p.state ?? 'open') === 'open'));
    const head = pullWithHead(run.sha, listed);
    // A run of an older head of the one pull request listed: that pull request's evaluation
    // rejects it as superseded (approvals bind to the current head only).
    if (head.reason !== undefined && !head.ambiguous && listed.length === 1)
      return { pull: listed[0]!.number };
    return head;
  }
  if (run.headBranch === defaultBranch) return pullMergedAs(run.sha, pulls, defaultBranch);
  return {
    ambiguous: false,
    reason: `a ${run.event} run${run.headBranch ? ` on ${run.headBranch}` : ''} is neither a pull_request run nor a run on the default branch (${defaultBranch}), so no pull request's approval covers it`,
  };
}

function unique(pulls: PullRef[]): PullRef[] {
  const seen = new Map<number, PullRef>();
  for (const p of pulls) seen.set(p.number, p);
  return [...seen.values()];
}
