import { compilePattern } from './codeowners.js';
import type { ApprovalPolicy } from './policy.js';

// Which policy and which changed files decide a project's approval (`projects:` in the config).
// A listed project: its own policy, and only the changed files under its paths, so the owner
// of another project's folder is no owner here. A project not listed, when some are: the
// top-level policy over the changed files outside every listed project. No projects listed:
// everything as before, the whole pull request under the top-level policy.

interface Scopable {
  policy: ApprovalPolicy;
  changedFiles: readonly string[];
}

/** The policy a project's approval is decided under. */
export function policyFor(policy: ApprovalPolicy, project: string): ApprovalPolicy {
  return policy.projects.find((p) => p.name === project)?.policy ?? policy;
}

/** The input as one project's approval sees it. */
export function scopedTo<T extends Scopable>(input: T, project: string): T {
  const { projects } = input.policy;
  if (projects.length === 0) return input;
  const own = projects.find((p) => p.name === project);
  if (own)
    return {
      ...input,
      policy: own.policy,
      changedFiles: filesMatching(input.changedFiles, own.paths),
    };
  const listed = projects.flatMap((p) => p.paths);
  const outside = new Set(filesMatching(input.changedFiles, listed));
  return { ...input, changedFiles: input.changedFiles.filter((f) => !outside.has(f)) };
}

/** Every scope a pull request can have: unlisted projects' and each listed project's. */
export function allScopes<T extends Scopable>(input: T): T[] {
  const unlisted = `\u0000unlisted`;
  return [scopedTo(input, unlisted), ...input.policy.projects.map((p) => scopedTo(input, p.name))];
}

/**
 * The files matching any of `patterns` (CODEOWNERS syntax, the one matcher of the tree). An
 * invalid pattern matches nothing (the config validator has already refused it).
 */
export function filesMatching(files: readonly string[], patterns: readonly string[]): string[] {
  const regexes = patterns.flatMap((p) => {
    const c = compilePattern(p);
    return 'regex' in c ? [c.regex] : [];
  });
  return files.filter((f) => regexes.some((re) => re.test(f)));
}
