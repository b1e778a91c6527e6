// The words that make a shell line the guard's business: the tools, OpenTofu's long name (in
// container images) and the user's aliases. Kept apart from the shell walker so that the hook's
// entry point can answer a line without them in a few milliseconds, without loading the parser.

export const TOOL_WORDS = ['terraform', 'tofu', 'terragrunt', 'opentofu'] as const;

/** A tool word (or an alias) as a word of its own: not `terraformer`, not `my-tofu`. */
export function toolWordPattern(aliases: readonly string[] = []): RegExp {
  const names = [...TOOL_WORDS, ...aliases].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(^|[^A-Za-z0-9_-])(${names.join('|')})([^A-Za-z0-9_-]|$)`);
}
