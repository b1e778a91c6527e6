import { decodePlanBytes } from './decode.js';
import {
  digestHeader,
  HASHED_MEMBERS,
  inDigestOrder,
  isActionable,
  planDigest,
  PlanDigest,
  type DigestHeader,
} from './digest.js';
import { findJsonSyntaxError, lineAndColumn, syntaxErrorReason } from './json-error.js';
import {
  type ChangeKind,
  type DriftEntry,
  type FailedCheck,
  type Json,
  type OutputChange,
  type Plan,
  type ResourceChange,
} from './model.js';
import { hasSensitive, markUnknown, redact, redactNamed } from './redact.js';
import { isPlainObject } from '../json.js';

/** Why a file is not a plan we can read. `message` names the file and says what to do. */
export interface PlanError {
  file: string;
  reason: string;
  message: string;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; error: PlanError };

/** Plan JSON format majors we understand: Terraform 0.12+ and every OpenTofu release. */
const SUPPORTED_MAJORS = new Set(['0', '1']);

/**
 * Deepest nesting of arrays and objects we read (the top-level object is level 1). Real plans
 * nest about 20 levels; the redaction, unknown-marking and digest walks recurse, and a hostile
 * 100,000-deep array would overflow the stack in them (JSON.parse itself copes).
 */
export const MAX_NESTING = 512;

class Refusal extends Error {}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

/**
 * Parse `terraform show -json` / `tofu show -json` output. Accepts bytes (any of the encodings
 * Terraform users really produce) or already-decoded text. Never throws.
 */
export function parsePlan(input: Uint8Array | string, file: string): PlanResult {
  try {
    const text = typeof input === 'string' ? stripBom(input) : decodePlanBytes(input);
    return { ok: true, plan: planFromJson(parseJsonText(text), file) };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, error: planError(file, e.message) };
    throw e;
  }
}

/** Build the model from an already-parsed JSON document (the streaming reader uses this). */
export function parsePlanObject(doc: unknown, file: string): PlanResult {
  try {
    return { ok: true, plan: planFromJson(doc, file) };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, error: planError(file, e.message) };
    throw e;
  }
}

export function planError(file: string, reason: string): PlanError {
  return { file, reason, message: `${file}: ${reason}` };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseJsonText(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed === '') refuse('the file is empty; expected the output of `terraform show -json`');
  if (trimmed.startsWith('PK')) {
    refuse(
      'this is a binary plan file (terraform plan -out); convert it with `terraform show -json plan.out > plan.json`',
    );
  }
  if (!trimmed.startsWith('{')) {
    if (/(Terraform|OpenTofu) will perform|Plan: \d+ to add|No changes\./.test(trimmed)) {
      refuse(
        'this is a human-readable plan, not JSON; save the plan with `terraform plan -out plan.out` and run `terraform show -json plan.out`',
      );
    }
    refuse('not JSON: expected the output of `terraform show -json plan.out`');
  }
  try {
    return JSON.parse(trimmed);
  } catch (e) {
    // Never V8's message: it quotes the text around the error, which may be a secret.
    const where = findJsonSyntaxError(trimmed);
    if (!where) refuse(`not valid JSON (${jsonErrorKind(e)})`);
    const skipped = text.length - trimmed.length;
    const { line, column } = lineAndColumn(text, skipped + where.offset);
    refuse(syntaxErrorReason(line, column, where.problem, where.endsEarly));
  }
}

/** V8's JSON.parse message without the text it quotes. */
function jsonErrorKind(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/,? *(\.\.\.)?"[\s\S]*$/, '').slice(0, 100) || 'syntax error';
}

type Obj = Record<string, unknown>;

function planFromJson(doc: unknown, file: string): Plan {
  if (!isPlainObject(doc)) refuse('expected a JSON object at the top level');
  if ('lineage' in doc && 'serial' in doc && 'resources' in doc) {
    refuse(
      'this is a Terraform state file, not a plan; run `terraform show -json plan.out` on a saved plan',
    );
  }
  const fv = doc.format_version;
  if (fv === undefined && 'plan_format_version' in doc) {
    refuse(
      'this is the redacted plan HCP Terraform shows in its UI (`plan_format_version`), not the output of `terraform show -json`; download the plan JSON with the API (GET /api/v2/plans/PLAN_ID/json-output, which needs admin access to the workspace) or run `terraform show -json` on a saved plan',
    );
  }
  if (fv === undefined) {
    refuse('no `format_version`: this is not the output of `terraform show -json`');
  }
  if (typeof fv !== 'string' || !/^\d+\.\d+$/.test(fv)) {
    refuse(`\`format_version\` is ${shown(fv)}; expected a version string such as "1.2"`);
  }
  const major = fv.split('.')[0] as string;
  if (!SUPPORTED_MAJORS.has(major)) {
    refuse(
      `plan format version ${cut(fv, 20)} is not supported (plangate reads 0.x and 1.x); upgrade plangate`,
    );
  }
  const looksLikePlan =
    'resource_changes' in doc ||
    'planned_values' in doc ||
    'output_changes' in doc ||
    'errored' in doc ||
    'resource_drift' in doc;
  if (!looksLikePlan && 'values' in doc) {
    refuse(
      'this is the JSON of a state (`terraform show -json` without a plan file), not a plan; run `terraform show -json plan.out`',
    );
  }
  if (!looksLikePlan) {
    refuse('no `planned_values` or `resource_changes`: this is not a plan');
  }

  const rawChanges = arrayField(doc, 'resource_changes');
  const rawOutputs = objectField(doc, 'output_changes');
  checkOutputNesting(rawOutputs);
  checkMemberNesting(doc, 'action_invocations');
  checkMemberNesting(doc, 'deferred_changes');
  const { resourceChanges, digest } = readResourceChanges(rawChanges, {
    ...digestHeader(doc),
    output_changes: rawOutputs,
  });
  const sensitiveOutputs = declaredSensitiveOutputs(doc);
  const outputChanges = Object.entries(rawOutputs).map(([name, oc]) =>
    outputChange(name, oc, sensitiveOutputs.has(name)),
  );
  const drift = arrayField(doc, 'resource_drift').map((rd, i) =>
    driftEntry(rd, `resource_drift[${i}]`),
  );
  const priorState = doc.prior_state;
  const errored = doc.errored === true;
  const relevantAddresses = arrayField(doc, 'relevant_attributes').flatMap((ra) =>
    isPlainObject(ra) && typeof ra.resource === 'string' ? [ra.resource] : [],
  );
  const failedChecks = arrayField(doc, 'checks').flatMap(failedCheck);
  const deferred = doc.deferred_changes;
  const terraformVersion =
    typeof doc.terraform_version === 'string' ? doc.terraform_version : undefined;

  return {
    file,
    formatVersion: fv,
    ...(terraformVersion ? { terraformVersion } : {}),
    resourceChanges,
    outputChanges,
    drift,
    relevantAddresses,
    failedChecks,
    priorStateResources: countStateResources(priorState),
    priorStateAbsent: !isPlainObject(priorState),
    errored,
    applyable: typeof doc.applyable === 'boolean' ? doc.applyable : !errored,
    complete: doc.complete !== false,
    deferredChanges: Array.isArray(deferred) ? deferred.length : 0,
    digest,
  };
}

/**
 * The model of every resource change, and the plan's digest, in one pass over the changes (the
 * cost of reading a plan is these walks over every value; see docs/benchmarks.md). Writing an
 * actionable change's canonical text natively proves that the members the digest hashes nest at
 * most CANONICAL_DEPTH levels (far below MAX_NESTING; a test holds them apart), so those changes
 * only have their other members checked; every other change takes the whole nesting check,
 * which must come before anything recursive sees it. Terraform sorts `resource_changes` by
 * address; a file in another order is digested after the pass, by planDigest's sort.
 */
function readResourceChanges(
  rawChanges: unknown[],
  header: DigestHeader,
): { resourceChanges: ResourceChange[]; digest: string } {
  const inOrder = inDigestOrder(rawChanges);
  const digest = new PlanDigest(header);
  const resourceChanges = rawChanges.map((rc, i) => {
    const hashed = inOrder && isActionable(rc);
    if (hashed && digest.tryAdd(rc)) checkUnhashedNesting(rc, i);
    else {
      checkChangeNesting(rc, i);
      if (hashed) digest.addByKeys(rc);
    }
    return resourceChange(rc, `resource_changes[${i}]`);
  });
  return {
    resourceChanges,
    digest: inOrder ? digest.finish() : planDigest({ ...header, resource_changes: rawChanges }),
  };
}

function arrayField(doc: Obj, key: string): unknown[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) refuse(`\`${key}\` must be an array, found ${typeName(v)}`);
  return v;
}

function objectField(doc: Obj, key: string): Obj {
  const v = doc[key];
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) refuse(`\`${key}\` must be an object, found ${typeName(v)}`);
  return v;
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

/** A value from the file, for a message: scalars as they are, strings quoted and cut, containers by type. */
function shown(v: unknown): string {
  if (typeof v === 'string') return `"${cut(v, 40)}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return typeName(v);
}

/**
 * Text from the file, for a message: cut to `max` and on one line, with control and bidi
 * characters written as `\u{..}`. Messages reach terminals and logs, so nothing in them may move
 * the cursor, recolour the screen or reorder what is read.
 */
function cut(s: string, max: number): string {
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
function checkChangeNesting(rc: unknown, index: number): void {
  if (nestedDeeperThan(rc, MAX_NESTING - 2)) tooDeep(`resource_changes[${index}]`);
}

/** The members of `rc` (and of its `change`) that PlanDigest.tryAdd did not walk. */
function checkUnhashedNesting(rc: unknown, index: number): void {
  if (!isPlainObject(rc)) return;
  for (const k in rc) {
    if (HASHED_MEMBERS.top.includes(k)) continue;
    if (nestedDeeperThan(rc[k], MAX_NESTING - 3)) tooDeep(`resource_changes[${index}]`);
  }
  const change = rc.change;
  if (!isPlainObject(change)) return;
  for (const k in change) {
    if (HASHED_MEMBERS.change.includes(k)) continue;
    if (nestedDeeperThan(change[k], MAX_NESTING - 4)) tooDeep(`resource_changes[${index}]`);
  }
}

/** A top-level member the digest walks recursively (one level below the document). */
function checkMemberNesting(doc: Obj, key: string): void {
  if (nestedDeeperThan(doc[key], MAX_NESTING - 1)) tooDeep(key);
}

function checkOutputNesting(rawOutputs: Obj): void {
  for (const name in rawOutputs) {
    if (nestedDeeperThan(rawOutputs[name], MAX_NESTING - 2)) {
      tooDeep(`output_changes.${cut(name, 100)}`);
    }
  }
}

function tooDeep(where: string): never {
  refuse(
    `\`${where}\` is nested more than ${MAX_NESTING} levels deep (real plans nest a few dozen levels at most); refusing to read it`,
  );
}

/** True when `root` nests arrays and objects more than `max` levels (`root` itself is one). */
function nestedDeeperThan(root: unknown, max: number): boolean {
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

/** The one place that maps Terraform's action lists to plangate's kinds. */
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

function resourceChange(raw: unknown, where: string): ResourceChange {
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

function outputChange(name: string, raw: unknown, declaredSensitive: boolean): OutputChange {
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

function declaredSensitiveOutputs(doc: Obj): Set<string> {
  const names = new Set<string>();
  const collect = (outputs: unknown) => {
    if (!isPlainObject(outputs)) return;
    for (const [name, o] of Object.entries(outputs)) {
      if (isPlainObject(o) && o.sensitive === true) names.add(name);
    }
  };
  const pv = doc.planned_values;
  if (isPlainObject(pv)) collect(pv.outputs);
  const ps = doc.prior_state;
  if (isPlainObject(ps) && isPlainObject(ps.values)) collect(ps.values.outputs);
  const cfg = doc.configuration;
  if (isPlainObject(cfg) && isPlainObject(cfg.root_module)) collect(cfg.root_module.outputs);
  return names;
}

function driftEntry(raw: unknown, where: string): DriftEntry {
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

/** Longest problem message kept: it is text the configuration wrote, shown in every view. */
const CHECK_MESSAGE_MAX = 300;

/**
 * The failing instances of one `checks` entry (a check block, or a resource's conditions). A
 * malformed entry is skipped: checks are advisory, and refusing the plan over them would hide
 * its changes.
 */
function failedCheck(raw: unknown): FailedCheck[] {
  if (!isPlainObject(raw)) return [];
  const status = raw.status;
  if (status !== 'fail' && status !== 'error') return [];
  const where =
    isPlainObject(raw.address) && typeof raw.address.to_display === 'string'
      ? raw.address.to_display
      : '(unnamed check)';
  const instances = Array.isArray(raw.instances) ? raw.instances.filter(isPlainObject) : [];
  const failing = instances.filter((i) => i.status === 'fail' || i.status === 'error');
  const one = (address: string, s: 'fail' | 'error', problems: unknown): FailedCheck => ({
    address,
    status: s,
    problems: (Array.isArray(problems) ? problems : []).flatMap((p) =>
      isPlainObject(p) && typeof p.message === 'string' ? [cut(p.message, CHECK_MESSAGE_MAX)] : [],
    ),
  });
  if (failing.length === 0) return [one(where, status, [])];
  return failing.map((i) =>
    one(
      isPlainObject(i.address) && typeof i.address.to_display === 'string'
        ? i.address.to_display
        : where,
      i.status as 'fail' | 'error',
      i.problems,
    ),
  );
}

function countStateResources(priorState: unknown): number {
  if (!isPlainObject(priorState) || !isPlainObject(priorState.values)) return 0;
  let n = 0;
  // Iterative: module nesting comes from the file, and a hostile file nests without limit.
  const modules: unknown[] = [priorState.values.root_module];
  for (let mod = modules.pop(); modules.length > 0 || mod !== undefined; mod = modules.pop()) {
    if (!isPlainObject(mod)) continue;
    if (Array.isArray(mod.resources)) {
      for (const r of mod.resources) if (isPlainObject(r) && r.mode !== 'data') n++;
    }
    if (Array.isArray(mod.child_modules)) for (const c of mod.child_modules) modules.push(c);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// For the streaming reader (stream.ts), which reads plans too big for one string one element of
// `resource_changes` / `resource_drift` at a time, and builds the rest of the model with
// parsePlanObject over the other top-level members. Same checks, same model, same refusals.

export type ElementResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * The model of `resource_changes[index]`, checked exactly as parsePlan checks it. `depth`: the
 * value's nesting as the caller's byte scanner counted it, which spares the nesting walk.
 */
export function resourceChangeAt(
  raw: unknown,
  index: number,
  depth?: number,
): ElementResult<ResourceChange> {
  return asResult(() => {
    if (depth === undefined || depth > MAX_NESTING - 2) checkChangeNesting(raw, index);
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
    if (e instanceof Refusal) return { ok: false, reason: e.message };
    throw e;
  }
}
