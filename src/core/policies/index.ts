import type { Plan } from '../plan/model.js';
import type { Finding, PolicyFindingId, Severity } from '../risk/types.js';

// The team's own rules: `policies:` in the config, each a CEL expression evaluated per change
// or once per plan. A policy that fires is a finding like any built-in rule (its id is
// `policy:ID`), so it scores, shows in the comment's "Flagged by", and, with owners, joins the
// riskSet that approvals bind to. A policy that does not compile, or fails when it runs, is a
// config error: the caller refuses to go on (no summary, no approval), never a silent pass.
//
// This module is what every reader of a config needs (ids, the error, the engine's shape) and
// does not load CEL: the engine (engine.ts, on @bufbuild/cel: a third of the CLI's bundle and
// of its start-up) is loaded by the adapters only for a config that has policies.

export type PolicyScope = 'change' | 'plan';

/** One entry of `policies:` as the config holds it. */
export interface PolicySpec {
  id: string;
  severity: Severity;
  message: string;
  when: string;
  scope: PolicyScope;
  owners: readonly string[];
}

/**
 * Steps all policies together may take over one plan (see cel.ts): the bound on their
 * evaluation time (about 3 s on a CI runner at worst; a usual policy takes one step a change).
 */
export const POLICY_STEP_LIMIT = 1_000_000;

/** The variables a `when` expression may read, per scope. */
export const POLICY_VARIABLES: Readonly<Record<PolicyScope, readonly string[]>> = {
  change: ['change', 'plan'],
  plan: ['plan'],
};

/** The finding id of a policy: `policy:` keeps it apart from every built-in rule's id. */
export function policyFindingId(id: string): PolicyFindingId {
  return `policy:${id}`;
}

/** The policy id of a finding id, or undefined for a built-in rule. */
export function policyIdOf(findingId: string): string | undefined {
  return findingId.startsWith('policy:') ? findingId.slice('policy:'.length) : undefined;
}

/** A policy's problem, named the way the config error says it. */
export class PolicyError extends Error {
  constructor(
    readonly policy: string,
    readonly problem: CelProblem,
    readonly phase: 'compile' | 'run',
    address?: string,
  ) {
    super(
      `policy '${policy}': \`when\`${formatPosition(problem.position)}: ${problem.message}` +
        (phase === 'run'
          ? ` (while evaluating ${address === undefined ? 'the plan' : `change ${JSON.stringify(address)}`}; a policy that fails is a config error and nothing is approved)`
          : ''),
    );
    this.name = 'PolicyError';
  }
}

/** What the policies found in one plan: findings to add to the built-in ones. */
export interface PolicyOutcome {
  findings: Finding[];
  /** Steps each policy took (for the benchmark's numbers). */
  steps: Record<string, number>;
}

/** Where in the expression something went wrong: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

export interface CelProblem {
  message: string;
  position?: Position;
}

/** `line:column`, or nothing when unknown. */
export function formatPosition(p: Position | undefined): string {
  return p ? ` at ${p.line}:${p.column}` : '';
}

/**
 * What compiles and runs policies (engine.ts: CEL). The core takes it as an argument: the
 * config's checks (parseConfig) and the assessment (buildReport) refuse a config with policies
 * when none is given, so an adapter that forgets to load it fails closed.
 */
export interface PolicyEngine {
  /** Compile every policy; the problems, one message each, for the config validator. */
  problems(policies: readonly PolicySpec[]): string[];
  /**
   * Evaluate every policy over one plan. `builtin` are the built-in rules' findings (what a
   * policy may read as `plan.findings`). Throws PolicyError on the first policy that fails.
   */
  evaluate(
    plan: Plan,
    project: string,
    builtin: readonly Finding[],
    policies: readonly PolicySpec[],
    limit?: number,
  ): PolicyOutcome;
}

/** Why a config with policies is refused when no engine was loaded (an adapter's mistake). */
export const NO_POLICY_ENGINE = 'the config has `policies:`, and the policy engine was not loaded';
