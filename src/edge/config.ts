import { parseConfig, type Config } from '../core/config.js';
import type { PolicyEngine } from '../core/policies/index.js';

// What the adapters (CLI, Action, guard, app) share in reading a config: the policy engine
// (CEL, on @bufbuild/cel: half of the CLI bundle, and 20 to 50 ms of every start) is loaded only
// for a config that has `policies:`. The core stays pure and synchronous: it takes the engine
// as an argument, and refuses a config with policies when it was not given one.

export type LoadedConfig =
  | {
      ok: true;
      config: Config;
      /** The engine for buildReport; undefined when the config has no policies. */
      policies?: PolicyEngine;
    }
  | { ok: false; errors: string[] };

/** parseConfig, loading the policy engine first when the config turns out to have policies. */
export async function parseConfigLoadingPolicies(
  text: string | undefined,
  file?: string,
): Promise<LoadedConfig> {
  const first = parseConfig(text, file);
  if (first.ok) return first;
  if (!first.needsPolicyEngine) return { ok: false, errors: first.errors };
  const policies = await loadPolicyEngine();
  const again = parseConfig(text, file, policies);
  return again.ok ? { ...again, policies } : { ok: false, errors: again.errors };
}

/** The CEL policy engine, loaded (and its bundle chunk compiled) on first use. */
export async function loadPolicyEngine(): Promise<PolicyEngine> {
  return (await import('../core/policies/engine.js')).CEL_POLICY_ENGINE;
}
