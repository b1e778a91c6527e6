import { createHash, type Hash } from 'node:crypto';

// The digest binds an approval to what would be applied (Gate v2). It covers only what applying
// the plan does: every actionable resource change (not a plain no-op or read) with the fields
// that say what it does (address, deposed key, actions, before, after, after_unknown, importing,
// previous_address), the output changes that are not no-ops, Terraform 1.14's
// `action_invocations`, 1.9+'s `deferred_changes`, and the `errored` / `complete` flags. Sensitive
// values are included, so a changed password changes it. Values Terraform refreshed on
// resources the plan leaves alone never do: a tag added outside Terraform to an untouched
// resource, or an unrelated merge, leaves an approval valid. The text hashed is canonical:
// object keys sorted, resource changes ordered by address, no timestamps or versions, so the same
// plan gives the same digest on every machine.

/** Every digest starts with this; v1 digests (`sha256:`, every change) are never compared to it. */
export const DIGEST_PREFIX = 'sha256v2:';

/** The top-level plan members, other than `resource_changes`, that the digest covers (raw). */
export interface DigestHeader {
  output_changes?: unknown;
  action_invocations?: unknown;
  deferred_changes?: unknown;
  errored?: unknown;
  complete?: unknown;
}

export interface DigestInput extends DigestHeader {
  resource_changes: unknown[];
}

/** The members of a plan document the digest reads besides its resource changes. */
export function digestHeader(doc: Record<string, unknown>): DigestHeader {
  return {
    output_changes: doc.output_changes,
    action_invocations: doc.action_invocations,
    deferred_changes: doc.deferred_changes,
    errored: doc.errored,
    complete: doc.complete,
  };
}

export function planDigest(input: DigestInput): string {
  const changes = input.resource_changes.filter(isActionable).sort(byAddress);
  const digest = new PlanDigest(input);
  for (const rc of changes) digest.add(rc);
  return digest.finish();
}

/**
 * True when applying `rc` does something: any change but a plain `["no-op"]` or `["read"]`. A
 * no-op that imports an object or records a move still changes state, so it counts. Anything
 * that is not a well-formed change counts too (the parser refuses it before a digest is used).
 */
export function isActionable(rc: unknown): boolean {
  if (typeof rc !== 'object' || rc === null) return true;
  const r = rc as { change?: unknown; previous_address?: unknown };
  const change = r.change as { actions?: unknown; importing?: unknown } | null | undefined;
  if (typeof change !== 'object' || change === null) return true;
  const a = change.actions;
  if (!Array.isArray(a) || a.length !== 1) return true;
  if (a[0] === 'read') return false;
  if (a[0] !== 'no-op') return true;
  const imp = change.importing;
  const importing = typeof imp === 'object' && imp !== null && !Array.isArray(imp);
  return importing || typeof r.previous_address === 'string';
}

/** The members of a resource change the digest covers, in canonical key order. */
const CHANGE_FIELDS = ['actions', 'after', 'after_unknown', 'before', 'importing'] as const;
const TOP_FIELDS = ['address', 'deposed', 'previous_address'] as const;

/**
 * What the digest hashes of one resource change, keys in sorted order; members absent from the
 * change are absent here. Also the fields the parser need not check the nesting of again after
 * tryAdd (see HASHED_MEMBERS).
 */
function projection(rc: unknown): Record<string, unknown> {
  const r = (typeof rc === 'object' && rc !== null ? rc : {}) as Record<string, unknown>;
  const c = (typeof r.change === 'object' && r.change !== null ? r.change : {}) as Record<
    string,
    unknown
  >;
  const out: Record<string, unknown> = {};
  // Sorted: actions, address, after, after_unknown, before, deposed, importing, previous_address.
  setIf(out, 'actions', c.actions);
  setIf(out, 'address', r.address);
  setIf(out, 'after', c.after);
  setIf(out, 'after_unknown', c.after_unknown);
  setIf(out, 'before', c.before);
  setIf(out, 'deposed', r.deposed);
  setIf(out, 'importing', c.importing);
  setIf(out, 'previous_address', r.previous_address);
  return out;
}

function setIf(o: Record<string, unknown>, k: string, v: unknown): void {
  if (v !== undefined) o[k] = v;
}

/** Members of a resource change (`top`) and of its `change` the digest reads. */
export const HASHED_MEMBERS: { top: readonly string[]; change: readonly string[] } = {
  top: [...TOP_FIELDS, 'change'],
  change: CHANGE_FIELDS,
};

/**
 * The digest built one resource change at a time, for readers that never hold the whole plan
 * (the streaming reader). `add` must be called in canonical order: sorted by `changeSortKey`,
 * ties in plan order (what planDigest's stable sort gives); it skips changes that are not
 * actionable. The result equals planDigest's.
 */
export class PlanDigest {
  private readonly hash: Hash;
  private readonly w: ChunkedWriter;
  private count = 0;
  constructor(header: DigestHeader) {
    this.hash = createHash('sha256');
    this.w = new ChunkedWriter(this.hash);
    // Keys in sorted order, as every object in the canonical text.
    this.w.write('{"action_invocations":');
    writeCanonical(this.w, sortedList(header.action_invocations));
    this.w.write(`,"complete":${header.complete !== false}`);
    this.w.write(',"deferred_changes":');
    writeCanonical(this.w, sortedList(header.deferred_changes));
    this.w.write(`,"errored":${header.errored === true}`);
    this.w.write(',"output_changes":');
    writeCanonical(this.w, actionableOutputs(header.output_changes));
    this.w.write(',"resource_changes":[');
  }
  add(rc: unknown): void {
    if (!isActionable(rc)) return;
    if (!this.tryAdd(rc)) this.addByKeys(rc);
  }
  /**
   * Adds actionable `rc` when one native JSON.stringify can write its canonical text, which also
   * proves that the members it hashes (HASHED_MEMBERS) nest at most CANONICAL_DEPTH levels as
   * part of `rc`. False, with nothing written, otherwise: the caller bounds its nesting
   * (addByKeys recurses without a limit), then calls addByKeys.
   */
  tryAdd(rc: unknown): boolean {
    const view = projectedView(rc);
    if (view === NOT_CANONICAL) return false;
    if (this.count++ > 0) this.w.write(',');
    this.w.write(JSON.stringify(view));
    return true;
  }
  /**
   * Adds the canonical text of an actionable change (canonicalChangeText): what add writes for
   * it, made earlier, so the change itself need not be held until its turn.
   */
  addText(text: string): void {
    if (this.count++ > 0) this.w.write(',');
    this.w.write(text);
  }
  /** Adds actionable `rc` key by key; only for values whose nesting the caller has bounded. */
  addByKeys(rc: unknown): void {
    if (this.count++ > 0) this.w.write(',');
    writeCanonical(this.w, projection(rc));
  }
  finish(): string {
    this.w.write(']}');
    this.w.flush();
    return `${DIGEST_PREFIX}${this.hash.digest('hex')}`;
  }
}

/**
 * The text PlanDigest.add writes for actionable `rc` (tryAdd's, else addByKeys'), for
 * PlanDigest.addText. As for addByKeys, the caller has bounded the nesting of `rc`.
 */
export function canonicalChangeText(rc: unknown): string {
  const view = projectedView(rc);
  if (view !== NOT_CANONICAL) return JSON.stringify(view);
  let out = '';
  writeCanonical({ write: (t: string) => (out += t) }, projection(rc));
  return out;
}

/**
 * The canonical view of rc's projection. Each hashed value is viewed at the depth it has inside
 * `rc` (its `change` members one level deeper than the rest), so the depth bound tryAdd proves
 * holds for `rc` itself.
 */
function projectedView(rc: unknown): unknown {
  const p = projection(rc);
  const out: Record<string, unknown> = {};
  for (const k in p) {
    const inChange = (CHANGE_FIELDS as readonly string[]).includes(k);
    const x = canonicalView(p[k], inChange ? 2 : 1);
    if (x === NOT_CANONICAL) return NOT_CANONICAL;
    out[k] = x;
  }
  return out;
}

/** Output changes other than no-ops; anything that is not an object map is hashed as it is. */
function actionableOutputs(outputs: unknown): unknown {
  if (outputs === undefined || outputs === null) return {};
  if (typeof outputs !== 'object' || Array.isArray(outputs)) return outputs;
  const out: Record<string, unknown> = {};
  for (const [name, oc] of Object.entries(outputs as Record<string, unknown>)) {
    const a = (oc as { actions?: unknown } | null)?.actions;
    if (Array.isArray(a) && a.length === 1 && a[0] === 'no-op') continue;
    setOwn(out, name, oc);
  }
  return out;
}

/**
 * A list hashed as a multiset (Terraform's order of action invocations and deferred changes is
 * not part of what they do): elements sorted by their canonical text. Absent is empty.
 */
function sortedList(v: unknown): unknown {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return v;
  return (v as unknown[])
    .map((x) => ({ x, k: canonicalJson(x) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((e) => e.x);
}

function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
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
