import { concat, utf8Text } from './encoding.js';
import { isSpace } from './json-error.js';
import { defineOwn, isJsonValue, jsonValueEnd, pickMembers, valueDepth } from './skip.js';

// Pass 1 of the streaming reader: a small push parser over the document's UTF-8 bytes. It walks
// the structure a layout (layout.ts) describes and hands every smaller value to JSON.parse, or,
// where nothing reads it, to the byte checker of skip.ts, which builds nothing; so the whole
// document is checked as JSON while no value bigger than one element is ever held.
// When something is not JSON it says only where it noticed: what is wrong, and the line and
// column, come from the one JSON grammar (json-error.ts), as for the whole-file reader.

/** Longest single value (one resource change, one module, one output map) read at once. */
export const MAX_VALUE_BYTES = 256 * 1024 * 1024;

/**
 * The bytes before `offset` are not JSON (or, `tooBig`, hold one value larger than
 * MAX_VALUE_BYTES). Carries no message: json-error.ts finds the first error and describes it.
 */
export class ScanError extends Error {
  constructor(
    readonly offset: number,
    readonly tooBig = false,
  ) {
    super(tooBig ? 'value too big' : 'not JSON');
  }
}

/** Placeholder for a member whose elements were handed out one by one. */
export const STREAMED: unique symbol = Symbol('streamed');

export type PlanEntry =
  /** A top-level member, pruned as the layout says; `resource_changes`/`resource_drift` as STREAMED. */
  | { kind: 'member'; key: string; value: unknown }
  /**
   * An element of `resource_changes` as its UTF-8 bytes, neither built nor checked as JSON: the
   * reader builds or checks what it needs of it. With its byte range in the UTF-8 text.
   */
  | {
      kind: 'resource_changes';
      index: number;
      value: Uint8Array;
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
 * - `keep`: parse whole and keep. `check`: check as JSON without building it, and drop.
 * - `emit`: hand out as an entry, keeping nothing: parsed, or with `bytes`, checked and handed
 *   out as its bytes.
 * - `pick`: check, and keep an object with only the members `pick` names (any other value whole).
 */
export interface Node {
  mode: 'obj' | 'arr' | 'any' | 'keep' | 'check' | 'emit' | 'pick';
  build?: boolean;
  child?: (key: string | number) => Node;
  emit?: 'resource_changes' | 'resource_drift';
  /**
   * `emit`: hand out the value's bytes instead of the value, NOT checked as JSON: the reader
   * checks them (skip.ts isJsonValue) or builds them (JSON.parse), and throws ScanError if not.
   */
  bytes?: boolean;
  /** An array whose elements are emitted: its member value is STREAMED. */
  streamed?: boolean;
  /** `pick`: the members kept (ASCII words). */
  pick?: readonly string[];
}

export const KEEP: Node = { mode: 'keep' };
export const CHECK: Node = { mode: 'check' };

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

export class Scanner {
  constructor(
    /** What to do with the document: the plan's layout (layout.ts). */
    private readonly root: Node,
  ) {}

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

  /** Not JSON at `offset`: the grammar (json-error.ts) says what is wrong there. */
  private fail(offset: number): never {
    throw new ScanError(offset + 1);
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
          if (this.capBytes > MAX_VALUE_BYTES) throw new ScanError(base + to, true);
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
            : this.root;
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
          if (!top && c !== C.LBrace) this.fail(base + i);
          if (c === C.RBracket || c === C.RBrace || c === C.Comma || c === C.Colon) {
            this.fail(base + i);
          }
          // Parse this value whole. Walked nodes that meet something else keep it, so that
          // type errors are reported as parsePlan reports them.
          const whole = node.mode === 'check' || node.mode === 'emit' || node.mode === 'pick';
          if (whole && checksBytes(node) && node.mode !== 'emit') {
            // A value checked in place when it ends inside this chunk (a scalar only when a
            // byte after it shows where it ends): one pass, no copy. Else it is captured.
            const e = jsonValueEnd(buf, i);
            const c0 = buf[i];
            if (e >= 0 && (e < n || c0 === C.LBrace || c0 === C.LBracket || c0 === C.Quote)) {
              this.capMaxDepth = valueDepth();
              this.deliver(top, node, this.checkedValue(node, buf, i, e), base + i, base + e);
              i = e;
              break;
            }
          }
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
          if (c !== C.Quote) this.fail(base + i);
          this.startCapture(buf, i, base, KEEP, true);
          i++;
          break;
        }
        case S.Colon:
          if (c !== C.Colon) this.fail(base + i);
          this.state = S.Value;
          i++;
          break;
        case S.After: {
          if (!top) this.fail(base + i);
          const close = top.isArray ? C.RBracket : C.RBrace;
          if (c === C.Comma) {
            top.empty = false;
            this.state = top.isArray ? S.Value : S.Key;
            i++;
          } else if (c === close) {
            this.close(base + i + 1);
            i++;
          } else {
            this.fail(base + i);
          }
          break;
        }
        case S.Done:
          this.fail(base + i);
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

  private parseCaptured(end: number): unknown {
    const text = utf8Text(this.cap);
    this.cap = [];
    try {
      return JSON.parse(text);
    } catch {
      throw new ScanError(end);
    }
  }

  /** The captured value checked as JSON, as its bytes (nothing is built). */
  private checkCaptured(end: number): Uint8Array {
    const bytes = concat(this.cap);
    this.cap = [];
    if (!isJsonValue(bytes)) throw new ScanError(end);
    return bytes;
  }

  private finishCapture(end: number): void {
    const top = this.stack[this.stack.length - 1] as Frame;
    if (this.capIsKey) {
      top.key = this.parseCaptured(end) as string;
      this.state = S.Colon;
      return;
    }
    const node = this.capNode;
    let value: unknown;
    if (node.mode === 'emit' && node.bytes) {
      // Handed out unchecked: the reader builds it (JSON.parse checks it) or checks it.
      value = concat(this.cap);
      this.cap = [];
    } else if (checksBytes(node)) {
      const bytes = this.checkCaptured(end);
      value = this.checkedValue(node, bytes, 0, bytes.length);
    } else value = this.parseCaptured(end);
    this.deliver(top, node, value, this.capStart, end);
  }

  /** What a node that checks bytes keeps of a value checked as JSON. */
  private checkedValue(node: Node, bytes: Uint8Array, start: number, end: number): unknown {
    if (node.mode === 'check') return null;
    if (node.mode === 'pick') return pickMembers(bytes, start, end, node.pick as string[]);
    return start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
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
        value: value as Uint8Array,
        start,
        end,
        depth: this.capMaxDepth,
      });
      return;
    }
    const kept = value;
    if (parent.value) {
      if (Array.isArray(parent.value)) parent.value.push(kept);
      else defineOwn(parent.value, key as string, kept);
    }
    if (parent === this.stack[0])
      this.out.push({ kind: 'member', key: key as string, value: kept });
  }

  private close(end: number): void {
    const frame = this.stack.pop() as Frame;
    const value = frame.value ?? (frame.node.streamed ? STREAMED : null);
    this.deliver(this.stack[this.stack.length - 1], KEEP, value, 0, end);
  }

  private end(pos: number): void {
    if (this.state !== S.Done) throw new ScanError(pos);
  }
}

/** Nodes whose values are checked as JSON bytes rather than parsed. */
function checksBytes(node: Node): boolean {
  return node.mode === 'check' || node.mode === 'pick' || (node.mode === 'emit' && !!node.bytes);
}
