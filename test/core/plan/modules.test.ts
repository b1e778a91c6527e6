import {
  bomLength,
  decodePlanBytes,
  leadingSpace,
  sniffEncoding,
  utf8Source,
} from '../../../src/core/plan/encoding.js';
import { PLAN_LAYOUT } from '../../../src/core/plan/layout.js';
import type { ResourceChange } from '../../../src/core/plan/model.js';
import {
  KEEP,
  ScanError,
  Scanner,
  STREAMED,
  type PlanEntry,
} from '../../../src/core/plan/scanner.js';
import { detailKeeper, MARKDOWN_FULL_DETAILS, slimChange } from '../../../src/core/plan/slim.js';
import { bytesSource } from '../../../src/core/plan/source.js';
import { parsePlanStream } from '../../../src/core/plan/stream.js';

// The pieces of the streaming reader, each on its own: encodings, the byte scanner, the cutting
// of values. That they add up to parsePlan's result is stream.test.ts's and read.test.ts's.

const enc = (s: string) => new TextEncoder().encode(s);

async function collect(it: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return new TextDecoder().decode(Buffer.concat(parts));
}

function utf16(s: string, le: boolean, bom: boolean): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + s.length * 2);
  if (bom) out.set(le ? [0xff, 0xfe] : [0xfe, 0xff]);
  for (let i = 0; i < s.length; i++) {
    const at = (bom ? 2 : 0) + 2 * i;
    const [lo, hi] = [s.charCodeAt(i) & 0xff, s.charCodeAt(i) >> 8];
    out[at] = le ? lo : hi;
    out[at + 1] = le ? hi : lo;
  }
  return out;
}

describe('encodings: one set of rules for the whole text and the stream', () => {
  const text = '{"a":"é€😀"}';
  const files: [string, Uint8Array, string, number][] = [
    ['UTF-8', enc(text), 'utf-8', 0],
    ['UTF-8 with BOM', Uint8Array.from([0xef, 0xbb, 0xbf, ...enc(text)]), 'utf-8', 3],
    ['UTF-16LE with BOM', utf16(text, true, true), 'utf-16le', 2],
    ['UTF-16BE with BOM', utf16(text, false, true), 'utf-16be', 2],
    ['UTF-16LE without BOM', utf16(text, true, false), 'utf-16le', 0],
    ['UTF-16BE without BOM', utf16(text, false, false), 'utf-16be', 0],
  ];

  test.each(files)('%s', async (_, bytes, encoding, bom) => {
    expect(sniffEncoding(bytes)).toBe(encoding);
    expect(bomLength(bytes, sniffEncoding(bytes))).toBe(bom);
    expect(decodePlanBytes(bytes)).toBe(text);
    for (const chunk of [1, 3, 1 << 10]) {
      const src = utf8Source(bytesSource(bytes, chunk), sniffEncoding(bytes), bom);
      expect(await collect(src.open(0))).toBe(text);
      // Offsets are into the UTF-8 text, whatever the file's encoding.
      const from = enc('{"a":"é').length;
      expect(await collect(src.open(from))).toBe('€😀"}');
    }
  });

  test('leadingSpace: UTF-8 bytes before the `{`, by trimStart; undefined when no object starts', async () => {
    const space = (s: string) => leadingSpace(utf8Source(bytesSource(enc(s), 2), 'utf-8', 0));
    expect(await space('{}')).toBe(0);
    expect(await space(' \n\u00a0{}')).toBe(enc(' \n\u00a0').length);
    expect(await space('  [1]')).toBe(undefined);
    expect(await space('   ')).toBe(undefined);
  });
});

describe('the byte scanner', () => {
  async function scan(text: string, chunk: number): Promise<PlanEntry[]> {
    const out: PlanEntry[] = [];
    const scanner = new Scanner(PLAN_LAYOUT);
    for await (const e of scanner.entries(bytesSource(enc(text), chunk).open(0), 0)) out.push(e);
    return out;
  }

  test('hands out resource changes one by one with their byte ranges and depth; keeps the rest', async () => {
    const text =
      '{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"after":[[1]]}}, {"address":"c.d"}],' +
      '"planned_values":{"root_module":{"resources":[{"x":1}]}},"unknown":{"big":[1,2,3]}}';
    for (const chunk of [1, 7, 1 << 16]) {
      const entries = await scan(text, chunk);
      const changes = entries.filter((e) => e.kind === 'resource_changes');
      // Checked as JSON and handed out as their bytes: the reader builds what it needs.
      const values = changes.map((e) => JSON.parse(new TextDecoder().decode(e.value)) as unknown);
      expect(values).toEqual([{ address: 'a.b', change: { after: [[1]] } }, { address: 'c.d' }]);
      for (const [i, e] of changes.entries()) {
        expect(JSON.parse(text.slice(e.start, e.end))).toEqual(values[i]);
      }
      expect(changes.map((e) => e.depth)).toEqual([4, 1]);
      const members = Object.fromEntries(
        entries.flatMap((e) => (e.kind === 'member' ? [[e.key, e.value]] : [])),
      );
      // Walked members are pruned (planned_values is only checked), streamed ones marked.
      expect(members).toEqual({
        format_version: '1.2',
        resource_changes: STREAMED,
        planned_values: { root_module: null },
        unknown: null,
      });
    }
  });

  test.each([
    ['{"a" 1}', 5],
    ['{"a":1,}', 8],
    ['{"planned_values":{"root_module":{"a":1x}}}', 40],
    ['{"prior_state":{"values":{"root_module":{"resources":[{"mode":"a\\q"}]}}}}', 66],
    ['{"a":1} x', 9],
    ['{"a":[1,2', 9],
  ])('%j is not JSON: it says only where it noticed, at or after the error', async (text, at) => {
    const err = await scan(text, 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScanError);
    expect((err as ScanError).tooBig).toBe(false);
    expect((err as ScanError).offset).toBeGreaterThanOrEqual(at);
  });

  test('resource changes are handed out unchecked: the reader checks them', async () => {
    const text = '{"resource_changes":[{"a":1x}]}';
    const entries = await scan(text, 3);
    expect(entries.filter((e) => e.kind === 'resource_changes')).toHaveLength(1);
    const r = await parsePlanStream(bytesSource(enc(text), 5), 'plan.json');
    expect(r.ok ? '' : r.error.reason).toMatch(/^not valid JSON at line 1, column 28/);
  });

  test('a layout of KEEP keeps the document whole', async () => {
    const scanner = new Scanner(KEEP);
    const text = '{"a":[1,{"b":null}]}';
    const out: PlanEntry[] = [];
    for await (const e of scanner.entries(bytesSource(enc(text), 2).open(0), 0)) out.push(e);
    expect(out).toEqual([]);
  });
});

describe('cutting values to what the rules read', () => {
  const reads = {
    wholeTypes: new Set(['db']),
    attrs: ['deletion_protection'],
    typeAttrs: { azapi: ['type'] },
  };
  const change = (type: string, kind: ResourceChange['kind'] = 'update'): ResourceChange => ({
    address: `${type}.x`,
    type,
    name: 'x',
    provider: 'p',
    mode: 'managed',
    actions: ['update'],
    kind,
    createBeforeDestroy: false,
    importing: false,
    replacePaths: [],
    before: { deletion_protection: true, type: 'T', big: 'x'.repeat(100) },
    after: { deletion_protection: false, type: 'T', big: 'y' },
  });

  test('keeps the declared attributes, per type, and declared types whole', () => {
    expect(slimChange(change('vm'), reads).after).toEqual({ deletion_protection: false });
    expect(slimChange(change('azapi'), reads).before).toEqual({
      deletion_protection: true,
      type: 'T',
    });
    expect(slimChange(change('db'), reads)).toEqual(change('db'));
  });

  test('markdown detail keeps the first MARKDOWN_FULL_DETAILS destructive and other changes whole', () => {
    const keep = detailKeeper({ detail: 'markdown', reads });
    const whole = (c: ResourceChange) => keep(c) === c;
    const kept = { delete: 0, update: 0 };
    for (let i = 0; i < MARKDOWN_FULL_DETAILS + 5; i++) {
      if (whole(change('vm', 'delete'))) kept.delete++;
      if (whole(change('vm', 'update'))) kept.update++;
    }
    expect(kept).toEqual({ delete: MARKDOWN_FULL_DETAILS, update: MARKDOWN_FULL_DETAILS });
    const c = change('vm', 'delete');
    expect(detailKeeper({ detail: 'risk', reads })(c)).not.toBe(c);
    expect(detailKeeper({})(c)).toBe(c);
  });
});
