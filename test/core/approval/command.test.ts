import { jest } from '@jest/globals';
import fc from 'fast-check';
import {
  COMMAND_RULE,
  commandMessages,
  commandTokens,
  DEFAULT_APPROVE_COMMAND,
  DEFAULT_REVOKE_COMMAND,
  editDistance,
  foldForComparison,
  parseCommand,
  type ParsedCommand,
} from '../../../src/core/approval/command.js';

const HEX12 = '0123456789ab';
const HEX64 = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);

function isDidYouMean(result: ParsedCommand, token = DEFAULT_APPROVE_COMMAND): boolean {
  return result.type === 'reply' && result.message.startsWith(`Did you mean \`${token}\`?`);
}

describe('the one rule: exact token at the start of the first non-blank line', () => {
  test.each([
    ['/approve-destroy', { type: 'command', action: 'approve' }],
    ['/revoke-destroy', { type: 'command', action: 'revoke' }],
    [' \t /approve-destroy \t', { type: 'command', action: 'approve' }],
    ['\n  \n\t\n/approve-destroy', { type: 'command', action: 'approve' }],
    ['\r\n\r\n/approve-destroy\r\nthe plan looks right', { type: 'command', action: 'approve' }],
    ['/approve-destroy\rold mac line ending', { type: 'command', action: 'approve' }],
    [
      '/approve-destroy\n\nnot an argument: free text below',
      { type: 'command', action: 'approve' },
    ],
    [`/approve-destroy ${HEX12}`, { type: 'command', action: 'approve', digest: HEX12 }],
    [`/approve-destroy\t${HEX64}`, { type: 'command', action: 'approve', digest: HEX64 }],
    [`/approve-destroy sha256:${HEX64}`, { type: 'command', action: 'approve', digest: HEX64 }],
    [
      `/approve-destroy project=infra/prod_eu-1.x ${HEX12}`,
      { type: 'command', action: 'approve', digest: HEX12, project: 'infra/prod_eu-1.x' },
    ],
    [
      `/revoke-destroy  ${HEX12}   project=db\r\n`,
      { type: 'command', action: 'revoke', digest: HEX12, project: 'db' },
    ],
    ['/revoke-destroy project=a', { type: 'command', action: 'revoke', project: 'a' }],
  ])('%j is a command', (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  test.each([
    ['an ordinary comment', 'LGTM, ship it'],
    ['mid-sentence', 'Please /approve-destroy when you can'],
    ['after other text on the line', 'ok /approve-destroy'],
    ['on a later line', 'Looks fine.\n/approve-destroy'],
    ['in a blockquote', '> /approve-destroy'],
    ['in a blockquote, nested', '> > /approve-destroy abcdef012345'],
    ['in a quote reply', '> /approve-destroy\n\nwhy?'],
    ['in a code fence', '```\n/approve-destroy\n```'],
    ['in an indented code fence with a language', '  ```text\n/approve-destroy\n```'],
    ['in a tilde fence', '~~~\n/approve-destroy\n~~~'],
    ['in an HTML comment', '<!-- /approve-destroy -->'],
    ['a bare /approve', '/approve'],
    ['a bare approve', 'approve'],
    ['the word in prose', 'I approve this destroy'],
    ['a URL', 'see https://example.com/approve-destroy-docs/a/b/c'],
    ['empty', ''],
    ['blank', ' \n\t\r\n '],
  ])('%s is ignored: %j', (_what, body) => {
    expect(parseCommand(body)).toEqual({ type: 'ignore' });
  });

  test('null and undefined bodies (deleted or empty) are ignored', () => {
    expect(parseCommand(null)).toEqual({ type: 'ignore' });
    expect(parseCommand(undefined)).toEqual({ type: 'ignore' });
  });

  test('the rule is exported as text and names both tokens', () => {
    expect(COMMAND_RULE).toContain('first non-blank line');
    expect(COMMAND_RULE).toContain('`/approve-destroy`');
    expect(COMMAND_RULE).toContain('`/revoke-destroy`');
  });
});

describe('arguments: anything else gets a usage reply', () => {
  test.each([
    ['free text', '/approve-destroy please', /`please` is neither a plan digest/],
    ['upper-case hex', '/approve-destroy ABCDEF012345', /`ABCDEF012345` is not a valid digest/],
    ['11 hex characters', `/approve-destroy ${HEX12.slice(1)}`, /not a valid digest/],
    ['65 hex characters', `/approve-destroy ${HEX64}a`, /not a valid digest/],
    ['a bad sha256 prefix', '/approve-destroy sha256:xyz', /not a valid digest/],
    ['sha-256 with no hex', '/approve-destroy sha256:', /not a valid digest/],
    ['an empty project', '/approve-destroy project=', /not a valid project/],
    ['a long project', `/approve-destroy project=${'p'.repeat(101)}`, /not a valid project/],
    ['a project with bad chars', '/approve-destroy project=a$b', /not a valid project/],
    ['two digests', `/approve-destroy ${HEX12} ${HEX64}`, /at most one digest/],
    ['two projects', '/approve-destroy project=a project=b', /at most one `project=NAME`/],
    ['revoke with text', '/revoke-destroy oops', /`oops` is neither/],
  ])('%s', (_what, body, problem) => {
    const result = parseCommand(body);
    expect(result.type).toBe('reply');
    if (result.type !== 'reply') return;
    expect(result.message).toMatch(problem);
    expect(result.message).toContain('This comment was not counted.');
    expect(result.message).toContain(commandMessages.usage(commandTokens()));
  });

  test('a project name of exactly 100 characters is fine', () => {
    expect(parseCommand(`/approve-destroy project=${'p'.repeat(100)}`)).toEqual({
      type: 'command',
      action: 'approve',
      project: 'p'.repeat(100),
    });
  });

  test('user text in a reply cannot break out of its code span or ping anyone', () => {
    const result = parseCommand('/approve-destroy `@everyone`\u0007');
    expect(result.type).toBe('reply');
    if (result.type !== 'reply') return;
    expect(result.message).toMatch(/^`@everyone` is neither/);
    expect(result.message).not.toContain('\u0007');
    const long = parseCommand(`/approve-destroy ${'x'.repeat(500)}`);
    expect(long.type === 'reply' && long.message.length < 1000).toBe(true);
  });
});

describe('near misses: "did you mean", never a command', () => {
  test.each([
    ['underscore', '/approve_destroy'],
    ['transposed letters', '/approve-destory'],
    ['title case', '/Approve-Destroy'],
    ['upper case', '/APPROVE-DESTROY'],
    ['no hyphen', '/approvedestroy'],
    ['no slash', 'approve-destroy'],
    ['a backslash', '\\approve-destroy'],
    ['two typos', '/aprove-destroi'],
    ['glued punctuation', '/approve-destroy, thanks'],
    ['glued suffix', '/approve-destroy-now'],
    ['in inline code', '`/approve-destroy`'],
    ['fullwidth solidus U+FF0F', '\uff0fapprove-destroy'],
    ['division slash U+2215', '\u2215approve-destroy'],
    ['fraction slash U+2044', '\u2044approve-destroy'],
    ['fullwidth letters', '\uff0f\uff41\uff50\uff50\uff52\uff4f\uff56\uff45-destroy'],
    ['Cyrillic a U+0430', '/\u0430pprove-destroy'],
    ['Cyrillic e U+0435', '/approve-d\u0435stroy'],
    ['Cyrillic o and p', '/ap\u0440r\u043eve-destroy'],
    ['Greek omicron', '/appr\u03bfve-destroy'],
    ['zero-width space U+200B', '/approve\u200b-destroy'],
    ['zero-width joiner U+200D', '/approve-de\u200dstroy'],
    ['BOM U+FEFF at the start', '\ufeff/approve-destroy'],
    ['BOM U+FEFF inside', '/appro\ufeffve-destroy'],
    ['soft hyphen', '/approve\u00ad-destroy'],
    ['non-breaking hyphen U+2011', '/approve\u2011destroy'],
    ['en dash U+2013', '/approve\u2013destroy'],
    ['em dash U+2014', '/approve\u2014destroy'],
    ['minus sign U+2212', '/approve\u2212destroy'],
    ['no-break space before the digest', `/approve-destroy\u00a0${HEX12}`],
    ['no-break space before the token', '\u00a0/approve-destroy'],
    ['ideographic space after the token', '/approve-destroy\u3000'],
    ['a typo with a digest', `/aprove-destroy ${HEX12}`],
  ])('%s: %j', (_what, body) => {
    const result = parseCommand(body);
    expect(isDidYouMean(result)).toBe(true);
  });

  test.each([
    ['/revoke_destroy'],
    ['/Revoke-Destroy'],
    ['revoke-destroy'],
    ['/r\u0435voke-destroy'],
    ['/revoke\u2013destroy'],
  ])('revoke near miss %j suggests the revoke command', (body) => {
    expect(isDidYouMean(parseCommand(body), DEFAULT_REVOKE_COMMAND)).toBe(true);
  });

  test('the reply says when look-alike or invisible characters are the problem', () => {
    const lookalike = parseCommand('/\u0430pprove-destroy');
    const typo = parseCommand('/approve_destroy');
    expect(lookalike.type === 'reply' && lookalike.message).toContain('look-alike or invisible');
    expect(typo.type === 'reply' && typo.message).not.toContain('look-alike');
    expect(typo).toEqual({
      type: 'reply',
      message: commandMessages.didYouMean('/approve-destroy', false),
    });
  });

  test.each([
    ['three typos', '/aprove-destroi-'],
    ['a different command', '/approve'],
    ['a different word', '/deploy-destroy-all-the-things'],
    ['a quoted near miss', '> /approve_destroy'],
  ])('%s is not a near miss: %j', (_what, body) => {
    expect(parseCommand(body)).toEqual({ type: 'ignore' });
  });

  test('ordinary comments skip the near-miss work (cheap pre-check)', () => {
    const normalize = jest.spyOn(String.prototype, 'normalize');
    try {
      for (const body of ['LGTM', 'Thanks! Merging after CI.', 'nit: rename x\n/approve_destroy']) {
        expect(parseCommand(body)).toEqual({ type: 'ignore' });
      }
      expect(normalize).not.toHaveBeenCalled();
      parseCommand('/approve_destroy');
      expect(normalize).toHaveBeenCalled();
    } finally {
      normalize.mockRestore();
    }
  });
});

describe('the configured command', () => {
  test('default tokens', () => {
    expect(commandTokens()).toEqual({ approve: '/approve-destroy', revoke: '/revoke-destroy' });
  });

  test('the revoke token replaces a leading /approve-, otherwise it is /revoke-destroy', () => {
    expect(commandTokens('/approve-apply')).toEqual({
      approve: '/approve-apply',
      revoke: '/revoke-apply',
    });
    expect(commandTokens('/lgtm-destroy')).toEqual({
      approve: '/lgtm-destroy',
      revoke: '/revoke-destroy',
    });
  });

  test('parsing uses the configured tokens, still exactly', () => {
    const options = { command: '/approve-apply' };
    expect(parseCommand(`/approve-apply ${HEX12}`, options)).toEqual({
      type: 'command',
      action: 'approve',
      digest: HEX12,
    });
    expect(parseCommand('/revoke-apply', options)).toEqual({ type: 'command', action: 'revoke' });
    expect(parseCommand('/approve-destroy', options)).toEqual({ type: 'ignore' });
    expect(isDidYouMean(parseCommand('/approve_apply', options), '/approve-apply')).toBe(true);
  });

  test('a short configured token allows fewer typos', () => {
    const options = { command: '/ok' };
    expect(parseCommand('/ok', options)).toEqual({ type: 'command', action: 'approve' });
    expect(parseCommand('/no', options)).toEqual({ type: 'ignore' });
    expect(isDidYouMean(parseCommand('/OK', options), '/ok')).toBe(true);
  });

  test.each(['', 'approve-destroy', '/approve destroy', '/', '/revoke-destroy', '/appr\u043eve'])(
    'an unusable command %j throws a clear error',
    (command) => {
      expect(() => commandTokens(command)).toThrow(/approval\.command/);
    },
  );
});

describe('helpers', () => {
  test('editDistance counts a transposition as one edit', () => {
    expect(editDistance('/approve-destroy', '/approve-destory')).toBe(1);
    expect(editDistance('/approve-destroy', '/approve_destroy')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  test('foldForComparison maps look-alikes and drops invisible characters', () => {
    expect(foldForComparison('\uff0f\u0410PPROVE\u200b\u2011destroy\u2215')).toBe(
      '/approve-destroy/',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const TOKENS = [DEFAULT_APPROVE_COMMAND, DEFAULT_REVOKE_COMMAND] as const;

/** Text that mixes arbitrary Unicode with the characters this parser cares about. */
const text = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme-ascii' }),
      fc.constantFrom(
        ' ',
        '\t',
        '\n',
        '\r\n',
        '\r',
        '>',
        '```',
        '/',
        '\u00a0',
        '\u200b',
        '\ufeff',
        '\uff0f',
        'approve',
        '-destroy',
        'revoke',
        HEX12,
        'sha256:',
        'project=x',
      ),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

const hex = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: min, maxLength: max });

describe('properties', () => {
  test('anything but the exact token at the first line start is never a command', () => {
    fc.assert(
      fc.property(
        text.filter((p) => /[^ \t\r\n]/.test(p) && !TOKENS.some((t) => p.includes(t))),
        fc.constantFrom(...TOKENS),
        text,
        (prefix, token, suffix) => {
          expect(parseCommand(prefix + token + suffix).type).not.toBe('command');
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('text without the token is never a command', () => {
    fc.assert(
      fc.property(text, (body) => {
        fc.pre(!TOKENS.some((t) => body.includes(t)));
        expect(parseCommand(body).type).not.toBe('command');
      }),
      { numRuns: 2000 },
    );
  });

  // A near miss: look-alike, invisible and case edits (free after folding) plus up to two typos.
  const LOOKALIKE: Record<string, string[]> = {
    a: ['\u0430', '\u03b1', '\uff41'],
    e: ['\u0435', '\u03b5'],
    o: ['\u043e', '\u03bf'],
    p: ['\u0440', '\u03c1'],
    s: ['\u0455'],
    t: ['\u0442'],
    y: ['\u0443'],
    '-': ['\u2010', '\u2011', '\u2013', '\u2014', '\u2212', '\uff0d'],
    '/': ['\uff0f', '\u2215', '\u2044'],
  };
  const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];
  const edit = fc.oneof(
    fc.record({ op: fc.constant('lookalike' as const), at: fc.nat(), pick: fc.nat() }),
    fc.record({ op: fc.constant('invisible' as const), at: fc.nat(), pick: fc.nat() }),
    fc.record({ op: fc.constant('case' as const), at: fc.nat(), pick: fc.nat() }),
  );
  const typo = fc.record({
    op: fc.constantFrom('delete', 'insert', 'substitute'),
    at: fc.nat(),
    char: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_'),
  });
  const nearMissOf = (token: string) =>
    fc
      .tuple(fc.array(edit, { maxLength: 4 }), fc.array(typo, { maxLength: 2 }))
      .map(([edits, typos]) => {
        const chars = Array.from(token);
        for (const e of edits) {
          const at = e.at % chars.length;
          const ch = chars[at]!;
          if (e.op === 'lookalike' && LOOKALIKE[ch]) {
            chars[at] = LOOKALIKE[ch][e.pick % LOOKALIKE[ch].length]!;
          } else if (e.op === 'invisible') {
            chars.splice(e.at % (chars.length + 1), 0, INVISIBLE[e.pick % INVISIBLE.length]!);
          } else if (e.op === 'case') {
            chars[at] = ch.toUpperCase();
          }
        }
        for (const t of typos) {
          if (t.op === 'delete' && chars.length > 1) chars.splice(t.at % chars.length, 1);
          else if (t.op === 'insert') chars.splice(t.at % (chars.length + 1), 0, t.char);
          else if (t.op === 'substitute') chars[t.at % chars.length] = t.char;
        }
        return chars.join('');
      })
      .filter((variant) => variant !== token);

  test('a near miss of the token is never a command, and gets "did you mean"', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...TOKENS)
          .chain((token) => fc.tuple(fc.constant(token), nearMissOf(token))),
        fc.constantFrom('', ' ', '\n', ` ${HEX12}`, '\nmore text'),
        ([token, variant], rest) => {
          const result = parseCommand(variant + rest);
          expect(result.type).not.toBe('command');
          // Two typos can land closer to the other token; either suggestion is fine.
          expect(isDidYouMean(result, token) || TOKENS.some((t) => isDidYouMean(result, t))).toBe(
            true,
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('the exact token plus a valid digest parses to that digest', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(['approve', DEFAULT_APPROVE_COMMAND], ['revoke', DEFAULT_REVOKE_COMMAND]),
        hex(12, 64),
        fc.boolean(),
        fc.option(fc.stringMatching(/^[A-Za-z0-9._/-]{1,100}$/), { nil: undefined }),
        fc.array(fc.constantFrom('', ' ', '\t', ' \t '), { maxLength: 3 }),
        fc.constantFrom('\n', '\r\n'),
        fc.stringMatching(/^[ \t]{0,3}$/),
        fc.stringMatching(/^[ \t]{1,3}$/),
        fc.oneof(
          fc.constant(''),
          text.map((t) => `\n${t}`),
        ),
        ([action, token], digest, prefixed, project, blankLines, eol, indent, separator, below) => {
          const args = [prefixed ? `sha256:${digest}` : digest];
          if (project !== undefined) args.push(`project=${project}`);
          const body =
            blankLines.map((b) => b + eol).join('') +
            indent +
            token +
            separator +
            args.join(separator) +
            below;
          expect(parseCommand(body)).toEqual({
            type: 'command',
            action,
            digest,
            ...(project !== undefined && { project }),
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
