import fc from 'fast-check';
import { generatePlanText } from '../../../testkit/plans/generate.js';
import { runCli, type CliIo } from '../../../src/cli/main.js';
import { parseConfig } from '../../../src/core/config.js';
import { canonicalJson, parsePlan, planDigest, type Plan } from '../../../src/core/plan/index.js';
import { changeSortKey, inDigestOrder } from '../../../src/core/plan/digest.js';
import { MAX_NESTING } from '../../../src/core/plan/shape.js';
import { MARKDOWN_FULL_DETAILS, slimChange, type Detail } from '../../../src/core/plan/slim.js';
import { bytesSource } from '../../../src/core/plan/source.js';
import { parsePlanStream, type StreamOptions } from '../../../src/core/plan/stream.js';
import { RULE_READS } from '../../../src/core/risk/reads.js';
import { renderMarkdown } from '../../../src/core/render/index.js';
import { buildReport } from '../../../src/core/report.js';
import { assess } from '../../../src/core/risk/score.js';
import {
  incidentDestroyPlan,
  missingStatePlan,
  stateFile,
} from '../../../testkit/plans/samples.js';
import {
  corpusPlanFiles,
  describeCorpus,
  readCorpusPlan,
} from '../../../testkit/support/shared.js';

// The streaming reader must give exactly what parsePlan gives (model, digest, refusals), read in
// chunks of any size. No timing here: speed and memory are measured by `npm run bench`.

const enc = (s: string) => new TextEncoder().encode(s);

async function streamed(
  bytes: Uint8Array,
  file: string,
  chunk = 1 << 16,
  detail: Detail = 'all',
  reorderBudget?: number,
) {
  const budget = reorderBudget ? { reorderBudget } : {};
  return parsePlanStream(
    bytesSource(bytes, chunk),
    file,
    detail === 'all' ? budget : { ...budget, detail, reads: RULE_READS },
  );
}

function ok(r: ReturnType<typeof parsePlan>): Plan {
  if (!r.ok) throw new Error(r.error.message);
  return r.plan;
}

const config = parseConfig(undefined);
if (!config.ok) throw new Error('default config');
const defaults = config.config;

describeCorpus('streaming reader on every real plan in ../shared/fixtures/plans', () => {
  const files = corpusPlanFiles();
  test.each(files)(
    '%s: same model and digest as parsePlan, in 7-byte and 64 KB chunks',
    async (name) => {
      const buf = readCorpusPlan(name);
      const whole = parsePlan(buf, name);
      expect(await streamed(buf, name, 7)).toEqual(whole);
      expect(await streamed(buf, name, 1 << 16)).toEqual(whole);
      expect(await streamed(buf, name, 1 << 16, 'all', 1 << 26)).toEqual(whole);
    },
  );

  test('the risk assessment and the markdown are the same with the memory-saving details', async () => {
    let checked = 0;
    for (const name of files) {
      const buf = readCorpusPlan(name);
      const whole = parsePlan(buf, name);
      if (!whole.ok) continue;
      const risk = ok(await streamed(buf, name, 1 << 16, 'risk'));
      expect(assess(risk, defaults)).toEqual(assess(whole.plan, defaults));
      const md = ok(await streamed(buf, name, 1 << 16, 'markdown'));
      const report = (p: Plan) => renderMarkdown(buildReport([{ name: 'p', plan: p }], defaults));
      expect(report(md)).toBe(report(whole.plan));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(50);
  });
});

describe('streaming reader on generated plans', () => {
  const text = generatePlanText({ resources: 1500, seed: 3 });
  const bytes = enc(text);

  test('same model and digest as parsePlan', async () => {
    const whole = ok(parsePlan(bytes, 'gen.json'));
    expect(whole.resourceChanges).toHaveLength(1500);
    expect(await streamed(bytes, 'gen.json', 4093)).toEqual({ ok: true, plan: whole });
    const twoPasses = await streamed(bytes, 'gen.json', 4093, 'all', 1 << 26);
    expect(twoPasses).toEqual({ ok: true, plan: whole });
  });

  test('resource changes out of address order: same digest, also when reordered in small batches', async () => {
    const doc = JSON.parse(text) as { resource_changes: unknown[] };
    // A deterministic shuffle.
    const rcs = doc.resource_changes;
    for (let i = rcs.length - 1, x = 7; i > 0; i--) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const j = x % (i + 1);
      [rcs[i], rcs[j]] = [rcs[j], rcs[i]];
    }
    const shuffled = enc(JSON.stringify(doc, null, 1));
    const whole = ok(parsePlan(shuffled, 'shuffled.json'));
    expect(whole.digest).toBe(ok(parsePlan(bytes, 'x')).digest);
    expect(await streamed(shuffled, 'shuffled.json', 1000)).toEqual({ ok: true, plan: whole });
    const small = ok(await streamed(shuffled, 'shuffled.json', 1000, 'all', 50_000));
    expect(small.digest).toBe(whole.digest);
    const oneBatch = ok(await streamed(shuffled, 'shuffled.json', 1000, 'all', 1 << 26));
    expect(oneBatch.digest).toBe(whole.digest);
    // A file in memory: the digested changes' texts are held and ordered at the end.
    const inMemory: StreamOptions[] = [
      { holdDigested: true },
      { holdDigested: true, detail: 'risk', reads: RULE_READS },
    ];
    for (const opts of inMemory) {
      const held = ok(await parsePlanStream(bytesSource(shuffled, 1000), 'shuffled.json', opts));
      expect(held.digest).toBe(whole.digest);
    }
  });

  test('UTF-16 (LE with BOM, BE without) is decoded chunk by chunk', async () => {
    const small = generatePlanText({ resources: 120, seed: 5 });
    const le = new Uint8Array(2 + small.length * 2);
    le[0] = 0xff;
    le[1] = 0xfe;
    const be = new Uint8Array(small.length * 2);
    for (let i = 0; i < small.length; i++) {
      const c = small.charCodeAt(i);
      le[2 + 2 * i] = c & 0xff;
      le[3 + 2 * i] = c >> 8;
      be[2 * i] = c >> 8;
      be[2 * i + 1] = c & 0xff;
    }
    const whole = ok(parsePlan(enc(small), 'u.json'));
    expect(await streamed(le, 'u.json', 333)).toEqual({ ok: true, plan: whole });
    expect(await streamed(be, 'u.json', 334)).toEqual({ ok: true, plan: whole });
    expect(await streamed(le, 'u.json', 333, 'all', 1 << 26)).toEqual({ ok: true, plan: whole });
  });

  test('memory-saving details keep what the rules read: same assessment; markdown the same', async () => {
    const whole = ok(parsePlan(bytes, 'gen.json'));
    const risk = ok(await streamed(bytes, 'gen.json', 1 << 16, 'risk'));
    expect(assess(risk, defaults)).toEqual(assess(whole, defaults));
    // The generated estate is rich in IAM members and role assignments, whose role, member and
    // scope the access rules read (issue 23): about 0.53 of the whole here, 0.44 before.
    expect(JSON.stringify(risk).length).toBeLessThan(JSON.stringify(whole).length * 0.6);
    const md = ok(await streamed(bytes, 'gen.json', 1 << 16, 'markdown'));
    const report = (p: Plan) => renderMarkdown(buildReport([{ name: 'p', plan: p }], defaults));
    expect(report(md)).toBe(report(whole));
    // The demo plans, whose values the rules read (backups, protection, exposure).
    for (const doc of [incidentDestroyPlan(), missingStatePlan()]) {
      const p = ok(parsePlan(JSON.stringify(doc), 'demo.json'));
      const slim = {
        ...p,
        resourceChanges: p.resourceChanges.map((c) => slimChange(c, RULE_READS)),
      };
      expect(assess(slim, defaults)).toEqual(assess(p, defaults));
    }
  });

  test('the markdown budget can never show more details than are kept whole', () => {
    // Three times as many changes as are kept whole, each with the smallest details block the
    // renderer makes (a read with no attribute changes, one-letter names): the comment's size
    // budget must cut the details before MARKDOWN_FULL_DETAILS of them are shown.
    const n = 3 * MARKDOWN_FULL_DETAILS;
    const doc = {
      format_version: '1.2',
      resource_changes: Array.from({ length: n }, (_, i) => ({
        address: `data.t.a${i}`,
        mode: 'data',
        type: 't',
        name: `a${i}`,
        provider_name: 'registry.terraform.io/hashicorp/t',
        change: { actions: ['read'], before: null, after: {}, after_unknown: {} },
      })),
    };
    const plan = ok(parsePlan(JSON.stringify(doc), 'reads.json'));
    expect(plan.resourceChanges).toHaveLength(n);
    const md = renderMarkdown(buildReport([{ name: 'p', plan }], defaults));
    const shown = md.split('<details>').length - 1;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThanOrEqual(MARKDOWN_FULL_DETAILS);
  });
});

/** `t` with the first `find` inside resource_changes replaced. */
function inChanges(t: string, find: string, replace: string): string {
  const at = t.indexOf(find, t.indexOf('"resource_changes":['));
  return t.slice(0, at) + replace + t.slice(at + find.length);
}

describe('streaming reader refusals are parsePlan refusals', () => {
  const text = generatePlanText({ resources: 40, seed: 9 });
  const pretty = JSON.stringify(JSON.parse(text), null, 2);

  test.each([
    ['compact', text],
    ['pretty-printed', pretty],
  ])('truncated input (%s) gives the same clear error wherever it is cut', async (_, t) => {
    const cuts = [
      1,
      2,
      17,
      40,
      41,
      1000,
      5003,
      Math.floor(t.length / 2),
      t.length - 30,
      t.length - 1,
    ];
    // Also right after a backslash, inside a number, between two resource changes.
    const bs = t.indexOf('\\');
    if (bs > 0) cuts.push(bs + 1);
    const digit = t.search(/:\d\d/);
    cuts.push(digit + 2);
    cuts.push(t.indexOf('},{"address"') + 2);
    for (const n of cuts) {
      const b = enc(t.slice(0, n));
      const whole = parsePlan(b, 'cut.json');
      expect(whole.ok).toBe(false);
      if (!whole.ok)
        expect(whole.error.reason).toMatch(
          /ends early|not valid JSON|no `format_version`|not JSON|empty/,
        );
      expect(await streamed(b, 'cut.json', 97)).toEqual(whole);
    }
  });

  test.each([
    ['missing colon', (t: string) => t.replace('"resource_changes":', '"resource_changes"')],
    ['trailing comma', (t: string) => t.replace('],"output_changes"', ',],"output_changes"')],
    ['garbage after a number', (t: string) => t.replace(/("schema_version":\d+)/, '$1x')],
    ['bad escape', (t: string) => t.replace('"address":"', '"address":"\\q')],
    ['raw line break in a string', (t: string) => t.replace('"address":"', '"address":"\n')],
    ['text after the end', (t: string) => `${t} {}`],
    ['an unknown action', (t: string) => inChanges(t, '"actions":["', '"actions":["explode",')],
    ['a change without address', (t: string) => inChanges(t, '"address":"', '"name":"')],
    [
      'output_changes not an object',
      (t: string) =>
        t
          .replace('"output_changes":{', '"output_changes":[{')
          .replace('},"prior_state"', '}],"prior_state"'),
    ],
  ])('%s: same message', async (_, edit) => {
    const b = enc(edit(text));
    const whole = parsePlan(b, 'bad.json');
    expect(whole.ok).toBe(false);
    expect(await streamed(b, 'bad.json', 61)).toEqual(whole);
  });

  test('nesting at the limit is read, one level more refused: the byte scanner counts as the walk does', async () => {
    // The resource change is level 1 for the check (the scanner counts its brackets, skipping
    // those inside strings); `change` 2, `after` 3.
    const deepAfter = (levels: number) =>
      `${'{"a":['.repeat(levels)}"]}[{\\"x"${']}'.repeat(levels)}`;
    for (const levels of [10, (MAX_NESTING - 4) / 2, (MAX_NESTING - 2) / 2, 300]) {
      const t = JSON.stringify({
        format_version: '1.2',
        resource_changes: [
          {
            address: 'a.b',
            mode: 'managed',
            type: 'a',
            name: 'b',
            change: { actions: ['update'], before: {}, after: '@' },
          },
        ],
      }).replace('"after":"@"', `"after":${deepAfter(levels)}`);
      const b = enc(t);
      const whole = parsePlan(b, 'deep.json');
      expect(whole.ok).toBe(levels * 2 + 2 <= MAX_NESTING - 2);
      for (const chunk of [3, 64, 1 << 16])
        expect(await streamed(b, 'deep.json', chunk)).toEqual(whole);
    }
  });

  test('errors on later lines of a pretty-printed plan: same line and column', async () => {
    for (const edit of [
      (t: string) => t.replace('"resource_changes": [', '"resource_changes" ['),
      (t: string) => t.replace(/("schema_version": \d+)/, '$1x'),
      (t: string) => t.replace('"address": "', '"address": "\\q'),
      (t: string) => t.replace(/\n\s*\],\n\s*"output_changes"/, ',],"output_changes"'),
    ]) {
      const b = enc(edit(pretty));
      const whole = parsePlan(b, 'bad.json');
      expect(whole.ok).toBe(false);
      expect(await streamed(b, 'bad.json', 61)).toEqual(whole);
    }
  });

  test('not a plan: state files, human-readable plans, binary plans, empty input', async () => {
    for (const s of [
      JSON.stringify(stateFile()),
      'Terraform will perform the following actions:\n',
      'PK\u0003\u0004binary',
      '',
      '   \n',
      '[1,2]',
    ]) {
      const whole = parsePlan(enc(s), 'x.json');
      expect(await streamed(enc(s), 'x.json', 5)).toEqual(whole);
    }
  });
});

describe('the CLI uses the streaming path above the threshold', () => {
  const plan = generatePlanText({ resources: 300, seed: 11 });
  function io(env: Record<string, string>): CliIo & { out: string; err: string; streamed: number } {
    const files: Record<string, Uint8Array> = { 'plan.json': enc(plan) };
    const r = {
      out: '',
      err: '',
      streamed: 0,
      readFile: (p: string) => Promise.resolve(files[p] as Uint8Array),
      readStdin: () => Promise.resolve(enc(plan)),
      fileExists: (p: string) => p in files,
      stdout: (t: string) => void (r.out += t),
      stderr: (t: string) => void (r.err += t),
      isTTY: false,
      env,
      fileSize: (p: string) => files[p]?.length,
      openFile: (p: string, start: number) => {
        r.streamed++;
        return bytesSource(files[p] as Uint8Array, 4096).open(start);
      },
    };
    return r;
  }

  test.each(['json', 'text', 'markdown'])('--format %s: same output either way', async (format) => {
    const plain = io({});
    const code = await runCli(['summarize', '--format', format, 'plan.json'], plain);
    const viaStream = io({ APPLYGATE_STREAM_THRESHOLD: '1000' });
    expect(await runCli(['summarize', '--format', format, 'plan.json'], viaStream)).toBe(code);
    expect(plain.streamed).toBe(0);
    expect(viaStream.streamed).toBeGreaterThan(0);
    expect(viaStream.out).toBe(plain.out);
    expect(viaStream.err).toBe(plain.err);
  });

  test('stdin above the threshold is streamed from memory', async () => {
    const plain = io({});
    await runCli(['summarize', '--format', 'json', '-'], plain);
    const viaStream = io({ APPLYGATE_STREAM_THRESHOLD: '1000' });
    await runCli(['summarize', '--format', 'json', '-'], viaStream);
    expect(viaStream.out).toBe(plain.out);
  });
});

describe('canonical JSON (the digest) fast path', () => {
  // The digest writes subtrees whose keys are already sorted with JSON.stringify: it must give
  // exactly what a plain sorted-keys writer gives, whatever the keys (integer-like ones too).
  function reference(v: unknown): string {
    if (v === null || v === undefined) return 'null';
    if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return `{${Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${reference(o[k])}`)
        .join(',')}}`;
    }
    return JSON.stringify(v);
  }
  const sortedDeep = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortedDeep)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sortedDeep((v as Record<string, unknown>)[k])]),
          )
        : v;

  test('random JSON values, as given and with keys pre-sorted', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('0', '1', '10', '9', '__proto__', 'a', 'b'));
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 2 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(key, tie('v'), { maxKeys: 5 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const parsed = JSON.parse(JSON.stringify(v)) as unknown;
        expect(canonicalJson(parsed)).toBe(reference(parsed));
        expect(canonicalJson(sortedDeep(parsed))).toBe(reference(parsed));
      }),
      { numRuns: 500 },
    );
  });

  test('inDigestOrder answers as comparing changeSortKey would (prefixes, NUL, deposed, junk)', () => {
    const address = fc.oneof(
      fc.constantFrom('a', 'a.b', 'a.b[0]', 'a.b[1]', 'a\u0000', 'a\u0000b', 'ab', ''),
      fc.string({ maxLength: 4 }),
    );
    const change = fc.oneof(
      fc.record({ address, deposed: fc.option(fc.constantFrom('', '0', 'x'), { nil: undefined }) }),
      fc.constantFrom(null, 1, 'a', {}),
    );
    fc.assert(
      fc.property(fc.array(change, { maxLength: 6 }), (changes) => {
        const keys = changes.map(changeSortKey);
        const sorted = keys.every((k, i) => i === 0 || (keys[i - 1] as string) <= k);
        expect(inDigestOrder(changes)).toBe(sorted);
      }),
      { numRuns: 3000 },
    );
  });

  test('planDigest is the hash of the canonical text, resource changes ordered by address', () => {
    const doc = JSON.parse(generatePlanText({ resources: 60, seed: 2 })) as {
      resource_changes: unknown[];
      output_changes: Record<string, unknown>;
    };
    const a = planDigest(doc);
    const b = planDigest({ ...doc, resource_changes: [...doc.resource_changes].reverse() });
    expect(a).toBe(b);
    expect(a).toMatch(/^sha256v2:[0-9a-f]{64}$/);
  });
});
