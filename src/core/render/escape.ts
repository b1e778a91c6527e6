// Escaping for every string that comes from a plan or a user (addresses, types, attribute names
// and values, action reasons, rule messages that quote addresses, project names, approvers).
//
// Hand-written on purpose. The npm escapers (markdown-escape, escape-markdown, gfm-escape,
// @descope/escape-markdown) only backslash markdown punctuation. None of them handles what a PR
// comment needs: GitHub @mentions (which survive `&#64;`, because GitHub links mentions after
// entities are decoded), code spans whose content holds backticks, pipes inside code in a table
// cell, GitHub's `$` math, control and bidi characters, and our own marker. Each escaper below
// names the one context it is for; use no other escaper in that context.

/** Zero-width space: invisible, and breaks a token so that no pattern matcher sees it whole. */
const ZWSP = '\u200B';

/**
 * Characters that have no business in one line of a comment or a terminal: C0 and C1 controls
 * (ESC, CSI, NUL, ...), DEL, and the bidi controls that can make text read differently from
 * what it is (Trojan Source). Newlines are handled separately.
 */
const CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** Every way text can start a new line, including tab (which can start an indented block). */
const LINE_BREAK = /\r\n|[\r\n\t\u0085\u2028\u2029]/g;

/**
 * Break every token that could forge or hide our marker, or start an HTML tag or comment, by
 * putting a zero-width space inside it: `applygate:v`, `<` before a letter, `/`, `!` or `?`, and
 * `-->`. Applied first by every escaper, in every context, so that even inside a code span
 * (shown literally, where entities do not work) the raw body holds no `<script`, `</details>`,
 * `<!--` or marker from a plan. The text still looks the same.
 */
export function defang(s: string): string {
  return s
    .replace(/applygate:v/gi, (m) => `${m.slice(0, -2)}${ZWSP}${m.slice(-2)}`)
    .replace(/<(?=[A-Za-z/!?])/g, `<${ZWSP}`)
    .replace(/--(!?)>/g, `-${ZWSP}-$1>`);
}

/** One line, no control characters: the common first step of the markdown escapers. */
function oneLine(s: string): string {
  return defang(s).replace(LINE_BREAK, ' ').replace(CONTROL, '\uFFFD');
}

const INLINE: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  // The zero-width space stays in the rendered text, so GitHub's mention filter sees `@` followed
  // by a non-login character and links nothing (the trick Renovate and Dependabot use).
  '@': '@&#8203;',
};
const INLINE_PUNCT = /[\\`*_{}[\]()#+\-.!|~$&<>"@]/g;

/**
 * Context (a): markdown inline text, including a table cell and a list item. Backslash-escapes
 * markdown punctuation (`$` too: GitHub renders `$...$` as math), HTML-escapes `& < > "`,
 * breaks @mentions, turns line breaks into spaces and control characters into U+FFFD.
 */
export function escapeInline(s: string): string {
  return oneLine(s).replace(INLINE_PUNCT, (c) => INLINE[c] ?? `\\${c}`);
}

/**
 * Context (b): the content of an inline code span, which is shown literally (GitHub neither
 * links mentions nor decodes entities inside code). Picks a backtick fence longer than any
 * backtick run in the content and pads with spaces when the content starts or ends with a
 * backtick or a space. In a table cell (`table: true`), pipes become `\|`: GFM splits cells
 * before it parses code spans, and removes the backslash again inside the cell (it was once
 * fooled by a backslash in the content right before a pipe, found by the fuzzer).
 */
export function codeSpan(s: string, opts: { table?: boolean } = {}): string {
  let content = oneLine(s);
  // GFM reads `\` + any character as a pair when it splits a row, so a backslash right before
  // a pipe would pair with the pipe's escape and let the pipe split the cell, spilling the rest
  // of the code span (and any @mention in it) into the text: a zero-width space parts them.
  if (opts.table) content = content.replace(/\\(?=\|)/g, `\\${ZWSP}`).replace(/\|/g, '\\|');
  if (content === '') return '` `';
  const longest = longestBacktickRun(content);
  const fence = '`'.repeat(longest + 1);
  const allSpaces = /^ +$/.test(content);
  const pad =
    !allSpaces &&
    (content.startsWith('`') ||
      content.endsWith('`') ||
      (content.startsWith(' ') && content.endsWith(' ')));
  return pad ? `${fence} ${content} ${fence}` : `${fence}${content}${fence}`;
}

function longestBacktickRun(s: string): number {
  let longest = 0;
  for (const run of s.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/**
 * A fenced code block holding one line (for a command to copy: GitHub gives it a copy button).
 * The fence is longer than any backtick run in the content.
 */
export function codeBlock(s: string): string {
  const content = oneLine(s);
  const longest = longestBacktickRun(content);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}\n${content}\n${fence}`;
}

const HTML: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '|': '&#124;',
  '`': '&#96;',
  '@': '@&#8203;',
};

/**
 * Context (c): text inside raw HTML, such as `<details><summary>...</summary>` or `<code>` in
 * an HTML block. HTML-escapes `& < > " '`, writes `|` as `&#124;` and backticks as `&#96;` (so
 * the text is also safe in a table row, and can never pair with a code span's fence), breaks @mentions, turns line breaks into spaces (a blank line would end the HTML
 * block) and control characters into U+FFFD.
 */
export function escapeHtml(s: string): string {
  return oneLine(s).replace(/[&<>"'|`@]/g, (c) => HTML[c] ?? c);
}

/**
 * Terminal output: every control character (ESC, CSI, BEL, backspace, carriage return, line
 * breaks, bidi controls, ...) becomes a visible `\u{..}` escape, so nothing from a plan can move
 * the cursor, recolour the screen, retitle the window or hide text.
 */
export function escapeTerminal(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g,
    (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}

/** Cut to at most `max` UTF-16 units (never splitting a surrogate pair), marking a cut with `…`. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let head = s.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head}…`;
}
