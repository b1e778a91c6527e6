import {
  type ChangeKind,
  type DriftEntry,
  type Json,
  type OutputChange,
  type ResourceChange,
} from './model.js';
import { hasSensitive, markUnknown, redact, redactNamed } from './redact.js';
import { isPlainObject } from '../json.js';

// The shape of one element of a plan: a resource change, an output change, a drift entry, and
// the checks and refusals on it. The whole-file reader (parse.ts) applies them over the parsed
// document; the streaming reader (stream.ts) to each element as the scanner hands it out. Same
// checks, same model, same refusals, from one place.

/**
 * Deepest nesting of arrays and objects we read (the top-level object is level 1). Real plans
 * nest about 20 levels; the redaction, unknown-marking and digest walks recurse, and a hostile
 * 100,000-deep array would overflow the stack in them (JSON.parse itself copes).
 */
export const MAX_NESTING = 512;

export class PlanShapeError extends Error {}

export function refuse(reason: string): never {
  throw new PlanShapeError(reason);
}

export type Obj = Record<string, unknown>;

export function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

/** A value from the file, for a message: scalars as they are, strings quoted and cut, containers by type. */
export function shown(v: unknown): string {
  if (typeof v === 'string') return `"${cut(v, 40)}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return typeName(v);
}

/**
 * Text from the file, for a message: cut to `max` and on one line, with control and bidi
 * characters written as `\u{..}`. Messages reach terminals and logs, so nothing in them may move
 * the cursor, recolour the screen or reorder what is read.
 */
export function cut(s: string, max: number): string {
  let head = s;
  if (s.length > max) {
    head = s.slice(0, max - 1);
    if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
    head += '…';
  }
  return head.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g,
    (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}

/**
 * Refuse resource or output changes nested deeper than MAX_NESTING: they are what the recursive
 * walks (redaction, unknown values, digest) read. Nothing else in the document is walked
 * recursively, so its depth does not matter.
 */
export function checkChangeNesting(rc: unknown, index: number): void {
  if (nestedDeeperThan(rc, MAX_NESTING - 2)) tooDeep(`resource_changes[${index}]`);
}

export function tooDeep(where: string): never {
  refuse(
    `\`${where}\` is nested more than ${MAX_NESTING} levels deep (real plans nest a few dozen levels at most); refusing to read it`,
  );
}

/** True when `root` nests arrays and objects more than `max` levels (`root` itself is one). */
export function nestedDeeperThan(root: unknown, max: number): boolean {
  return deeperThan(root, 1, max);
}

// Recursive (no work lists to allocate: this walks every resource change of every plan), and
// safe: it descends at most `max` + 1 levels before it answers.
function deeperThan(v: unknown, depth: number, max: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (depth > max) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const child: unknown = v[i];
      if (typeof child === 'object' && child !== null && deeperThan(child, depth + 1, max)) {
        return true;
      }
    }
    return false;
  }
  for (const k in v) {
    const child = (v as Obj)[k];
    if (typeof child === 'object' && child !== null && deeperThan(child, depth + 1, max)) {
      return true;
    }
  }
  return false;
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') {
    refuse(`\`${where}.${key}\` must be a non-empty string, found ${shown(v)}`);
  }
  return v;
}

function shownList(xs: readonly string[]): string {
  const listed = `[${xs
    .slice(0, 4)
    .map((x) => shown(x))
    .join(',')}]`;
  return xs.length > 4 ? `${listed} (and ${xs.length - 4} more)` : listed;
}

function actionsOf(change: Obj, where: string): string[] {
  const a = change.actions;
  if (!Array.isArray(a) || a.length === 0 || !a.every((x) => typeof x === 'string')) {
    refuse(`\`${where}.actions\` must be a non-empty list of strings`);
  }
  return a;
}

/** The one place that maps Terraform's action lists to applygate's kinds. */
export function classifyActions(
  actions: readonly string[],
  opts: { importing: boolean; moved: boolean },
): ChangeKind | undefined {
  switch (actions.join(',')) {
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'delete':
      return 'delete';
    case 'read':
      return 'read';
    case 'forget':
    case 'create,forget': // Terraform 1.10+: the new object is created, the old one only forgotten
      return 'forget';
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    case 'no-op':
      return opts.importing ? 'import' : opts.moved ? 'move' : 'no-op';
    default:
      return undefined;
  }
}

export function resourceChange(raw: unknown, where: string): ResourceChange {
  if (!isPlainObject(raw)) refuse(`\`${where}\` must be an object`);
  const address = str(raw, 'address', where);
  const change = raw.change;
  if (!isPlainObject(change)) {
    refuse(`\`${where}.change\` must be an object (resource ${cut(address, 200)})`);
  }
  const actions = actionsOf(change, `${where}.change`);
  const previousAddress =
    typeof raw.previous_address === 'string' ? raw.previous_address : undefined;
  const importing = isPlainObject(change.importing);
  const kind = classifyActions(actions, { importing, moved: previousAddress !== undefined });
  if (!kind) {
    refuse(
      `\`${where}.change.actions\` is ${shownList(actions)}, which Terraform does not produce (resource ${cut(address, 200)})`,
    );
  }
  const mode = raw.mode === 'data' ? 'data' : 'managed';
  const type = str(raw, 'type', where);
  const after = markUnknown(change.after as Json, change.after_unknown);
  const rc: ResourceChange = {
    address,
    type,
    name: typeof raw.name === 'string' ? raw.name : '',
    provider: typeof raw.provider_name === 'string' ? raw.provider_name : '',
    mode,
    actions,
    kind,
    createBeforeDestroy: actions[0] === 'create' && actions[1] === 'delete',
    importing,
    replacePaths: Array.isArray(change.replace_paths) ? (change.replace_paths as Json[]) : [],
    before: redact(change.before as Json, change.before_sensitive),
    after: redact(after, change.after_sensitive),
  };
  if (previousAddress) rc.previousAddress = previousAddress;
  if (typeof raw.module_address === 'string') rc.module = raw.module_address;
  if (typeof raw.deposed === 'string') rc.deposed = raw.deposed;
  if (typeof raw.action_reason === 'string') rc.actionReason = raw.action_reason;
  return rc;
}

export function outputChange(name: string, raw: unknown, declaredSensitive: boolean): OutputChange {
  const where = `output_changes.${cut(name, 100)}`;
  if (!isPlainObject(raw)) refuse(`\`${where}\` must be an object`);
  const actions = actionsOf(raw, where);
  const kind = classifyActions(actions, { importing: false, moved: false });
  if (!kind)
    refuse(`\`${where}.actions\` is ${shownList(actions)}, which Terraform does not produce`);
  const sensitive =
    declaredSensitive ||
    raw.sensitive === true ||
    hasSensitive(raw.before_sensitive) ||
    hasSensitive(raw.after_sensitive);
  // A sensitive output is hidden whole: its shape alone can give a secret away. Any other is
  // hidden whole when its name is secret, else walked for secrets like resource values.
  const hide = (v: Json) => (sensitive ? redact(v, true) : redactNamed(name, v));
  return {
    name,
    actions,
    kind,
    sensitive,
    before: hide((raw.before ?? null) as Json),
    after: hide(markUnknown(raw.after as Json, raw.after_unknown)),
  };
}

export function driftEntry(raw: unknown, where: string): DriftEntry {
  if (!isPlainObject(raw)) refuse(`\`${where}\` must be an object`);
  const type = str(raw, 'type', where);
  // Terraform 1.0.0 wrote drift entries without `address`; rebuild it from type and name.
  const address =
    typeof raw.address === 'string' && raw.address
      ? raw.address
      : `${raw.mode === 'data' ? 'data.' : ''}${type}.${typeof raw.name === 'string' ? raw.name : '?'}`;
  const change = isPlainObject(raw.change) ? raw.change : {};
  const actions = Array.isArray(change.actions) ? (change.actions as string[]) : ['update'];
  return {
    address,
    type,
    mode: raw.mode === 'data' ? 'data' : 'managed',
    kind: classifyActions(actions, { importing: false, moved: false }) ?? 'update',
  };
}

export type ElementResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * The model of `resource_changes[index]`, checked exactly as parsePlan checks it. `depth`: the
 * value's nesting as the caller's byte scanner counted it in the bytes, which spares the nesting
 * walk. It decides alone: `raw` may be the change with its unread values cut (slim.ts), whose
 * walk would miss the depth of what was cut.
 */
export function resourceChangeAt(
  raw: unknown,
  index: number,
  depth?: number,
): ElementResult<ResourceChange> {
  return asResult(() => {
    if (depth === undefined) checkChangeNesting(raw, index);
    else if (depth > MAX_NESTING - 2) tooDeep(`resource_changes[${index}]`);
    return resourceChange(raw, `resource_changes[${index}]`);
  });
}

/** The drift entry of `resource_drift[index]`, as parsePlan builds it. */
export function driftEntryAt(raw: unknown, index: number): ElementResult<DriftEntry> {
  return asResult(() => driftEntry(raw, `resource_drift[${index}]`));
}

function asResult<T>(f: () => T): ElementResult<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof PlanShapeError) return { ok: false, reason: e.message };
    throw e;
  }
}
