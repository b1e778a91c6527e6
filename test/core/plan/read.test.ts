import { parsePlan, readPlan, type PlanSource } from '../../../src/core/plan/index.js';
import { bytesSource } from '../../../src/core/plan/source.js';
import { streamThreshold, STREAM_THRESHOLD_BYTES } from '../../../src/core/plan/threshold.js';
import { RULE_READS } from '../../../src/core/risk/reads.js';
import { slimChange } from '../../../src/core/plan/slim.js';
import type { ResourceChange } from '../../../src/core/plan/model.js';
import { describeCorpus, readRealPlan, realPlanKeys } from '../../../testkit/support/shared.js';
import { generatePlanText } from '../../../testkit/plans/generate.js';
import { planDoc, rc } from '../../../testkit/support/build.js';

// readPlan is the one place that picks whole-file or streaming. Which path it took is seen from
// the source calls it made and the `streamed` flag; either way the plan is parsePlan's.

const text = generatePlanText({ resources: 80, seed: 21 });
const bytes = new TextEncoder().encode(text);
const expected = parsePlan(bytes, 'plan.json');
const slimmed = (c: ResourceChange) => slimChange(c, RULE_READS);

interface Calls {
  open: number;
  read: number;
  readText: number;
}

/** A file-like source over `b` that counts how it was read. */
function fileSource(
  b: Uint8Array,
  opts: { size?: boolean; open?: boolean; text?: string } = {},
): PlanSource & { calls: Calls } {
  const calls: Calls = { open: 0, read: 0, readText: 0 };
  return {
    calls,
    ...(opts.size !== false && { size: b.length }),
    read: () => {
      calls.read++;
      return Promise.resolve(b);
    },
    ...(opts.open !== false && {
      open: (start: number) => {
        calls.open++;
        return bytesSource(b, 997).open(start);
      },
    }),
    ...(opts.text !== undefined && {
      readText: () => {
        calls.readText++;
        return opts.text;
      },
    }),
  };
}

describe('readPlan picks the path', () => {
  test('a file above the threshold is streamed from its offsets, never read whole', async () => {
    const src = fileSource(bytes);
    const r = await readPlan(src, { file: 'plan.json', threshold: bytes.length - 1 });
    expect(r).toEqual({ ...expected, streamed: true });
    expect(src.calls.open).toBeGreaterThan(0);
    expect(src.calls.read).toBe(0);
  });

  test('a file exactly at the threshold is read whole', async () => {
    const src = fileSource(bytes);
    const r = await readPlan(src, { file: 'plan.json', threshold: bytes.length });
    expect(r).toEqual({ ...expected, streamed: false });
    expect(src.calls).toEqual({ open: 0, read: 1, readText: 0 });
  });

  test('threshold 0 streams every file', async () => {
    const src = fileSource(bytes);
    const r = await readPlan(src, { file: 'plan.json', threshold: 0 });
    expect(r.ok && r.streamed).toBe(true);
  });

  test('unknown size: read whole, then streamed from memory when the bytes pass the threshold', async () => {
    const big = fileSource(bytes, { size: false });
    const r = await readPlan(big, { file: 'plan.json', threshold: bytes.length - 1 });
    expect(r).toEqual({ ...expected, streamed: true });
    expect(big.calls).toEqual({ open: 0, read: 1, readText: 0 });
    const small = fileSource(bytes, { size: false });
    expect(await readPlan(small, { file: 'plan.json', threshold: bytes.length })).toEqual({
      ...expected,
      streamed: false,
    });
  });

  test('stdin (bytes only, no size, no offsets): whole, or streamed from memory above the threshold', async () => {
    const stdin = () => fileSource(bytes, { size: false, open: false });
    const under = stdin();
    expect(await readPlan(under, { file: 'plan.json', threshold: STREAM_THRESHOLD_BYTES })).toEqual(
      { ...expected, streamed: false },
    );
    const over = stdin();
    expect(await readPlan(over, { file: 'plan.json', threshold: 1000 })).toEqual({
      ...expected,
      streamed: true,
    });
    expect(over.calls.read).toBe(1);
  });

  test('a size above the threshold without offsets to read from is read whole first', async () => {
    const src = fileSource(bytes, { open: false });
    expect(await readPlan(src, { file: 'plan.json', threshold: 1000 })).toEqual({
      ...expected,
      streamed: true,
    });
    expect(src.calls.read).toBe(1);
  });

  test('plain UTF-8 text from the adapter is used instead of the bytes; undefined falls back', async () => {
    const withText = fileSource(bytes, { text });
    expect(await readPlan(withText, { file: 'plan.json', threshold: bytes.length })).toEqual({
      ...expected,
      streamed: false,
    });
    expect(withText.calls).toEqual({ open: 0, read: 0, readText: 1 });
    const src: PlanSource = { read: () => Promise.resolve(bytes), readText: () => undefined };
    expect(await readPlan(src, { file: 'plan.json', threshold: bytes.length })).toEqual({
      ...expected,
      streamed: false,
    });
  });

  test('UTF-16 with a BOM: the same plan on both paths', async () => {
    const le = new Uint8Array(2 + text.length * 2);
    le.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) {
      le[2 + 2 * i] = text.charCodeAt(i) & 0xff;
      le[3 + 2 * i] = text.charCodeAt(i) >> 8;
    }
    for (const threshold of [0, le.length]) {
      const r = await readPlan(fileSource(le), { file: 'plan.json', threshold });
      expect(r).toEqual({ ...expected, streamed: threshold === 0 });
    }
  });

  test('bad input names the file on both paths; I/O errors reach the caller', async () => {
    const bad = new TextEncoder().encode('{"format_version": "1.2", "resource_changes": [}');
    for (const threshold of [0, 1 << 20]) {
      const r = await readPlan(fileSource(bad), { file: 'dir/bad.json', threshold });
      expect(r).toEqual({
        ok: false,
        error: {
          file: 'dir/bad.json',
          reason:
            'not valid JSON at line 1, column 48: expected a value (an object, array, string, number, true, false or null)',
          message: expect.stringMatching(/^dir\/bad\.json: not valid JSON at line 1, column 48/),
        },
      });
    }
    const failing: PlanSource = { read: () => Promise.reject(new Error('EIO')) };
    await expect(readPlan(failing, { file: 'x', threshold: 10 })).rejects.toThrow('EIO');
  });

  test('at `risk` detail both paths cut the values no view reads, to the same model', async () => {
    const read = (threshold: number) =>
      readPlan(fileSource(bytes), {
        file: 'plan.json',
        threshold,
        detail: 'risk',
        reads: RULE_READS,
        scanFrom: 0,
      });
    const whole = await read(bytes.length);
    const streamed = await read(0);
    if (!whole.ok || !streamed.ok || !expected.ok) throw new Error('expected a plan');
    expect(whole).toEqual({ ...streamed, streamed: false });
    expect(whole.plan.digest).toBe(expected.plan.digest);
    expect(JSON.stringify(whole.plan).length).toBeLessThan(JSON.stringify(expected.plan).length);
    // What the rules read is all there: every change, in order, with its kind.
    expect(whole.plan.resourceChanges.map((c) => [c.address, c.kind])).toEqual(
      expected.plan.resourceChanges.map((c) => [c.address, c.kind]),
    );
  });

  test('below scanFrom the whole-file reader reads it, cutting values as the scanner does', async () => {
    const opts = {
      file: 'plan.json',
      threshold: bytes.length,
      detail: 'risk' as const,
      reads: RULE_READS,
    };
    const source = fileSource(bytes, { text });
    const r = await readPlan(source, opts);
    expect(source.calls).toEqual({ open: 0, read: 0, readText: 1 });
    expect(r).toEqual(await readPlan(fileSource(bytes), { ...opts, scanFrom: 0 }));
    if (!r.ok || !expected.ok) throw new Error('expected a plan');
    // The model is parsePlan's with each change slimmed to what the rules read, key order too.
    const slim = { ...expected.plan, resourceChanges: expected.plan.resourceChanges.map(slimmed) };
    expect(JSON.stringify(r.plan)).toBe(JSON.stringify(slim));
  });

  test('at `risk` detail, bad input is still told by the whole-file reader', async () => {
    const bad = new TextEncoder().encode('{"format_version": "1.2", "resource_changes": [}');
    const r = await readPlan(fileSource(bad), {
      file: 'dir/bad.json',
      threshold: 1 << 20,
      detail: 'risk',
      reads: RULE_READS,
      scanFrom: 0,
    });
    expect(r).toEqual(
      await readPlan(fileSource(bad), { file: 'dir/bad.json', threshold: 1 << 20 }),
    );
  });
});

describe('streamThreshold', () => {
  test('APPLYGATE_STREAM_THRESHOLD in bytes, else the default; junk is ignored', () => {
    expect(streamThreshold({})).toBe(STREAM_THRESHOLD_BYTES);
    expect(streamThreshold({ APPLYGATE_STREAM_THRESHOLD: '0' })).toBe(0);
    expect(streamThreshold({ APPLYGATE_STREAM_THRESHOLD: '1234' })).toBe(1234);
    expect(streamThreshold({ APPLYGATE_STREAM_THRESHOLD: '-1' })).toBe(STREAM_THRESHOLD_BYTES);
    expect(streamThreshold({ APPLYGATE_STREAM_THRESHOLD: '1e9' })).toBe(STREAM_THRESHOLD_BYTES);
  });
});

// The whole-file reader at `risk` detail cuts each change's values to what the rules read before
// it redacts them (slim.ts cutForModel): the model must be exactly parsePlan's, slimmed, so no
// value the rules read is redacted differently and nothing else is kept. Over every real plan.
describeCorpus('the whole-file reader at `risk` detail, over the real plans', () => {
  test('is parsePlan slimmed, byte for byte', async () => {
    let changes = 0;
    for (const key of realPlanKeys()) {
      const b = readRealPlan(key);
      const full = parsePlan(b, key);
      const r = await readPlan(
        { size: b.length, read: () => Promise.resolve(b) },
        { file: key, threshold: b.length, detail: 'risk', reads: RULE_READS },
      );
      if (!full.ok) {
        expect([key, r]).toEqual([key, full]);
        continue;
      }
      if (!r.ok) throw new Error(`${key}: ${r.error.message}`);
      changes += full.plan.resourceChanges.length;
      const slim = { ...full.plan, resourceChanges: full.plan.resourceChanges.map(slimmed) };
      expect([key, JSON.stringify(r.plan)]).toEqual([key, JSON.stringify(slim)]);
    }
    expect(changes).toBeGreaterThan(1000);
  });
});

test('a cut value is redacted as the whole one: masks, unknowns, secret pairs at its top', async () => {
  const secret = 'hunter2-never-shown';
  const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*' }] });
  const changes = [
    // A kept attribute marked sensitive, another only in after_unknown, a secret-named one.
    {
      ...rc({
        address: 'aws_iam_role_policy.p',
        actions: ['update'],
        before: { name: 'p', policy, force_destroy: false, other: secret },
        after: { name: 'p', policy: secret, force_destroy: true, other: secret },
        afterSensitive: { policy: true },
      }),
    },
    // `deletion_protection` known only after apply; the whole value sensitive in `before`.
    rc({
      address: 'aws_db_instance.db',
      actions: ['update'],
      before: { deletion_protection: true, password: secret },
      after: { password: secret },
      beforeSensitive: true,
    }),
    // A name/value pair whose name is secret, at the top of a value.
    rc({
      address: 'aws_ssm_parameter.token',
      actions: ['no-op'],
      before: { name: 'API_TOKEN', value: secret, force_destroy: false },
      after: { name: 'API_TOKEN', value: secret, force_destroy: false },
    }),
  ];
  (changes[1]!.change as Record<string, unknown>).after_unknown = { deletion_protection: true };
  const b = new TextEncoder().encode(JSON.stringify(planDoc({ changes })));
  const full = parsePlan(b, 'p.json');
  const r = await readPlan(
    { size: b.length, read: () => Promise.resolve(b) },
    { file: 'p.json', threshold: b.length, detail: 'risk', reads: RULE_READS },
  );
  if (!full.ok || !r.ok) throw new Error('expected plans');
  const slim = { ...full.plan, resourceChanges: full.plan.resourceChanges.map(slimmed) };
  expect(JSON.stringify(r.plan)).toBe(JSON.stringify(slim));
  expect(JSON.stringify(r.plan)).not.toContain('hunter2');
  const [role, db] = r.plan.resourceChanges;
  expect(role!.after).toEqual({ force_destroy: true, policy: '(sensitive value)' });
  expect(db!.before).toBe('(sensitive value)');
  expect(db!.after).toMatchObject({ deletion_protection: '(known after apply)' });
});
