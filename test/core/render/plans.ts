// Builders and fast-check arbitraries for `terraform show -json` plans, for the render tests.
import { planDoc } from '../../../testkit/support/build.js';
import fc from 'fast-check';
import { DEFAULT_CONFIG, type Config } from '../../../src/core/config.js';
import { parsePlan } from '../../../src/core/plan/index.js';
import { buildReport, type Report } from '../../../src/core/report.js';

type Obj = Record<string, unknown>;

export interface ChangeSpec {
  address: string;
  type?: string;
  actions: string[];
  mode?: 'managed' | 'data';
  before?: unknown;
  after?: unknown;
  beforeSensitive?: unknown;
  afterSensitive?: unknown;
  afterUnknown?: unknown;
  actionReason?: string;
  previousAddress?: string;
  importing?: boolean;
}

export function resourceChange(s: ChangeSpec): Obj {
  const type = s.type ?? 'null_resource';
  return {
    address: s.address,
    mode: s.mode ?? 'managed',
    type,
    name: 'x',
    provider_name: 'registry.terraform.io/hashicorp/aws',
    ...(s.previousAddress ? { previous_address: s.previousAddress } : {}),
    ...(s.actionReason ? { action_reason: s.actionReason } : {}),
    change: {
      actions: s.actions,
      before: s.before ?? null,
      after: s.after ?? null,
      after_unknown: s.afterUnknown ?? {},
      before_sensitive: s.beforeSensitive ?? {},
      after_sensitive: s.afterSensitive ?? {},
      ...(s.importing ? { importing: { id: 'imported-id' } } : {}),
    },
  };
}

export interface PlanSpec {
  changes: ChangeSpec[];
  outputs?: Obj;
  /** Managed resources in the prior state. */
  prior?: number;
}

export function planJson(spec: PlanSpec): Obj {
  return planDoc({
    changes: spec.changes.map(resourceChange),
    outputs: spec.outputs ?? {},
    priorResources: spec.prior ?? 0,
  });
}

/** Parse and assess plans exactly as the Action does. */
export function reportOf(
  projects: { name: string; plan: PlanSpec }[] | PlanSpec,
  config: Config = DEFAULT_CONFIG,
): Report {
  const list = Array.isArray(projects) ? projects : [{ name: 'default', plan: projects }];
  return buildReport(
    list.map(({ name, plan }) => {
      const r = parsePlan(JSON.stringify(planJson(plan)), `${name}.json`);
      if (!r.ok) throw new Error(r.error.message);
      return { name, plan: r.plan };
    }),
    config,
  );
}

// ---------------------------------------------------------------------------------------------
// Hostile strings

export const FORGED_MARKER = '<!-- applygate:v1 eyJ2IjoxfQ -->';

export const HOSTILE = [
  '-->',
  '<!--',
  '`',
  '``',
  '```',
  '````',
  '`````',
  '|',
  '||',
  '<script>alert(1)</script>',
  '</details>',
  '<details>',
  '@octocat',
  '@org/team',
  FORGED_MARKER,
  'applygate:v1',
  '\n',
  '\r\n',
  '\n\n',
  '\u001b[31m',
  '\u001b]0;pwned\u0007',
  '\u009b2J',
  '\u202e',
  '*',
  '_',
  '[x](https://evil.example)',
  '![i](https://evil.example/i.png)',
  '$x^2$',
  '&amp;',
  '\\',
  '#',
  '~~',
  '🦄',
  ' ',
] as const;

/** A piece of an address or value: plain, or one of the hostile strings. */
export const piece: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8, unit: 'grapheme' }) },
);

/** Free text built from pieces: what a plan may hold in a key, value or action reason. */
export const hostileText: fc.Arbitrary<string> = fc
  .array(piece, { minLength: 1, maxLength: 6 })
  .map((xs) => xs.join(''));

export const secretArb: fc.Arbitrary<string> = fc
  .stringMatching(/^[A-Za-z0-9]{12,24}$/)
  .map((s) => `S3CR3T-${s}`);

const TYPES = [
  'aws_db_instance',
  'aws_s3_bucket',
  'aws_instance',
  'aws_iam_role',
  'aws_security_group',
  'google_sql_database_instance',
  'kubernetes_namespace',
  'null_resource',
  'random_pet',
];

const KINDS: { actions: string[]; mode?: 'data'; importing?: boolean; moved?: boolean }[] = [
  { actions: ['create'] },
  { actions: ['update'] },
  { actions: ['delete'] },
  { actions: ['delete', 'create'] },
  { actions: ['create', 'delete'] },
  { actions: ['read'], mode: 'data' },
  { actions: ['no-op'] },
  { actions: ['no-op'], importing: true },
  { actions: ['no-op'], moved: true },
  { actions: ['forget'] },
  { actions: ['create', 'forget'] },
];

/**
 * Where a secret sits and the mask that marks it. The slots without a mask are the secrets a mask
 * misses, which applygate finds by name or by text (src/core/plan/secrets.ts).
 */
const sensitiveSlot = fc.constantFrom(
  'top',
  'nested',
  'list',
  'whole',
  'named-list',
  'named-deep',
  'pair',
  'in-text',
  'in-url',
  'in-json',
);

function placeSecret(slot: string, secret: string): { value: Obj; mask: unknown } {
  switch (slot) {
    case 'top':
      return { value: { label: secret, name: 'n' }, mask: { label: true } };
    case 'nested':
      return {
        value: { settings: { conn: secret, port: 5432 }, name: 'n' },
        mask: { settings: { conn: true } },
      };
    case 'list':
      return { value: { items: ['plain', secret] }, mask: { items: [false, true] } };
    case 'named-list':
      return { value: { tokens: ['plain', secret] }, mask: undefined };
    case 'named-deep':
      return { value: { db: { Credentials: { primary: [{ v: secret }] } } }, mask: undefined };
    case 'pair':
      return {
        value: {
          env: [
            { name: 'LOG', value: 'debug' },
            { name: 'API_TOKEN', value: secret },
          ],
        },
        mask: undefined,
      };
    case 'in-text':
      return { value: { settings: `Server=db;Password=${secret};Port=1` }, mask: undefined };
    case 'in-url':
      return { value: { endpoint: `postgres://app:${secret}@db:5432/x` }, mask: undefined };
    case 'in-json':
      return {
        value: {
          container_definitions: JSON.stringify([
            { name: 'app', environment: [{ name: 'DB_PASSWORD', value: secret }] },
          ]),
        },
        mask: undefined,
      };
    default:
      return { value: { blob: secret, other: 'o' }, mask: true };
  }
}

export interface GeneratedPlan {
  spec: PlanSpec;
  secrets: string[];
}

const changeRecord = fc.record({
  type: fc.constantFrom(...TYPES),
  kind: fc.constantFrom(...KINDS),
  name: fc.oneof(hostileText, fc.stringMatching(/^[a-z]{1,10}$/)),
  key: fc.option(hostileText, { nil: undefined }),
  long: fc.nat({ max: 4 }),
  module: fc.option(hostileText, { nil: undefined }),
  attrs: fc.dictionary(hostileText, fc.oneof(hostileText, fc.integer(), fc.boolean()), {
    maxKeys: 3,
  }),
  after: fc.oneof(hostileText, fc.integer()),
  reason: fc.option(hostileText, { nil: undefined }),
  secretBefore: fc.option(fc.tuple(sensitiveSlot, secretArb), { nil: undefined }),
  secretAfter: fc.option(fc.tuple(sensitiveSlot, secretArb), { nil: undefined }),
});

type ChangeRecord = typeof changeRecord extends fc.Arbitrary<infer T> ? T : never;

/** The i-th change of a plan from one generated record (the index keeps addresses unique). */
function changeOf(r: ChangeRecord, i: number): { spec: ChangeSpec; secrets: string[] } {
  const mod = r.module === undefined ? '' : `module.${JSON.stringify(r.module)}.`;
  const key = r.key === undefined ? '' : `[${JSON.stringify(r.key)}]`;
  const pad = r.long === 4 ? `_${'x'.repeat(200)}` : '';
  const address = `${r.kind.mode === 'data' ? 'data.' : ''}${mod}${r.type}.${r.name}${pad}_${i}${key}`;
  const b = r.secretBefore ? placeSecret(r.secretBefore[0], r.secretBefore[1]) : undefined;
  const a = r.secretAfter ? placeSecret(r.secretAfter[0], r.secretAfter[1]) : undefined;
  const before = { ...r.attrs, ...(b?.value ?? {}) };
  const after = { ...r.attrs, changed: r.after, ...(a?.value ?? {}) };
  const spec: ChangeSpec = {
    address,
    type: r.type,
    actions: r.kind.actions,
    ...(r.kind.mode ? { mode: r.kind.mode } : {}),
    before: r.kind.actions[0] === 'create' && r.kind.actions.length === 1 ? null : before,
    after: r.kind.actions[0] === 'delete' && r.kind.actions.length === 1 ? null : after,
    ...(b ? { beforeSensitive: b.mask } : {}),
    ...(a ? { afterSensitive: a.mask } : {}),
    ...(r.reason !== undefined && r.reason !== '' ? { actionReason: r.reason } : {}),
    ...(r.kind.moved ? { previousAddress: `${address}_old` } : {}),
    ...(r.kind.importing ? { importing: true } : {}),
  };
  const secrets = [
    ...(b && spec.before !== null ? [r.secretBefore![1]] : []),
    ...(a && spec.after !== null ? [r.secretAfter![1]] : []),
  ];
  return { spec, secrets };
}

const outputArb = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/),
  secret: secretArb,
  how: fc.constantFrom('masks', 'flag'),
});

/**
 * A random plan: 0..n changes of every kind, hostile addresses, keys, values and reasons,
 * secrets under sensitive masks, sensitive outputs; and the secrets it holds.
 */
export function planArb(maxChanges: number): fc.Arbitrary<GeneratedPlan> {
  return fc
    .record({
      records: fc.array(changeRecord, { maxLength: maxChanges }),
      prior: fc.nat({ max: 30 }),
      outputs: fc.array(outputArb, { maxLength: 3 }),
    })
    .map(({ records, prior, outputs }) => {
      const changes = records.map(changeOf);
      const outs: Obj = {};
      const secrets = changes.flatMap((c) => c.secrets);
      outputs.forEach((o, i) => {
        secrets.push(o.secret);
        outs[`${o.name}_${i}`] = {
          actions: ['update'],
          before: `${o.secret}-old`,
          after: o.secret,
          after_unknown: false,
          ...(o.how === 'masks' ? { before_sensitive: true, after_sensitive: true } : {}),
          ...(o.how === 'flag' ? { sensitive: true } : {}),
        };
      });
      return { spec: { changes: changes.map((c) => c.spec), outputs: outs, prior }, secrets };
    });
}

/**
 * A large plan cheaply: `n` changes from a few generated templates, so the budget is forced
 * without generating thousands of random records.
 */
export function largePlanArb(minChanges: number, maxChanges: number): fc.Arbitrary<GeneratedPlan> {
  return fc
    .record({
      base: planArb(8),
      n: fc.integer({ min: minChanges, max: maxChanges }),
      // Half the large plans destroy everything, so the destroy list itself must be cut.
      destroyShare: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
      longName: fc.integer({ min: 50, max: 300 }),
    })
    .map(({ base, n, destroyShare, longName }) => {
      const changes: ChangeSpec[] = [...base.spec.changes];
      const templates = base.spec.changes.length > 0 ? base.spec.changes : [];
      for (let i = 0; i < n; i++) {
        const t = templates[i % Math.max(1, templates.length)];
        const destroy = i / n < destroyShare;
        const actions = destroy
          ? i % 3 === 0
            ? ['delete', 'create']
            : ['delete']
          : i % 2
            ? ['create']
            : ['update'];
        changes.push({
          address: `aws_s3_bucket.${'b'.repeat(longName)}[${i}]${t ? `["${t.address.slice(0, 40)}"]` : ''}`,
          type: i % 5 === 0 ? 'aws_db_instance' : 'aws_instance',
          actions,
          before:
            actions[0] === 'create' && actions.length === 1
              ? null
              : { id: `i-${i}`, ...(t?.before ?? {}) },
          after:
            actions[0] === 'delete' && actions.length === 1
              ? null
              : { id: `i-${i}`, size: i, ...(t?.after ?? {}) },
          ...(t?.beforeSensitive !== undefined ? { beforeSensitive: t.beforeSensitive } : {}),
          ...(t?.afterSensitive !== undefined ? { afterSensitive: t.afterSensitive } : {}),
          ...(t?.actionReason ? { actionReason: t.actionReason } : {}),
        });
      }
      return { spec: { ...base.spec, changes }, secrets: base.secrets };
    });
}
