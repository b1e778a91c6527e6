// Markdown as GitHub shows it in a pull-request comment or a check run page, for the README's
// preview images and the browser test: GitHub-flavoured markdown (marked, GFM), then GitHub's
// sanitizer allow-list (sanitize-html), inside GitHub's own stylesheet (github-markdown-css,
// light theme) with fonts pinned so the screenshots come out the same on every run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Comments on GitHub (issues, pull requests, check runs) turn a single newline into a line
 * break, unlike markdown files; tables, strikethrough, task lists and bare-URL autolinks are GFM.
 */
const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    // GitHub's task-list markup, so github-markdown-css styles it the way GitHub does.
    listitem(item) {
      if (!item.task) return false;
      return `<li class="task-list-item">${this.parser.parse(item.tokens)}</li>\n`;
    },
    checkbox({ checked }) {
      return `<input type="checkbox" class="task-list-item-checkbox" disabled${checked ? ' checked' : ''}> `;
    },
  },
});

/** The URL schemes GitHub keeps on links and on images (and relative URLs). */
const LINK_SCHEMES = ['http', 'https', 'mailto'];
const IMAGE_SCHEMES = ['http', 'https'];

/**
 * GitHub's HTML allow-list for user content (the one its html-pipeline sanitization filter
 * published): these elements, these attributes, these URL schemes; everything else goes,
 * `<script>` with its content. `input` is kept only as the disabled task-list checkbox that the
 * renderer itself writes (GitHub adds that after sanitizing).
 */
export const GITHUB_SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'br', 'b', 'i', 'strong', 'em', 'a'],
    ...['pre', 'code', 'img', 'tt', 'div', 'ins', 'del', 'sup', 'sub', 'p', 'ol', 'ul'],
    ...['table', 'thead', 'tbody', 'tfoot', 'blockquote', 'dl', 'dt', 'dd', 'kbd', 'q'],
    ...['samp', 'var', 'hr', 'ruby', 'rt', 'rp', 'li', 'tr', 'td', 'th', 's', 'strike'],
    ...['summary', 'details', 'span', 'input'],
  ],
  allowedAttributes: {
    a: ['href'],
    img: ['src', 'longdesc'],
    div: ['itemscope', 'itemtype'],
    blockquote: ['cite'],
    del: ['cite'],
    ins: ['cite'],
    q: ['cite'],
    input: ['type', 'checked', 'disabled'],
    '*': [
      ...['abbr', 'accept', 'accept-charset', 'accesskey', 'action', 'align', 'alt', 'axis'],
      ...['border', 'cellpadding', 'cellspacing', 'char', 'charoff', 'charset', 'checked'],
      ...['clear', 'cols', 'colspan', 'color', 'compact', 'coords', 'datetime', 'dir'],
      ...['disabled', 'enctype', 'for', 'frame', 'headers', 'height', 'hreflang', 'hspace'],
      ...['ismap', 'label', 'lang', 'maxlength', 'media', 'method', 'multiple', 'name'],
      ...['nohref', 'noshade', 'nowrap', 'open', 'prompt', 'readonly', 'rel', 'rev', 'rows'],
      ...['rowspan', 'rules', 'scope', 'selected', 'shape', 'size', 'span', 'start', 'summary'],
      ...['tabindex', 'target', 'title', 'type', 'usemap', 'valign', 'value', 'vspace'],
      ...['width', 'itemprop'],
    ],
  },
  allowedClasses: {
    li: ['task-list-item'],
    input: ['task-list-item-checkbox'],
  },
  allowedSchemes: LINK_SCHEMES,
  allowedSchemesByTag: { img: IMAGE_SCHEMES, blockquote: IMAGE_SCHEMES, del: IMAGE_SCHEMES },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'longdesc'],
  allowProtocolRelative: true,
  disallowedTagsMode: 'discard',
  // Dropped with their content; any other disallowed tag is dropped and its text kept.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'xmp', 'iframe'],
  exclusiveFilter: (frame) =>
    frame.tag === 'input' &&
    !(frame.attribs.type === 'checkbox' && frame.attribs.disabled !== undefined),
};

/** GitHub-flavoured markdown to the HTML GitHub would put on the page (sanitized). */
export function markdownToHtml(markdown: string): string {
  const raw = marked.parse(markdown, { async: false });
  return sanitizeHtml(raw, GITHUB_SANITIZE);
}

const requireHere = createRequire(import.meta.url);
let stylesheet: string | undefined;

/** github-markdown-css, light theme: GitHub's own markdown styles, as published on npm. */
export function githubMarkdownCss(): string {
  stylesheet ??= readFileSync(
    requireHere.resolve('github-markdown-css/github-markdown-light.css'),
    'utf8',
  );
  return stylesheet;
}

/**
 * Fonts from Debian's fonts-dejavu-core and fonts-noto-color-emoji, named explicitly so that
 * nothing depends on which other fonts a machine has; no motion, no caret.
 */
export const PINNED_CSS = `
html, body { margin: 0; padding: 0; background: #ffffff; }
body { padding: 16px; }
body, .markdown-body, .frame {
  font-family: 'DejaVu Sans', 'Noto Color Emoji' !important;
  font-size: 14px;
  -webkit-font-smoothing: antialiased;
}
.markdown-body code, .markdown-body pre, .markdown-body tt, .markdown-body kbd,
.markdown-body samp, .markdown-body pre code {
  font-family: 'DejaVu Sans Mono', 'Noto Color Emoji' !important;
}
*, *::before, *::after {
  animation: none !important;
  transition: none !important;
  caret-color: transparent !important;
}
`;

/** The frame around a comment and a check run page: GitHub's Primer colours, drawn plainly. */
const FRAME_CSS = `
.frame { width: 880px; border: 1px solid #d0d7de; border-radius: 6px; color: #1f2328; }
.frame-header {
  display: flex; align-items: center; gap: 8px; padding: 8px 16px;
  background: #f6f8fa; border-bottom: 1px solid #d0d7de; border-radius: 6px 6px 0 0;
}
.avatar { width: 20px; height: 20px; border-radius: 50%; background: #2f81f7; flex: none; }
.label {
  border: 1px solid #d0d7de; border-radius: 2em; padding: 0 7px; font-size: 12px;
  line-height: 18px; color: #59636e;
}
.muted { color: #59636e; }
.frame-body { padding: 16px; }
.check-title { margin: 0 0 16px; font-size: 20px; font-weight: 600; }
.status { width: 16px; height: 16px; flex: none; }
`;

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeText(title)}</title>`,
    `<style>${githubMarkdownCss()}</style>`,
    `<style>${FRAME_CSS}${PINNED_CSS}</style>`,
    '</head><body>',
    body,
    '</body></html>',
  ].join('\n');
}

/** Text into HTML (for the few strings the frame itself shows). */
export function escapeText(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A whole page: one pull-request comment by `author` (a bot) whose body is `markdown`. */
export function commentPage(markdown: string, author = 'github-actions'): string {
  return page(
    `${author} commented`,
    [
      '<div class="frame" id="preview">',
      '<div class="frame-header"><span class="avatar"></span>',
      `<strong>${escapeText(author)}</strong><span class="label">bot</span>`,
      '<span class="muted">commented</span></div>',
      `<div class="frame-body markdown-body">${markdownToHtml(markdown)}</div>`,
      '</div>',
    ].join('\n'),
  );
}

/** A check run's conclusion, as the app writes it. */
export type CheckConclusion = 'success' | 'action_required' | 'failure' | 'neutral';

export interface CheckRunView {
  name: string;
  conclusion: CheckConclusion;
  /** The check run's output.title: plain text. */
  title: string;
  /** The check run's output.summary: markdown. */
  summary: string;
  /** The check run's output.text: markdown, shown below the summary. */
  text?: string;
}

const STATUS_WORD: Readonly<Record<CheckConclusion, string>> = {
  success: 'succeeded',
  action_required: 'action required',
  failure: 'failed',
  neutral: 'neutral',
};

// Drawn here, not taken from an icon font: a filled circle with a tick, a cross or a `!`.
const STATUS_ICON: Readonly<Record<CheckConclusion, string>> = {
  success:
    '<svg class="status" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#1a7f37"/><path d="M4.5 8.2l2.3 2.3 4.7-4.9" stroke="#fff" stroke-width="1.8" fill="none"/></svg>',
  failure:
    '<svg class="status" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#d1242f"/><path d="M5.2 5.2l5.6 5.6M10.8 5.2l-5.6 5.6" stroke="#fff" stroke-width="1.8"/></svg>',
  action_required:
    '<svg class="status" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#9a6700"/><path d="M8 3.8v5.2" stroke="#fff" stroke-width="1.8"/><circle cx="8" cy="11.6" r="1.1" fill="#fff"/></svg>',
  neutral:
    '<svg class="status" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#59636e"/><path d="M4.5 8h7" stroke="#fff" stroke-width="1.8"/></svg>',
};

/** A whole page: a check run as its page on GitHub shows it (name, status, title, output). */
export function checkRunPage(check: CheckRunView): string {
  return page(
    check.name,
    [
      '<div class="frame" id="preview">',
      `<div class="frame-header">${STATUS_ICON[check.conclusion]}`,
      `<strong>${escapeText(check.name)}</strong>`,
      `<span class="muted">${STATUS_WORD[check.conclusion]}</span></div>`,
      '<div class="frame-body">',
      `<h2 class="check-title">${escapeText(check.title)}</h2>`,
      `<div class="markdown-body">${markdownToHtml(check.summary)}</div>`,
      check.text ? `<div class="markdown-body">${markdownToHtml(check.text)}</div>` : '',
      '</div></div>',
    ].join('\n'),
  );
}
