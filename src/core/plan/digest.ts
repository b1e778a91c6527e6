import { createHash, type Hash } from 'node:crypto';

// The digest binds an approval to what would be applied. It covers the raw resource and output
// changes (sensitive values included, so a changed password changes the digest), in a canonical
// form: object keys sorted, resource changes ordered by address, no timestamps or versions.
// The same plan therefore gives the same digest on every machine and every Terraform release
// that prints the same changes.

export interface DigestInput {
  resource_changes: unknown[];
  output_changes: Record<string, unknown>;
}

export function planDigest(input: DigestInput): string {
  const changes = [...input.resource_changes].sort(byAddress);
  const digest = new PlanDigest(input.output_changes);
  for (const rc of changes) digest.add(rc);
  return digest.finish();
}

/**
 * The digest built one resource change at a time, for readers that never hold the whole plan
 * (the streaming reader). `add` must be called in canonical order: sorted by `changeSortKey`,
 * ties in plan order (what planDigest's stable sort gives). The result equals planDigest's.
 */
export class PlanDigest {
  private readonly hash: Hash;
  private readonly w: ChunkedWriter;
  private count = 0;
  constructor(outputChanges: Record<string, unknown> | undefined) {
    this.hash = createHash('sha256');
    this.w = new ChunkedWriter(this.hash);
    this.w.write('{"output_changes":');
    writeCanonical(this.w, outputChanges ?? {});
    this.w.write(',"resource_changes":[');
  }
  add(rc: unknown): void {
    if (!this.tryAdd(rc)) this.addByKeys(rc);
  }
  /**
   * Adds `rc` when one native JSON.stringify can write its canonical text, which also proves
   * that it nests at most CANONICAL_DEPTH levels. False, with nothing written, otherwise: the
   * caller bounds its nesting (addByKeys recurses without a limit), then calls addByKeys.
   */
  tryAdd(rc: unknown): boolean {
    const view = canonicalView(rc, 0);
    if (view === NOT_CANONICAL) return false;
    if (this.count++ > 0) this.w.write(',');
    this.w.write(JSON.stringify(view));
    return true;
  }
  /** Adds `rc` key by key; only for values whose nesting the caller has bounded. */
  addByKeys(rc: unknown): void {
    if (this.count++ > 0) this.w.write(',');
    writeCanonical(this.w, rc);
  }
  finish(): string {
    this.w.write(']}');
    this.w.flush();
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** Canonical JSON text (sorted keys); exported for tests and for tools that want to inspect it. */
export function canonicalJson(value: unknown): string {
  const view = canonicalView(value, 0);
  if (view !== NOT_CANONICAL) return value === undefined ? 'null' : JSON.stringify(view);
  let out = '';
  const sink = { write: (s: string) => (out += s) };
  writeCanonical(sink, value);
  return out;
}

/** True when `changes` already are in digest order (Terraform sorts them by address). */
export function inDigestOrder(changes: readonly unknown[]): boolean {
  for (let i = 1; i < changes.length; i++) {
    if (!inOrder(changes[i - 1], changes[i])) return false;
  }
  return true;
}

/** changeSortKey(a) <= changeSortKey(b), without building the keys when the addresses decide. */
function inOrder(a: unknown, b: unknown): boolean {
  const x = (a as { address?: unknown } | null)?.address;
  const y = (b as { address?: unknown } | null)?.address;
  // Where neither address starts the other, the first difference lies inside both: it decides
  // the keys' order too.
  if (typeof x === 'string' && typeof y === 'string' && !x.startsWith(y) && !y.startsWith(x)) {
    return x < y;
  }
  return changeSortKey(a) <= changeSortKey(b);
}

function byAddress(a: unknown, b: unknown): number {
  const ka = changeSortKey(a);
  const kb = changeSortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The key resource changes are ordered by in the digest: address, then deposed key. */
export function changeSortKey(rc: unknown): string {
  const r = (rc ?? {}) as { address?: unknown; deposed?: unknown };
  return `${keyPart(r.address)}\u0000${r.deposed === undefined ? '' : keyPart(r.deposed)}`;
}

// Only strings matter (a change whose address is not one is refused), but this runs before any
// check: String() of a hostile 100,000-deep array would overflow the stack.
function keyPart(v: unknown): string {
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? '[array]' : '[object]';
  return String(v);
}

interface Sink {
  write(s: string): void;
}

// Hashing piece by piece keeps memory flat on plans with hundreds of thousands of changes.
class ChunkedWriter implements Sink {
  private buf = '';
  constructor(private readonly hash: Hash) {}
  write(s: string): void {
    // A resource change's text (a few KB) goes to the hash as it is: concatenating it first only
    // to flatten it again costs a copy.
    if (s.length > 1 << 10) {
      this.flush();
      this.hash.update(s, 'utf8');
      return;
    }
    this.buf += s;
    if (this.buf.length > 1 << 16) this.flush();
  }
  flush(): void {
    if (this.buf) this.hash.update(this.buf, 'utf8');
    this.buf = '';
  }
}

// Speed: most of a plan's bytes are attribute values, which Terraform (cty) already prints with
// sorted keys. A subtree whose objects all have their keys in sorted order and hold only JSON
// values is written by the native JSON.stringify, which then produces exactly the canonical
// text; only the rest (resource change and change objects, whose keys Terraform prints in
// struct order) is written key by key.

function writeCanonical(w: Sink, v: unknown): void {
  if (v === null || v === undefined) {
    w.write('null');
  } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    w.write(JSON.stringify(v));
  } else if (isCanonical(v, 0)) {
    w.write(JSON.stringify(v));
  } else if (Array.isArray(v)) {
    w.write('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) w.write(',');
      writeCanonical(w, v[i]);
    }
    w.write(']');
  } else if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    w.write('{');
    keys.forEach((k, i) => {
      if (i > 0) w.write(',');
      w.write(JSON.stringify(k));
      w.write(':');
      writeCanonical(w, obj[k]);
    });
    w.write('}');
  } else {
    w.write('null');
  }
}

const NOT_CANONICAL: unique symbol = Symbol('not canonical');

/**
 * A value whose JSON.stringify is `v`'s canonical text: `v` itself where it already is
 * (isCanonical), else shallow copies with keys inserted in sorted order around canonical
 * subtrees, so one native JSON.stringify writes a whole resource change. NOT_CANONICAL when no
 * such value exists (an object needing an integer-like key after another key: V8 enumerates
 * integer-like keys first) or when the value is too deep; the key-by-key writer then takes over.
 */
function canonicalView(v: unknown, depth: number): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object') return isJsonScalar(v) ? v : NOT_CANONICAL;
  if (depth > FAST_DEPTH) return NOT_CANONICAL;
  // The resource change and its `change` (depths 0 and 1) are in Terraform's struct order, never
  // sorted: a view without asking. Below them, attribute values are almost always canonical.
  if (depth > 1 && isCanonical(v, depth)) return v;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const x = canonicalView(v[i], depth + 1);
      if (x === NOT_CANONICAL) return NOT_CANONICAL;
      out.push(x);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return NOT_CANONICAL;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  const out: Record<string, unknown> = {};
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const value = obj[k];
    if (value === undefined) continue;
    const c = k.charCodeAt(0);
    if (!first && c >= 0x30 && c <= 0x39 && INDEX_KEY.test(k)) return NOT_CANONICAL;
    first = false;
    const x = canonicalView(value, depth + 1);
    if (x === NOT_CANONICAL) return NOT_CANONICAL;
    if (k === '__proto__') {
      Object.defineProperty(out, k, {
        value: x,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[k] = x;
  }
  return out;
}

/** Keys V8 enumerates before all others (array indices). */
const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;

/** Deeper than this, the key-by-key writer (which has no such limit) takes over. */
const FAST_DEPTH = 64;

/** The most levels of arrays and objects (the value itself is one) in a value tryAdd accepts. */
export const CANONICAL_DEPTH = FAST_DEPTH + 1;

/**
 * True when JSON.stringify(v) is v's canonical text: only plain objects, arrays, strings,
 * finite-or-not numbers, booleans and null (undefined nowhere), every object's keys in sorted
 * order as enumerated (integer-like keys enumerate first, so an object with one out of
 * lexicographic order fails here and is sorted by the slow path).
 */
function isCanonical(v: unknown, depth: number): boolean {
  if (depth > FAST_DEPTH) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object') {
        if (x !== null && !isCanonical(x, depth + 1)) return false;
      } else if (!isJsonScalar(x)) {
        return false;
      }
    }
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const obj = v as Record<string, unknown>;
  let prev: string | undefined;
  for (const k in obj) {
    if (prev !== undefined && !(prev < k)) return false;
    if (!Object.hasOwn(obj, k)) return false;
    prev = k;
    const x = obj[k];
    if (typeof x === 'object') {
      if (x !== null && !isCanonical(x, depth + 1)) return false;
    } else if (!isJsonScalar(x)) {
      return false;
    }
  }
  return true;
}

function isJsonScalar(x: unknown): boolean {
  return typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
}
