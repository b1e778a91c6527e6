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

/** `@login` or `@org/team` GitHub would link: `@` right after a non-word char, then a login char. */
export function mentionsOutsideCode(md: string): string[] {
  return [...stripCode(md).matchAll(/(?:^|[^\w`])(@[A-Za-z0-9][\w/-]*)/g)].map((m) => m[1]!);
}

export const MARKER_LINE = /^<!-- plangate:v1 [A-Za-z0-9_-]+ -->$/;
