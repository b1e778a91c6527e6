import { decodeMarker, mentionsMarker } from '../../../src/core/marker.js';
import {
  codeBlock,
  codeSpan,
  defang,
  escapeHtml,
  escapeInline,
  escapeTerminal,
  truncate,
} from '../../../src/core/render/escape.js';
import { FORGED_MARKER, HOSTILE } from './plans.js';
import { markdownToHtml } from '../../../tools/previews/github-html.js';
import { mentionsOutsideCode } from './checks.js';

/** The content a GFM code span shows: inverse of codeSpan, by the CommonMark rules. */
function codeContent(span: string, table = false): string {
  const m = /^(`+)([\s\S]*)\1$/.exec(span);
  if (!m) throw new Error(`not a code span: ${span}`);
  let c = m[2]!;
  if (/^ [\s\S]* $/.test(c) && !/^ +$/.test(c)) c = c.slice(1, -1);
  return table ? c.replace(/\\\|/g, '|') : c;
}

const ZWSP = /\u200B/g;

describe('defang', () => {
  it.each([
    ['<!--', '<\u200B!--'],
    ['-->', '-\u200B->'],
    ['--!>', '-\u200B-!>'],
    ['applygate:v1', 'applygate\u200B:v1'],
    ['ApplyGate:V1', 'ApplyGate\u200B:V1'],
    ['<script>', '<\u200Bscript>'],
    ['</details>', '<\u200B/details>'],
    ['a < b', 'a < b'],
  ])('%j -> %j', (input, out) => {
    expect(defang(input)).toBe(out);
  });

  it('leaves nothing that reads as our marker', () => {
    const d = defang(`x${FORGED_MARKER}y`);
    expect(decodeMarker(d).ok).toBe(false);
    expect(mentionsMarker(d)).toBe(false);
    expect(d).not.toContain('<!--');
    expect(d).not.toContain('-->');
    expect(d.replace(ZWSP, '')).toBe(`x${FORGED_MARKER}y`);
  });
});

describe('escapeInline (markdown inline text, table cells)', () => {
  it('backslash-escapes markdown punctuation', () => {
    expect(escapeInline('*a* _b_ [c](d) `e` #f +g -h .i !j |k ~l {m} \\n $o$')).toBe(
      '\\*a\\* \\_b\\_ \\[c\\]\\(d\\) \\`e\\` \\#f \\+g \\-h \\.i \\!j \\|k \\~l \\{m\\} \\\\n \\$o\\$',
    );
  });

  it('HTML-escapes & < > " and breaks tags and comments', () => {
    expect(escapeInline('<script>alert("x")</script> & co')).toBe(
      '&lt;\u200Bscript&gt;alert\\(&quot;x&quot;\\)&lt;\u200B/script&gt; &amp; co',
    );
    const out = escapeInline(`${FORGED_MARKER} </details> -->`);
    expect(out).not.toMatch(/[<>]/);
    expect(out).not.toContain('-->');
    expect(mentionsMarker(out)).toBe(false);
  });

  it('breaks @mentions of users and teams', () => {
    expect(escapeInline('@octocat')).toBe('@&#8203;octocat');
    expect(escapeInline('cc @org/team')).toBe('cc @&#8203;org/team');
    expect(mentionsOutsideCode(escapeInline('@octocat @org/team a@b'))).toEqual([]);
  });

  it('the mention check reads markdown as GitHub does (it once paired backticks across paragraphs)', () => {
    // An unpaired backtick ends with its paragraph; the table's code span still holds the team.
    const md = 'the full summary is in `.\n\n| a |\n|---|\n| `x["@org/team"]` |\n\nsee `y`';
    expect(mentionsOutsideCode(md)).toEqual([]);
    expect(mentionsOutsideCode('hi @octocat')).toEqual(['@octocat']);
    // Escaped backticks are text: GitHub links the team between them.
    expect(mentionsOutsideCode('\\`@org/team\\`')).toEqual(['@org/team']);
    expect(mentionsOutsideCode('```\n@octocat\n```\n\n<code>@a</code> &#64;b')).toEqual(['@b']);
  });

  it('keeps everything on one line, without control characters', () => {
    expect(escapeInline('a\nb\r\nc\rd\te\u2028f')).toBe('a b c d e f');
    expect(escapeInline('\u001b[31mred')).toBe('\uFFFD\\[31m' + 'red');
    expect(escapeInline('x\u202ey')).toBe('x\uFFFDy');
  });

  it('escapes every hostile string to something with no raw < > | newline or backtick', () => {
    for (const h of HOSTILE) {
      const out = escapeInline(h);
      expect(out).not.toMatch(/[<>\n\r]/);
      expect(out.replace(/\\[|`]/g, '')).not.toMatch(/[|`]/);
    }
  });
});

describe('codeSpan (inline code)', () => {
  it.each([
    ['plain', '`plain`'],
    ['a`b', '``a`b``'],
    ['a``b', '```a``b```'],
    ['`', '`` ` ``'],
    ['``', '``` `` ```'],
    ['```', '```` ``` ````'],
    ['````x', '````` ````x `````'],
    ['x`````', '`````` x````` ``````'],
    [' a ', '`  a  `'],
    ['  ', '`  `'],
    ['', '` `'],
  ])('%j -> %j', (input, out) => {
    expect(codeSpan(input)).toBe(out);
  });

  it('shows the content back exactly (CommonMark code span rules)', () => {
    const samples = ['a`b', '`x`', '``', ' lead', 'trail ', ' both ', 'a|b', '@octocat'];
    for (const s of samples) expect(codeContent(codeSpan(s))).toBe(s);
    for (let n = 1; n <= 5; n++) {
      const s = `x${'`'.repeat(n)}y${'`'.repeat(n)}`;
      expect(codeContent(codeSpan(s))).toBe(s);
    }
  });

  it('escapes pipes only in a table cell', () => {
    expect(codeSpan('a|b')).toBe('`a|b`');
    expect(codeSpan('a|b', { table: true })).toBe('`a\\|b`');
    expect(codeContent(codeSpan('a|b||c\\|d', { table: true }), true).replace(ZWSP, '')).toBe(
      'a|b||c\\|d',
    );
  });

  it('a backslash before a pipe cannot end a table cell early (found by the fuzzer)', () => {
    // GFM splits rows before parsing code spans and reads `\\` + any character as a pair: the
    // backslash must not pair with the pipe's escape. Checked as GitHub renders it.
    for (let n = 0; n <= 4; n++) {
      const s = `a${'\\'.repeat(n)}|@org/team${'\\'.repeat(n)}||b`;
      const html = markdownToHtml(`| h | i |\n|---|---|\n| ${codeSpan(s, { table: true })} | x |`);
      const cells = [...html.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!);
      expect(cells).toHaveLength(2);
      expect(cells[1]).toBe('x');
      const code = /^<code>([\s\S]*)<\/code>$/.exec(cells[0]!)?.[1];
      expect(code?.replaceAll(ZWSP, '').replaceAll('&amp;', '&')).toBe(s);
    }
  });

  it('puts newlines on one line and replaces control characters', () => {
    expect(codeSpan('a\nb')).toBe('`a b`');
    expect(codeSpan('\u001b[2J')).toBe('`\uFFFD[2J`');
  });

  it('defangs tags, comments and the marker while showing the same text', () => {
    const out = codeSpan(`${FORGED_MARKER}<script></details>`);
    expect(out).not.toContain('<!--');
    expect(out).not.toContain('<script');
    expect(out).not.toContain('</details>');
    expect(decodeMarker(out).ok).toBe(false);
    expect(codeContent(out).replace(ZWSP, '')).toBe(`${FORGED_MARKER}<script></details>`);
  });

  it('copes with a huge content of many backtick runs', () => {
    const s = 'a`'.repeat(300_000) + '``';
    const out = codeSpan(s);
    expect(out.startsWith('```` ')).toBe(true);
    expect(codeContent(out)).toBe(s);
  });

  it('keeps mentions inside code, where GitHub does not link them', () => {
    expect(codeSpan('@octocat')).toBe('`@octocat`');
    expect(mentionsOutsideCode(`x ${codeSpan('@octocat')} y`)).toEqual([]);
  });
});

describe('codeBlock', () => {
  it('uses a fence longer than any backtick run', () => {
    expect(codeBlock('/approve-destroy')).toBe('```\n/approve-destroy\n```');
    expect(codeBlock('a````b')).toBe('`````\na````b\n`````');
    expect(codeBlock('a\nb')).toBe('```\na b\n```');
  });
});

describe('escapeHtml (raw HTML: <summary>, <code>)', () => {
  it('escapes HTML, pipes and mentions', () => {
    expect(escapeHtml(`<a href="x">'&'</a> | @octocat`)).toBe(
      '&lt;\u200Ba href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;\u200B/a&gt; &#124; @&#8203;octocat',
    );
  });

  it('closes nothing and opens nothing', () => {
    for (const h of HOSTILE) {
      const out = escapeHtml(h);
      // eslint-disable-next-line no-control-regex
      expect(out).not.toMatch(/[<>|\n\r\u001b]/);
      expect(out).not.toContain('-->');
      expect(mentionsMarker(out)).toBe(false);
    }
  });
});

describe('escapeTerminal', () => {
  it('shows control characters instead of sending them', () => {
    expect(escapeTerminal('a\u001b[31mb')).toBe('a\\u{1b}[31mb');
    expect(escapeTerminal('\u009b2J')).toBe('\\u{9b}2J');
    expect(escapeTerminal('x\ny\rz\u0007')).toBe('x\\u{a}y\\u{d}z\\u{7}');
    expect(escapeTerminal('\u202eevil')).toBe('\\u{202e}evil');
    expect(escapeTerminal('ok 🦄')).toBe('ok 🦄');
  });

  it('leaves no control character from any hostile string', () => {
    for (const h of HOSTILE) {
      // eslint-disable-next-line no-control-regex
      expect(escapeTerminal(h)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    }
  });
});

describe('truncate', () => {
  it('cuts with an ellipsis and never splits a surrogate pair', () => {
    expect(truncate('abcdef', 10)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('ab🦄cd', 4)).toBe('ab…');
    expect(truncate('abcdef', 4).length).toBeLessThanOrEqual(4);
  });
});
