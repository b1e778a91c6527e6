import {
  changeSortKey,
  digestHeader,
  isActionable,
  PlanDigest,
  type DigestHeader,
} from './digest.js';
import { findJsonSyntaxError, isSpace, lineAndColumn, syntaxErrorReason } from './json-error.js';
import type { DriftEntry, ResourceChange } from './model.js';
import {
  driftEntryAt,
  parsePlan,
  parsePlanObject,
  planError,
  resourceChangeAt,
  type PlanResult,
} from './parse.js';
import { detailKeeper, type DetailOptions } from './slim.js';
import type { RangedBytes } from './source.js';
import { isPlainObject } from '../json.js';

// Plans too big for one string (V8 caps strings at about 512 M characters; a 1 GB plan is real on
// big estates) are read as a stream of bytes, in two passes over the same source:
//
// 1. One pass over the whole document. A small push parser walks the structure Terraform writes
//    (the top-level object, `resource_changes`, `resource_drift`, and the module trees of
//    `prior_state`, `planned_values` and `configuration`) and hands every smaller value to
//    JSON.parse, so the whole document is checked as JSON while no value bigger than one resource
//    is ever held. Each element of `resource_changes` becomes its model right away (the same
//    checks and model as parsePlan: resourceChangeAt in parse.ts); the rest of the document is
//    kept in a pruned form (outputs, counts of prior-state resources, versions, flags) and
//    becomes the rest of the model through parsePlanObject.
// 2. The digest. It hashes `output_changes` before `resource_changes`, and Terraform writes
//    `output_changes` after them, so the digest cannot be hashed during pass 1. Pass 2 re-reads
//    the byte ranges of the resource changes recorded in pass 1, in digest order (Terraform's
//    order already, sorted by address; if not, in batches of bounded size), and hashes them
//    with the same canonical writer as planDigest. The digest equals parsePlan's. (Keeping each
//    change's canonical text from pass 1 instead was measured slower and bigger: the held
//    text makes the old generation grow and the collector work.)
//
// Memory: the model per resource change, minus big before/after values the output does not need
// (see StreamDetail), plus one chunk and one element at a time. Nothing here does I/O: the
// caller passes RangedBytes that can open the bytes again from an offset.
//
// Encodings: UTF-8 (with or without BOM) is read as it is; UTF-16 LE/BE (PowerShell's `>`) is
// decoded chunk by chunk into UTF-8 on the fly, in both passes.

export type StreamOptions = DetailOptions & {
  /** Bytes of resource changes held at once when pass 2 must reorder them. Default 64 MiB. */
  reorderBudget?: number;
};

/** Longest single value (one resource change, one module, one output map) read at once. */
export const MAX_VALUE_BYTES = 256 * 1024 * 1024;

// tools/bench reads the threshold from here; its home is threshold.ts.
export { STREAM_THRESHOLD_BYTES } from './threshold.js';

/** Read a plan from a stream of bytes: same result as parsePlan, without holding the whole text. */
export async function parsePlanStream(
  source: RangedBytes,
  file: string,
  opts: StreamOptions = {},
): Promise<PlanResult> {
  const head = await readHead(source, 1 << 20);
  const encoding = sniffEncoding(head);
  const bom = encoding === 'utf-8' ? (hasUtf8Bom(head) ? 3 : 0) : hasUtf16Bom(head) ? 2 : 0;
  const text = utf8Source(source, encoding, bom);

  // Anything that does not start like a JSON object gets parsePlan's own diagnosis (binary plan,
  // human-readable plan, empty file, ...), which only looks at the start of the file.
  const lead = await leadingSpace(text);
  if (lead === undefined) return parsePlan(head, file);

  const changes: ResourceChange[] = [];
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

  const scanner = new Scanner();
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
        // Pass 2 re-reads only what the digest hashes.
        if (isActionable(entry.value)) {
          const key = changeSortKey(entry.value);
          if (keys.length > 0 && key < (keys[keys.length - 1] as string)) sorted = false;
          keys.push(key);
          ranges.push(entry.start, entry.end);
        }
        if (firstError !== undefined) continue;
        const r = resourceChangeAt(entry.value, entry.index, entry.depth);
        if (!r.ok) {
          firstError = r.reason;
          continue;
        }
        changes.push(keep(r.value));
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
    if (e instanceof StreamSyntaxError) {
      return { ok: false, error: planError(file, await syntaxReason(text, e)) };
    }
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
      : await streamDigest(text, digestHeader(skeleton), keys, ranges, sorted, opts);
  return { ok: true, plan: { ...rest.plan, resourceChanges: changes, drift, digest } };
}

// ---------------------------------------------------------------------------------------------
// Pass 2: the digest over the recorded byte ranges.

async function streamDigest(
  text: Utf8Source,
  header: DigestHeader,
  keys: string[],
  ranges: RangeList,
  sorted: boolean,
  opts: StreamOptions,
): Promise<string> {
  const n = keys.length;
  const outputs = isPlainObject(header.output_changes) ? header.output_changes : {};
  const digest = new PlanDigest({ ...header, output_changes: outputs });
  // rank[i]: position of element i in digest order (a stable sort by key, as planDigest's).
  let order: number[] | undefined;
  if (!sorted) {
    order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => {
      const ka = keys[a] as string;
      const kb = keys[b] as string;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
  }
  const budget = opts.reorderBudget ?? 64 * 1024 * 1024;
  let done = 0;
  while (done < n) {
    // The next batch of ranks [done, upto): all of them when in order (nothing is held), else
    // as many as fit the reorder budget.
    let upto = done;
    let bytes = 0;
    if (!order) upto = n;
    else {
      while (upto < n) {
        const i = order[upto] as number;
        const len = ranges.end(i) - ranges.start(i);
        if (upto > done && bytes + len > budget) break;
        bytes += len;
        upto++;
      }
    }
    // Elements of the batch in file order, with their rank.
    const members: number[] = [];
    for (let r = done; r < upto; r++) members.push(order ? (order[r] as number) : r);
    if (order) members.sort((a, b) => a - b);
    const rankOf = new Map<number, number>();
    if (order) for (let r = done; r < upto; r++) rankOf.set(order[r] as number, r);

    const held = new Map<number, unknown>();
    let next = done;
    const emit = (rank: number, value: unknown) => {
      if (rank !== next) {
        held.set(rank, value);
        return;
      }
      digest.add(value);
      next++;
      for (let v = held.get(next); held.has(next); v = held.get(next)) {
        held.delete(next);
        digest.add(v);
        next++;
      }
    };
    const first = members[0] as number;
    let m = 0;
    let pieces: Uint8Array[] = [];
    let pos = ranges.start(first);
    for await (const chunk of text.open(pos)) {
      let at = 0;
      while (at < chunk.length && m < members.length) {
        const i = members[m] as number;
        const s = ranges.start(i);
        const e = ranges.end(i);
        if (pos + (chunk.length - at) <= s) {
          pos += chunk.length - at;
          break;
        }
        if (pos < s) {
          at += s - pos;
          pos = s;
        }
        const take = Math.min(chunk.length - at, e - pos);
        pieces.push(chunk.subarray(at, at + take));
        at += take;
        pos += take;
        if (pos === e) {
          const value: unknown = JSON.parse(decode(pieces));
          pieces = [];
          emit(order ? (rankOf.get(i) as number) : i, value);
          m++;
        }
      }
      if (m >= members.length) break;
    }
    if (m < members.length) throw new Error('the plan changed while it was being read');
    done = upto;
  }
  return digest.finish();
}

/** Growable pairs of byte offsets (doubles: files beyond 2 GB are fine). */
class RangeList {
  private buf = new Float64Array(1 << 12);
  private n = 0;
  push(start: number, end: number): void {
    if (2 * this.n + 2 > this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[2 * this.n] = start;
    this.buf[2 * this.n + 1] = end;
    this.n++;
  }
  start(i: number): number {
    return this.buf[2 * i] as number;
  }
  end(i: number): number {
    return this.buf[2 * i + 1] as number;
  }
  clear(): void {
    this.n = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Encodings

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

function hasUtf8Bom(b: Uint8Array): boolean {
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

function hasUtf16Bom(b: Uint8Array): boolean {
  return (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
}

/** The same rules as decodePlanBytes: BOM, else the zero-byte pattern of UTF-16. */
function sniffEncoding(b: Uint8Array): Encoding {
  if (hasUtf8Bom(b)) return 'utf-8';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  if (b.length >= 2 && b[0] !== 0 && b[1] === 0) return 'utf-16le';
  if (b.length >= 2 && b[0] === 0 && b[1] !== 0) return 'utf-16be';
  return 'utf-8';
}

/** The document as UTF-8 bytes (BOM removed), openable at an offset into those bytes. */
interface Utf8Source {
  open(start: number): AsyncIterable<Uint8Array>;
}

function utf8Source(source: RangedBytes, encoding: Encoding, bom: number): Utf8Source {
  if (encoding === 'utf-8') return { open: (start) => source.open(bom + start) };
  return {
    async *open(start: number) {
      const decoder = new TextDecoder(encoding, { ignoreBOM: true });
      const encoder = new TextEncoder();
      let pos = 0;
      const skip = function* (bytes: Uint8Array) {
        if (pos + bytes.length <= start) {
          pos += bytes.length;
          return;
        }
        const from = Math.max(0, start - pos);
        pos += bytes.length;
        yield from > 0 ? bytes.subarray(from) : bytes;
      };
      for await (const chunk of source.open(bom)) {
        yield* skip(encoder.encode(decoder.decode(chunk, { stream: true })));
      }
      yield* skip(encoder.encode(decoder.decode()));
    },
  };
}

async function readHead(source: RangedBytes, max: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of source.open(0)) {
    parts.push(chunk);
    n += chunk.length;
    if (n >= max) break;
  }
  return concat(parts);
}

/**
 * Bytes of whitespace before the opening `{`, or undefined when the document does not start
 * with one (after whitespace as String.prototype.trimStart counts it, as parsePlan does).
 */
async function leadingSpace(text: Utf8Source): Promise<number | undefined> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let bytes = 0;
  for await (const chunk of text.open(0)) {
    const s = decoder.decode(chunk, { stream: true });
    const t = s.trimStart();
    if (t === '') {
      bytes += chunk.length;
      continue;
    }
    if (t[0] !== '{') return undefined;
    return bytes + new TextEncoder().encode(s.slice(0, s.length - t.length)).length;
  }
  return undefined;
}

const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function decode(pieces: Uint8Array[]): string {
  return utf8Decoder.decode(pieces.length === 1 ? pieces[0] : concat(pieces));
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Syntax errors: the same messages as parsePlan (line and column over the whole text, what was
// expected, nothing quoted from the file).

class StreamSyntaxError extends Error {
  constructor(
    /** Byte offset (in the UTF-8 text, BOM removed) where the problem is, or where a leaf starts. */
    readonly offset: number,
    readonly problem: string,
    readonly endsEarly: boolean,
    /** For an error inside a value handed to JSON.parse: its text and the error's offset in it. */
    readonly leaf?: { text: string; at: number },
  ) {
    super(problem);
  }
}

async function syntaxReason(text: Utf8Source, e: StreamSyntaxError): Promise<string> {
  let { line, column } = await lineAndColumnAt(text, e.offset);
  if (e.leaf) {
    const inner = lineAndColumn(e.leaf.text, e.leaf.at);
    if (inner.line > 1) ({ line, column } = { line: line + inner.line - 1, column: inner.column });
    else column += inner.column - 1;
  }
  return syntaxErrorReason(line, column, e.problem, e.endsEarly);
}

/** 1-based line and UTF-16 column of a byte offset, by reading the text up to it again. */
async function lineAndColumnAt(
  text: Utf8Source,
  offset: number,
): Promise<{ line: number; column: number }> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let line = 1;
  let column = 1;
  let pos = 0;
  for await (const chunk of text.open(0)) {
    const part = pos + chunk.length > offset ? chunk.subarray(0, offset - pos) : chunk;
    pos += part.length;
    const s = decoder.decode(part, { stream: pos < offset });
    const nl = s.lastIndexOf('\n');
    if (nl >= 0) {
      for (let k = s.indexOf('\n'); k !== -1; k = s.indexOf('\n', k + 1)) line++;
      column = s.length - nl;
    } else {
      column += s.length;
    }
    if (pos >= offset) break;
  }
  return { line, column };
}

// ---------------------------------------------------------------------------------------------
// Pass 1: the push parser.

/** Placeholder for a member whose elements were handed out one by one. */
export const STREAMED: unique symbol = Symbol('streamed');

export type PlanEntry =
  /** A top-level member, pruned as PRUNED describes; `resource_changes`/`resource_drift` as STREAMED. */
  | { kind: 'member'; key: string; value: unknown }
  /** An element of `resource_changes`, parsed, with its byte range in the UTF-8 text. */
  | {
      kind: 'resource_changes';
      index: number;
      value: unknown;
      start: number;
      end: number;
      /** Levels of arrays and objects in the value (itself one), counted by the byte scanner. */
      depth: number;
    }
  /** An element of `resource_drift`, parsed. */
  | {
      kind: 'resource_drift';
      index: number;
      value: unknown;
      start: number;
      end: number;
      depth: number;
    };

/**
 * What the parser does with the value at each place in the document:
 * - `obj` / `arr`: walk into it (when it is an object / array; otherwise parse it whole),
 *   building a pruned copy when `build`, with `child` saying what to do with each member.
 * - `any`: walk into an object or array without keeping it (unknown members, which could be big).
 * - `keep`: parse whole and keep. `check`: parse whole (so it is checked as JSON) and drop.
 * - `emit`: parse whole and hand out as an entry, keeping nothing.
 * - `reduce`: parse whole and keep a smaller value made from it.
 */
interface Node {
  mode: 'obj' | 'arr' | 'any' | 'keep' | 'check' | 'emit' | 'reduce';
  build?: boolean;
  child?: (key: string | number) => Node;
  emit?: 'resource_changes' | 'resource_drift';
  /** An array whose elements are emitted: its member value is STREAMED. */
  streamed?: boolean;
  /** `reduce`: parse whole, keep only this function's result. */
  reduce?: (v: unknown) => unknown;
}

const KEEP: Node = { mode: 'keep' };
const CHECK: Node = { mode: 'check' };
const anyDepth = (levels: number): Node =>
  levels === 0 ? CHECK : { mode: 'any', child: () => anyDepth(levels - 1) };
const UNKNOWN_MEMBER = anyDepth(3);
const EMIT_RC: Node = { mode: 'emit', emit: 'resource_changes' };
const EMIT_DRIFT: Node = { mode: 'emit', emit: 'resource_drift' };
/** prior_state modules: only each resource's `mode` is kept (to count managed resources). */
const STATE_RESOURCE: Node = {
  mode: 'reduce',
  reduce: (v) => (isPlainObject(v) ? (Object.hasOwn(v, 'mode') ? { mode: v.mode } : {}) : v),
};
const STATE_MODULE: Node = {
  mode: 'obj',
  build: true,
  child: (k) =>
    k === 'resources'
      ? { mode: 'arr', build: true, child: () => STATE_RESOURCE }
      : k === 'child_modules'
        ? { mode: 'arr', build: true, child: () => STATE_MODULE }
        : CHECK,
};
/** planned_values modules: checked, not kept. */
const CHECKED_MODULE: Node = {
  mode: 'any',
  child: (k) =>
    k === 'resources'
      ? { mode: 'any', child: () => CHECK }
      : k === 'child_modules'
        ? { mode: 'any', child: () => CHECKED_MODULE }
        : CHECK,
};
/** A module in `configuration`: its calls recurse; resources and the rest are only checked. */
const configChild = (k: string | number): Node =>
  k === 'module_calls'
    ? {
        mode: 'any',
        child: () => ({ mode: 'any', child: (c) => (c === 'module' ? CHECKED_CONFIG : CHECK) }),
      }
    : k === 'resources'
      ? { mode: 'any', child: () => CHECK }
      : CHECK;
/** The root module keeps its outputs (sensitive declarations); child modules are only checked. */
const CONFIG_MODULE: Node = {
  mode: 'obj',
  build: true,
  child: (k) => (k === 'outputs' ? KEEP : configChild(k)),
};
const CHECKED_CONFIG: Node = { mode: 'any', child: configChild };
/** The pruned document: what parsePlanObject reads, and nothing bigger. */
const ROOT: Node = {
  mode: 'obj',
  build: true,
  child: (k) => {
    switch (k) {
      case 'resource_changes':
        return { mode: 'arr', streamed: true, child: () => EMIT_RC };
      case 'resource_drift':
        return { mode: 'arr', streamed: true, child: () => EMIT_DRIFT };
      case 'format_version':
      case 'plan_format_version':
      case 'terraform_version':
      case 'errored':
      case 'applyable':
      case 'output_changes':
      case 'relevant_attributes':
      case 'checks':
      case 'complete': // with the next two, what digest v2 covers besides the changes
      case 'action_invocations':
      case 'deferred_changes':
        return KEEP;
      case 'prior_state':
        return {
          mode: 'obj',
          build: true,
          child: (p) =>
            p === 'values'
              ? {
                  mode: 'obj',
                  build: true,
                  child: (v) =>
                    v === 'outputs' ? KEEP : v === 'root_module' ? STATE_MODULE : CHECK,
                }
              : CHECK,
        };
      case 'planned_values':
        return {
          mode: 'obj',
          build: true,
          child: (p) => (p === 'outputs' ? KEEP : p === 'root_module' ? CHECKED_MODULE : CHECK),
        };
      case 'configuration':
        return {
          mode: 'obj',
          build: true,
          child: (p) => (p === 'root_module' ? CONFIG_MODULE : CHECK),
        };
      default:
        return UNKNOWN_MEMBER;
    }
  },
};

interface Frame {
  node: Node;
  isArray: boolean;
  value: Record<string, unknown> | unknown[] | undefined;
  key: string;
  index: number;
  /** Nothing read yet: the closing bracket may come next. */
  empty: boolean;
}

const enum S {
  Value,
  Key,
  Colon,
  After,
  Done,
  Capture,
}

// Bytes read from a Uint8Array are compared with these codes, which TypeScript inlines as literals.
/* eslint-disable @typescript-eslint/no-unsafe-enum-comparison */
const enum C {
  Quote = 0x22,
  Comma = 0x2c,
  Colon = 0x3a,
  LBracket = 0x5b,
  Backslash = 0x5c,
  RBracket = 0x5d,
  LBrace = 0x7b,
  RBrace = 0x7d,
}

class Scanner {
  private state = S.Value;
  private readonly stack: Frame[] = [];
  private out: PlanEntry[] = [];
  // The value being captured for JSON.parse.
  private cap: Uint8Array[] = [];
  private capBytes = 0;
  private capStart = 0;
  private capNode: Node = CHECK;
  private capIsKey = false;
  private capScalar = false;
  private capDepth = 0;
  private capMaxDepth = 0;
  private capInString = false;
  private capEscape = false;
  /** Where the capture started in the current chunk (-1: at the chunk's start). */
  private capFrom = -1;

  async *entries(chunks: AsyncIterable<Uint8Array>, base: number): AsyncGenerator<PlanEntry> {
    let pos = base;
    for await (const chunk of chunks) {
      this.feed(chunk, pos);
      pos += chunk.length;
      if (this.out.length > 0) {
        const out = this.out;
        this.out = [];
        yield* out;
      }
    }
    this.end(pos);
    yield* this.out;
  }

  private fail(offset: number, problem: string): never {
    throw new StreamSyntaxError(offset, problem, false);
  }

  private feed(buf: Uint8Array, base: number): void {
    const n = buf.length;
    let i = 0;
    while (i < n) {
      if (this.state === S.Capture) {
        const from = this.capFrom >= 0 ? this.capFrom : i;
        this.capFrom = -1;
        const e = this.scanCapture(buf, i);
        const to = e < 0 ? n : e;
        if (to > from) {
          this.cap.push(buf.subarray(from, to));
          this.capBytes += to - from;
          if (this.capBytes > MAX_VALUE_BYTES) this.tooBig();
        }
        if (e < 0) return;
        i = e;
        this.finishCapture(base + e);
        continue;
      }
      const c = buf[i] as number;
      if (isSpace(c)) {
        i++;
        continue;
      }
      const top = this.stack[this.stack.length - 1];
      switch (this.state) {
        case S.Value: {
          if (top && top.isArray && top.empty && c === C.RBracket) {
            this.close(base + i + 1);
            i++;
            break;
          }
          const node = top
            ? (top.node.child as (k: string | number) => Node)(top.isArray ? top.index : top.key)
            : ROOT;
          const wantsObj = node.mode === 'obj' || node.mode === 'any';
          const wantsArr = node.mode === 'arr' || node.mode === 'any';
          if ((c === C.LBrace && wantsObj) || (c === C.LBracket && wantsArr)) {
            const isArray = c === C.LBracket;
            this.stack.push({
              node,
              isArray,
              value: node.build ? (isArray ? [] : {}) : undefined,
              key: '',
              index: 0,
              empty: true,
            });
            this.state = isArray ? S.Value : S.Key;
            i++;
            break;
          }
          if (!top && c !== C.LBrace) this.fail(base + i, 'expected a JSON object');
          if (c === C.RBracket || c === C.RBrace || c === C.Comma || c === C.Colon) {
            this.fail(
              base + i,
              'expected a value (an object, array, string, number, true, false or null)',
            );
          }
          // Parse this value whole. Walked nodes that meet something else keep it, so that
          // type errors are reported as parsePlan reports them.
          const whole = node.mode === 'check' || node.mode === 'emit' || node.mode === 'reduce';
          this.startCapture(buf, i, base, whole ? node : KEEP, false);
          i = this.capScalar ? i : i + 1;
          break;
        }
        case S.Key: {
          if (c === C.RBrace && top!.empty) {
            this.close(base + i + 1);
            i++;
            break;
          }
          if (c !== C.Quote) this.fail(base + i, 'expected a property name in double quotes');
          this.startCapture(buf, i, base, KEEP, true);
          i++;
          break;
        }
        case S.Colon:
          if (c !== C.Colon) this.fail(base + i, "expected ':' after a property name");
          this.state = S.Value;
          i++;
          break;
        case S.After: {
          if (!top) this.fail(base + i, 'there is more text after the end of the JSON');
          const close = top.isArray ? C.RBracket : C.RBrace;
          if (c === C.Comma) {
            top.empty = false;
            this.state = top.isArray ? S.Value : S.Key;
            i++;
          } else if (c === close) {
            this.close(base + i + 1);
            i++;
          } else {
            this.fail(base + i, `expected ',' or '${top.isArray ? ']' : '}'}'`);
          }
          break;
        }
        case S.Done:
          this.fail(base + i, 'there is more text after the end of the JSON');
      }
    }
    if (this.capFrom >= 0) {
      // A capture began on this chunk's last byte.
      this.cap.push(buf.subarray(this.capFrom, n));
      this.capBytes += n - this.capFrom;
      this.capFrom = -1;
    }
  }

  private startCapture(buf: Uint8Array, i: number, base: number, node: Node, isKey: boolean): void {
    const c = buf[i] as number;
    this.state = S.Capture;
    this.cap = [];
    this.capBytes = 0;
    this.capStart = base + i;
    this.capNode = node;
    this.capIsKey = isKey;
    this.capEscape = false;
    this.capFrom = i;
    this.capMaxDepth = 0;
    if (c === C.Quote) {
      this.capScalar = false;
      this.capDepth = 0;
      this.capInString = true;
    } else if (c === C.LBrace || c === C.LBracket) {
      this.capScalar = false;
      this.capDepth = 1;
      this.capMaxDepth = 1;
      this.capInString = false;
    } else {
      this.capScalar = true;
      this.capDepth = 0;
      this.capInString = false;
    }
  }

  /** End (exclusive) of the captured value in `buf` from `i`, or -1 if it goes on. */
  private scanCapture(buf: Uint8Array, i: number): number {
    const n = buf.length;
    if (this.capScalar) {
      while (i < n) {
        const c = buf[i] as number;
        if (c === C.Comma || c === C.RBrace || c === C.RBracket || isSpace(c)) return i;
        i++;
      }
      return -1;
    }
    let depth = this.capDepth;
    let maxDepth = this.capMaxDepth;
    let inString = this.capInString;
    if (this.capEscape) {
      this.capEscape = false;
      i++;
    }
    while (i < n) {
      if (inString) {
        const q = buf.indexOf(C.Quote, i);
        if (q < 0) {
          let k = n - 1;
          while (k >= i && buf[k] === C.Backslash) k--;
          if ((n - 1 - k) & 1) this.capEscape = true;
          break;
        }
        let k = q - 1;
        while (k >= i && buf[k] === C.Backslash) k--;
        i = q + 1;
        if ((q - 1 - k) & 1) continue;
        inString = false;
        if (depth === 0) return i;
        continue;
      }
      const c = buf[i++] as number;
      if (c === C.Quote) inString = true;
      else if (c === C.LBrace || c === C.LBracket) {
        if (++depth > maxDepth) maxDepth = depth;
      } else if (c === C.RBrace || c === C.RBracket) {
        if (--depth === 0) {
          this.capMaxDepth = maxDepth;
          return i;
        }
      }
    }
    this.capDepth = depth;
    this.capMaxDepth = maxDepth;
    this.capInString = inString;
    return -1;
  }

  private parseCaptured(): unknown {
    const text = decode(this.cap);
    this.cap = [];
    try {
      return JSON.parse(text);
    } catch {
      const where = findJsonSyntaxError(text);
      let problem = where?.problem ?? 'syntax error';
      if (this.capScalar && where && /more text after the end/.test(problem)) {
        // `1x` inside a container: the container expected a separator after the `1`.
        const top = this.stack[this.stack.length - 1];
        problem = `expected ',' or '${top?.isArray ? ']' : '}'}'`;
      }
      throw new StreamSyntaxError(this.capStart, problem, false, { text, at: where?.offset ?? 0 });
    }
  }

  private finishCapture(end: number): void {
    const value = this.parseCaptured();
    const top = this.stack[this.stack.length - 1] as Frame;
    if (this.capIsKey) {
      top.key = value as string;
      this.state = S.Colon;
      return;
    }
    this.deliver(top, this.capNode, value, this.capStart, end);
  }

  /** A value is complete: hand it to its parent frame. */
  private deliver(
    parent: Frame | undefined,
    node: Node,
    value: unknown,
    start: number,
    end: number,
  ): void {
    this.state = S.After;
    if (!parent) {
      this.state = S.Done;
      return;
    }
    const key = parent.isArray ? parent.index++ : parent.key;
    parent.empty = false;
    if (node.mode === 'emit') {
      this.out.push({
        kind: node.emit as 'resource_changes',
        index: key as number,
        value,
        start,
        end,
        depth: this.capMaxDepth,
      });
      return;
    }
    const kept =
      node.mode === 'check'
        ? null
        : node.mode === 'reduce'
          ? (node.reduce as (v: unknown) => unknown)(value)
          : value;
    if (parent.value) {
      if (Array.isArray(parent.value)) parent.value.push(kept);
      else defineOwn(parent.value, key as string, kept);
    }
    if (parent.node === ROOT) this.out.push({ kind: 'member', key: key as string, value: kept });
  }

  private close(end: number): void {
    const frame = this.stack.pop() as Frame;
    const value = frame.value ?? (frame.node.streamed ? STREAMED : null);
    this.deliver(this.stack[this.stack.length - 1], KEEP, value, 0, end);
  }

  private tooBig(): never {
    // A syntax error inside the value explains it better than its size.
    const text = decode(this.cap);
    const where = findJsonSyntaxError(text);
    if (where && !where.endsEarly) {
      throw new StreamSyntaxError(this.capStart, where.problem, false, { text, at: where.offset });
    }
    throw new StreamSyntaxError(
      this.capStart,
      `one value is larger than ${MAX_VALUE_BYTES / 1024 / 1024} MB, which plangate does not read`,
      false,
    );
  }

  private end(pos: number): void {
    if (this.state === S.Done) return;
    if (this.state === S.Capture) {
      // Whatever was captured may hold an earlier error than the end.
      const text = decode(this.cap);
      const where = findJsonSyntaxError(text);
      if (where && !where.endsEarly) {
        throw new StreamSyntaxError(this.capStart, where.problem, false, {
          text,
          at: where.offset,
        });
      }
    }
    throw new StreamSyntaxError(pos, 'the text ends in the middle of the JSON', true);
  }
}

/** `o[k] = v` as an own property, even for `__proto__` (as JSON.parse makes it). */
function defineOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  } else o[k] = v;
}
