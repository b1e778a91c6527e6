import type { Json } from './plan/model.js';

// Shape tests on JSON values, shared by the plan reader, the rules, the renderers and the config.

/** An object that is not an array or null: a JSON object (or a YAML mapping). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `v` when it is a JSON object, else an empty one (absent, null, scalars and arrays). */
export function asObject(v: Json | undefined): Record<string, Json> {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {};
}
