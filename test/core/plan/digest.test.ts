import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { parsePlan, type Plan } from '../../../src/core/plan/index.js';
import { MAX_NESTING } from '../../../src/core/plan/shape.js';
import { bytesSource } from '../../../src/core/plan/source.js';
import { parsePlanStream } from '../../../src/core/plan/stream.js';
import { planDoc, rc } from '../../../testkit/support/build.js';
import { corpusPlanFiles, corpusTest, readCorpusPlan } from '../../../testkit/support/shared.js';

// Digest v2 (DESIGN.md "Gate v2"): the canonical hash of what applying the plan does. It must not
// move when only refreshed values of untouched resources move, and must move with anything that
// would be applied. Every check runs through both readers: the whole file and the stream.

type Obj = Record<string, unknown>;

function whole(doc: unknown): Plan {
  const r = parsePlan(JSON.stringify(doc), 'plan.json');
  if (!r.ok) throw new Error(r.error.message);
  return r.plan;
}

async function streamedDigest(doc: unknown, chunk = 7): Promise<string> {
  const r = await parsePlanStream(
    bytesSource(new TextEncoder().encode(JSON.stringify(doc)), chunk),
    'plan.json',
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.plan.digest;
}

/** The digest by both readers, which must agree. */
async function digestOf(doc: unknown): Promise<string> {
  const d = whole(doc).digest;
  expect(await streamedDigest(doc)).toBe(d);
  return d;
}

/** A plan with every kind of entry the digest must tell apart from the others. */
function basePlan(): Obj {
  return {
    ...planDoc({
      changes: [
        rc({
          address: 'aws_instance.web',
          actions: ['update'],
          before: { ami: 'a', tags: {} },
          after: { ami: 'b', tags: {} },
        }),
        rc({
          address: 'aws_s3_bucket.logs',
          actions: ['no-op'],
          before: { bucket: 'logs', tags: {} },
          after: { bucket: 'logs', tags: {} },
        }),
        rc({
          address: 'aws_db_instance.main',
          actions: ['delete'],
          before: { identifier: 'main' },
        }),
        rc({
          address: 'data.aws_ami.ubuntu',
          mode: 'data',
          actions: ['read'],
          after: { id: 'ami-1' },
        }),
        rc({ address: 'aws_iam_role.ci', actions: ['create'], after: { name: 'ci' } }),
      ],
      drift: [
        {
          address: 'aws_s3_bucket.logs',
          mode: 'managed',
          type: 'aws_s3_bucket',
          name: 'logs',
          change: { actions: ['update'], before: { tags: {} }, after: { tags: { owner: 'ops' } } },
        },
      ],
      outputs: {
        url: { actions: ['update'], before: 'a', after: 'b', after_unknown: false },
        same: { actions: ['no-op'], before: 'x', after: 'x', after_unknown: false },
      },
    }),
    action_invocations: [
      {
        address: 'action.notify.deploy',
        type: 'notify',
        name: 'deploy',
        config_values: { channel: '#ops' },
        provider_name: 'registry.terraform.io/x/notify',
        invoke_action_trigger: {},
      },
    ],
    deferred_changes: [],
    complete: true,
  };
}

const changes = (doc: Obj) => doc.resource_changes as Obj[];
const change = (doc: Obj, address: string) => {
  const c = changes(doc).find((x) => x.address === address);
  if (!c) throw new Error(address);
  return c.change as Obj;
};

describe('digest v2: unchanged by what is not applied', () => {
  let base: string;
  beforeAll(async () => {
    base = await digestOf(basePlan());
    expect(base).toMatch(/^sha256v2:[0-9a-f]{64}$/);
  });

  test('refreshed values of a no-op resource (a tag added outside Terraform)', async () => {
    const doc = basePlan();
    const noop = change(doc, 'aws_s3_bucket.logs');
    noop.before = { bucket: 'logs', tags: { owner: 'ops' } };
    noop.after = { bucket: 'logs', tags: { owner: 'ops' } };
    expect(await digestOf(doc)).toBe(base);
  });

  test('a no-op resource added or removed (an unrelated change already applied)', async () => {
    const doc = basePlan();
    changes(doc).push(
      rc({
        address: 'aws_sqs_queue.jobs',
        actions: ['no-op'],
        before: { name: 'jobs' },
        after: { name: 'jobs' },
      }),
    );
    expect(await digestOf(doc)).toBe(base);
    const fewer = basePlan();
    fewer.resource_changes = changes(fewer).filter((c) => c.address !== 'aws_s3_bucket.logs');
    expect(await digestOf(fewer)).toBe(base);
  });

  test('drift', async () => {
    const doc = basePlan();
    (doc.resource_drift as Obj[]).push({
      address: 'aws_iam_role.old',
      mode: 'managed',
      type: 'aws_iam_role',
      name: 'old',
      change: { actions: ['delete'], before: {}, after: null },
    });
    expect(await digestOf(doc)).toBe(base);
    delete doc.resource_drift;
    expect(await digestOf(doc)).toBe(base);
  });

  test('data-source reads, new values or new reads', async () => {
    const doc = basePlan();
    change(doc, 'data.aws_ami.ubuntu').after = { id: 'ami-2' };
    changes(doc).push(
      rc({
        address: 'data.aws_caller_identity.me',
        mode: 'data',
        actions: ['read'],
        after: { id: '1' },
      }),
    );
    expect(await digestOf(doc)).toBe(base);
  });

  test('a no-op output, and what is not a change at all (timestamp, versions, prior state, configuration)', async () => {
    const doc = basePlan();
    (doc.output_changes as Obj).same = {
      actions: ['no-op'],
      before: 'y',
      after: 'y',
      after_unknown: false,
    };
    Object.assign(doc, {
      timestamp: '2026-11-25T19:00:00Z',
      terraform_version: '1.14.0',
      planned_values: { root_module: { resources: [] } },
      configuration: { root_module: { resources: [{ address: 'aws_instance.web' }] } },
      relevant_attributes: [{ resource: 'aws_instance.web', attribute: ['ami'] }],
    });
    expect(await digestOf(doc)).toBe(base);
  });

  test('key order, change order, action-invocation order, formatting', async () => {
    const reversedKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reversedKeys)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reversedKeys(x)]),
            )
          : v;
    const doc = reversedKeys(basePlan()) as Obj;
    changes(doc).reverse();
    (doc.action_invocations as Obj[]).unshift({
      address: 'action.notify.first',
      type: 'notify',
      name: 'first',
      config_values: {},
      invoke_action_trigger: {},
    });
    const withTwo = basePlan();
    (withTwo.action_invocations as Obj[]).push({
      address: 'action.notify.first',
      type: 'notify',
      name: 'first',
      config_values: {},
      invoke_action_trigger: {},
    });
    expect(await digestOf(doc)).toBe(await digestOf(withTwo));
    const r = parsePlan(JSON.stringify(withTwo, null, 4), 'pretty.json');
    expect(r.ok && r.plan.digest).toBe(await digestOf(withTwo));
  });

  test('property: any edit confined to no-op and read changes, drift and key order keeps the digest', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue(),
        fc.jsonValue(),
        fc.boolean(),
        async (before, after, flip) => {
          const doc = basePlan();
          const noop = change(doc, 'aws_s3_bucket.logs');
          noop.before = before;
          noop.after = after;
          change(doc, 'data.aws_ami.ubuntu').after = flip ? before : after;
          if (flip) changes(doc).reverse();
          return (await digestOf(doc)) === base;
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('digest v2: changed by anything that would be applied', () => {
  let base: string;
  beforeAll(async () => {
    base = await digestOf(basePlan());
  });

  const edits: [string, (doc: Obj) => void][] = [
    ['an updated value', (d) => ((change(d, 'aws_instance.web').after as Obj).ami = 'c')],
    ['a value before the update', (d) => ((change(d, 'aws_instance.web').before as Obj).ami = 'z')],
    ['an action', (d) => (change(d, 'aws_instance.web').actions = ['delete', 'create'])],
    [
      'a new destroy',
      (d) =>
        changes(d).push(
          rc({ address: 'aws_s3_bucket.data', actions: ['delete'], before: { bucket: 'data' } }),
        ),
    ],
    [
      'a create',
      (d) =>
        changes(d).push(
          rc({ address: 'aws_sns_topic.t', actions: ['create'], after: { name: 't' } }),
        ),
    ],
    [
      'a no-op that becomes an update',
      (d) => (change(d, 'aws_s3_bucket.logs').actions = ['update']),
    ],
    [
      'a read that becomes a create',
      (d) => (change(d, 'data.aws_ami.ubuntu').actions = ['create']),
    ],
    [
      'a value known only after apply',
      (d) => (change(d, 'aws_iam_role.ci').after_unknown = { arn: true }),
    ],
    ['an import', (d) => (change(d, 'aws_s3_bucket.logs').importing = { id: 'logs' })],
    [
      'a move',
      (d) =>
        (changes(d).find((c) => c.address === 'aws_s3_bucket.logs')!.previous_address =
          'aws_s3_bucket.old'),
    ],
    [
      'a deposed key',
      (d) => (changes(d).find((c) => c.address === 'aws_db_instance.main')!.deposed = 'abcd1234'),
    ],
    [
      'an address',
      (d) => (changes(d).find((c) => c.address === 'aws_iam_role.ci')!.address = 'aws_iam_role.cd'),
    ],
    ['an output change', (d) => (((d.output_changes as Obj).url as Obj).after = 'c')],
    [
      'a no-op output that becomes an update',
      (d) => (((d.output_changes as Obj).same as Obj).actions = ['update']),
    ],
    [
      'an action invocation',
      (d) => (((d.action_invocations as Obj[])[0]!.config_values as Obj).channel = '#all'),
    ],
    [
      'a new action invocation',
      (d) =>
        (d.action_invocations as Obj[]).push({
          address: 'action.notify.b',
          type: 'notify',
          name: 'b',
          config_values: {},
        }),
    ],
    [
      'a deferred change',
      (d) =>
        (d.deferred_changes = [
          {
            reason: 'resource_config_unknown',
            resource_change: rc({ address: 'aws_instance.later', actions: ['create'] }),
          },
        ]),
    ],
    ['complete: false', (d) => (d.complete = false)],
    ['errored: true', (d) => (d.errored = true)],
  ];
  test.each(edits)('%s', async (_name, edit) => {
    const doc = basePlan();
    edit(doc);
    expect(await digestOf(doc)).not.toBe(base);
  });

  test('a sensitive value changes it, and never shows in the model', async () => {
    const doc = basePlan();
    const web = change(doc, 'aws_instance.web');
    web.after = { ami: 'b', tags: {}, password: 'hunter2' };
    web.after_sensitive = { password: true };
    const d1 = await digestOf(doc);
    (web.after as Obj).password = 'hunter3';
    expect(await digestOf(doc)).not.toBe(d1);
    expect(JSON.stringify(whole(doc))).not.toContain('hunter');
  });
});

describe('digest v2 on real plans', () => {
  /** The digest written from the contract, the obvious way (no shortcuts, no streaming). */
  function contractDigest(doc: Obj): string {
    const sorted = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map(sorted).join(',')}]`;
      if (v !== null && typeof v === 'object') {
        const o = v as Obj;
        return `{${Object.keys(o)
          .filter((k) => o[k] !== undefined)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${sorted(o[k])}`)
          .join(',')}}`;
      }
      return JSON.stringify(v ?? null);
    };
    const bySorted = (xs: unknown) => (Array.isArray(xs) ? xs.map(sorted).sort() : []);
    const rcs = ((doc.resource_changes as Obj[] | undefined) ?? [])
      .filter((r) => {
        const c = r.change as Obj;
        const a = (c.actions as string[]).join(',');
        const importing = typeof c.importing === 'object' && c.importing !== null;
        return !(
          a === 'read' ||
          (a === 'no-op' && !importing && typeof r.previous_address !== 'string')
        );
      })
      .map((r) => {
        const c = r.change as Obj;
        return {
          key: `${r.address as string}\u0000${(r.deposed as string | undefined) ?? ''}`,
          text: sorted({
            address: r.address,
            deposed: r.deposed,
            previous_address: r.previous_address,
            actions: c.actions,
            before: c.before,
            after: c.after,
            after_unknown: c.after_unknown,
            importing: c.importing,
          }),
        };
      })
      .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    const outputs = Object.entries((doc.output_changes as Obj | undefined) ?? {}).filter(
      ([, oc]) => ((oc as Obj).actions as string[]).join(',') !== 'no-op',
    );
    const text =
      `{"action_invocations":[${bySorted(doc.action_invocations).join(',')}],` +
      `"complete":${doc.complete !== false},` +
      `"deferred_changes":[${bySorted(doc.deferred_changes).join(',')}],` +
      `"errored":${doc.errored === true},` +
      `"output_changes":${sorted(Object.fromEntries(outputs))},` +
      `"resource_changes":[${rcs.map((r) => r.text).join(',')}]}`;
    return `sha256v2:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
  }

  const raw = (buf: Buffer): Obj =>
    JSON.parse(
      buf[0] === 0xff && buf[1] === 0xfe
        ? buf.subarray(2).toString('utf16le')
        : buf.toString('utf8'),
    ) as Obj;

  corpusTest("every corpus plan: the digest is the contract's, by both readers", async () => {
    let checked = 0;
    for (const name of corpusPlanFiles()) {
      const buf = readCorpusPlan(name);
      const r = parsePlan(buf, name);
      if (!r.ok) continue;
      expect([name, r.plan.digest]).toEqual([name, contractDigest(raw(buf))]);
      const s = await parsePlanStream(bytesSource(buf, 1 << 12), name);
      expect([name, s.ok && s.plan.digest]).toEqual([name, r.plan.digest]);
      checked++;
    }
    // An empty corpus, or one that no longer parses, checks nothing: it fails.
    expect(checked).toBeGreaterThanOrEqual(50);
  });

  corpusTest(
    'the reported false failure: a tag added to the no-op aws_cloudtrail leaves the digest alone',
    async () => {
      const doc = raw(readCorpusPlan('regula__cloudtrail-noop-drift-tf1.1.json'));
      const before = await digestOf(doc);
      const trail = change(doc, 'aws_cloudtrail.cloudtrail');
      for (const side of ['before', 'after'] as const) {
        const v = trail[side] as Obj;
        v.tags = { ...(v.tags ?? {}), CostCenter: 'ops' };
        v.tags_all = { ...(v.tags_all ?? {}), CostCenter: 'ops' };
      }
      expect(await digestOf(doc)).toBe(before);
      trail.actions = ['update'];
      expect(await digestOf(doc)).not.toBe(before);
    },
  );

  corpusTest('Terraform 1.14 action invocations are digested', async () => {
    const doc = raw(readCorpusPlan('tfjson__action-invocations-tf1.14.json'));
    const before = await digestOf(doc);
    ((doc.action_invocations as Obj[])[0]!.config_values as Obj).name = 'someone-else';
    expect(await digestOf(doc)).not.toBe(before);
  });
});

describe('nesting limits still hold for what the digest does not walk', () => {
  const deep = (n: number): unknown => {
    let v: unknown = true;
    for (let i = 0; i < n; i++) v = [v];
    return v;
  };
  test('a hostile after_sensitive on an actionable change is refused, by both readers', async () => {
    const doc = planDoc({
      changes: [
        rc({
          address: 'aws_instance.a',
          actions: ['update'],
          before: {},
          after: {},
          afterSensitive: deep(MAX_NESTING + 10),
        }),
      ],
    });
    const r = parsePlan(JSON.stringify(doc), 'deep.json');
    expect(r.ok ? 'parsed' : r.error.reason).toMatch(
      /resource_changes\[0\]` is nested more than 512 levels/,
    );
  });
  test('hostile action_invocations and deferred_changes are refused', () => {
    for (const key of ['action_invocations', 'deferred_changes']) {
      const doc = { ...planDoc({}), [key]: [deep(MAX_NESTING + 10)] };
      const r = parsePlan(JSON.stringify(doc), 'deep.json');
      expect(r.ok ? 'parsed' : r.error.reason).toMatch(
        new RegExp(`\`${key}\` is nested more than`),
      );
    }
  });
});
