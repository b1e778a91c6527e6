import fc from 'fast-check';
import { isJsonValue, jsonValueEnd, pickMembers, valueDepth } from '../../../src/core/plan/skip.js';

// The byte checker that stands in for JSON.parse where nothing is built (issue 25) must accept
// exactly what JSON.parse accepts: a value it wrongly accepted would be read past, one it
// wrongly refused would turn a good plan into an error.

const enc = (s: string) => new TextEncoder().encode(s);
const SPACE_AROUND = /^[ \t\n\r]|[ \t\n\r]$/;

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return !SPACE_AROUND.test(text);
  } catch {
    return false;
  }
}

/** JSON text, then edited at random with the characters JSON's grammar turns on. */
const mangled = fc
  .tuple(
    fc.json({ maxDepth: 4 }),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('insert', 'delete', 'replace'),
        fc.constantFrom(...'{}[]",:\\ 0123456789.eE+-tfnaulrsxu\u0001\u001f\u00e9\n'.split('')),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([text, edits]) => {
    let s = text;
    for (const [at, op, c] of edits) {
      const i = s.length === 0 ? 0 : at % (s.length + (op === 'insert' ? 1 : 0));
      s =
        op === 'insert'
          ? s.slice(0, i) + c + s.slice(i)
          : op === 'delete'
            ? s.slice(0, i) + s.slice(i + 1)
            : s.slice(0, i) + c + s.slice(i + 1);
    }
    return s;
  });

describe('the byte checker', () => {
  test('accepts exactly what JSON.parse accepts (valid and mangled JSON)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json({ maxDepth: 6 }), mangled), (text) => {
        expect(isJsonValue(enc(text))).toBe(parses(text));
      }),
      { numRuns: 5000 },
    );
  });

  test.each([
    ['"a\\u00e9\\n"', true],
    ['"\\u00g0"', false],
    ['"tab\there"', false],
    ['-0.5e+10', true],
    ['01', false],
    ['1.', false],
    ['.5', false],
    ['-', false],
    ['[1,]', false],
    ['{"a":1,}', false],
    ['{"a" :1 , "b":[ ]}', true],
    ['nul', false],
    ['[truex]', false],
    ['"\u00e9\u{1f600}"', true],
  ])('%j: %s', (text, ok) => {
    expect(isJsonValue(enc(text))).toBe(ok);
    expect(parses(text)).toBe(ok);
  });

  test('counts depth as the scanner does, and copes with any depth', () => {
    expect(jsonValueEnd(enc('[[1],{"a":{}}]'), 0)).toBe(14);
    expect(valueDepth()).toBe(3);
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(isJsonValue(enc(deep))).toBe(true);
    expect(valueDepth()).toBe(200_000);
  });

  test('picks members as JSON.parse builds them (later duplicates win)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'mode', 'm\u00e9'), fc.jsonValue()),
        (o) => {
          const text = JSON.stringify(o);
          const picked = pickMembers(enc(text), 0, enc(text).length, ['mode', 'b']);
          const want: Record<string, unknown> = {};
          for (const k of ['mode', 'b'])
            if (Object.hasOwn(o, k)) want[k] = JSON.parse(JSON.stringify(o[k]));
          expect(picked).toEqual(want);
        },
      ),
    );
    const dup = enc('{"mode":1,"x":[{"mode":3}],"m\\u006fde":2}');
    expect(pickMembers(dup, 0, dup.length, ['mode'])).toEqual({ mode: 2 });
  });
});
