// Every bug the fuzzers found, as a test of its own. Each one failed before its fix (noted
// with what happened).
import fc from 'fast-check';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import { decodeMarker } from '../../src/core/marker.js';
import { createHash } from 'node:crypto';
import { CANONICAL_DEPTH, canonicalJson } from '../../src/core/plan/digest.js';
import { MAX_NESTING } from '../../src/core/plan/shape.js';
import { bytesSource } from '../../src/core/plan/source.js';
import { parsePlanStream } from '../../src/core/plan/stream.js';
import { readPlan } from '../../src/core/plan/read.js';
import { RULE_READS } from '../../src/core/risk/reads.js';
import { parsePlan, type Plan } from '../../src/core/plan/index.js';
import { findJsonSyntaxError } from '../../src/core/plan/json-error.js';
import { renderMarkdown, renderText } from '../../src/core/render/index.js';
import { buildReport, reportJson } from '../../src/core/report.js';

type Obj = Record<string, unknown>;

function plan(extra: Obj = {}): Obj {
  return {
    format_version: '1.2',
    planned_values: { root_module: {} },
    resource_changes: [],
    ...extra,
  };
}

function change(c: Obj, rc: Obj = {}): Obj {
  return {
    address: 'aws_instance.web',
    mode: 'managed',
    type: 'aws_instance',
    name: 'web',
    ...rc,
    change: { actions: ['update'], before: {}, after: {}, ...c },
  };
}

function read(text: string) {
  return parsePlan(text, 'plan.json');
}

function ok(text: string): Plan {
  const r = read(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.plan;
}

function refusal(text: string): string {
  const r = read(text);
  if (r.ok) throw new Error('expected a refusal, the plan was read');
  expect(r.error.message.startsWith('plan.json: ')).toBe(true);
  return r.error.reason;
}

/** Every view of a one-project report over `p`. */
function views(p: Plan): { md: string; text: string; json: string } {
  const report = buildReport([{ name: 'default', plan: p }], DEFAULT_CONFIG);
  return {
    md: renderMarkdown(report),
    text: renderText(report, { color: false }),
    json: JSON.stringify(reportJson(report)),
  };
}

/** `n` arrays nested in one another: `[[...[]...]]`, as text (JSON.parse reads any depth). */
const nestedArrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const nestedObjects = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

describe('pathological nesting (was: RangeError, maximum call stack size exceeded)', () => {
  // The recursive redaction, unknown-marking and digest walks overflowed the stack at a few
  // thousand levels; parsePlan threw instead of refusing.
  const at = (where: string, deep: string): string => {
    const c = JSON.stringify(plan({ resource_changes: [change({})] }));
    switch (where) {
      case 'before':
      case 'after':
        return c.replace(`"${where}":{}`, `"${where}":${deep}`);
      case 'after_unknown':
      case 'before_sensitive':
      case 'after_sensitive':
      case 'replace_paths':
        return c.replace('"actions":["update"]', `"actions":["update"],"${where}":${deep}`);
      default:
        return JSON.stringify(
          plan({ output_changes: { o: { actions: ['update'], before: 1, after: 2 } } }),
        ).replace('"before":1', `"before":${deep}`);
    }
  };

  test.each([
    'before',
    'after',
    'after_unknown',
    'before_sensitive',
    'after_sensitive',
    'replace_paths',
    'output',
  ])('100,000 levels in %s are refused with a clear message', (where) => {
    for (const deep of [nestedArrays(100_000), nestedObjects(100_000)]) {
      const reason = refusal(at(where, deep));
      const part = where === 'output' ? 'output_changes.o' : 'resource_changes[0]';
      expect(reason).toBe(
        `\`${part}\` is nested more than ${MAX_NESTING} levels deep (real plans nest a few dozen levels at most); refusing to read it`,
      );
    }
  });

  test(`exactly ${MAX_NESTING} levels are read and rendered; one more is refused`, () => {
    // Top-level object 1, resource_changes 2, the change entry 3, `change` 4, `after` 5...
    const limit = MAX_NESTING - 4;
    const p = ok(at('after', nestedArrays(limit)));
    const v = views(p);
    expect(decodeMarker(v.md).ok).toBe(true);
    expect(refusal(at('after', nestedArrays(limit + 1)))).toMatch(/is nested more than 512 levels/);
  });

  test('a no-op whose unread value is one level too deep is refused by the skipping reader too (was: read, its cut value walked instead of its bytes)', async () => {
    // Found by the skipping-reader fuzz (FUZZ_SEED=20261121 without ../shared): at risk detail
    // the reader cuts a no-op's `before` to the attributes rules read, so walking the cut value
    // could not see the depth that parsePlan refuses.
    const opts = { file: 'plan.json', detail: 'risk', reads: RULE_READS } as const;
    for (const extra of [0, 1]) {
      // An attribute of `before` (an object, so that it is cut), one level per array below it.
      const deep = `{"x":${nestedArrays(MAX_NESTING - 5 + extra)}}`;
      const text = at('before', deep).replace('"actions":["update"]', '"actions":["no-op"]');
      const bytes = new TextEncoder().encode(text);
      const whole = read(text);
      expect(whole.ok).toBe(extra === 0);
      const inMemory = await readPlan(
        { read: () => Promise.resolve(bytes) },
        { ...opts, threshold: Infinity, scanFrom: 0 },
      );
      const streamed = await parsePlanStream(bytesSource(bytes, 4093), 'plan.json', opts);
      for (const r of [inMemory, streamed]) {
        expect(r.ok).toBe(whole.ok);
        if (!r.ok && !whole.ok) expect(r.error).toEqual(whole.error);
      }
    }
  });

  test('the digest writer proves nesting only below the limit', () => {
    // parsePlan skips the nesting walk for changes the native digest writer accepts.
    expect(CANONICAL_DEPTH).toBeLessThan(MAX_NESTING - 4);
  });

  test.each([CANONICAL_DEPTH - 6, CANONICAL_DEPTH, CANONICAL_DEPTH + 1, 300])(
    '%i levels in `after`, in and out of address order: same digest as key by key',
    (levels) => {
      const deep = nestedObjects(levels);
      const second = change({}, { address: 'aws_instance.b', name: 'b' });
      const text = JSON.stringify(plan({ resource_changes: [change({}), second] })).replace(
        '"after":{}',
        `"after":${deep}`,
      );
      const doc = JSON.parse(text) as Obj;
      // Digest v2's text: the hashed fields of each change, the changes by address.
      const hashed = [...(doc.resource_changes as Obj[])].reverse().map((r) => {
        const c = r.change as Obj;
        return { actions: c.actions, address: r.address, after: c.after, before: c.before };
      });
      const expected = `sha256v2:${createHash('sha256')
        .update(
          canonicalJson({
            action_invocations: [],
            complete: true,
            deferred_changes: [],
            errored: false,
            output_changes: {},
            resource_changes: hashed,
          }),
          'utf8',
        )
        .digest('hex')}`;
      expect(ok(text).digest).toBe(expected);
      const reversed = { ...doc, resource_changes: [...(doc.resource_changes as Obj[])].reverse() };
      expect(ok(JSON.stringify(reversed)).digest).toBe(expected);
    },
  );

  test('a 100,000-deep address, deposed key or drift name is refused or read, never a crash (was: RangeError in the sort key)', async () => {
    const deep = nestedArrays(100_000);
    const cases: [string, string][] = [
      [
        'address',
        JSON.stringify(plan({ resource_changes: [change({})] })).replace(
          '"address":"aws_instance.web"',
          `"address":${deep}`,
        ),
      ],
      [
        'deposed',
        JSON.stringify(plan({ resource_changes: [change({}, { deposed: '@' })] })).replace(
          '"deposed":"@"',
          `"deposed":${deep}`,
        ),
      ],
      [
        'drift name',
        JSON.stringify(
          plan({
            resource_drift: [{ type: 'aws_instance', name: '@', change: { actions: ['update'] } }],
          }),
        ).replace('"name":"@"', `"name":${deep}`),
      ],
    ];
    for (const [what, text] of cases) {
      const whole = read(text);
      if (what !== 'drift name') expect(!whole.ok && whole.error.reason).toMatch(/nested more/);
      if (what === 'drift name')
        expect(whole.ok && whole.plan.drift[0]?.address).toBe('aws_instance.?');
      const streamed = await parsePlanStream(
        bytesSource(new TextEncoder().encode(text), 4096),
        'plan.json',
      );
      expect(streamed).toEqual(whole);
    }
  });

  test('deep parts the walks never read are no reason to refuse', () => {
    const modules = `${'{"child_modules":['.repeat(20_000)}{"resources":[{"mode":"managed"}]}${']}'.repeat(20_000)}`;
    const text = JSON.stringify(plan({ prior_state: { values: {} }, configuration: {}, extra: 1 }))
      .replace('"values":{}', `"values":{"root_module":${modules}}`)
      .replace('"configuration":{}', `"configuration":${nestedObjects(100_000)}`)
      .replace('"extra":1', `"extra":${nestedArrays(100_000)}`);
    expect(ok(text).priorStateResources).toBe(1);
  });

  test('a deeply nested format_version is refused by its type', () => {
    // It was quoted with JSON.stringify, which overflowed the stack.
    expect(refusal(`{"format_version":${nestedArrays(100_000)}}`)).toBe(
      '`format_version` is an array; expected a version string such as "1.2"',
    );
  });
});

describe('JSON syntax errors quote nothing from the file (was: V8 quoted ten characters either side)', () => {
  test('a secret right before the error stays out of the message', () => {
    const reason = refusal(
      '{"format_version":"1.2","resource_changes":[{"change":{"after":{"keys":["hunter22",X]}}}]}',
    );
    // Before: `not valid JSON: Unexpected token 'X', ..."hunter22",X]}}}]}" is not valid JSON`
    expect(reason).not.toContain('hunter');
    expect(reason).toBe(
      'not valid JSON at line 1, column 84: expected a value (an object, array, string, number, true, false or null)',
    );
  });

  test.each([
    ['{"a":1 "b":2}', "not valid JSON at line 1, column 8: expected ',' or '}'"],
    [
      '{\n  "a": [1,\n  2,]\n}',
      'not valid JSON at line 3, column 5: expected a value (an object, array, string, number, true, false or null)',
    ],
    [
      '{"a":"x\ny"}',
      'not valid JSON at line 1, column 8: a string holds a raw control character (such as a line break): JSON needs it escaped',
    ],
    [
      '{"a":"\\q"}',
      'not valid JSON at line 1, column 7: a string holds an invalid escape (a backslash before a character that cannot be escaped)',
    ],
    [
      '{"a":1}}',
      'not valid JSON at line 1, column 8: there is more text after the end of the JSON',
    ],
    ['{"a":01}', "not valid JSON at line 1, column 7: expected ',' or '}'"],
    ['{a:1}', 'not valid JSON at line 1, column 2: expected a property name in double quotes'],
    [
      '\n\n  {"a":"secret-value',
      'the JSON ends early (was the file truncated?): it stops at line 3, column 21',
    ],
    ['{"a":tru', 'the JSON ends early (was the file truncated?): it stops at line 1, column 9'],
  ])('%j', (text, reason) => {
    expect(refusal(text)).toBe(reason);
  });

  test('the locator agrees with JSON.parse on what is JSON', () => {
    const edit = fc.record({
      at: fc.nat(),
      len: fc.nat({ max: 3 }),
      insert: fc.constantFrom(
        '',
        '"',
        ',',
        '}',
        ']',
        '\\',
        'x',
        '1',
        ' ',
        '\n',
        '\u0001',
        'e',
        '-',
        '.',
      ),
    });
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.array(edit, { maxLength: 2 }), (json, edits) => {
        let s = json;
        for (const e of edits) {
          const p = e.at % (s.length + 1);
          s = s.slice(0, p) + e.insert + s.slice(p + e.len);
        }
        let valid = true;
        try {
          JSON.parse(s);
        } catch {
          valid = false;
        }
        expect(findJsonSyntaxError(s) === undefined).toBe(valid);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('refusals quote plan text cut short, on one line, with control characters escaped', () => {
  // Was: the raw text (ESC, BEL, newlines, bidi controls; a megabyte of it) in a message the CLI
  // prints to the terminal.
  // eslint-disable-next-line no-control-regex
  const CONTROL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

  test('an output name that retitles the terminal', () => {
    const reason = refusal(
      JSON.stringify(plan({ output_changes: { '\u001b]0;pwned\u0007\nnext line': 1 } })),
    );
    expect(reason).toBe('`output_changes.\\u{1b}]0;pwned\\u{7}\\u{a}next line` must be an object');
  });

  test('a megabyte format_version, address or action list', () => {
    const big = `\u202e${'x'.repeat(1_000_000)}`;
    const reasons = [
      refusal(JSON.stringify({ format_version: big })),
      refusal(JSON.stringify(plan({ resource_changes: [{ address: big, type: 't', change: 1 }] }))),
      refusal(
        JSON.stringify(
          plan({
            resource_changes: [
              change({ actions: Array(1000).fill(`\u001b${'y'.repeat(100)}`) }, { address: big }),
            ],
          }),
        ),
      ),
      refusal(
        JSON.stringify({ format_version: `9${'9'.repeat(1_000_000)}.0`, resource_changes: [] }),
      ),
    ];
    for (const r of reasons) {
      expect(r.length).toBeLessThan(600);
      expect(r).not.toMatch(CONTROL);
    }
    expect(reasons[0]).toMatch(/^`format_version` is "\\u\{202e\}x{38}…"; expected/);
    expect(reasons[2]).toMatch(/ \(and 996 more\), which Terraform does not produce \(resource /);
  });
});

describe('attributes named like Object.prototype members', () => {
  test('`toString` or `constructor` on one side only renders (was: TypeError in the markdown)', () => {
    // The other side's `before[k]` read Object.prototype.toString, a function, which
    // JSON.stringify turns into undefined.
    const p = ok(
      JSON.stringify(
        plan({
          resource_changes: [change({ before: { constructor: 'a' }, after: { toString: 'x' } })],
        }),
      ),
    );
    const { md } = views(p);
    expect(md).toContain('`toString`');
    expect(md).toContain('`constructor`');
  });

  test('an unknown `toString` on a create renders (was: TypeError; a function in the model)', () => {
    const p = ok(
      JSON.stringify(
        plan({
          resource_changes: [
            change({
              actions: ['create'],
              before: null,
              after: {},
              after_unknown: { toString: {}, valueOf: true },
            }),
          ],
        }),
      ),
    );
    expect(p.resourceChanges[0]!.after).toEqual({ toString: {}, valueOf: '(known after apply)' });
    expect(views(p).md).toContain('`valueOf` | _(known after apply)_');
  });

  test('`__proto__` keys stay attributes (were: turned into the prototype, hidden from every view)', () => {
    const text = JSON.stringify(plan({ resource_changes: [change({})] })).replace(
      '"after":{}',
      '"after":{"tags":{"__proto__":"evil"},"__proto__":{"ami":"ami-123"}},"after_unknown":{"__proto__":{"id":true}}',
    );
    const p = ok(text);
    const after = p.resourceChanges[0]!.after as Obj;
    expect(Object.keys(after)).toEqual(['tags', '__proto__']);
    expect(Object.getPrototypeOf(after)).toBe(Object.prototype);
    expect(JSON.stringify(after)).toBe(
      '{"tags":{"__proto__":"evil"},"__proto__":{"ami":"ami-123","id":"(known after apply)"}}',
    );
    const { md } = views(p);
    expect(md).toContain('`__proto__`');
    expect(md).toContain('evil');
  });
});
