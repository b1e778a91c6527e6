import { REDACTED, UNKNOWN, type Json } from './model.js';

// Terraform marks sensitive values with a mask of the same shape as the value (`true` at a node
// means the whole subtree). Plans written before Terraform 0.15 carry no masks at all, so we also
// hide attributes whose names say they hold a secret. Over-redaction costs a reader a value;
// under-redaction leaks a credential into a PR comment.
const SECRET_NAME =
  /(^|_)(password|passwd|secret|secret_string|private_key|token|api_key|access_key|secret_key|client_secret|connection_string|credentials?)(_|$)/i;

export function isSecretName(key: string): boolean {
  let known = secretNames.get(key);
  if (known === undefined) {
    known = SECRET_NAME.test(key);
    // Attribute names repeat across resources; a bounded cache saves a regex test per value.
    if (secretNames.size >= 10_000) secretNames.clear();
    secretNames.set(key, known);
  }
  return known;
}

const secretNames = new Map<string, boolean>();

/** Replace every leaf the mask marks sensitive with REDACTED. */
export function redact(value: Json | undefined, mask: unknown): Json {
  const v = value === undefined ? null : value;
  if (mask === true) return REDACTED;
  // Copy on write: a container comes back as the same object when nothing in it is hidden
  // (most of a plan), so big plans are not copied whole.
  if (Array.isArray(v)) {
    const m = Array.isArray(mask) ? mask : [];
    if (!Array.isArray(mask) && isNonEmptyMask(mask)) return REDACTED;
    let out: Json[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const item = v[i] as Json;
      const r = redact(item, m[i]);
      if (out === undefined && r !== item) out = v.slice(0, i);
      if (out !== undefined) out.push(r);
    }
    return out ?? v;
  }
  if (v !== null && typeof v === 'object') {
    const m = isPlainObject(mask) ? mask : {};
    if (!isPlainObject(mask) && isNonEmptyMask(mask)) return REDACTED;
    const keys = Object.keys(v);
    let out: { [key: string]: Json } | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const item = v[k] as Json;
      const mk = own(m, k);
      const r =
        isRevealing(item) && isSecretName(k)
          ? REDACTED
          : item !== undefined &&
              (item === null || typeof item !== 'object') &&
              (mk === undefined || mk === false)
            ? item // a scalar without a mask: what redact(item, mk) returns, without the call
            : redact(item, mk);
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
  return v;
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

function isRevealing(v: Json): boolean {
  return (typeof v === 'string' && v !== '') || typeof v === 'number';
}

function isNonEmptyMask(mask: unknown): boolean {
  if (mask === true) return true;
  if (Array.isArray(mask)) return mask.some(isNonEmptyMask);
  if (isPlainObject(mask)) return Object.values(mask).some(isNonEmptyMask);
  return false;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** True when the mask marks anything at all sensitive. */
export function hasSensitive(mask: unknown): boolean {
  return isNonEmptyMask(mask);
}
