// The demo quotes comments in a terminal. A comment is markdown written for GitHub, so its raw
// text shows escapes a reader never sees there (`aws\_db\_instance\.main`). This turns it into
// what GitHub shows, as plain lines: marked's lexer reads the markdown (the same parser the
// previews use), and only the walk over its tokens is ours.
import { Lexer, type Token, type Tokens } from 'marked';

/** The text a reader sees of inline tokens: escapes and entities resolved, emphasis dropped. */
function inline(tokens: readonly Token[] | undefined): string {
  let out = '';
  for (const t of tokens ?? []) {
    if (t.type === 'br') out += '\n';
    else if (t.type === 'html') out += htmlText(t.raw);
    else if ('tokens' in t && t.tokens) out += inline(t.tokens);
    else if ('text' in t) out += t.text;
  }
  return out;
}

/** GitHub renders <details>/<summary> as a disclosure; other tags as nothing. */
function htmlText(raw: string): string {
  return raw
    .replace(/<summary>/gi, '▸ ')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ');
}

function table(t: Tokens.Table): string[] {
  const rows = [t.header, ...t.rows].map((r) => r.map((c) => inline(c.tokens)));
  const widths = t.header.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => {
        const pad = ' '.repeat(widths[i]! - [...c].length);
        return t.align[i] === 'right' ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), ...rows.slice(1).map(line)];
}

function blocks(tokens: readonly Token[], indent = ''): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (t.type === 'space') out.push('');
    else if (t.type === 'table') out.push(...table(t as Tokens.Table).map((l) => indent + l));
    else if (t.type === 'list') {
      for (const item of (t as Tokens.List).items) {
        const [first = '', ...rest] = blocks(item.tokens);
        out.push(`${indent}- ${first}`, ...rest.map((l) => `${indent}  ${l}`));
      }
    } else if (t.type === 'code') {
      out.push(...(t as Tokens.Code).text.split('\n').map((l) => indent + l));
    } else if (t.type === 'html') {
      const text = htmlText(t.raw).trim();
      if (text) out.push(indent + text);
    } else if (t.type === 'hr') out.push(`${indent}───`);
    else if ('tokens' in t && t.tokens) {
      out.push(
        ...inline(t.tokens)
          .split('\n')
          .map((l) => indent + l),
      );
    } else if ('text' in t) out.push(indent + String(t.text));
  }
  // One blank line between blocks, as GitHub spaces them, never two.
  return out.filter((l, i) => l.trim() !== '' || (i > 0 && out[i - 1]!.trim() !== ''));
}

/** A GitHub comment as the plain lines a reader sees on the pull request. */
export function asShown(markdown: string): string {
  return blocks(Lexer.lex(markdown)).join('\n').trim();
}
