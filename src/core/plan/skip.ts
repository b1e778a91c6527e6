import { concat, utf8Text } from './encoding.js';

// Reading a value's bytes without building it (issue 25). Most of a plan's bytes are values no
// view reads: the bodies of no-op changes, prior_state and planned_values. JSON.parse of them
// allocates every object and string only for the collector to free them; these functions check
// them as JSON, byte by byte, and build nothing but the few members asked for.
//
// The check accepts exactly what JSON.parse accepts of the same bytes decoded as UTF-8 (RFC 8259;
// bytes of 0x80 and above only ever sit inside strings, where any decode is fine). When it
// refuses, the caller reports nothing itself: json-error.ts finds the first error and its line
// and column, as for every other syntax error.

const enum C {
  Tab = 0x09,
  Nl = 0x0a,
  Cr = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Slash = 0x2f,
  D0 = 0x30,
  D1 = 0x31,
  D9 = 0x39,
  Colon = 0x3a,
  E = 0x45,
  LBracket = 0x5b,
  Backslash = 0x5c,
  RBracket = 0x5d,
  LowE = 0x65,
  LBrace = 0x7b,
  RBrace = 0x7d,
}

/* eslint-disable @typescript-eslint/no-unsafe-enum-comparison */

function space(b: Uint8Array, i: number): number {
  for (;;) {
    const c = b[i];
    if (c !== C.Space && c !== C.Nl && c !== C.Cr && c !== C.Tab) return i;
    i++;
  }
}

/** Bytes a string's plain run stops at: the quote, the backslash and control characters. */
const STOP = new Uint8Array(256);
for (let c = 0; c < C.Space; c++) STOP[c] = 1;
STOP[C.Quote] = 1;
STOP[C.Backslash] = 1;

/** End of the string whose opening quote is at `i - 1`, or -1 when it is not a JSON string. */
function stringEnd(b: Uint8Array, i: number): number {
  const n = b.length;
  for (;;) {
    // The hot loop: one table load per plain character.
    while (i < n && STOP[b[i] as number] === 0) i++;
    if (i >= n) return -1;
    const c = b[i] as number;
    if (c < C.Space) return -1;
    if (c === C.Quote) return i + 1;
    const e = b[i + 1];
    if (e === 0x75) {
      // \uXXXX
      for (let k = i + 2; k < i + 6; k++) if (!isHex(b[k])) return -1;
      i += 6;
    } else if (
      e === C.Quote ||
      e === C.Backslash ||
      e === C.Slash ||
      e === 0x62 ||
      e === 0x66 ||
      e === 0x6e ||
      e === 0x72 ||
      e === 0x74
    ) {
      i += 2;
    } else return -1;
  }
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined &&
    ((c >= C.D0 && c <= C.D9) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

function digits(b: Uint8Array, i: number): number {
  let c = b[i];
  while (c !== undefined && c >= C.D0 && c <= C.D9) c = b[++i];
  return i;
}

/** End of the number at `i`, or -1. */
function numberEnd(b: Uint8Array, i: number): number {
  if (b[i] === C.Minus) i++;
  const c = b[i];
  if (c === C.D0) i++;
  else if (c !== undefined && c >= C.D1 && c <= C.D9) i = digits(b, i + 1);
  else return -1;
  if (b[i] === C.Dot) {
    const j = digits(b, i + 1);
    if (j === i + 1) return -1;
    i = j;
  }
  if (b[i] === C.LowE || b[i] === C.E) {
    i++;
    if (b[i] === C.Plus || b[i] === C.Minus) i++;
    const j = digits(b, i);
    if (j === i) return -1;
    i = j;
  }
  return i;
}

function literalEnd(b: Uint8Array, i: number, word: readonly number[]): number {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return -1;
  return i + word.length;
}
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** A member's key and colon from `i` (at its opening quote): the index after the colon's space. */
function keyEnd(b: Uint8Array, i: number): number {
  if (b[i] !== C.Quote) return -1;
  i = stringEnd(b, i + 1);
  if (i < 0) return -1;
  i = space(b, i);
  if (b[i] !== C.Colon) return -1;
  return space(b, i + 1);
}

/**
 * True when `b` holds exactly one JSON value (no space around it), as JSON.parse would accept it.
 * Iterative: nesting depth costs memory for a bit per level, never stack.
 */
export function isJsonValue(b: Uint8Array): boolean {
  return jsonValueEnd(b, 0) === b.length;
}

let lastDepth = 0;

/** Levels of arrays and objects (itself one) of the value jsonValueEnd last read whole. */
export function valueDepth(): number {
  return lastDepth;
}

/**
 * End of the JSON value at `i` (no space before it), or -1 when the bytes from `i` are not one
 * (or end before it does). A number is read up to the first byte that cannot continue it.
 */
export function jsonValueEnd(b: Uint8Array, i: number): number {
  // 1 for an object, 0 for an array, per open container.
  const open: number[] = [];
  let depth = 0;
  for (;;) {
    const c = b[i];
    if (c === C.Quote) i = stringEnd(b, i + 1);
    else if (c === C.LBrace) {
      if (open.length + 1 > depth) depth = open.length + 1;
      i = space(b, i + 1);
      if (b[i] === C.RBrace) i++;
      else {
        open.push(1);
        i = keyEnd(b, i);
        if (i < 0) return -1;
        continue;
      }
    } else if (c === C.LBracket) {
      if (open.length + 1 > depth) depth = open.length + 1;
      i = space(b, i + 1);
      if (b[i] === C.RBracket) i++;
      else {
        open.push(0);
        continue;
      }
    } else if (c === 0x74) i = literalEnd(b, i, TRUE);
    else if (c === 0x66) i = literalEnd(b, i, FALSE);
    else if (c === 0x6e) i = literalEnd(b, i, NULL);
    else i = numberEnd(b, i);
    if (i < 0) return -1;
    // After a value: commas and closing brackets until the next value starts.
    for (;;) {
      if (open.length === 0) {
        lastDepth = depth;
        return i;
      }
      i = space(b, i);
      const inObject = open[open.length - 1] === 1;
      const d = b[i];
      if (d === C.Comma) {
        i = space(b, i + 1);
        if (inObject) {
          i = keyEnd(b, i);
          if (i < 0) return -1;
        }
        break;
      }
      if (d !== (inObject ? C.RBrace : C.RBracket)) return -1;
      open.pop();
      i++;
    }
  }
}

/**
 * End of the value at `i` in bytes taken to be JSON: strings, brackets and scalars are skipped
 * without a check. Never beyond `b.length + 1`, whatever the bytes.
 */
function skipChecked(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === C.Quote) return checkedStringEnd(b, i + 1);
  if (c === C.LBrace || c === C.LBracket) {
    let depth = 0;
    while (i < b.length) {
      const d = b[i++];
      if (d === C.Quote) i = checkedStringEnd(b, i);
      else if (d === C.LBrace || d === C.LBracket) depth++;
      else if (d === C.RBrace || d === C.RBracket) {
        if (--depth === 0) return i;
      }
    }
    return b.length + 1;
  }
  for (;;) {
    const d = b[i];
    if (
      d === undefined ||
      d === C.Comma ||
      d === C.RBrace ||
      d === C.RBracket ||
      d === C.Space ||
      d === C.Nl ||
      d === C.Cr ||
      d === C.Tab
    )
      return i;
    i++;
  }
}

function checkedStringEnd(b: Uint8Array, i: number): number {
  const n = b.length;
  while (i < n) {
    const c = b[i++];
    if (c === C.Quote) return i;
    if (c === C.Backslash) i++;
  }
  return n + 1;
}

/** A key's text: its bytes when plain ASCII, else what JSON.parse makes of it. */
function keyText(b: Uint8Array, start: number, end: number): string {
  return JSON.parse(utf8Text([b.subarray(start, end)])) as string;
}

/**
 * Each member of the object at `i` in JSON bytes `b`: its key's byte range (quotes included) and
 * its value's. `b` must be known to be JSON (isJsonValue) and `b[i]` an opening brace.
 */
export function forEachMember(
  b: Uint8Array,
  i: number,
  f: (keyStart: number, keyEnd: number, start: number, end: number) => void,
): number {
  return walkMembers(b, i, (ks, ke, s) => {
    const e = skipChecked(b, s);
    f(ks, ke, s, e);
    return e;
  });
}

/** A walk's answer for a member: where its value ends (the walker read it), or STOP the walk. */
export const STOP_WALK = -1;

/**
 * Each member of the object at `i` in JSON bytes `b` (as forEachMember), where `f` reads the
 * value itself and answers where it ends, or STOP_WALK. The object's end, or STOP_WALK.
 */
export function walkMembers(
  b: Uint8Array,
  i: number,
  f: (keyStart: number, keyEnd: number, start: number) => number,
): number {
  i = space(b, i + 1);
  if (b[i] === C.RBrace) return i + 1;
  for (;;) {
    // Bytes not yet checked (a change the reader may yet build whole) can end anywhere.
    if (b[i] !== C.Quote) return STOP_WALK;
    const keyStart = i;
    const keyStop = checkedStringEnd(b, i + 1);
    const start = space(b, space(b, keyStop) + 1);
    if (start >= b.length) return STOP_WALK;
    const end = f(keyStart, keyStop, start);
    if (end === STOP_WALK) return STOP_WALK;
    i = space(b, end);
    if (b[i] === C.RBrace) return i + 1;
    i = space(b, i + 1); // the comma
  }
}

/** End of the value at `i` in bytes known to be JSON. */
export function valueEndChecked(b: Uint8Array, i: number): number {
  return skipChecked(b, i);
}

/** True when the key at `b[start..end)` (with its quotes) is `name`, an ASCII word. */
export function keyIs(b: Uint8Array, start: number, end: number, name: string): boolean {
  const len = end - start - 2;
  // Only a key written with escapes can be longer than its text.
  if (len < name.length) return false;
  if (len === name.length) {
    let k = 0;
    while (k < len && b[start + 1 + k] === name.charCodeAt(k)) k++;
    if (k === len) return true;
  }
  return hasBackslash(b, start + 1, end - 1) && keyText(b, start, end) === name;
}

function hasBackslash(b: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (b[k] === C.Backslash) return true;
  return false;
}

/**
 * The JSON bytes `b`, built with each value in `holes` (sorted byte ranges) replaced by null:
 * one JSON.parse of what is left.
 */
export function parseWithHoles(b: Uint8Array, holes: readonly [number, number][]): unknown {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const [s, e] of holes) {
    parts.push(b.subarray(at, s), NULL_BYTES);
    at = e;
  }
  parts.push(b.subarray(at));
  return JSON.parse(utf8Text([concat(parts)]));
}
const NULL_BYTES = new Uint8Array(NULL);

/** The value at `b[start..end)` (JSON), built. */
export function parseRange(b: Uint8Array, start: number, end: number): unknown {
  return JSON.parse(utf8Text([b.subarray(start, end)]));
}

/** True when the JSON value at `b[start]` is an object. */
export function isObjectAt(b: Uint8Array, start: number): boolean {
  return b[start] === C.LBrace;
}

/**
 * The object at `b[start..end)` with only the members named in `keep` (ASCII words), each built;
 * any other value whole. Later duplicates win, as in JSON.parse.
 */
export function pickMembers(
  b: Uint8Array,
  start: number,
  end: number,
  keep: readonly string[],
): unknown {
  if (!isObjectAt(b, start)) return parseRange(b, start, end);
  return picked(b, start, keep).value;
}

/** The object at `start` with the members named in `keep`, and where it ends. */
export function picked(
  b: Uint8Array,
  start: number,
  keep: readonly string[],
): { value: Record<string, unknown>; end: number } {
  const value: Record<string, unknown> = {};
  const end = forEachMember(b, start, (ks, ke, s, e) => {
    for (const k of keep) if (keyIs(b, ks, ke, k)) defineOwn(value, k, parseRange(b, s, e));
  });
  return { value, end };
}

/** `o[k] = v` as an own property, even for `__proto__` (as JSON.parse makes it). */
export function defineOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  } else o[k] = v;
}
