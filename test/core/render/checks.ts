import { markdownToHtml } from '../../../tools/previews/github-html.js';

// What GitHub would make of a rendered body, checked on the raw markdown.

/**
 * `@login` or `@org/team` GitHub would link: `@` right after a non-word char, then a login char,
 * in the text of the rendered body outside `<code>` and `<pre>`. The body is rendered as GitHub
 * shows it (markdownToHtml, which the previews use: GFM, then GitHub's sanitizer): code spans do
 * not cross block boundaries,
 * which a scan of the raw text cannot know (an unpaired backtick in one paragraph made it pair
 * the backticks of the following paragraphs wrongly and report a mention inside a code span).
 */
export function mentionsOutsideCode(md: string): string[] {
  const html = markdownToHtml(md);
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

export const MARKER_LINE = /^<!-- applygate:v2 [A-Za-z0-9_-]+ -->$/;
