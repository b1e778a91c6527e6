import { CHANGE_KINDS, parsePlan, type ChangeKind } from '../../../src/core/plan/index.js';
import {
  corpusPlanFiles,
  describeCorpus,
  readCorpusPlan,
} from '../../../testkit/support/shared.js';

// An independent count over the raw JSON: written from Terraform's documented action lists,
// without calling the parser's classifier.
function rawCounts(doc: {
  resource_changes?: {
    change: { actions: string[]; importing?: unknown };
    previous_address?: string;
  }[];
}) {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  for (const rc of doc.resource_changes ?? []) {
    const a = rc.change.actions;
    let kind: ChangeKind;
    if (a.length === 2 && a.includes('delete') && a.includes('create')) kind = 'replace';
    else if (a.includes('forget')) kind = 'forget';
    else if (a[0] === 'no-op' && rc.change.importing) kind = 'import';
    else if (a[0] === 'no-op' && rc.previous_address) kind = 'move';
    else kind = a[0] as ChangeKind;
    counts[kind]++;
  }
  return counts;
}

function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .reverse()
        .map((k) => [k, reversedKeys(o[k])]),
    );
  }
  return v;
}

function rawJson(buf: Buffer): unknown {
  const text =
    buf[0] === 0xff && buf[1] === 0xfe ? buf.subarray(2).toString('utf16le') : buf.toString('utf8');
  return JSON.parse(text);
}

describeCorpus('every real plan in ../shared/fixtures/plans', () => {
  const files = corpusPlanFiles();

  test('the corpus is there', () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
  });

  test.each(files)('%s parses and its counts match an independent count', (name) => {
    const buf = readCorpusPlan(name);
    const result = parsePlan(buf, name);
    if (!result.ok) throw new Error(result.error.message);
    const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<
      ChangeKind,
      number
    >;
    for (const rc of result.plan.resourceChanges) counts[rc.kind]++;
    const raw = rawJson(buf) as Parameters<typeof rawCounts>[0];
    expect(counts).toEqual(rawCounts(raw));
    expect(result.plan.resourceChanges).toHaveLength(raw.resource_changes?.length ?? 0);
    expect(result.plan.digest).toMatch(/^sha256v2:[0-9a-f]{64}$/);
  });

  test('the same plan parsed twice, or from text instead of bytes, has the same digest', () => {
    for (const name of files) {
      const buf = readCorpusPlan(name);
      const a = parsePlan(buf, name);
      const b = parsePlan(JSON.stringify(rawJson(buf), null, 3), name);
      expect(a.ok && b.ok && a.plan.digest === b.plan.digest).toBe(true);
    }
  });

  // What the digest covers is checked against the contract in digest.test.ts.
  test('the digest does not depend on key order, change order or formatting', () => {
    for (const name of files) {
      const buf = readCorpusPlan(name);
      const doc = rawJson(buf) as { resource_changes?: unknown[] };
      const a = parsePlan(buf, name);
      if (!a.ok) throw new Error(a.error.message);
      // Every object's keys reversed, changes reversed, pretty-printed: the same plan.
      const reordered = {
        ...(reversedKeys(doc) as object),
        resource_changes: (reversedKeys(doc.resource_changes ?? []) as unknown[]).reverse(),
      };
      const b = parsePlan(JSON.stringify(reordered, null, 2), name);
      expect(b.ok && b.plan.digest).toBe(a.plan.digest);
    }
  });

  test('the UTF-16LE Windows plan (BOM, CRLF) reads like its UTF-8 twin', () => {
    const buf = readCorpusPlan('checkov__utf16-bom-windows-tf1.2.json');
    expect([buf[0], buf[1]]).toEqual([0xff, 0xfe]);
    const r = parsePlan(buf, 'win.json');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.plan.resourceChanges.map((c) => [c.type, c.kind])).toEqual([
      ['aws_s3_bucket', 'create'],
    ]);
    const utf8 = parsePlan(Buffer.from(JSON.stringify(rawJson(buf)), 'utf8'), 'win.json');
    expect(utf8.ok && utf8.plan.digest).toBe(r.plan.digest);
  });

  test('plan features are understood: moved, importing, replace reasons, create_before_destroy, drift, errored', () => {
    const get = (n: string) => {
      const r = parsePlan(readCorpusPlan(n), n);
      if (!r.ok) throw new Error(r.error.message);
      return r.plan;
    };
    const moved = get('tfjson__moved-block-tf1.5.json').resourceChanges[0]!;
    expect(moved.kind).toBe('move');
    expect(moved.previousAddress).toBeDefined();
    expect(get('tofu__cloud-import-config-gen.json').resourceChanges[0]!.kind).toBe('import');
    const importingUpdate = get('tfjson__import-identity-tf1.13.json').resourceChanges[0]!;
    expect([importingUpdate.kind, importingUpdate.importing]).toEqual(['update', true]);
    const tainted = get('tfjson__replace-tainted-tf1.15.json').resourceChanges[0]!;
    expect([tainted.kind, tainted.actionReason]).toEqual(['replace', 'replace_because_tainted']);
    const cbd = get('checkov__create-before-destroy-secret.json').resourceChanges.find(
      (c) => c.kind === 'replace',
    )!;
    expect(cbd.createBeforeDestroy).toBe(true);
    expect(get('tofu__show-json-drift.json').drift.length).toBeGreaterThan(0);
    const errored = get('tofu__show-json-plan-error.json');
    expect([errored.errored, errored.applyable]).toEqual([true, false]);
    // Its prior state holds only data sources: no managed resource, so an empty state.
    expect(get('checkov__55-resources-tf0.12.json').priorStateResources).toBe(0);
    expect(get('checkov__empty-plan-tf1.10.json').priorStateAbsent).toBe(true);
    expect(get('infracost__aws-rds-modules-tf0.14.json').priorStateResources).toBeGreaterThan(0);
  });
});
