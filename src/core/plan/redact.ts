import { REDACTED, UNKNOWN, type Json } from './model.js';

// Terraform marks sensitive values with a mask of the same shape as the value (`true` at a node
// means the whole subtree). Plans written before Terraform 0.15 carry no masks at all, so we also
// hide attributes whose names say they hold a secret. Over-redaction costs a reader a value;
// under-redaction leaks a credential into a PR comment.
const SECRET_NAME =
  /(^|_)(password|passwd|secret|secret_string|private_key|token|api_key|access_key|secret_key|client_secret|connection_string|credentials?)(_|$)/i;

export function isSecretName(key: string): boolean {
  return SECRET_NAME.test(key);
}

/** Replace every leaf the mask marks sensitive with REDACTED. */
export function redact(value: Json | undefined, mask: unknown): Json {
  const v = value === undefined ? null : value;
  if (mask === true) return REDACTED;
  if (Array.isArray(v)) {
    const m = Array.isArray(mask) ? mask : [];
    if (!Array.isArray(mask) && isNonEmptyMask(mask)) return REDACTED;
    return v.map((item, i) => redact(item, m[i]));
  }
  if (v !== null && typeof v === 'object') {
    const m = isPlainObject(mask) ? mask : {};
    if (!isPlainObject(mask) && isNonEmptyMask(mask)) return REDACTED;
    const out: { [key: string]: Json } = {};
    for (const [k, item] of Object.entries(v)) {
      out[k] = isSecretName(k) && isRevealing(item) ? REDACTED : redact(item, m[k]);
    }
    return out;
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
    const out: Json[] = [];
    for (let i = 0; i < len; i++) out.push(markUnknown(arr[i], unknown[i]));
    return out;
  }
  if (isPlainObject(unknown)) {
    if (v !== null && (typeof v !== 'object' || Array.isArray(v))) return v;
    const obj = (v ?? {}) as { [key: string]: Json };
    const out: { [key: string]: Json } = { ...obj };
    for (const [k, u] of Object.entries(unknown)) out[k] = markUnknown(obj[k], u);
    return out;
  }
  return v;
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
