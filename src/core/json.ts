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

/** `v` as a list: an array as it is, absent or null as none, anything else as a list of one. */
export function asList(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** The objects of a nested block (`[{...}]` in plan JSON), non-objects as empty ones. */
export function asObjects(v: Json | undefined): Record<string, Json>[] {
  return asList(v).map((x) => asObject(x));
}

/** The first object of a nested block, or an empty one. */
export function firstObject(v: Json | undefined): Record<string, Json> {
  return asObjects(v)[0] ?? {};
}
