import fc from 'fast-check';
import {
  findJsonSyntaxError,
  findJsonSyntaxErrorInBytes,
  JsonGrammar,
  syntaxErrorReason,
} from '../../../src/core/plan/json-error.js';
import { bytesSource } from '../../../src/core/plan/source.js';

// The one JSON grammar of both readers. Fed in pieces (the stream decodes a file chunk by chunk)
// it must find the same first error, at the same line and column, as over the whole text.

const enc = (s: string) => new TextEncoder().encode(s);

function inPieces(text: string, cuts: number[]) {
  const g = new JsonGrammar();
  let at = 0;
  for (const c of [...cuts, text.length]) {
    g.feed(text.slice(at, c));
    at = c;
  }
  return g.end();
}

const CASES: [string, string][] = [
  ['{"a":1}', 'valid'],
  ['{"a":1', 'the JSON ends early (was the file truncated?): it stops at line 1, column 7'],
  ['{"a" 1}', "not valid JSON at line 1, column 6: expected ':' after a property name"],
  ['{"a":1,}', 'not valid JSON at line 1, column 8: expected a property name in double quotes'],
  [
    '[1,]',
    'not valid JSON at line 1, column 4: expected a value (an object, array, string, number, true, false or null)',
  ],
  ['{"a":1x}', "not valid JSON at line 1, column 7: expected ',' or '}'"],
  ['1x', 'not valid JSON at line 1, column 2: there is more text after the end of the JSON'],
  [
    '{"a":\n "b\\q"}',
    'not valid JSON at line 2, column 4: a string holds an invalid escape (a backslash before a character that cannot be escaped)',
  ],
  [
    '{"a":"\\u12x4"}',
    'not valid JSON at line 1, column 7: a \\u escape in a string needs four hex digits',
  ],
  [
    '{"a":"x\ny"}',
    'not valid JSON at line 1, column 8: a string holds a raw control character (such as a line break): JSON needs it escaped',
  ],
  [
    '[-]',
    'not valid JSON at line 1, column 3: a number is malformed (JSON numbers look like -12, 3.5 or 1e9)',
  ],
  [
    '[1.e5]',
    'not valid JSON at line 1, column 4: a number is malformed (JSON numbers look like -12, 3.5 or 1e9)',
  ],
  [
    '[1e+]',
    'not valid JSON at line 1, column 5: a number is malformed (JSON numbers look like -12, 3.5 or 1e9)',
  ],
  ['[-01]', "not valid JSON at line 1, column 4: expected ',' or ']'"],
  [
    '[\n  tru, 1]',
    'not valid JSON at line 2, column 3: expected a value (an object, array, string, number, true, false or null)',
  ],
  ['[nul', 'the JSON ends early (was the file truncated?): it stops at line 1, column 5'],
  ['["\\u00', 'the JSON ends early (was the file truncated?): it stops at line 1, column 7'],
  ['[1e', 'the JSON ends early (was the file truncated?): it stops at line 1, column 4'],
  ['{"a":[true,false,null,-0.5E-3,"\\"\\/\\u00e9"]}', 'valid'],
];

describe('the JSON grammar', () => {
  test.each(CASES)('%j: %s', (text, reason) => {
    const whole = findJsonSyntaxError(text);
    expect(whole ? syntaxErrorReason(whole) : 'valid').toBe(reason);
    expect(whole === undefined).toBe(isJson(text));
    // Every way of cutting it in two or three pieces gives the same answer.
    for (let a = 0; a <= text.length; a++) {
      expect(inPieces(text, [a])).toEqual(whole);
      expect(inPieces(text, [a, Math.min(text.length, a + 2)])).toEqual(whole);
    }
  });

  test('lines and columns count the space skipped before the JSON', () => {
    const text = ' \n\u00a0 {"a" 1}';
    const e = findJsonSyntaxError(text, text.length - text.trimStart().length);
    expect(e && syntaxErrorReason(e)).toBe(
      "not valid JSON at line 2, column 8: expected ':' after a property name",
    );
  });

  test('random texts: JSON exactly when JSON.parse says so, and the same error in pieces', () => {
    const text = fc.oneof(
      fc.json(),
      fc.json().map((s) => s.slice(0, Math.floor(s.length / 2))),
      fc.string({ unit: fc.constantFrom(...'{}[]:,"\\ \n0123456789-+.eEtruefalsn') }),
    );
    fc.assert(
      fc.property(text, fc.nat(), (t, cut) => {
        const whole = findJsonSyntaxError(t);
        expect(whole === undefined).toBe(isJson(t));
        expect(inPieces(t, [cut % (t.length + 1)])).toEqual(whole);
      }),
      { numRuns: 3000 },
    );
  });

  test('over UTF-8 bytes in chunks: columns in UTF-16 units, space before the JSON, a limit', async () => {
    const text = '\n  {"é€😀":\n [1, 2x]}';
    const lead = enc('\n  ').length;
    for (const chunk of [1, 2, 3, 5, 64]) {
      const e = await findJsonSyntaxErrorInBytes(bytesSource(enc(text), chunk).open(0), lead);
      expect(e).toEqual(findJsonSyntaxError(text, 3));
      expect(e && syntaxErrorReason(e)).toBe(
        "not valid JSON at line 3, column 7: expected ',' or ']'",
      );
      // Checked only up to a limit: an error beyond it is not found, nor is the early end.
      const before = enc(text).length - 2; // up to the `x`
      expect(
        await findJsonSyntaxErrorInBytes(bytesSource(enc(text), chunk).open(0), lead, 10),
      ).toBe(undefined);
      expect(
        await findJsonSyntaxErrorInBytes(bytesSource(enc(text), chunk).open(0), lead, before),
      ).toEqual(e);
    }
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
