import { load } from 'js-yaml';
import { RULE_IDS, SEVERITIES, type Severity } from './risk/types.js';
import { isPlainObject } from './json.js';
import { LOGIN_OR_TEAM } from './principal.js';
import { POLICY_SCHEMA, policyConfigProblems } from './policies/config.js';
import { NO_POLICY_ENGINE, type PolicyEngine } from './policies/index.js';
import { projectsConfigProblems, projectsSchema } from './projects/config.js';

// `.github/applygate.yml`. The JSON Schema below is the single source of truth: the validator
// walks it, `npm run build` publishes it as schema/applygate.schema.json for editors, and
// docs/configuration.md is generated from it. Defaults live in the schema too.

export const CONFIG_PATH = '.github/applygate.yml';

export type ApprovalLevel = Severity | 'never';

/** The subset of JSON Schema the config schema uses (the validator and the docs walk it). */
export type Schema = {
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
  description?: string;
  default?: unknown;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean;
  items?: Schema;
  enum?: readonly string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  /** Keys an object must have (list entries such as a policy; config sections never need one). */
  required?: readonly string[];
};

/** `approval`: also the shape of a project's `approval` (projects.ts), which overrides it. */
const APPROVAL_SCHEMA = {
  type: 'object',
  description: 'Who must approve a risky plan before its apply environment unlocks.',
  additionalProperties: false,
  properties: {
    command: {
      type: 'string',
      description:
        'The comment command that approves. The revoke command is derived from it (/approve-x gives /revoke-x).',
      pattern: '^/[a-z][a-z0-9-]{2,39}$',
      default: '/approve-destroy',
    },
    required: {
      type: 'integer',
      description: 'Distinct approvers needed.',
      minimum: 1,
      maximum: 10,
      default: 1,
    },
    codeowners: {
      type: 'boolean',
      description:
        'Approvers must own a changed file per the base-branch CODEOWNERS (teams resolved).',
      default: true,
    },
    approvers: {
      type: 'array',
      description: 'Extra users (login) or teams (@org/team) who may approve.',
      items: { type: 'string', pattern: LOGIN_OR_TEAM },
      maxItems: 200,
      uniqueItems: true,
      default: [],
    },
    allow_author: {
      type: 'boolean',
      description: 'May the pull request author approve their own destroy?',
      default: false,
    },
    confirm_digest: {
      type: 'boolean',
      description: "The approval comment must carry the plan's short digest.",
      default: false,
    },
    owner_paths: {
      type: 'array',
      description:
        'When set, only code owners of changed files matching these CODEOWNERS-style patterns may approve (owners of an unrelated file such as README.md do not).',
      items: { type: 'string', pattern: '^\\S+$' },
      maxItems: 100,
      uniqueItems: true,
      default: [],
    },
    when: {
      type: 'object',
      description: 'What needs approval.',
      additionalProperties: false,
      properties: {
        destroys: {
          type: 'boolean',
          description: 'Any delete or replace of a managed resource needs approval.',
          default: true,
        },
        level: {
          type: 'string',
          description: 'A plan at or above this risk level needs approval.',
          enum: [...SEVERITIES, 'never'],
          default: 'high',
        },
      },
    },
  },
} as const;

export const CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://github.com/applygate/applygate/schema/applygate.schema.json',
  title: 'applygate configuration (.github/applygate.yml)',
  description:
    'Read from the base branch of a pull request, never from its head. A missing file means these defaults.',
  type: 'object',
  additionalProperties: false,
  properties: {
    approval: APPROVAL_SCHEMA,
    risk: {
      type: 'object',
      description: 'How plans are scored.',
      additionalProperties: false,
      properties: {
        stateful_types: {
          type: 'array',
          description: 'Resource types added to the stateful catalog.',
          items: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
          uniqueItems: true,
          default: [],
        },
        protected: {
          type: 'array',
          description:
            'Address patterns (* matches any run of characters, ? one) whose every change is critical.',
          items: { type: 'string', pattern: '^\\S+$' },
          uniqueItems: true,
          default: [],
        },
        mass_destroy: {
          type: 'object',
          description:
            'Destroys reaching either threshold look like `terraform destroy`: count of destroyed resources, or share of the resources in state.',
          additionalProperties: false,
          properties: {
            count: {
              type: 'integer',
              description: 'Destroyed or replaced resources that make a plan a mass destroy.',
              minimum: 1,
              default: 10,
            },
            share: {
              type: 'number',
              description:
                'Share (0.01 to 1) of the resources in state that makes a plan a mass destroy.',
              minimum: 0.01,
              maximum: 1,
              default: 0.5,
            },
          },
        },
        empty_state: {
          type: 'object',
          description: 'An empty prior state with this many creates means the state looks missing.',
          additionalProperties: false,
          properties: {
            creates: {
              type: 'integer',
              description: 'Creates over an empty state that make the state look missing.',
              minimum: 1,
              default: 20,
            },
            new_projects: {
              type: 'array',
              description:
                'Projects (by the name the summary gives them; `default` for a single plan) whose first deploy is due: their empty state is expected, so it is reported as `first-deploy` (low) instead of `empty-state` (high). Read from the default branch like the rest of this file, so a pull request cannot declare its own project new; remove the name once the first apply is done, or a lost state later goes unnoticed.',
              items: { type: 'string', pattern: '^\\S+$' },
              uniqueItems: true,
              default: [],
            },
          },
        },
        ignore: {
          type: 'array',
          description: 'Rule ids to switch off.',
          items: { type: 'string', enum: [...RULE_IDS] },
          uniqueItems: true,
          default: [],
        },
      },
    },
    gate: {
      type: 'object',
      description:
        'Which base branches are gated, and who may write the record `verify` trusts. Read from the default branch only: a branch cannot make itself trusted.',
      additionalProperties: false,
      properties: {
        base_branches: {
          type: 'array',
          description:
            'Base branches besides the default branch whose pull requests are gated (their config and CODEOWNERS are trusted). Pull requests into any other branch are not gated and approve no deployment.',
          items: { type: 'string', pattern: '^[^\\s~^:?*\\[\\\\]+$' },
          maxItems: 100,
          uniqueItems: true,
          default: [],
        },
        app: {
          type: 'string',
          description:
            'Slug of the applygate GitHub App whose check run carries the approval ledger (the last part of github.com/apps/<slug>). Required for `verify` and the guard: while empty they trust no record, so nothing that needs approval is applied. Compared case-blind; never github-actions.',
          pattern: '^$|^[a-z0-9][a-z0-9-]{0,33}$',
          default: '',
        },
        plan_workflow: {
          type: 'string',
          description:
            "Path of the workflow whose runs write the summary, e.g. `.github/workflows/plan.yml`. When set, the app trusts a summary only from a run of this workflow whose file at the run's commit is the default branch's (same blob). Empty: any workflow's `pull_request` run at the pull request's head.",
          pattern: '^$|^\\.github/workflows/[^/\\s]+\\.ya?ml$',
          default: '',
        },
        publish_ledger: {
          type: 'boolean',
          description:
            "Also publish the ledger where a fine-grained personal access token can read it (they cannot read check runs): a comment of the app's own on the pull request carrying the same record, and a commit status `applygate / ledger` on the head with its sha256 (needs the app's `statuses: write`). The guard reads that copy when the token cannot read the check run.",
          default: false,
        },
      },
    },
    verify: {
      type: 'object',
      description: "The Action's verify mode (apply job).",
      additionalProperties: false,
      properties: {
        match: {
          type: 'string',
          description:
            'What an approval must match in the plan about to be applied: `destroys` (the same destroys and findings at high or above, level not higher) or `exact` (the same digest).',
          enum: ['destroys', 'exact'],
          default: 'destroys',
        },
      },
    },
    projects: projectsSchema(APPROVAL_SCHEMA),
    policies: POLICY_SCHEMA,
    bots: {
      type: 'array',
      description: 'Authors whose applygate summary comments are trusted.',
      items: { type: 'string', pattern: LOGIN_OR_TEAM },
      uniqueItems: true,
      default: ['github-actions[bot]'],
    },
    guard: {
      type: 'object',
      description:
        'applygate guard: the check of terraform, tofu and terragrunt commands in terminals and coding agents (docs/guard.md).',
      additionalProperties: false,
      properties: {
        ask_level: {
          type: 'string',
          description:
            'A plan that needs no approval but reaches this risk level is asked about: Claude Code asks the user, `guard exec` wants a typed yes on a terminal.',
          enum: [...SEVERITIES, 'never'],
          default: 'medium',
        },
        allow_within_limits: {
          type: 'boolean',
          description:
            "Opt in to `allow` (Claude Code then skips its permission prompt) for an apply or destroy the guard planned itself and found within limits or approved; what runs is then the plan file it checked. Default false: the guard answers only deny or ask, or nothing, and never widens the user's permissions.",
          default: false,
        },
        aliases: {
          type: 'array',
          description:
            'Names your shell expands to terraform-family commands, as NAME=COMMAND (e.g. tf=terraform, tfa=terraform apply).',
          items: {
            type: 'string',
            pattern: '^[A-Za-z0-9_.+-]+=(terraform|tofu|terragrunt)( \\S+)*$',
          },
          uniqueItems: true,
          maxItems: 50,
          default: [],
        },
      },
    },
  },
} as const satisfies Schema & Record<string, unknown>;

/**
 * The config as the program reads it, derived from CONFIG_SCHEMA so that the two cannot disagree:
 * every key is present (validateConfig merges the defaults in), an `enum` gives its union.
 */
export type Config = FromSchema<typeof CONFIG_SCHEMA>;

type FromSchema<S> = S extends { type: 'object'; properties: infer P }
  ? { -readonly [K in keyof P]: FromSchema<P[K]> }
  : S extends { type: 'array'; items: infer I }
    ? FromSchema<I>[]
    : S extends { enum: readonly (infer E)[] }
      ? E
      : S extends { type: 'string' }
        ? string
        : S extends { type: 'integer' | 'number' }
          ? number
          : S extends { type: 'boolean' }
            ? boolean
            : never;

export type ConfigResult =
  | { ok: true; config: Config }
  | {
      ok: false;
      errors: string[];
      /**
       * The config has policies and no PolicyEngine was given: read it again with one (the
       * adapters' readConfigText loads it). Set whatever else is wrong with the policies.
       */
      needsPolicyEngine?: true;
    };

export const DEFAULT_CONFIG: Config = defaultsOf(CONFIG_SCHEMA) as Config;

/**
 * Parse and validate the YAML text of `.github/applygate.yml`. `file` names it in errors.
 * `policies` compiles the config's policies: without it, a config that has any is refused
 * with `needsPolicyEngine` (see ConfigResult).
 */
export function parseConfig(
  text: string | undefined,
  file = CONFIG_PATH,
  policies?: PolicyEngine,
): ConfigResult {
  // A file of only comments is an empty document: defaults (js-yaml 5 refuses it).
  if (text === undefined || text.split(/\r?\n/).every((l) => l.trim() === '' || /^\s*#/.test(l))) {
    return { ok: true, config: clone(DEFAULT_CONFIG) };
  }
  let doc: unknown;
  try {
    doc = load(text, { filename: file });
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { ok: false, errors: [`${file}: not valid YAML: ${msg}`] };
  }
  return validateConfig(doc ?? {}, file, policies);
}

export function validateConfig(
  doc: unknown,
  file = CONFIG_PATH,
  policies?: PolicyEngine,
): ConfigResult {
  const errors: string[] = [];
  check(doc, CONFIG_SCHEMA, '', errors);
  const command = (doc as { approval?: { command?: unknown } } | null)?.approval?.command;
  if (typeof command === 'string' && command.startsWith('/revoke-')) {
    errors.push(
      `\`approval.command\` is ${JSON.stringify(command)}; the approve command may not start with /revoke- (that prefix is the revoke command)`,
    );
  }
  let needsEngine = false;
  if (errors.length === 0) {
    const p = policyConfigProblems(doc, policies);
    needsEngine = p.needsEngine;
    errors.push(...p.problems, ...projectsConfigProblems(doc));
    if (needsEngine) errors.push(NO_POLICY_ENGINE);
  }
  if (errors.length) {
    const named = errors.map((e) => `${file}: ${e}`);
    return needsEngine
      ? { ok: false, errors: named, needsPolicyEngine: true }
      : { ok: false, errors: named };
  }
  return { ok: true, config: withDefaults(CONFIG_SCHEMA, doc) as Config };
}

function check(v: unknown, s: Schema, path: string, errors: string[]): void {
  const at = path === '' ? 'the top level' : `\`${path}\``;
  const found = () => `found ${JSON.stringify(v)}`;
  switch (s.type) {
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        errors.push(`${at} must be a mapping, ${found()}`);
        return;
      }
      const props = s.properties ?? {};
      for (const k of s.required ?? []) {
        if (!(k in v)) errors.push(`\`${path ? `${path}.${k}` : k}\` is required`);
      }
      for (const [k, item] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        const sub = props[k];
        if (!sub) {
          errors.push(
            `\`${p}\` is not a known key; allowed here: ${Object.keys(props).join(', ')}`,
          );
        } else {
          check(item, sub, p, errors);
        }
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(v)) {
        errors.push(`${at} must be a list, ${found()}`);
        return;
      }
      if (s.maxItems !== undefined && v.length > s.maxItems) {
        errors.push(`${at} may hold at most ${s.maxItems} entries, found ${v.length}`);
      }
      if (s.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) {
        errors.push(`${at} lists the same entry twice`);
      }
      v.forEach((item, i) => s.items && check(item, s.items, `${path}[${i}]`, errors));
      return;
    }
    case 'string':
      if (typeof v !== 'string') errors.push(`${at} must be a string, ${found()}`);
      else if (s.enum && !s.enum.includes(v)) {
        errors.push(`${at} is ${JSON.stringify(v)}; allowed: ${s.enum.join(', ')}`);
      } else if (s.pattern && !new RegExp(s.pattern).test(v)) {
        errors.push(`${at} is ${JSON.stringify(v)}, which does not match ${s.pattern}`);
      }
      return;
    case 'integer':
    case 'number': {
      const isNum = typeof v === 'number' && Number.isFinite(v);
      if (!isNum || (s.type === 'integer' && !Number.isInteger(v))) {
        errors.push(
          `${at} must be ${s.type === 'integer' ? 'a whole number' : 'a number'}, ${found()}`,
        );
      } else if (
        (s.minimum !== undefined && v < s.minimum) ||
        (s.maximum !== undefined && v > s.maximum)
      ) {
        errors.push(`${at} is ${v}; allowed: ${range(s)}`);
      }
      return;
    }
    case 'boolean':
      if (typeof v !== 'boolean') errors.push(`${at} must be true or false, ${found()}`);
      return;
  }
}

function range(s: Schema): string {
  if (s.minimum !== undefined && s.maximum !== undefined) return `${s.minimum} to ${s.maximum}`;
  return s.minimum !== undefined ? `at least ${s.minimum}` : `at most ${s.maximum}`;
}

function defaultsOf(s: Schema): unknown {
  if (s.type === 'object') {
    return Object.fromEntries(
      Object.entries(s.properties ?? {}).map(([k, sub]) => [k, defaultsOf(sub)]),
    );
  }
  return s.default;
}

/** The document with every absent key at its default, list entries (a policy) included. */
function withDefaults(s: Schema, v: unknown): unknown {
  if (s.type === 'object') {
    const given = isPlainObject(v) ? v : {};
    return Object.fromEntries(
      Object.entries(s.properties ?? {})
        .filter(([k, sub]) => k in given || sub.default !== undefined || sub.type === 'object')
        .map(([k, sub]) => [k, withDefaults(sub, given[k])]),
    );
  }
  if (s.type === 'array' && Array.isArray(v)) {
    const items = s.items;
    return (v as unknown[]).map((x) => (items ? withDefaults(items, x) : x));
  }
  return v === undefined && s.default !== undefined ? clone(s.default) : v;
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}
