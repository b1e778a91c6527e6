import type { HygieneFinding } from '../risk/hygiene.js';
import { plural } from './common.js';
import { escapeInline, escapeTerminal, truncate } from './escape.js';

// The "before this bites" section: settings of kept or created stateful resources that would
// lose data in a later destroy. 0 points and no approval, so it is shown collapsed, after the
// risk factors, in both views; the JSON carries it as `hygiene`.

export const HYGIENE_HEADING = 'Before this bites';
const MESSAGE_MAX = 1_000;

function summary(n: number): string {
  return `${HYGIENE_HEADING}: ${plural(n, 'setting')} that would lose data in a later destroy (0 points)`;
}

/** Collapsed markdown list of the first `shown` items; the rest counted, with where they are. */
export function hygieneMarkdown(
  items: readonly HygieneFinding[],
  shown: number,
  hint: string,
): string {
  // `<details>` on a line of its own: the details of each change are the lines that start with
  // `<details><summary>`, and this section is not one of them.
  const lines = ['<details>', `<summary>${summary(items.length)}</summary>`, ''];
  for (const h of items.slice(0, shown)) {
    lines.push(`- ${escapeInline(truncate(h.message, MESSAGE_MAX))}`);
  }
  const left = items.length - Math.min(shown, items.length);
  if (left > 0) lines.push(`- …and ${left} more: the full list is in ${hint}.`);
  lines.push('', '</details>');
  return lines.join('\n');
}

/** The section as terminal lines (empty when there is nothing to say). */
export function hygieneText(
  items: readonly HygieneFinding[],
  bold: (s: string) => string,
): string[] {
  if (items.length === 0) return [];
  return ['', bold(summary(items.length)), ...items.map((h) => `  - ${escapeTerminal(h.message)}`)];
}
