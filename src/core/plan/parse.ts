import { decodePlanBytes } from './encoding.js';
import {
  digestHeader,
  HASHED_MEMBERS,
  inDigestOrder,
  isActionable,
  planDigest,
  PlanDigest,
  type DigestHeader,
} from './digest.js';
import { findJsonSyntaxError, syntaxErrorReason } from './json-error.js';
import { REDACTED, type FailedCheck, type Plan, type ResourceChange } from './model.js';
import { redactCredentials } from './secrets.js';
import { cutForModel, slimChange, type ValueReads } from './slim.js';
import {
  checkChangeNesting,
  cut,
  driftEntry,
  MAX_NESTING,
  nestedDeeperThan,
  outputChange,
  PlanShapeError,
  refuse,
  resourceChange,
  shown,
  tooDeep,
  typeName,
  type Obj,
} from './shape.js';
import { isPlainObject } from '../json.js';

// The whole-file reader: `terraform show -json` output as one string, parsed by JSON.parse, and
// the document-level checks (format version, what kind of file this is, top-level members).
// Each element's checks and model are shape.ts's, shared with the streaming reader.

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
 * Parse `terraform show -json` / `tofu show -json` output. Accepts bytes (any of the encodings
 * Terraform users really produce) or already-decoded text. Never throws.
 */
export function parsePlan(input: Uint8Array | string, file: string): PlanResult {
  try {
    const text = typeof input === 'string' ? stripBom(input) : decodePlanBytes(input);
    return { ok: true, plan: planFromJson(parseJsonText(text), file) };
  } catch (e) {
    if (e instanceof PlanShapeError) return { ok: false, error: planError(file, e.message) };
    throw e;
  }
}

/**
 * Build the model from an already-parsed JSON document (the streaming reader uses this).
 * `reads`: keep of resource values only what the rules read (the `risk` detail: slim.ts).
 */
export function parsePlanObject(doc: unknown, file: string, reads?: ValueReads): PlanResult {
  try {
    return { ok: true, plan: planFromJson(doc, file, reads) };
  } catch (e) {
    if (e instanceof PlanShapeError) return { ok: false, error: planError(file, e.message) };
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
    // Lines and columns count from the start of the file, before the space trimStart skipped.
    const where = findJsonSyntaxError(text, text.length - trimmed.length);
    if (!where) refuse(`not valid JSON (${jsonErrorKind(e)})`);
    refuse(syntaxErrorReason(where));
  }
}

/** V8's JSON.parse message without the text it quotes. */
function jsonErrorKind(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/,? *(\.\.\.)?"[\s\S]*$/, '').slice(0, 100) || 'syntax error';
}

function planFromJson(doc: unknown, file: string, reads?: ValueReads): Plan {
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
      `plan format version ${cut(fv, 20)} is not supported (applygate reads 0.x and 1.x); upgrade applygate`,
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
  if (
    !looksLikePlan &&
    Object.keys(doc).every((k) => k === 'format_version' || k === 'terraform_version')
  ) {
    refuse(
      'this is the JSON of an empty state (`terraform show -json` without a plan file prints only the version then), not a plan; run `terraform show -json plan.out` on a saved plan',
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
  const { resourceChanges, digest } = readResourceChanges(
    rawChanges,
    { ...digestHeader(doc), output_changes: rawOutputs },
    reads,
  );
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
  reads: ValueReads | undefined,
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
    const where = `resource_changes[${i}]`;
    // The digest and the nesting checks read the change whole; the model, at `risk` detail,
    // only what the rules read (cut before redaction walks the rest: slim.ts cutForModel).
    return reads
      ? slimChange(resourceChange(cutForModel(rc, reads), where), reads)
      : resourceChange(rc, where);
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
      isPlainObject(p) && typeof p.message === 'string'
        ? [cut(redactCredentials(p.message, REDACTED), CHECK_MESSAGE_MAX)]
        : [],
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
