import { isDestructive, type Json, type ResourceChange } from './model.js';

// Keeping memory bounded on plans too big for memory: a resource change's before/after values
// cut to what the risk rules read. The reader does not know the rules: the caller passes their
// declaration (src/core/risk/reads.ts, RULE_READS) in, so the plan reader imports nothing from
// the risk rules and a new rule that reads a new attribute changes only its own declaration.

/** What the rules read from resource values. */
export interface ValueReads {
  /** Types whose values a rule reads in depth: these are kept whole. */
  wholeTypes: ReadonlySet<string>;
  /** Top-level attributes read on every type. */
  attrs: readonly string[];
  /** Attributes read on one type beyond `attrs`. */
  typeAttrs: Readonly<Record<string, readonly string[]>>;
}

/**
 * How much of each resource's before/after values the model keeps.
 * - `all`: everything (what parsePlan keeps).
 * - `risk`: only what the rules read (ValueReads). For `--format json` and `text`, which never
 *   show values.
 * - `markdown`: `risk`, plus whole values for the first MARKDOWN_FULL_DETAILS destructive and
 *   first MARKDOWN_FULL_DETAILS other changes: the PR comment's size budget (65,536 characters)
 *   can never show more details than that, so the markdown is the same as parsePlan's.
 */
export type Detail = 'all' | 'risk' | 'markdown';

/** The detail to keep, with the declaration of what the rules read when it is not `all`. */
export type DetailOptions =
  { detail?: 'all' } | { detail: Exclude<Detail, 'all'>; reads: ValueReads };

/** A details block is at least ~90 characters; 65,536 / 90 < 730 fit in a comment. */
export const MARKDOWN_FULL_DETAILS = 1024;

/** The change with before/after cut to what the rules read. */
export function slimChange(c: ResourceChange, reads: ValueReads): ResourceChange {
  if (reads.wholeTypes.has(c.type)) return c;
  const extra = reads.typeAttrs[c.type];
  return {
    ...c,
    before: slimValue(c.before, reads.attrs, extra),
    after: slimValue(c.after, reads.attrs, extra),
  };
}

function slimValue(v: Json, attrs: readonly string[], extra: readonly string[] = []): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: { [k: string]: Json } = {};
  for (const k of attrs) if (Object.hasOwn(v, k)) out[k] = v[k] as Json;
  for (const k of extra) if (Object.hasOwn(v, k)) out[k] = v[k] as Json;
  return out;
}

/**
 * A function that cuts each change as the detail level says: call it once per change, in file
 * order (`markdown` keeps the first MARKDOWN_FULL_DETAILS destructive and other changes whole).
 */
export function detailKeeper(opts: DetailOptions): (c: ResourceChange) => ResourceChange {
  if (opts.detail !== 'risk' && opts.detail !== 'markdown') return (c) => c;
  const { detail, reads } = opts;
  let destructive = 0;
  let other = 0;
  return (c) => {
    let full = false;
    if (detail === 'markdown' && c.kind !== 'no-op') {
      if (c.mode === 'managed' && isDestructive(c.kind))
        full = destructive++ < MARKDOWN_FULL_DETAILS;
      else full = other++ < MARKDOWN_FULL_DETAILS;
    }
    return full ? c : slimChange(c, reads);
  };
}
