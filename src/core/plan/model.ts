// The one model every other part of applygate reads. Built only by parsePlan, which redacts
// sensitive values before anything else can see them.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What applying the plan does to one resource instance. */
export type ChangeKind =
  'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op' | 'forget' | 'import' | 'move';

export const CHANGE_KINDS: readonly ChangeKind[] = [
  'create',
  'update',
  'delete',
  'replace',
  'read',
  'no-op',
  'forget',
  'import',
  'move',
];

/** Placeholder that stands in for every value the plan marks sensitive. */
export const REDACTED = '(sensitive value)';
/** Placeholder for values only known after apply. */
export const UNKNOWN = '(known after apply)';

export interface ResourceChange {
  address: string;
  /** Set when a `moved` block or a count/for_each change renamed the instance. */
  previousAddress?: string;
  /** `module.a.module.b`, or undefined for the root module. */
  module?: string;
  type: string;
  name: string;
  provider: string;
  mode: 'managed' | 'data';
  /** Deposed object key, when the change is about a deposed object. */
  deposed?: string;
  actions: string[];
  kind: ChangeKind;
  /** Terraform's reason for the action, e.g. `replace_because_tainted`. */
  actionReason?: string;
  /** `["create","delete"]`: the new object exists before the old one is destroyed. */
  createBeforeDestroy: boolean;
  /** The change also imports an existing object into state. */
  importing: boolean;
  /** Attribute paths that force replacement. */
  replacePaths: Json[];
  /** Values with sensitive leaves replaced by REDACTED and unknown ones by UNKNOWN. */
  before: Json;
  after: Json;
}

export interface OutputChange {
  name: string;
  actions: string[];
  kind: ChangeKind;
  sensitive: boolean;
  before: Json;
  after: Json;
}

export interface DriftEntry {
  address: string;
  type: string;
  mode: 'managed' | 'data';
  kind: ChangeKind;
}

/** A `check` block, precondition or postcondition whose status is `fail` or `error`. */
export interface FailedCheck {
  /** The checkable object's address, e.g. `check.health` or `aws_instance.web`. */
  address: string;
  status: 'fail' | 'error';
  /** The problems' messages, as the configuration wrote them (error_message). */
  problems: string[];
}

export interface Plan {
  /** The name the user gave us: a path, or `-` for stdin. Used in every message. */
  file: string;
  formatVersion: string;
  terraformVersion?: string;
  resourceChanges: ResourceChange[];
  outputChanges: OutputChange[];
  drift: DriftEntry[];
  /**
   * Addresses of resources whose attributes other changes read (`relevant_attributes`, format
   * 1.1+): Terraform shows drift only on these, or on resources the plan changes.
   */
  relevantAddresses: string[];
  /** Checks that fail in this plan (`checks`, format 1.1+). */
  failedChecks: FailedCheck[];
  /** Managed resources in the prior state; 0 when the plan carries no prior state at all. */
  priorStateResources: number;
  /** True when the plan has no `prior_state` (Terraform omits it when the state is empty). */
  priorStateAbsent: boolean;
  errored: boolean;
  /** `applyable` when the plan says (format 1.2+); true otherwise unless errored. */
  applyable: boolean;
  /**
   * False when Terraform (1.9+) deferred part of the plan (`complete: false`): applying it is not
   * the end, another plan and apply must follow.
   */
  complete: boolean;
  /** Entries of `deferred_changes`: changes Terraform could not plan yet. */
  deferredChanges: number;
  /** `sha256v2:<64 hex>` over the actionable changes (see digest.ts). */
  digest: string;
}

export type Counts = Record<ChangeKind, number>;

export function emptyCounts(): Counts {
  return Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Counts;
}

/**
 * Counts per kind, as Terraform summarizes a plan: an import or a move that also updates (or
 * replaces) the object counts under both, as `terraform plan` says "1 to import, 1 to change"
 * and shows "has moved to" above the update.
 */
export function countByKind(
  changes: readonly { kind: ChangeKind; importing?: boolean; previousAddress?: string }[],
): Counts {
  const counts = emptyCounts();
  for (const c of changes) {
    counts[c.kind] += 1;
    if (c.importing && c.kind !== 'import') counts.import += 1;
    if (c.previousAddress !== undefined && c.kind !== 'move') counts.move += 1;
  }
  return counts;
}

/** Changes that remove an existing object: the ones a human must see first. */
export function isDestructive(kind: ChangeKind): boolean {
  return kind === 'delete' || kind === 'replace';
}

/** The hex part of a digest, without its `sha256v2:` (or v1 `sha256:`) prefix. */
export function digestHex(digest: string): string {
  return digest.replace(/^sha256(?:v2)?:/, '');
}

/** The first 12 hex characters: what the summary shows and an approver may quote. */
export function shortDigest(digest: string): string {
  return digestHex(digest).slice(0, 12);
}
