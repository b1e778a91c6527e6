// Structure-aware generators: whole plans whose every string may be hostile and whose values sit
// under random sensitive masks (agreeing with the value's shape, disagreeing, partial, garbage),
// and type confusion at any path of a real or generated plan. The render tests' arbitraries
// (test/core/render/plans.ts) are reused for hostile text, secrets and whole hostile plans.
import { approvalPolicy } from '../../src/core/approval/policy.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import fc from 'fast-check';
import type { MarkdownOptions } from '../../src/core/render/index.js';
import { HOSTILE, hostileText, piece, planArb, planJson, secretArb } from '../core/render/plans.js';
import { prng } from './corpus.js';
import { CONFUSIONS } from './mutate.js';
import { isObj } from './oracle.js';

type Obj = Record<string, unknown>;
type Path = (string | number)[];

// ---------------------------------------------------------------------------------------------
// Values and masks

const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/) },
  { weight: 2, arbitrary: hostileText },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'password',
      'master_password',
      'token',
      'id',
      'tags',
      'ingress',
      'cidr_blocks',
      'deletion_protection',
      'skip_final_snapshot',
      'force_destroy',
      'delete_automated_backups',
      'final_snapshot_identifier',
      '__proto__',
      'constructor',
      'toString',
      '',
    ),
  },
);

const leafArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: secretArb },
  { weight: 3, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom(1e308, -0, 2 ** 53 + 1, '0.0.0.0/0', '::/0') },
);

/** A JSON value a provider might put in an attribute: small, nested a few levels, hostile. */
export const valueArb: fc.Arbitrary<unknown> = fc.letrec<{
  tree: unknown;
  arr: unknown[];
  obj: Obj;
}>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leafArb, tie('arr'), tie('obj')),
  arr: fc.array(tie('tree'), { maxLength: 3 }),
  obj: fc.dictionary(keyArb, tie('tree'), { maxKeys: 3 }),
})).tree;

/** An attribute object (the top level of `before`/`after`). */
const attrsArb: fc.Arbitrary<Obj> = fc.dictionary(keyArb, valueArb, { maxKeys: 5 });

/**
 * A sensitive mask for `v`, drawn from `rand`: `true` (the whole subtree), `false`, absent,
 * same-shaped with random leaves, the wrong shape, or garbage. Unknown-value masks use the same.
 */
export function maskFor(v: unknown, rand: () => number, depth = 0): unknown {
  const r = rand();
  if (r < 0.14) return true;
  if (r < 0.22) return false;
  if (r < 0.26) return undefined;
  if (r < 0.3) return Array.isArray(v) ? { 0: true } : [true];
  if (r < 0.32) return ['yes', 1, null, {}][Math.floor(rand() * 4)];
  if (depth > 8) return rand() < 0.5;
  if (Array.isArray(v)) {
    const m = v.map((x) => maskFor(x, rand, depth + 1));
    if (rand() < 0.2) m.pop();
    if (rand() < 0.1) m.push(true);
    return m;
  }
  if (isObj(v)) {
    const m: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const mk = maskFor(x, rand, depth + 1);
      if (mk !== undefined)
        Object.defineProperty(m, k, {
          value: mk,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    if (rand() < 0.1) m.extra_key = true;
    return m;
  }
  return rand() < 0.5;
}

// ---------------------------------------------------------------------------------------------
// Whole plans with random masks

const ACTIONS: string[][] = [
  ['create'],
  ['update'],
  ['delete'],
  ['delete', 'create'],
  ['create', 'delete'],
  ['read'],
  ['no-op'],
  ['forget'],
  ['create', 'forget'],
];
const BAD_ACTIONS: string[][] = [[], ['destroy'], ['create', 'create'], ['no-op', 'delete']];

const TYPES = [
  'aws_db_instance',
  'aws_rds_cluster',
  'aws_s3_bucket',
  'aws_security_group',
  'aws_iam_role',
  'google_sql_database_instance',
  'kubernetes_namespace',
  'null_resource',
];

const changeArb = fc.record({
  type: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...TYPES) },
    { weight: 1, arbitrary: hostileText },
  ),
  name: fc.oneof(fc.stringMatching(/^[a-z]{1,8}$/), hostileText),
  key: fc.option(hostileText, { nil: undefined }),
  actions: fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom(...ACTIONS) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_ACTIONS) },
  ),
  data: fc.boolean(),
  before: attrsArb,
  after: attrsArb,
  reason: fc.option(hostileText, { nil: undefined }),
  moved: fc.option(hostileText, { nil: undefined }),
  importing: fc.boolean(),
  deposed: fc.option(fc.stringMatching(/^[0-9a-f]{8}$/), { nil: undefined }),
  maskSeed: fc.nat(),
});

const outputArb = fc.record({
  name: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), hostileText),
  actions: fc.constantFrom(['create'], ['update'], ['delete'], ['no-op']),
  before: valueArb,
  after: valueArb,
  how: fc.constantFrom('flag', 'masks', 'declared', 'random', 'none'),
  maskSeed: fc.nat(),
});

/** A whole plan: hostile addresses and values, random masks, outputs, drift, prior state. */
export const maskedPlanArb: fc.Arbitrary<Obj> = fc
  .record({
    changes: fc.array(changeArb, { maxLength: 5 }),
    outputs: fc.array(outputArb, { maxLength: 3 }),
    version: fc.constantFrom('0.1', '0.2', '1.0', '1.1', '1.2', '1.10', '1.99'),
    prior: fc.nat({ max: 12 }),
    drift: fc.array(fc.record({ type: fc.constantFrom(...TYPES), name: hostileText }), {
      maxLength: 2,
    }),
    errored: fc.boolean(),
    applyable: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map((r) => {
    const resource_changes = r.changes.map((c, i) => {
      const rand = prng(c.maskSeed);
      const address = `${c.data ? 'data.' : ''}${c.type}.${c.name}_${i}${c.key === undefined ? '' : `[${JSON.stringify(c.key)}]`}`;
      const create = c.actions.length === 1 && c.actions[0] === 'create';
      const del = c.actions.length === 1 && c.actions[0] === 'delete';
      const before = create ? null : c.before;
      const after = del ? null : c.after;
      return {
        address,
        mode: c.data ? 'data' : 'managed',
        type: c.type,
        name: c.name,
        provider_name: 'registry.terraform.io/hashicorp/aws',
        ...(c.moved !== undefined ? { previous_address: c.moved } : {}),
        ...(c.reason !== undefined ? { action_reason: c.reason } : {}),
        ...(c.deposed !== undefined ? { deposed: c.deposed } : {}),
        change: {
          actions: c.actions,
          before,
          after,
          after_unknown: maskFor(after, rand),
          before_sensitive: maskFor(before, rand),
          after_sensitive: maskFor(after, rand),
          ...(c.importing ? { importing: { id: 'x' } } : {}),
        },
      };
    });
    const output_changes: Obj = {};
    const declared: Obj = {};
    for (const o of r.outputs) {
      const rand = prng(o.maskSeed);
      output_changes[o.name] = {
        actions: o.actions,
        before: o.before,
        after: o.after,
        after_unknown: maskFor(o.after, rand),
        ...(o.how === 'flag' ? { sensitive: true } : {}),
        ...(o.how === 'masks' ? { before_sensitive: true, after_sensitive: true } : {}),
        ...(o.how === 'random'
          ? { before_sensitive: maskFor(o.before, rand), after_sensitive: maskFor(o.after, rand) }
          : {}),
      };
      if (o.how === 'declared') declared[o.name] = { sensitive: true };
    }
    return {
      format_version: r.version,
      terraform_version: '1.9.8',
      planned_values: { root_module: {}, outputs: declared },
      resource_changes,
      output_changes,
      resource_drift: r.drift.map((d) => ({
        address: `${d.type}.${d.name}`,
        mode: 'managed',
        type: d.type,
        name: d.name,
        change: { actions: ['update'] },
      })),
      ...(r.prior > 0
        ? {
            prior_state: {
              values: {
                root_module: {
                  resources: Array.from({ length: r.prior }, (_, i) => ({
                    address: `null_resource.p${i}`,
                    mode: 'managed',
                    type: 'null_resource',
                    name: `p${i}`,
                  })),
                },
              },
            },
          }
        : {}),
      errored: r.errored,
      ...(r.applyable !== undefined ? { applyable: r.applyable } : {}),
    };
  });

// ---------------------------------------------------------------------------------------------
// Reports over several projects, with hostile options

const projectName: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9/_-]{0,20}$/) },
  { weight: 2, arbitrary: hostileText },
);

const projectArb = fc.record({
  name: projectName,
  doc: fc.oneof(
    planArb(8).map((g) => planJson(g.spec)),
    maskedPlanArb,
  ),
});

/** One project, or two or three with distinct names (one marker then covers them all). */
export const projectsArb = fc.oneof(
  { weight: 4, arbitrary: projectArb.map((p) => [p]) },
  {
    weight: 1,
    arbitrary: fc.uniqueArray(projectArb, { minLength: 2, maxLength: 3, selector: (p) => p.name }),
  },
);

export const markdownOptionsArb: fc.Arbitrary<MarkdownOptions> = fc.record(
  {
    marker: fc.record(
      {
        headSha: fc.stringMatching(/^[0-9a-f]{7,40}$/),
        runId: fc.nat(),
      },
      { requiredKeys: [] },
    ),
    // Trusted markdown from the adapter: it may try to forge the marker, but a mention in it is
    // the adapter's own choice, not plan content.
    fullSummaryHint: fc
      .oneof(hostileText, fc.constantFrom(...HOSTILE))
      .map((s) => s.replaceAll('@', '(at)')),
    // The job summary's budget, and budgets small enough to cut even small plans.
    maxChars: fc.oneof(fc.constant(1_000_000), fc.integer({ min: 6_000, max: 65_536 })),
    // The approval policy, passed whole; approver names as hostile as the plan's strings (a
    // policy built by hand need not have passed the config's validation).
    policy: fc
      .record({
        command: fc.constantFrom('/approve-destroy', '/approve-prod', '/ok-go'),
        confirm_digest: fc.boolean(),
        approvers: fc.oneof(
          { weight: 9, arbitrary: fc.array(piece, { maxLength: 3 }) },
          { weight: 1, arbitrary: fc.array(piece, { minLength: 50, maxLength: 60 }) },
        ),
        codeowners: fc.boolean(),
        required: fc.integer({ min: 1, max: 10 }),
      })
      .map((a) => approvalPolicy({ approval: { ...DEFAULT_CONFIG.approval, ...a } })),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------------------------------------
// Type confusion at a path

/** Paths into a document, the plan's own sections first, at most `max`. */
export function pathsOf(doc: Obj, max = 3000): Path[] {
  const paths: Path[] = [];
  const queue: [unknown, Path][] = [];
  const first = [
    'resource_changes',
    'output_changes',
    'resource_drift',
    'format_version',
    'prior_state',
    'planned_values',
    'errored',
    'applyable',
  ];
  for (const k of first) if (k in doc) queue.push([doc[k], [k]]);
  for (const k of Object.keys(doc)) if (!first.includes(k)) queue.push([doc[k], [k]]);
  paths.push(...first.filter((k) => !(k in doc)).map((k) => [k]));
  for (let i = 0; i < queue.length && paths.length < max; i++) {
    const [v, path] = queue[i]!;
    paths.push(path);
    if (path.length >= 7) continue;
    if (Array.isArray(v)) v.slice(0, 20).forEach((x, j) => queue.push([x, [...path, j]]));
    else if (isObj(v)) for (const [k, x] of Object.entries(v)) queue.push([x, [...path, k]]);
  }
  return paths;
}

/** What replaces the value at a path: another type, nothing, a deep or huge value, a secret. */
export const replacementArb: fc.Arbitrary<{ kind: string; value?: unknown }> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .constantFrom(...CONFUSIONS)
      .map((t) => ({ kind: t, value: JSON.parse(t) as unknown })),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'removed' }) },
  { weight: 2, arbitrary: valueArb.map((value) => ({ kind: 'random value', value })) },
  { weight: 1, arbitrary: fc.constant({ kind: '1e400', value: Infinity }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 100_000, max: 300_000 })
      .map((n) => ({ kind: `string of ${n}`, value: 'x'.repeat(n) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(400, 511, 600)
      .map((n) => ({ kind: `${n}-deep array`, value: deepArray(n) })),
  },
);

function deepArray(n: number): unknown {
  let v: unknown = [];
  for (let i = 1; i < n; i++) v = [v];
  return v;
}

/**
 * The document as text with the value at `path` replaced (or removed), leaving `doc` as it was.
 * Infinity is written as 1e400, which JSON.parse reads back as Infinity.
 */
export function confused(doc: Obj, path: Path, r: { kind: string; value?: unknown }): string {
  let parent = doc as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) {
    const next = parent[k];
    if (typeof next !== 'object' || next === null) return JSON.stringify(doc);
    parent = next as Record<string | number, unknown>;
  }
  const key = path.at(-1)!;
  const had = Object.hasOwn(parent, key);
  const old = parent[key];
  parent[key] = r.kind === 'removed' ? undefined : r.value === Infinity ? INF : r.value;
  try {
    return JSON.stringify(doc).replaceAll(`"${INF}"`, '1e400');
  } finally {
    if (had) parent[key] = old;
    else delete parent[key];
  }
}

const INF = 'FUZZ-INFINITY-7f3a9c';
