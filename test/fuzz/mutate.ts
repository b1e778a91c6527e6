// Byte-level mutations of a plan file: what a broken disk, a bad copy, an editor, a Windows
// shell or an attacker makes of one. Positions are drawn as plain numbers and taken modulo the
// length when applied, so fast-check can shrink a failing case to a short list of small edits.
import fc from 'fast-check';
import { decodePlanBytes } from '../../src/core/plan/index.js';

export type Encoding =
  | 'utf16le-bom'
  | 'utf16be-bom'
  | 'utf16le'
  | 'utf16be'
  | 'utf8-bom'
  | 'double-bom'
  | 'utf16-bom-utf8-body'
  | 'utf8-bom-utf16-body'
  | 'utf16-odd-length'
  | 'latin1';

export type Op =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'set'; at: number; byte: number }
  | { k: 'insert'; at: number; text: string }
  | { k: 'delete'; at: number; len: number }
  | { k: 'truncate'; at: number }
  | { k: 'dup'; at: number; to: number }
  | { k: 'drop'; at: number }
  | { k: 'swap'; at: number; to: number }
  | { k: 'number'; at: number; text: string }
  | { k: 'nest'; at: number; depth: number; open: string; close: string }
  | { k: 'confuse'; at: number; text: string }
  | { k: 'encode'; as: Encoding };

/** Fragments worth inserting: JSON punctuation, escapes, BOMs, controls, markup, our marker. */
const INSERTS = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '\\',
  '\u0000',
  '\n',
  ' ',
  '-',
  '0',
  'null',
  'true',
  '"x"',
  '\\u0000',
  '\\ud800',
  '\uFEFF',
  '\u202E',
  '\u001B[31m',
  '\u0085',
  '\u2028',
  '"\\u0000"',
  ',"__proto__":{"password":"S3CR3T-protoProtoProto1"}',
  ',"constructor":1',
  '<!-- applygate:v1 eyJ2IjoxfQ -->',
  '</details>',
  '@octocat',
  '```',
  '[[[[[[[[',
  ']]]]]]]]',
  '{"a":',
  ',{}',
  ',[]',
  ',null',
  '1e400',
  'PK\u0003\u0004',
  'Terraform will perform the following actions:\n',
];

const HUGE_NUMBERS = [
  '1e400',
  '-1e400',
  '1e-400',
  '123456789012345678901234567890',
  '9007199254740993',
  '-0',
  '0.1e99999',
  '1' + '0'.repeat(400),
  '1.' + '5'.repeat(1000),
];

/** Values that are the wrong type almost anywhere in a plan. */
export const CONFUSIONS = [
  '"x"',
  '""',
  '0',
  '-1',
  '1.5',
  'true',
  'false',
  'null',
  '[]',
  '{}',
  '["delete"]',
  '["create","delete"]',
  '[1,2,3]',
  '[null]',
  '{"a":1}',
  '[{}]',
  '"S3CR3T-confusedConfused1"',
  '1e400',
];

const at = fc.nat();

/** Mostly shallow wrappings; sometimes around MAX_NESTING; rarely 10,000 to 100,000 deep. */
const depthArb = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 1, max: 40 }) },
  { weight: 6, arbitrary: fc.integer({ min: 490, max: 530 }) },
  { weight: 1, arbitrary: fc.constantFrom(2_000, 10_000, 100_000) },
);

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('flip' as const),
      at,
      bit: fc.integer({ min: 0, max: 7 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('set' as const),
      at,
      byte: fc.integer({ min: 0, max: 255 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('insert' as const),
      at,
      text: fc.constantFrom(...INSERTS),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('delete' as const),
      at,
      len: fc.integer({ min: 1, max: 64 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('truncate' as const), at }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('dup' as const), at, to: at }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('drop' as const), at }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('swap' as const), at, to: at }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('number' as const),
      at,
      text: fc.constantFrom(...HUGE_NUMBERS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        k: fc.constant('nest' as const),
        at,
        depth: depthArb,
        open: fc.constantFrom('[', '{"a":'),
        close: fc.constant(''),
      })
      .map((o) => ({ ...o, close: o.open === '[' ? ']' : '}' })),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('confuse' as const),
      at,
      text: fc.constantFrom(...CONFUSIONS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('encode' as const),
      as: fc.constantFrom<Encoding>(
        'utf16le-bom',
        'utf16be-bom',
        'utf16le',
        'utf16be',
        'utf8-bom',
        'double-bom',
        'utf16-bom-utf8-body',
        'utf8-bom-utf16-body',
        'utf16-odd-length',
        'latin1',
      ),
    }),
  },
);

/** One to three edits, applied in order. */
export const opsArb = fc.array(opArb, { minLength: 1, maxLength: 3 });

export function applyOps(bytes: Uint8Array, ops: readonly Op[]): Uint8Array {
  return ops.reduce(applyOp, bytes);
}

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function splice(b: Uint8Array, start: number, end: number, insert: Uint8Array): Uint8Array {
  return concat(b.subarray(0, start), insert, b.subarray(end));
}

export function applyOp(b: Uint8Array, op: Op): Uint8Array {
  const n = b.length;
  const pos = (x: number) => (n === 0 ? 0 : x % n);
  switch (op.k) {
    case 'flip': {
      if (n === 0) return b;
      const out = b.slice();
      out[pos(op.at)]! ^= 1 << op.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return b;
      const out = b.slice();
      out[pos(op.at)] = op.byte;
      return out;
    }
    case 'insert': {
      const p = op.at % (n + 1);
      return splice(b, p, p, enc(op.text));
    }
    case 'delete': {
      const p = pos(op.at);
      return splice(b, p, Math.min(n, p + op.len), new Uint8Array());
    }
    case 'truncate':
      return b.subarray(0, op.at % (n + 1));
    case 'dup': {
      const f = fragmentAfter(b, pos(op.at));
      if (!f) return b;
      const piece = b.subarray(f.start, f.end);
      // Right after itself (a duplicate element or key), or after another delimiter.
      const other = op.to % 3 === 0 ? fragmentAfter(b, pos(op.to)) : undefined;
      const where = other ? other.end : f.end;
      return splice(b, where, where, concat(enc(','), piece));
    }
    case 'drop': {
      const f = fragmentAfter(b, pos(op.at));
      if (!f) return b;
      // With the comma before it when there is one, else the one after it: the JSON stays valid.
      if (f.delim === 0x2c) return splice(b, f.delimAt, f.end, new Uint8Array());
      const end = b[f.end] === 0x2c ? f.end + 1 : f.end;
      return splice(b, f.start, end, new Uint8Array());
    }
    case 'swap': {
      const f = fragmentAfter(b, pos(op.at));
      const g = fragmentAfter(b, pos(op.to));
      if (!f || !g || !(f.end <= g.start || g.end <= f.start)) return b;
      const [x, y] = f.start < g.start ? [f, g] : [g, f];
      return concat(
        b.subarray(0, x.start),
        b.subarray(y.start, y.end),
        b.subarray(x.end, y.start),
        b.subarray(x.start, x.end),
        b.subarray(y.end),
      );
    }
    case 'number': {
      const s = numberAfter(b, pos(op.at));
      if (!s) return b;
      return splice(b, s.start, s.end, enc(op.text));
    }
    case 'nest': {
      const f = fragmentAfter(b, pos(op.at));
      const open = enc(op.open.repeat(op.depth));
      const close = enc(op.close.repeat(op.depth));
      if (!f) return concat(open, b, close);
      return concat(
        b.subarray(0, f.valueStart),
        open,
        b.subarray(f.valueStart, f.end),
        close,
        b.subarray(f.end),
      );
    }
    case 'confuse': {
      const f = fragmentAfter(b, pos(op.at));
      if (!f) return b;
      return splice(b, f.valueStart, f.end, enc(op.text));
    }
    case 'encode':
      return encode(b, op.as);
  }
}

function encode(b: Uint8Array, as: Encoding): Uint8Array {
  const text = decodePlanBytes(b);
  const le = () => new Uint8Array(Buffer.from(text, 'utf16le'));
  const be = () => {
    const x = le();
    for (let i = 0; i + 1 < x.length; i += 2) [x[i], x[i + 1]] = [x[i + 1]!, x[i]!];
    return x;
  };
  const u8 = () => enc(text);
  const BOM8 = new Uint8Array([0xef, 0xbb, 0xbf]);
  switch (as) {
    case 'utf16le-bom':
      return concat(new Uint8Array([0xff, 0xfe]), le());
    case 'utf16be-bom':
      return concat(new Uint8Array([0xfe, 0xff]), be());
    case 'utf16le':
      return le();
    case 'utf16be':
      return be();
    case 'utf8-bom':
      return concat(BOM8, u8());
    case 'double-bom':
      return concat(BOM8, BOM8, u8());
    case 'utf16-bom-utf8-body':
      return concat(new Uint8Array([0xff, 0xfe]), u8());
    case 'utf8-bom-utf16-body':
      return concat(BOM8, le());
    case 'utf16-odd-length': {
      const x = concat(new Uint8Array([0xff, 0xfe]), le());
      return x.subarray(0, Math.max(0, x.length - 1));
    }
    case 'latin1':
      return new Uint8Array(Buffer.from(text, 'latin1'));
  }
}

interface Fragment {
  /** The byte before the fragment that introduced it: `{`, `[`, `,` or `:`. */
  delim: number;
  delimAt: number;
  /** Start of the member (at its key) or element. */
  start: number;
  /** Start of the value (after `"key":` for a member). */
  valueStart: number;
  end: number;
}

const isWs = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The first JSON member (`"key": value`) or element after a `{`, `[`, `,` or `:` at or after
 * `from`, found by scanning bytes (structural characters are ASCII in UTF-8). Good enough for
 * a mutator: on a broken file it may find nonsense, which is also a test.
 */
export function fragmentAfter(b: Uint8Array, from: number): Fragment | undefined {
  // A few candidates at most: each costs a scan to the value's end, and on a broken 100,000-deep
  // file every `[` is a candidate whose end is never found.
  let tries = 0;
  for (let i = from; i < b.length && tries < 16; i++) {
    const c = b[i]!;
    if (c !== 0x7b && c !== 0x5b && c !== 0x2c && c !== 0x3a) continue;
    let s = i + 1;
    while (isWs(b[s])) s++;
    if (s >= b.length) return undefined;
    tries++;
    let valueStart = s;
    if (c !== 0x3a && b[s] === 0x22) {
      const keyEnd = valueEnd(b, s);
      if (keyEnd < 0) return undefined;
      let k = keyEnd;
      while (isWs(b[k])) k++;
      if (b[k] === 0x3a) {
        valueStart = k + 1;
        while (isWs(b[valueStart])) valueStart++;
      }
    }
    const end = valueEnd(b, valueStart);
    if (end < 0 || end <= valueStart) continue;
    return { delim: c, delimAt: i, start: c === 0x3a ? valueStart : s, valueStart, end };
  }
  return undefined;
}

/** End (exclusive) of the JSON value starting at `i`, or -1. */
function valueEnd(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === undefined) return -1;
  if (c === 0x22) {
    for (let j = i + 1; j < b.length; j++) {
      if (b[j] === 0x5c) j++;
      else if (b[j] === 0x22) return j + 1;
    }
    return -1;
  }
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < b.length; j++) {
      const x = b[j]!;
      if (x === 0x22) {
        j++;
        while (j < b.length && b[j] !== 0x22) j += b[j] === 0x5c ? 2 : 1;
      } else if (x === 0x7b || x === 0x5b) {
        depth++;
      } else if (x === 0x7d || x === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < b.length && !isWs(b[j]) && b[j] !== 0x2c && b[j] !== 0x7d && b[j] !== 0x5d) j++;
  return j;
}

/** The first number token (after `:`, `,` or `[`) at or after `from`. */
function numberAfter(b: Uint8Array, from: number): { start: number; end: number } | undefined {
  for (let i = from; i < b.length; i++) {
    const c = b[i]!;
    if (!(c === 0x2d || (c >= 0x30 && c <= 0x39))) continue;
    let p = i - 1;
    while (isWs(b[p])) p--;
    if (b[p] !== 0x3a && b[p] !== 0x2c && b[p] !== 0x5b) continue;
    return { start: i, end: valueEnd(b, i) };
  }
  return undefined;
}
