import type { CelInput } from '@bufbuild/cel';
import { UNKNOWN, countByKind, type Json, type Plan, type ResourceChange } from '../plan/model.js';
import type { Finding } from '../risk/types.js';
import { StepBudget, compileCel, runner } from './cel.js';
import {
  POLICY_STEP_LIMIT,
  POLICY_VARIABLES,
  PolicyError,
  policyFindingId,
  type PolicyEngine,
  type PolicyOutcome,
  type PolicySpec,
} from './index.js';

// The policy engine: `policies:` compiled and run with CEL (cel.ts). Only this module and cel.ts
// load @bufbuild/cel; the adapters import it (dynamically) only for a config that has policies.

/** Compile every policy; the problems, one message each, for the config validator. */
export function policyProblems(policies: readonly PolicySpec[]): string[] {
  return policies.flatMap((p, i) => {
    const c = compileCel(p.when, POLICY_VARIABLES[p.scope]);
    return c.ok
      ? []
      : [`\`policies[${i}].when\`: ${new PolicyError(p.id, c.problem, 'compile').message}`];
  });
}

/**
 * Evaluate every policy over one plan. `builtin` are the built-in rules' findings (what a policy
 * may read as `plan.findings`). Throws PolicyError on the first policy that fails.
 */
export function evaluatePolicies(
  plan: Plan,
  project: string,
  builtin: readonly Finding[],
  policies: readonly PolicySpec[],
  limit = POLICY_STEP_LIMIT,
): PolicyOutcome {
  const out: PolicyOutcome = { findings: [], steps: {} };
  if (policies.length === 0) return out;
  const changes = plan.resourceChanges.filter((c) => c.kind !== 'no-op');
  const findingVars = builtin.map((f) => ({
    id: f.id,
    severity: f.severity,
    address: f.address ?? '',
    message: f.message,
  }));
  // Each change carries its own findings, so that a per-change policy needs no loop over all.
  const byAddress = new Map<string, typeof findingVars>();
  for (const f of findingVars) {
    if (f.address !== '') byAddress.set(f.address, [...(byAddress.get(f.address) ?? []), f]);
  }
  const changeVars = changes.map((c) => ({
    ...changeVariable(c),
    findings: byAddress.get(c.address) ?? [],
  }));
  const counts = countByKind(plan.resourceChanges);
  const planVar: Record<string, CelInput> = {
    project,
    counts: Object.fromEntries(
      Object.entries(counts).map(([k, n]) => [k === 'no-op' ? 'noop' : k, BigInt(n)]),
    ),
    findings: findingVars,
    resources_in_state: BigInt(plan.priorStateResources),
    format_version: plan.formatVersion,
    terraform_version: plan.terraformVersion ?? '',
  };
  const budget = new StepBudget(limit);
  for (const p of policies) {
    const compiled = compileCel(p.when, POLICY_VARIABLES[p.scope]);
    if (!compiled.ok) throw new PolicyError(p.id, compiled.problem, 'compile');
    const before = budget.used;
    // Planned once per policy, run for every change.
    const evaluate = runner(compiled.expr, budget);
    const fires = (vars: Record<string, CelInput>, address?: string): boolean => {
      const r = evaluate(vars);
      if (!r.ok) throw new PolicyError(p.id, r.problem, 'run', address);
      if (typeof r.value === 'boolean') return r.value;
      const message = `the expression must give true or false, it gave a ${celTypeName(r.value)}`;
      throw new PolicyError(p.id, { message }, 'run', address);
    };
    const id = policyFindingId(p.id);
    if (p.scope === 'plan') {
      if (fires({ plan: { ...planVar, changes: changeVars } })) {
        out.findings.push({ id, severity: p.severity, message: p.message });
      }
    } else {
      changes.forEach((c, i) => {
        if (fires({ change: changeVars[i]!, plan: planVar }, c.address)) {
          out.findings.push({ id, severity: p.severity, address: c.address, message: p.message });
        }
      });
    }
    out.steps[p.id] = budget.used - before;
  }
  return out;
}

/** `change` as a policy reads it: the plan's values, already redacted, numbers as CEL ints. */
function changeVariable(c: ResourceChange): Record<string, CelInput> {
  return {
    address: c.address,
    type: c.type,
    name: c.name,
    provider: c.provider,
    module: c.module ?? '',
    mode: c.mode,
    actions: [...c.actions],
    kind: c.kind,
    action_reason: c.actionReason ?? '',
    before: celValue(c.before),
    after: celValue(c.after),
    after_unknown: celValue(unknownMask(c.after)),
  };
}

/** Terraform's `after_unknown` again: true where the model put its unknown placeholder. */
function unknownMask(v: Json): Json {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.map(unknownMask);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      const m = unknownMask(x);
      if (m !== false && !(typeof m === 'object' && m !== null && isEmpty(m))) out[k] = m;
    }
    return out;
  }
  return false;
}

function isEmpty(v: object): boolean {
  return Array.isArray(v) ? v.every((x) => x === false) : Object.keys(v).length === 0;
}

/** JSON to CEL: whole numbers become ints (so `x > 20` compares like the user means). */
function celValue(v: Json): CelInput {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(celValue);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, CelInput> = {};
    for (const [k, x] of Object.entries(v)) out[k] = celValue(x);
    return out;
  }
  return v;
}

function celTypeName(v: unknown): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'string') return 'string';
  if (v === null) return 'null';
  return 'value that is not a bool';
}

/** The CEL engine, as the core takes it (PolicyEngine). */
export const CEL_POLICY_ENGINE: PolicyEngine = {
  problems: policyProblems,
  evaluate: evaluatePolicies,
};
