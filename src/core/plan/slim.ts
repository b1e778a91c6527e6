import { isActionable } from './digest.js';
import { isDestructive, type Json, type ResourceChange } from './model.js';
import {
  defineOwn,
  isJsonValue,
  isObjectAt,
  keyIs,
  parseRange,
  parseWithHoles,
  picked,
  pickMembers,
  STOP_WALK,
  valueEndChecked,
  walkMembers,
} from './skip.js';
import { PAIR_NAME_KEYS } from './secrets.js';
import { isPlainObject } from '../json.js';

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

/**
 * The raw resource change with its values (and their masks) cut, before the model is built, to
 * what slimChange keeps at `risk` detail: so redaction and unknown-marking walk only what the
 * rules read, not the whole values (at 1,000 changes most of the time they took went to values
 * slimChange then dropped). The model the caller builds from it, slimmed by slimChange again
 * (which gives its objects slimChange's key order), equals slimChange of the model of `rc`:
 * markUnknown and redact work attribute by attribute at the top of a value, and the one test
 * there that reads other attributes, a name/value pair whose name is secret, sees the pair's
 * name keys (PAIR_NAME_KEYS), which are kept for it. `rc` itself when nothing is cut: a type
 * read whole, or not a well-formed change (the model's checks then refuse it as before).
 */
export function cutForModel(rc: unknown, reads: ValueReads): unknown {
  if (!isPlainObject(rc)) return rc;
  const change = rc.change;
  if (typeof rc.type !== 'string' || !isPlainObject(change)) return rc;
  if (reads.wholeTypes.has(rc.type)) return rc;
  const keep = [...reads.attrs, ...(reads.typeAttrs[rc.type] ?? []), ...PAIR_NAME_KEYS];
  const cutChange: Record<string, unknown> = { ...change };
  for (const k of VALUE_MEMBERS) {
    const v = change[k];
    if (isPlainObject(v)) defineOwn(cutChange, k, pickOwn(v, keep));
  }
  const out: Record<string, unknown> = { ...rc };
  out.change = cutChange;
  return out;
}

function pickOwn(v: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (Object.hasOwn(v, k)) out[k] = v[k];
  return out;
}

/** The members of a resource change's `change` that hold values (and their masks). */
const VALUE_MEMBERS = ['before', 'after', 'after_unknown', 'before_sensitive', 'after_sensitive'];

/**
 * The resource change whose JSON bytes are `b`, built with its values cut to the attributes the
 * rules read, when no view reads more of it: a no-op (or, at `risk` detail, a read) that the
 * digest leaves out, of a type no rule reads whole. The values' other members are checked as
 * JSON (the scanner did) but never built: on a plan of mostly no-ops, most of its bytes.
 * Undefined when the change must be built whole (JSON.parse of `b`), and when `b` is not JSON
 * (JSON.parse then says so). The model made from the
 * result equals slimChange of the model of the whole change: redaction and unknown-marking work
 * attribute by attribute, and the attributes kept are the ones slimChange keeps.
 */
export function unreadValuesCut(b: Uint8Array, opts: DetailOptions): unknown {
  if (opts.detail !== 'risk' && opts.detail !== 'markdown') return undefined;
  if (!isObjectAt(b, 0)) return undefined;
  try {
    return cutValues(b, opts);
  } catch (e) {
    // Bytes that are not JSON, met before they were checked: JSON.parse of them says so.
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
}

function cutValues(b: Uint8Array, opts: Exclude<DetailOptions, { detail?: 'all' }>): unknown {
  const { reads } = opts;
  // One walk over the bytes: the values' ranges and the attributes kept of them. It stops as soon
  // as the change must be built whole: actions that are not a no-op or read, a type read whole
  // (Terraform writes `type` before `change`, and `actions` first in it).
  const values: { key: string; start: number; end: number; kept: unknown }[] = [];
  let changes = 0;
  let type: string | undefined;
  let keep: string[] = [...reads.attrs];
  const walked = walkMembers(b, 0, (ks, ke, s) => {
    if (keyIs(b, ks, ke, 'type') && b[s] === 0x22) {
      const e = valueEndChecked(b, s);
      type = parseRange(b, s, e) as string;
      if (reads.wholeTypes.has(type)) return STOP_WALK;
      keep = [...reads.attrs, ...(reads.typeAttrs[type] ?? [])];
      return e;
    }
    if (!keyIs(b, ks, ke, 'change') || !isObjectAt(b, s)) return valueEndChecked(b, s);
    changes++;
    return walkMembers(b, s, (cks, cke, cs) => {
      if (keyIs(b, cks, cke, 'actions')) {
        const e = valueEndChecked(b, cs);
        return mayBeUnread(parseRange(b, cs, e), opts) ? e : STOP_WALK;
      }
      const key = VALUE_MEMBERS.find((k) => keyIs(b, cks, cke, k));
      if (key === undefined || !isObjectAt(b, cs)) {
        const e = valueEndChecked(b, cs);
        if (key !== undefined) values.push({ key, start: cs, end: e, kept: undefined });
        return e;
      }
      // `type` came first (else the attributes of its type are picked at the end, again).
      const p = picked(b, cs, keep);
      values.push({ key, start: cs, end: p.end, kept: type === undefined ? undefined : p.value });
      return p.end;
    });
  });
  // The walk trusted the bytes to be JSON: the change is cut only when they are.
  if (walked === STOP_WALK || changes !== 1 || !isJsonValue(b)) return undefined;
  // Everything else, built at once, with the values left null.
  const raw = parseWithHoles(
    b,
    values.map((v) => [v.start, v.end]),
  ) as Record<string, unknown>;
  const change = raw.change;
  if (typeof raw.type !== 'string' || !isPlainObject(change)) return undefined;
  if (!valuesUnread(raw, raw.type, opts)) return undefined;
  const last = [...reads.attrs, ...(reads.typeAttrs[raw.type] ?? [])];
  for (const v of values) {
    defineOwn(change, v.key, v.kept ?? pickMembers(b, v.start, v.end, last));
  }
  return raw;
}

/** False when `actions` alone say the change is read (anything but one no-op or read). */
function mayBeUnread(actions: unknown, opts: DetailOptions): boolean {
  if (!Array.isArray(actions) || actions.length !== 1) return false;
  return actions[0] === 'no-op' || (actions[0] === 'read' && opts.detail === 'risk');
}

function valuesUnread(raw: Record<string, unknown>, type: string, opts: DetailOptions): boolean {
  if (opts.detail !== 'risk' && opts.detail !== 'markdown') return false;
  if (isActionable(raw) || opts.reads.wholeTypes.has(type)) return false;
  const actions = (raw.change as { actions?: unknown }).actions;
  if (!Array.isArray(actions) || actions.length !== 1) return false;
  // A no-op is never shown whole; a read is, in markdown, for the first details.
  return actions[0] === 'no-op' || (actions[0] === 'read' && opts.detail === 'risk');
}
