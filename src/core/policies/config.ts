import { LOGIN_OR_TEAM } from '../principal.js';
import { RULE_IDS, SEVERITIES } from '../risk/types.js';
import type { PolicyEngine, PolicySpec } from './index.js';

// `policies:` in `.github/applygate.yml`: the schema of one entry (config.ts puts it in the
// config's schema, so the docs and the editor schema follow) and the checks a schema cannot
// say: ids are distinct, and every `when` compiles.

export const POLICY_SCHEMA = {
  type: 'array',
  description:
    "Your own rules, written in CEL (docs/policies.md). A policy that fires is a finding like a built-in rule: it scores, shows in the summary, and needs approval at the plan's level. With `owners`, one of them must approve too, besides the usual approval. A policy that does not compile or fails at run time is a config error: nothing is approved until it is fixed.",
  maxItems: 100,
  default: [],
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'severity', 'message', 'when'],
    properties: {
      id: {
        type: 'string',
        description:
          'Names the policy in the summary (`policy:ID` in "Flagged by") and in errors. Lower case, digits and dashes.',
        pattern: '^[a-z][a-z0-9-]{0,62}$',
      },
      severity: {
        type: 'string',
        description: 'The severity of its finding, as for a built-in rule.',
        enum: [...SEVERITIES],
      },
      message: {
        type: 'string',
        description: 'The sentence the summary shows when the policy fires.',
        pattern: '^[^\\n]{1,300}$',
      },
      when: {
        type: 'string',
        description:
          'CEL expression that fires the policy when true. Per change it reads `change` and `plan`; with `scope: plan`, only `plan` (with `plan.changes`).',
      },
      scope: {
        type: 'string',
        description: 'Evaluated for every resource change, or once over the whole plan.',
        enum: ['change', 'plan'],
        default: 'change',
      },
      owners: {
        type: 'array',
        description:
          'Users (login) or teams (@org/team), one of whom must approve when the policy fires, in addition to the usual approval.',
        items: { type: 'string', pattern: LOGIN_OR_TEAM },
        maxItems: 50,
        uniqueItems: true,
        default: [],
      },
    },
  },
} as const;

/**
 * What the schema cannot check: distinct ids, no built-in rule's id, and CEL that compiles
 * (`engine`; undefined when the caller has not loaded it: `needsEngine`, and nothing compiled).
 */
export function policyConfigProblems(
  doc: unknown,
  engine: PolicyEngine | undefined,
): { problems: string[]; needsEngine: boolean } {
  const list = (doc as { policies?: unknown } | null)?.policies;
  if (!Array.isArray(list) || list.length === 0) return { problems: [], needsEngine: false };
  const policies = list as PolicySpec[];
  const problems: string[] = [];
  const seen = new Set<string>();
  policies.forEach((p, i) => {
    if (seen.has(p.id))
      problems.push(`\`policies[${i}].id\` ${JSON.stringify(p.id)} is used twice`);
    seen.add(p.id);
    if ((RULE_IDS as readonly string[]).includes(p.id)) {
      problems.push(
        `\`policies[${i}].id\` ${JSON.stringify(p.id)} is a built-in rule's id; pick another`,
      );
    }
  });
  if (!engine) return { problems, needsEngine: true };
  return {
    problems: [
      ...problems,
      ...engine.problems(policies.map((p) => ({ ...p, scope: p.scope ?? 'change' }))),
    ],
    needsEngine: false,
  };
}
