import { decodePlanBytes } from './decode.js';
import { planDigest } from './digest.js';
import {
  type ChangeKind,
  type DriftEntry,
  type Json,
  type OutputChange,
  type Plan,
  type ResourceChange,
} from './model.js';
import { hasSensitive, markUnknown, redact } from './redact.js';

/** Why a file is not a plan we can read. `message` names the file and says what to do. */
export interface PlanError {
  file: string;
  reason: string;
  message: string;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; error: PlanError };

/** Plan JSON format majors we understand: Terraform 0.12+ and every OpenTofu release. */
const SUPPORTED_MAJORS = new Set(['0', '1']);

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
    const msg = e instanceof Error ? e.message : String(e);
    if (/end of (JSON )?input|Unterminated/i.test(msg)) {
      refuse(`the JSON ends early (was the file truncated?): ${msg}`);
    }
    refuse(`not valid JSON: ${msg}`);
  }
}

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function planFromJson(doc: unknown, file: string): Plan {
  if (!isObj(doc)) refuse('expected a JSON object at the top level');
  if ('lineage' in doc && 'serial' in doc && 'resources' in doc) {
    refuse(
      'this is a Terraform state file, not a plan; run `terraform show -json plan.out` on a saved plan',
    );
  }
  const fv = doc.format_version;
  if (fv === undefined) {
    refuse('no `format_version`: this is not the output of `terraform show -json`');
  }
  if (typeof fv !== 'string' || !/^\d+\.\d+$/.test(fv)) {
    refuse(`\`format_version\` is ${JSON.stringify(fv)}; expected a version such as "1.2"`);
  }
  const major = fv.split('.')[0] as string;
  if (!SUPPORTED_MAJORS.has(major)) {
    refuse(
      `plan format version ${fv} is not supported (plangate reads 0.x and 1.x); upgrade plangate`,
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
  const resourceChanges = rawChanges.map((rc, i) => resourceChange(rc, `resource_changes[${i}]`));
  const sensitiveOutputs = declaredSensitiveOutputs(doc);
  const outputChanges = Object.entries(rawOutputs).map(([name, oc]) =>
    outputChange(name, oc, sensitiveOutputs.has(name)),
  );
  const drift = arrayField(doc, 'resource_drift').map((rd, i) =>
    driftEntry(rd, `resource_drift[${i}]`),
  );
  const priorState = doc.prior_state;
  const errored = doc.errored === true;
  const terraformVersion =
    typeof doc.terraform_version === 'string' ? doc.terraform_version : undefined;

  return {
    file,
    formatVersion: fv,
    ...(terraformVersion ? { terraformVersion } : {}),
    resourceChanges,
    outputChanges,
    drift,
    priorStateResources: countStateResources(priorState),
    priorStateAbsent: !isObj(priorState),
    errored,
    applyable: typeof doc.applyable === 'boolean' ? doc.applyable : !errored,
    digest: planDigest({ resource_changes: rawChanges, output_changes: rawOutputs }),
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
  if (!isObj(v)) refuse(`\`${key}\` must be an object, found ${typeName(v)}`);
  return v;
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') refuse(`\`${where}.${key}\` must be a non-empty string`);
  return v;
}

function actionsOf(change: Obj, where: string): string[] {
  const a = change.actions;
  if (!Array.isArray(a) || a.length === 0 || !a.every((x) => typeof x === 'string')) {
    refuse(`\`${where}.actions\` must be a non-empty list of strings`);
  }
  return a as string[];
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
  if (!isObj(raw)) refuse(`\`${where}\` must be an object`);
  const address = str(raw, 'address', where);
  const change = raw.change;
  if (!isObj(change)) refuse(`\`${where}.change\` must be an object (resource ${address})`);
  const actions = actionsOf(change, `${where}.change`);
  const previousAddress =
    typeof raw.previous_address === 'string' ? raw.previous_address : undefined;
  const importing = isObj(change.importing);
  const kind = classifyActions(actions, { importing, moved: previousAddress !== undefined });
  if (!kind) {
    refuse(
      `\`${where}.change.actions\` is ${JSON.stringify(actions)}, which Terraform does not produce (resource ${address})`,
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
  const where = `output_changes.${name}`;
  if (!isObj(raw)) refuse(`\`${where}\` must be an object`);
  const actions = actionsOf(raw, where);
  const kind = classifyActions(actions, { importing: false, moved: false });
  if (!kind)
    refuse(`\`${where}.actions\` is ${JSON.stringify(actions)}, which Terraform does not produce`);
  const sensitive =
    declaredSensitive ||
    raw.sensitive === true ||
    hasSensitive(raw.before_sensitive) ||
    hasSensitive(raw.after_sensitive);
  // A sensitive output is hidden whole: its shape alone can give a secret away.
  const hide = (v: Json) => (sensitive ? redact(v, true) : v);
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
    if (!isObj(outputs)) return;
    for (const [name, o] of Object.entries(outputs)) {
      if (isObj(o) && o.sensitive === true) names.add(name);
    }
  };
  const pv = doc.planned_values;
  if (isObj(pv)) collect(pv.outputs);
  const ps = doc.prior_state;
  if (isObj(ps) && isObj(ps.values)) collect(ps.values.outputs);
  const cfg = doc.configuration;
  if (isObj(cfg) && isObj(cfg.root_module)) collect(cfg.root_module.outputs);
  return names;
}

function driftEntry(raw: unknown, where: string): DriftEntry {
  if (!isObj(raw)) refuse(`\`${where}\` must be an object`);
  const type = str(raw, 'type', where);
  // Terraform 1.0.0 wrote drift entries without `address`; rebuild it from type and name.
  const address =
    typeof raw.address === 'string' && raw.address
      ? raw.address
      : `${raw.mode === 'data' ? 'data.' : ''}${type}.${String(raw.name ?? '?')}`;
  const change = isObj(raw.change) ? raw.change : {};
  const actions = Array.isArray(change.actions) ? (change.actions as string[]) : ['update'];
  return {
    address,
    type,
    mode: raw.mode === 'data' ? 'data' : 'managed',
    kind: classifyActions(actions, { importing: false, moved: false }) ?? 'update',
  };
}

function countStateResources(priorState: unknown): number {
  if (!isObj(priorState) || !isObj(priorState.values)) return 0;
  let n = 0;
  const walk = (mod: unknown) => {
    if (!isObj(mod)) return;
    if (Array.isArray(mod.resources)) {
      for (const r of mod.resources) if (isObj(r) && r.mode !== 'data') n++;
    }
    if (Array.isArray(mod.child_modules)) mod.child_modules.forEach(walk);
  };
  walk(priorState.values.root_module);
  return n;
}
