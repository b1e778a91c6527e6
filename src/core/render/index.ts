export {
  codeBlock,
  codeSpan,
  defang,
  escapeHtml,
  escapeInline,
  escapeTerminal,
  truncate,
} from './escape.js';
export {
  ADDRESS_MAX,
  DEFAULT_FULL_SUMMARY_HINT,
  GITHUB_COMMENT_MAX_CHARS,
  VALUE_MAX,
  addressCode,
  renderMarkdown,
  renderProjectMarkdown,
} from './markdown.js';
export type { MarkdownOptions } from './markdown.js';
export { renderText, renderProjectText } from './text.js';
export type { TextOptions } from './text.js';
export { LEVEL_EMOJI } from './common.js';
