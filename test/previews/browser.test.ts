// The summary comment as GitHub shows it, opened in the real browser (Debian's Chromium): the
// tables, the collapsed details and the risk badge render, no markdown syntax shows through, and
// nothing from the plan becomes an element or runs. The pages are the ones the README's
// screenshots are taken of (tools/previews). Without /usr/bin/chromium the browser part is
// skipped with the reason; CI installs it.
import { LEVEL_EMOJI } from '../../src/core/render/index.js';
import { orderedChanges, type Report } from '../../src/core/report.js';
import type { Json } from '../../src/core/plan/model.js';
import { incidentDestroyPlan } from '../../testkit/plans/samples.js';
import {
  chromiumMissing,
  openBrowser,
  show,
  type PreviewBrowser,
} from '../../tools/previews/browser.js';
import { checkRunPage, commentPage, markdownToHtml } from '../../tools/previews/github-html.js';
import { approvalCheck, reportOf, summaryMarkdown } from '../../tools/previews/scenes.js';
import { HOSTILE_CHANGES, KEY, PAYLOAD, hostilePlan } from './hostile.js';

const ZWSP = /\u200B/g;

/** What the page shows, read in the page after rendering. */
interface Probe {
  pwned: unknown;
  /** All text of the comment body, hidden parts included (textContent). */
  text: string;
  /** The same without code spans and code blocks: where GitHub would link @mentions. */
  prose: string;
  badge: string;
  /** The paragraph right after the badge: the verdict sentence. */
  verdict: string;
  /**
   * The blocks of the comment outside every <details>, top to bottom, with their text: what a
   * reader sees without opening anything.
   */
  blocks: { tag: string; text: string }[];
  headings: string[];
  tables: { rows: number; header: string[]; inDetails: boolean; visible: boolean }[];
  details: { open: boolean; summary: string; bodyVisible: boolean; tables: number }[];
  /** Elements a plan must never create: anything that loads, runs or styles. */
  forbidden: string[];
  /** Event-handler attributes anywhere in the document. */
  handlers: string[];
  links: string[];
  pre: string[];
}

const PROBE = `(() => {
  const body = document.querySelector('#preview .markdown-body');
  const visible = (el) => el.checkVisibility();
  const prose = body.cloneNode(true);
  prose.querySelectorAll('code, pre').forEach((el) => el.remove());
  return {
    pwned: window.__pwned,
    text: body.textContent,
    prose: prose.textContent,
    badge: body.querySelector('h3 + p')?.innerText ?? '',
    verdict: body.querySelector('h3 + p + p')?.innerText ?? '',
    blocks: [...body.children]
      .filter((el) => el.tagName !== 'DETAILS')
      .map((el) => ({ tag: el.tagName, text: el.innerText })),
    headings: [...body.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => h.tagName + ' ' + h.innerText),
    tables: [...body.querySelectorAll('table')].map((t) => ({
      rows: t.rows.length,
      header: [...t.rows[0].cells].map((c) => c.textContent.trim()),
      inDetails: t.closest('details') !== null,
      visible: visible(t),
    })),
    details: [...body.querySelectorAll('details')].map((d) => ({
      open: d.open,
      summary: d.querySelector(':scope > summary')?.innerText ?? '',
      bodyVisible: [...d.children].some((c) => c.tagName !== 'SUMMARY' && visible(c)),
      tables: d.querySelectorAll('table').length,
    })),
    forbidden: [...body.querySelectorAll('script, img, iframe, style, object, embed, svg, form, link, meta, input, textarea, button')]
      .map((e) => e.outerHTML),
    handlers: [...document.querySelectorAll('*')].flatMap((e) =>
      [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => e.tagName + ' ' + a.name)),
    links: [...body.querySelectorAll('a')].map((a) => a.getAttribute('href')),
    pre: [...body.querySelectorAll('pre')].map((p) => p.innerText),
  };
})()`;

/** Open `html` in a new tab and read what it shows. */
async function probe(browser: PreviewBrowser, html: string): Promise<Probe> {
  const page = await browser.newPage();
  try {
    await show(page, html);
    return await page.evaluate<Probe>(PROBE);
  } finally {
    await page.close();
  }
}

async function render(browser: PreviewBrowser, markdown: string): Promise<Probe> {
  return probe(browser, commentPage(markdown));
}

/** Markdown and HTML syntax that must never be seen as text. */
const LEAKS: [string, RegExp][] = [
  ['a table rule', /\|\s*:?-{3,}/],
  ['bold markers', /\*\*/],
  ['a details tag', /<\/?details/i],
  ['a summary tag', /<\/?summary/i],
  ['a code fence', /```/],
  ['a heading marker', /(^|\n)\s*#{1,6} /],
  ['an HTML entity', /&(#\d+|#x[0-9a-f]+|[a-z]+);/i],
  ['the marker', /applygate:v2/],
  ['an HTML comment', /<!--|-->/],
];

function expectNoLeaks(text: string) {
  for (const [what, re] of LEAKS) {
    expect({ what, found: re.exec(text)?.[0] ?? null }).toEqual({ what, found: null });
  }
}

function expectSafe(p: Probe) {
  expect(p.pwned).toBeUndefined();
  expect(p.forbidden).toEqual([]);
  expect(p.handlers).toEqual([]);
  expect(p.links).toEqual([]);
  // Mentions only inside code, where GitHub does not link them.
  expect(p.prose).not.toMatch(/@[A-Za-z0-9]/);
}

function expectCollapsed(p: Probe) {
  for (const d of p.details) {
    expect(d).toMatchObject({ open: false, bodyVisible: false });
  }
  for (const t of p.tables.filter((x) => x.inDetails)) expect(t.visible).toBe(false);
  for (const t of p.tables.filter((x) => !x.inDetails)) expect(t.visible).toBe(true);
}

function badgeOf(report: Report): string {
  return (
    `${LEVEL_EMOJI[report.level]} ${report.level.toUpperCase()} · risk score ${report.score}/100` +
    (report.requiresApproval ? ' · approval required' : '')
  );
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function nonNullCount(v: Json): number {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.values(v).filter((x) => x !== null).length
    : 0;
}

describe('the sanitizer (GitHub allow-list)', () => {
  test('drops scripts, event handlers, styles and script URLs from raw HTML in markdown', () => {
    const html = markdownToHtml(
      [
        '<script>window.__pwned = 1</script>',
        '<img src="x" onerror="window.__pwned = 1"> <a href="javascript:alert(1)">x</a>',
        '<style>body { display: none }</style><iframe src="https://example.com"></iframe>',
        '<p style="color: red" onclick="x()">p</p>',
        '<input type="text" value="x">',
      ].join('\n\n'),
    );
    expect(html).not.toMatch(/script|onerror|onclick|style|iframe|javascript|<input/i);
    expect(html).toContain('<img src="x" />');
    expect(html).toContain('<a>x</a>');
    expect(html).toContain('<p>p</p>');
  });

  test('keeps what GitHub keeps: details, tables with alignment, task lists, links', () => {
    const html = markdownToHtml(
      [
        '<details><summary>s</summary>',
        '',
        '| a | b |',
        '|---|--:|',
        '| 1 | 2 |',
        '',
        '</details>',
        '',
        '- [x] done',
        '- [ ] open',
        '',
        'see https://example.com',
      ].join('\n'),
    );
    expect(html).toContain('<details><summary>s</summary>');
    expect(html).toContain('<th align="right">b</th>');
    expect(html).toContain(
      '<li class="task-list-item"><input type="checkbox" class="task-list-item-checkbox" disabled checked />',
    );
    expect(html).toContain('<a href="https://example.com">https://example.com</a>');
  });
});

const missing = chromiumMissing();
if (missing) {
  console.warn(`test/previews: skipping the browser tests: ${missing}`);
}
const describeBrowser = missing ? describe.skip : describe;

describeBrowser(`in Debian's Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let browser: PreviewBrowser;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('the probe sees a script that runs (control)', async () => {
    const p = await probe(
      browser,
      `<!doctype html><div id="preview"><div class="markdown-body"><img src="x" onerror="window.__pwned = 'control'"></div></div>`,
    );
    expect(p.pwned).toBe('control');
    expect(p.handlers).toEqual(['IMG onerror']);
  });

  test('the checks catch a comment that an unescaped plan broke (control)', async () => {
    const address = '</details><details open><summary>x</summary> @octocat **y**';
    const p = await render(
      browser,
      [
        '| Address | Action |',
        '|---|---|---|',
        `| ${address} | delete |`,
        '',
        `<details><summary>${address}</summary>`,
        '',
        'z',
        '',
        '</details>',
      ].join('\n'),
    );
    expect(p.tables).toEqual([]);
    expect(() => expectNoLeaks(p.text)).toThrow();
    expect(p.details.some((d) => d.open)).toBe(true);
    expect(() => expectSafe(p)).toThrow();
  });

  test('the incident plan: badge, verdict and risk factors above the table, collapsed details', async () => {
    const report = reportOf(incidentDestroyPlan());
    const project = report.projects[0]!;
    const { destructive, other } = orderedChanges(project.plan);
    const changes = [...destructive, ...other];
    const p = await render(browser, summaryMarkdown(report));

    expect(report.level).toBe('critical');
    expect(p.badge).toBe(badgeOf(report));
    expect(p.verdict.replace(ZWSP, '')).toBe(
      'Destroys the RDS database aws_db_instance.main with no backup left, and 15 other resources: all 16 in state.',
    );
    expect(p.headings).toEqual(['H3 applygate: default', 'H4 Approval required', 'H4 Changes']);

    // What a reader sees without opening anything, top to bottom: title, badge, verdict, the
    // risk factors (backups-lost first), counts, the destroy table, the approval block.
    const tags = p.blocks.map((b) => b.tag);
    const factors = tags.indexOf('UL');
    const table = tags.lastIndexOf('TABLE');
    expect(tags.slice(0, factors + 1)).toEqual(['H3', 'P', 'P', 'UL']);
    expect(p.blocks[factors]!.text.split('\n').map((l) => l.split(':')[0])).toEqual([
      '🔴 Backups lost (backups-lost)',
      '🔴 Mass destroy (mass-destroy)',
      '🔴 Stateful resource destroyed (stateful-destroy)',
    ]);
    expect(factors).toBeLessThan(table);
    expect(tags.indexOf('H4')).toBeGreaterThan(table);
    expect(p.blocks[tags.indexOf('H4')]!.text).toBe('Approval required');

    // Counts, destroys (one column naming the rules; the shared action said once above it),
    // then the collapsed score table and one attribute table per resource, inside details.
    const [counts, destroys, score, ...attributes] = p.tables;
    expect(counts).toEqual({
      rows: 2,
      header: ['Create', 'Update', 'Replace', 'Delete'],
      inDetails: false,
      visible: true,
    });
    expect(destroys).toMatchObject({
      rows: 1 + destructive.length,
      header: ['Address', 'Flagged by'],
      inDetails: false,
    });
    expect(score).toMatchObject({
      header: ['Rule', 'Severity', 'Findings', 'Points'],
      inDetails: true,
    });
    expect(destructive.length).toBe(16);
    expect(attributes.map((t) => t.rows)).toEqual(changes.map((c) => 1 + nonNullCount(c.before)));
    expect(new Set(attributes.map((t) => t.header.join(' | ')))).toEqual(
      new Set(['Attribute | Value before']),
    );

    // Outside the collapsed details every address is listed once: its row in the table. The
    // only other places that name a resource are the sentences about it above the table (the
    // verdict, and one risk factor each): 14 of the 16 appear exactly once, the database three
    // times (verdict, backups-lost, its row) and the bucket twice (stateful-destroy, its row).
    const visible = p.blocks.map((b) => b.text.replace(ZWSP, '')).join('\n');
    const tableText = p.blocks[table]!.text.replace(ZWSP, '');
    const why = p.blocks
      .slice(0, factors + 1)
      .map((b) => b.text.replace(ZWSP, ''))
      .join('\n');
    const times = (text: string, address: string) =>
      text.split(address).length -
      1 -
      (text.match(new RegExp(`${escapeRe(address)}[\\w.[]`, 'g'))?.length ?? 0);
    const seen = Object.fromEntries(changes.map((c) => [c.address, times(visible, c.address)]));
    expect(seen).toEqual({
      ...Object.fromEntries(changes.map((c) => [c.address, 1])),
      'aws_db_instance.main': 3,
      'aws_s3_bucket.uploads': 2,
    });
    for (const c of changes) {
      expect([c.address, times(tableText, c.address)]).toEqual([c.address, 1]);
      expect([c.address, times(visible, c.address)]).toEqual([
        c.address,
        1 + times(why, c.address),
      ]);
    }
    // And no sentence about a generic destroy is left above the table.
    expect(why).not.toMatch(/is destroyed/);

    expect(p.details.map((d) => d.summary.replace(ZWSP, ''))).toEqual([
      'How the score is computed',
      ...changes.map((c) => `${c.address} · delete · ${c.type}`),
    ]);
    expectCollapsed(p);

    expect(p.pre.map((s) => s.trim())).toEqual(['/approve-destroy']);
    expectNoLeaks(p.text);
    expectSafe(p);
  });

  test('a plan of hostile addresses and values: shown as text, nothing runs or breaks out', async () => {
    const report = reportOf(hostilePlan());
    const p = await render(browser, summaryMarkdown(report));

    expect(p.badge).toBe(badgeOf(report));
    expect(p.headings.map((h) => h.split(' ')[0])).toEqual(['H3', 'H4', 'H4']);
    expect(p.tables.map((t) => [t.rows, t.inDetails])).toEqual([
      [2, false], // counts
      [3, false], // the delete and the replace
      [5, true], // how the score is computed: four rules
      [4, true], // aws_db_instance: identifier, engine, skip_final_snapshot
      [2, true], // aws_instance (replace): ami changed
      [2, true], // aws_s3_bucket: bucket
      [2, true], // aws_iam_role: policy changed
    ]);
    expect(p.details).toHaveLength(HOSTILE_CHANGES.length + 2);
    expect(p.details.map((d) => d.summary.replace(ZWSP, ''))).toEqual([
      '1 more risk factor (medium and low)',
      'How the score is computed',
      `aws_db_instance.db["${KEY}"] · delete · aws_db_instance`,
      'module.`x|y`.aws_instance.web · replace · aws_instance',
      `aws_s3_bucket.b["${KEY}"] · create · aws_s3_bucket`,
      'aws_iam_role.r · update · aws_iam_role',
    ]);
    expectCollapsed(p);
    expectSafe(p);

    // Every hostile string is on the page, literally (zero-width spaces aside)...
    const text = p.text.replace(ZWSP, '');
    const literals = [
      `aws_db_instance.db["${KEY}"]`,
      `aws_s3_bucket.b["${KEY}"]`,
      'module.`x|y`.aws_instance.web',
      JSON.stringify(PAYLOAD),
    ];
    for (const s of literals) expect(text).toContain(s);
    // ...and once they are taken out, no markdown or HTML syntax is left in the text.
    expectNoLeaks(literals.reduce((t, s) => t.split(s).join(' '), text));
  });

  test('the approval check page (the check run text the app writes): table, no raw markdown', async () => {
    const check = approvalCheck();
    const p = await probe(browser, checkRunPage(check));
    expect(check.conclusion).toBe('success');
    expect(p.tables).toEqual([
      {
        rows: 2,
        header: ['Project', 'Plan digest', 'Risk', 'Destroys and replaces', 'Approvals'],
        inDetails: false,
        visible: true,
      },
    ]);
    expect(p.text).toContain('@alice');
    expectNoLeaks(p.text);
    expectSafe(p);
  });
});
