// Which base branches are gated. A pull request's config and CODEOWNERS are read at its base
// commit, so whoever controls the base branch controls the gate: only the default branch, and the
// branches the default branch's config lists in `gate.base_branches`, are trusted. A pull request
// into any other branch is not gated: a neutral check, and it approves no deployment.

export type BaseTrust = { gated: true } | { gated: false; reason: string };

/**
 * `baseBranches` comes from the default branch's config, never from the base branch's own.
 * Without the default branch there is nothing to classify against: the caller cannot tell, and
 * approves nothing (the app says so as a failed read).
 */
export function classifyBase(
  baseRef: string,
  defaultBranch: string,
  baseBranches: readonly string[],
): BaseTrust {
  if (baseRef === defaultBranch || baseBranches.includes(baseRef)) return { gated: true };
  return {
    gated: false,
    reason: `the base branch is neither the default branch (${defaultBranch}) nor listed in \`gate.base_branches\` on it`,
  };
}
