import {
  canonicalChangeText,
  changeSortKey,
  digestHeader,
  isActionable,
  PlanDigest,
  type DigestHeader,
} from './digest.js';
import { RangeList, streamDigest } from './digest-pass.js';
import { bomLength, leadingSpace, readHead, sniffEncoding, utf8Source } from './encoding.js';
import { findJsonSyntaxErrorInBytes, syntaxErrorReason } from './json-error.js';
import { PLAN_LAYOUT } from './layout.js';
import type { DriftEntry, ResourceChange } from './model.js';
import { parsePlan, parsePlanObject, planError, type PlanResult } from './parse.js';
import { MAX_VALUE_BYTES, ScanError, Scanner, STREAMED } from './scanner.js';
import { driftEntryAt, resourceChangeAt } from './shape.js';
import { parseRange } from './skip.js';
import { cutForModel, detailKeeper, unreadValuesCut, type DetailOptions } from './slim.js';
import type { RangedBytes } from './source.js';

// Plans too big for one string (V8 caps strings at about 512 M characters; a 1 GB plan is real on
// big estates) are read as a stream of bytes, in two passes over the same source:
//
// 1. One pass over the whole document (scanner.ts, walking layout.ts). Each element of
//    `resource_changes` and `resource_drift` becomes its model right away (the same checks and
//    model as the whole-file reader: shape.ts); the rest of the document is kept in a pruned
//    form and becomes the rest of the model through parsePlanObject.
// 2. The digest over the byte ranges of the resource changes recorded in pass 1
//    (digest-pass.ts). The digest equals parsePlan's.
//
// Memory: the model per resource change, minus big before/after values the output does not need
// (slim.ts), plus one chunk and one element at a time. Nothing here does I/O: the caller passes
// RangedBytes that can open the bytes again from an offset. Encodings: encoding.ts.

export type StreamOptions = DetailOptions & {
  /** Bytes of resource changes held at once when pass 2 must reorder them. Default 64 MiB. */
  reorderBudget?: number;
  /**
   * Keep the digested changes as built in pass 1 and digest them at the end, instead of reading
   * them again in pass 2: for a file already in memory (below the streaming threshold), whose
   * whole parsed document the whole-file reader would hold anyway.
   */
  holdDigested?: boolean;
};

/** Read a plan from a stream of bytes: same result as parsePlan, without holding the whole text. */
export async function parsePlanStream(
  source: RangedBytes,
  file: string,
  opts: StreamOptions = {},
): Promise<PlanResult> {
  const head = await readHead(source, 1 << 20);
  const encoding = sniffEncoding(head);
  const text = utf8Source(source, encoding, bomLength(head, encoding));

  // Anything that does not start like a JSON object gets parsePlan's own diagnosis (binary plan,
  // human-readable plan, empty file, ...), which only looks at the start of the file.
  const lead = await leadingSpace(text);
  if (lead === undefined) return parsePlan(head, file);

  const changes: ResourceChange[] = [];
  /**
   * With holdDigested, the canonical text of each digested change (what the digest hashes of it,
   * in file order, aligned with `keys`), not the change: a string of its hashed members holds a
   * fraction of the memory of the parsed change, and the collector need not move and mark it.
   */
  const held: string[] = [];
  const drift: DriftEntry[] = [];
  const ranges = new RangeList();
  const keys: string[] = [];
  let sorted = true;
  let firstError: string | undefined;
  let driftError: string | undefined;
  let keep = detailKeeper(opts);
  const skeleton: Record<string, unknown> = {};
  let rcSeen = false;
  let driftSeen = false;
  const resetChanges = () => {
    changes.length = 0;
    held.length = 0;
    ranges.clear();
    keys.length = 0;
    sorted = true;
    firstError = undefined;
    keep = detailKeeper(opts);
  };
  const resetDrift = () => {
    drift.length = 0;
    driftError = undefined;
  };

  const scanner = new Scanner(PLAN_LAYOUT);
  try {
    for await (const entry of scanner.entries(text.open(lead), lead)) {
      if (entry.kind === 'member') {
        skeleton[entry.key] = entry.value;
        // JSON.parse keeps the last of repeated keys; so do we (Terraform never repeats them).
        if (entry.key === 'resource_changes') {
          if (!rcSeen) resetChanges();
          rcSeen = false;
        } else if (entry.key === 'resource_drift') {
          if (!driftSeen) resetDrift();
          driftSeen = false;
        }
      } else if (entry.kind === 'resource_changes') {
        if (entry.index === 0) resetChanges();
        rcSeen = true;
        const bytes = entry.value;
        const value = unreadValuesCut(bytes, opts) ?? parsed(bytes, entry.end);
        // Pass 2 re-reads only what the digest hashes.
        const actionable = isActionable(value);
        if (actionable) {
          const key = changeSortKey(value);
          if (keys.length > 0 && key < (keys[keys.length - 1] as string)) sorted = false;
          keys.push(key);
          ranges.push(entry.start, entry.end);
        }
        if (firstError !== undefined) continue;
        // At `risk` detail the model keeps only what the rules read (keep below): redaction
        // walks no more of the change than that (slim.ts cutForModel).
        const modelled = opts.detail === 'risk' ? cutForModel(value, opts.reads) : value;
        const r = resourceChangeAt(modelled, entry.index, entry.depth);
        if (!r.ok) {
          firstError = r.reason;
          continue;
        }
        changes.push(keep(r.value));
        // Its nesting is checked (the canonical writer recurses): its text, for the digest.
        if (actionable && opts.holdDigested) held.push(canonicalChangeText(value));
      } else {
        if (entry.index === 0) resetDrift();
        driftSeen = true;
        if (driftError !== undefined) continue;
        const r = driftEntryAt(entry.value, entry.index);
        if (r.ok) drift.push(r.value);
        else driftError = r.reason;
      }
    }
  } catch (e) {
    if (e instanceof ScanError) return { ok: false, error: planError(file, await notJson(e)) };
    throw e;
  }

  if (skeleton.resource_changes === STREAMED) skeleton.resource_changes = [];
  if (skeleton.resource_drift === STREAMED) skeleton.resource_drift = [];
  const rest = parsePlanObject(skeleton, file);
  if (!rest.ok) return rest;
  if (firstError !== undefined) return { ok: false, error: planError(file, firstError) };
  if (driftError !== undefined) return { ok: false, error: planError(file, driftError) };

  const digest =
    keys.length === 0
      ? rest.plan.digest
      : opts.holdDigested
        ? heldDigest(digestHeader(skeleton), keys, held, sorted)
        : await streamDigest(
            text,
            digestHeader(skeleton),
            keys,
            ranges,
            sorted,
            opts.reorderBudget,
          );
  return { ok: true, plan: { ...rest.plan, resourceChanges: changes, drift, digest } };

  /** A resource change's bytes built; not JSON is a ScanError, told as any other. */
  function parsed(bytes: Uint8Array, end: number): unknown {
    try {
      return parseRange(bytes, 0, bytes.length);
    } catch {
      throw new ScanError(end);
    }
  }

  /** What is wrong, from the JSON grammar over the text again (the error path only). */
  async function notJson(e: ScanError): Promise<string> {
    // A value too big to read: a syntax error inside it explains it better than its size.
    const where = await findJsonSyntaxErrorInBytes(
      text.open(0),
      lead as number,
      e.tooBig ? e.offset : Infinity,
    );
    if (where) return syntaxErrorReason(where);
    return e.tooBig
      ? `one value is larger than ${MAX_VALUE_BYTES / 1024 / 1024} MB, which applygate does not read`
      : 'not valid JSON (syntax error)';
  }
}

/**
 * planDigest's result from the canonical texts of the actionable changes (`texts`, in file order,
 * with their sort keys `keys`): in canonical order, a stable sort by key as planDigest's.
 */
function heldDigest(
  header: DigestHeader,
  keys: readonly string[],
  texts: readonly string[],
  sorted: boolean,
): string {
  const digest = new PlanDigest(header);
  const order = Array.from({ length: texts.length }, (_, i) => i);
  if (!sorted) {
    order.sort((a, b) => {
      const ka = keys[a] as string;
      const kb = keys[b] as string;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
  }
  for (const i of order) digest.addText(texts[i] as string);
  return digest.finish();
}
