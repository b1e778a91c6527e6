import { REDACTED, UNKNOWN, type Json } from './model.js';
import {
  isSecretName,
  mayHoldCredential,
  PAIR_NAME_KEYS,
  PAIR_VALUE_KEYS,
  redactCredentials,
} from './secrets.js';
import { isPlainObject } from '../json.js';

// Terraform marks sensitive values with a mask of the same shape as the value (`true` at a node
// means the whole subtree). Masks miss secrets (plans before Terraform 0.15 carry none), so the
// walk also hides what secrets.ts recognises: everything under a secret-named key, the value of
// a name/value pair whose name is secret, credentials inside strings (and inside JSON documents
// held in strings).

/**
 * Deepest nesting the walk follows. Plan values are refused deeper than MAX_NESTING (shape.ts)
 * before they get here; only JSON documents inside strings can go deeper, and they are hidden.
 */
const MAX_WALK_DEPTH = 1024;

/** Replace every leaf the mask marks sensitive, and every secret found by name or text, with REDACTED. */
export function redact(value: Json | undefined, mask: unknown): Json {
  return walk(value === undefined ? null : value, mask, 0);
}

/** `value` of the output or variable `name`: hidden whole when the name is secret, else walked. */
export function redactNamed(name: string, value: Json): Json {
  return isSecretName(name) && holdsRevealing(value, 0) ? REDACTED : walk(value, undefined, 0);
}

function walk(v: Json, mask: unknown, depth: number): Json {
  if (mask === true) return REDACTED;
  if (depth > MAX_WALK_DEPTH) return REDACTED;
  // Copy on write: a container comes back as the same object when nothing in it is hidden
  // (most of a plan), so big plans are not copied whole.
  if (Array.isArray(v)) {
    const m = Array.isArray(mask) ? mask : [];
    if (!Array.isArray(mask) && isNonEmptyMask(mask)) return REDACTED;
    let out: Json[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const item = v[i] as Json;
      const r = walk(item, m[i], depth + 1);
      if (out === undefined && r !== item) out = v.slice(0, i);
      if (out !== undefined) out.push(r);
    }
    return out ?? v;
  }
  if (v !== null && typeof v === 'object') {
    const m = isPlainObject(mask) ? mask : {};
    if (!isPlainObject(mask) && isNonEmptyMask(mask)) return REDACTED;
    const secretPair = isSecretPair(v);
    const keys = Object.keys(v);
    let out: { [key: string]: Json } | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const item = v[k] as Json;
      const mk = own(m, k);
      const r =
        (isSecretName(k) || (secretPair && PAIR_VALUE_KEYS.has(k))) && holdsRevealing(item, 0)
          ? REDACTED
          : typeof item === 'string' && (mk === undefined || mk === false)
            ? redactString(item, depth + 1) // what walk(item, mk) returns, without the call
            : item !== null && typeof item !== 'object' && (mk === undefined || mk === false)
              ? item
              : walk(item, mk, depth + 1);
      if (out === undefined && r !== item) {
        out = {};
        for (let j = 0; j < i; j++) setOwn(out, keys[j] as string, v[keys[j] as string] as Json);
      }
      if (out !== undefined) setOwn(out, k, r);
    }
    return out ?? v;
  }
  // A mask with structure over a scalar means the shapes disagree: hide rather than guess.
  if (v !== null && isNonEmptyMask(mask)) return REDACTED;
  return typeof v === 'string' ? redactString(v, depth) : v;
}

/** A string with the credentials in it hidden; a JSON document in it is walked as a value. */
function redactString(s: string, depth: number): string {
  if (!mayHoldCredential(s)) return s;
  const doc = jsonDocument(s);
  if (doc !== undefined) {
    const r = walk(doc, undefined, depth + 1);
    return r === doc ? s : JSON.stringify(r);
  }
  return redactCredentials(s, REDACTED);
}

/** The object or array `s` holds as JSON (a policy, container definitions), else undefined. */
function jsonDocument(s: string): Json | undefined {
  const c = s.trimStart().charCodeAt(0);
  if (c !== 0x7b && c !== 0x5b) return undefined;
  try {
    const doc = JSON.parse(s) as Json;
    return typeof doc === 'object' && doc !== null ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** `{name: "API_TOKEN", value: …}`: a pair whose name is secret, so its value is too. */
function isSecretPair(o: { [key: string]: Json }): boolean {
  for (const k of PAIR_NAME_KEYS) {
    const name = own(o, k);
    if (typeof name === 'string' && isSecretName(name)) return true;
  }
  return false;
}

/** True when a value shows anything: a non-empty string or a number, at any depth. */
function holdsRevealing(v: Json, depth: number): boolean {
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return true;
  if (v === null || typeof v !== 'object') return false;
  if (depth > MAX_WALK_DEPTH) return true;
  const items = Array.isArray(v) ? v : Object.values(v);
  for (const x of items) if (holdsRevealing(x, depth + 1)) return true;
  return false;
}

/** Merge `after_unknown` into `after`: unknown leaves become UNKNOWN. */
export function markUnknown(value: Json | undefined, unknown: unknown): Json {
  if (unknown === true) return UNKNOWN;
  const v = value === undefined ? null : value;
  if (Array.isArray(unknown)) {
    const arr = Array.isArray(v) ? v : [];
    const len = Math.max(arr.length, unknown.length);
    // Copy on write, as in redact: the same array when no element changes.
    let out: Json[] | undefined = arr === v && len === arr.length ? undefined : [];
    for (let i = 0; i < len; i++) {
      const item = arr[i] as Json;
      const r = markUnknown(item, unknown[i]);
      if (out === undefined && r !== item) out = arr.slice(0, i);
      if (out !== undefined) out.push(r);
    }
    return out ?? arr;
  }
  if (isPlainObject(unknown)) {
    if (v !== null && (typeof v !== 'object' || Array.isArray(v))) return v;
    const obj = v ?? {};
    let out: { [key: string]: Json } | undefined = v === null ? { ...obj } : undefined;
    for (const [k, u] of Object.entries(unknown)) {
      const has = Object.hasOwn(obj, k);
      const item = has ? obj[k] : undefined;
      const r = markUnknown(item, u);
      if (out === undefined && (!has || r !== item)) out = { ...obj };
      if (out !== undefined) setOwn(out, k, r);
    }
    return out ?? obj;
  }
  return v;
}

/**
 * `o[k] = v` as an own property even for the key `__proto__` (which JSON.parse makes an own
 * property, and which plain assignment would turn into the object's prototype, hiding the value
 * from every view while it still counts in the digest).
 */
function setOwn(o: { [key: string]: Json }, k: string, v: Json): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** `o[k]` when `k` is `o`'s own property: never a method of Object.prototype. */
function own<T>(o: Record<string, T>, k: string): T | undefined {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

function isNonEmptyMask(mask: unknown): boolean {
  if (mask === true) return true;
  if (Array.isArray(mask)) return mask.some(isNonEmptyMask);
  if (isPlainObject(mask)) return Object.values(mask).some(isNonEmptyMask);
  return false;
}

/** True when the mask marks anything at all sensitive. */
export function hasSensitive(mask: unknown): boolean {
  return isNonEmptyMask(mask);
}
