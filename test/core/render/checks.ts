import { marked } from 'marked';

// What GitHub would make of a rendered body, checked on the raw markdown.

/**
 * The body with fenced code blocks, inline code spans (CommonMark: a backtick run closed by the
 * next run of the same length, backslash-escaped backticks open nothing) and `<code>` elements
 * removed: what is left is text GitHub scans for mentions.
 */
export function stripCode(md: string): string {
  const noFences = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
  let out = '';
  let i = 0;
  while (i < noFences.length) {
    const ch = noFences[i]!;
    if (ch === '\\') {
      out += noFences.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === '`') {
      let n = 0;
      while (noFences[i + n] === '`') n++;
      const close = findRun(noFences, i + n, n);
      if (close >= 0) {
        i = close + n;
        continue;
      }
      out += '`'.repeat(n);
      i += n;
      continue;
    }
    out += ch;
    i++;
  }
  return out.replace(/<code>[\s\S]*?<\/code>/g, '');
}

function findRun(s: string, from: number, n: number): number {
  let j = from;
  while (j < s.length) {
    if (s[j] === '`') {
      let m = 0;
      while (s[j + m] === '`') m++;
      if (m === n) return j;
      j += m;
    } else j++;
  }
  return -1;
}

/**
 * `@login` or `@org/team` GitHub would link: `@` right after a non-word char, then a login char,
 * in the text of the rendered body outside `<code>` and `<pre>`. The body is rendered by a real
 * CommonMark/GFM parser (marked, as the previews use): code spans do not cross block boundaries,
 * which a scan of the raw text cannot know (an unpaired backtick in one paragraph made it pair
 * the backticks of the following paragraphs wrongly and report a mention inside a code span).
 */
export function mentionsOutsideCode(md: string): string[] {
  const html = marked.parse(md, { gfm: true, async: false });
  const text = decodeEntities(
    html
      .replace(/<pre[\s>][\s\S]*?<\/pre>/g, ' ')
      .replace(/<code[\s>][\s\S]*?<\/code>/g, ' ')
      .replace(/<[^>]*>/g, ' '),
  );
  return [...text.matchAll(/(?:^|\W)(@[A-Za-z0-9][\w/-]*)/g)].map((m) => m[1]!);
}

function decodeEntities(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return named[e.toLowerCase()] ?? m;
  });
}

export const MARKER_LINE = /^<!-- plangate:v1 [A-Za-z0-9_-]+ -->$/;
