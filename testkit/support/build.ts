// Builders for minimal `terraform show -json` documents, for rules the corpus has no plan for.
import { DEFAULT_CONFIG, validateConfig, type Config } from '../../src/core/config.js';
import { parsePlan, type Plan } from '../../src/core/plan/index.js';
import { bytesSource } from '../../src/core/plan/source.js';
import { parsePlanStream } from '../../src/core/plan/stream.js';
import { RULE_READS } from '../../src/core/risk/reads.js';

type Obj = Record<string, unknown>;

export interface RcSpec {
  address: string;
  actions: string[];
  before?: unknown;
  after?: unknown;
  mode?: 'managed' | 'data';
  beforeSensitive?: unknown;
  afterSensitive?: unknown;
  actionReason?: string;
  previousAddress?: string;
  importing?: Obj;
}

export function rc(spec: RcSpec): Obj {
  const parts = spec.address.replace(/^data\./, '').split('.');
  const type = spec.mode === 'data' ? parts[parts.length - 2] : parts[parts.length - 2];
  return {
    address: spec.address,
    mode: spec.mode ?? 'managed',
    type: (type ?? 'x').replace(/\[.*$/, ''),
    name: (parts[parts.length - 1] ?? 'x').replace(/\[.*$/, ''),
    provider_name: 'registry.terraform.io/hashicorp/aws',
    ...(spec.previousAddress ? { previous_address: spec.previousAddress } : {}),
    ...(spec.actionReason ? { action_reason: spec.actionReason } : {}),
    change: {
      actions: spec.actions,
      before: spec.before ?? null,
      after: spec.after ?? null,
      after_unknown: {},
      before_sensitive: spec.beforeSensitive ?? {},
      after_sensitive: spec.afterSensitive ?? {},
      ...(spec.importing ? { importing: spec.importing } : {}),
    },
  };
}

export function planDoc(opts: {
  changes?: Obj[];
  priorResources?: number;
  drift?: Obj[];
  errored?: boolean;
  outputs?: Obj;
}): Obj {
  const prior = opts.priorResources ?? 0;
  return {
    format_version: '1.2',
    terraform_version: '1.9.8',
    planned_values: { root_module: {} },
    resource_changes: opts.changes ?? [],
    ...(opts.drift ? { resource_drift: opts.drift } : {}),
    ...(opts.outputs ? { output_changes: opts.outputs } : {}),
    ...(prior > 0
      ? {
          prior_state: {
            format_version: '1.0',
            values: {
              root_module: {
                resources: Array.from({ length: prior }, (_, i) => ({
                  address: `null_resource.r${i}`,
                  mode: 'managed',
                  type: 'null_resource',
                  name: `r${i}`,
                  values: {},
                })),
              },
            },
          },
        }
      : {}),
    errored: opts.errored ?? false,
  };
}

export function toPlan(doc: unknown, file = 'test.json'): Plan {
  const r = parsePlan(JSON.stringify(doc), file);
  if (!r.ok) throw new Error(r.error.message);
  return r.plan;
}

export function config(overrides: Obj = {}): Config {
  const r = validateConfig(overrides);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}

export { DEFAULT_CONFIG };

/**
 * The plan read whole and streamed (in 257-byte chunks) with each detail level: every model a
 * view may get, for tests that must hold whichever reader built it.
 */
export async function readBothWays(doc: unknown): Promise<Plan[]> {
  const text = JSON.stringify(doc);
  const whole = parsePlan(text, 'plan.json');
  if (!whole.ok) throw new Error(whole.error.message);
  const plans = [whole.plan];
  for (const detail of ['all', 'markdown', 'risk'] as const) {
    const r = await parsePlanStream(bytesSource(new TextEncoder().encode(text), 257), 'plan.json', {
      detail,
      reads: RULE_READS,
    });
    if (!r.ok) throw new Error(r.error.message);
    plans.push(r.plan);
  }
  return plans;
}
