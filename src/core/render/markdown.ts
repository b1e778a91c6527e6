import { actionReasonWords } from '../action-reason.js';
import { canonicalJson } from '../plan/digest.js';
import {
  REDACTED,
  UNKNOWN,
  shortDigest,
  type ChangeKind,
  type Json,
  type ResourceChange,
} from '../plan/model.js';
import { orderedChanges, type ProjectReport, type Report } from '../report.js';
import type { Finding, FindingId } from '../risk/types.js';
import { POINTS_TEXT, scoreArithmetic } from './arithmetic.js';
import {
  LEVEL_EMOJI,
  approvalCommand,
  countedKinds,
  destroyAction,
  plural,
  reasonText,
  ruleTitle,
  shortReason,
} from './common.js';
import { DEFAULT_POLICY, describeApprovers, type ApprovalPolicy } from '../approval/policy.js';
import { policyFindingId } from '../policies/index.js';
import { policyFor } from '../approval/scope.js';
import { factorLayout, type Flags } from './factors.js';
import { verdict } from './verdict.js';
import { LEDGER_CHECK_NAME } from '../ledger.js';
import { encodeMarker, markerFor } from '../marker.js';
import { codeBlock, codeSpan, defang, escapeHtml, escapeInline, truncate } from './escape.js';
import { hygieneMarkdown } from './hygiene.js';
import type { HygieneFinding } from '../risk/hygiene.js';
import { asObject } from '../json.js';

// The PR comment body (and job summary): a Report as GitHub-flavoured markdown that always fits
// the size limit and ends with exactly one marker line.
//
// Top to bottom, the why before the what: the badge (level, score, whether approval is needed);
// one verdict sentence; the high and critical risk factors, each once; the counts and the
// destroy/replace table, every address once, with the rules that flag it (the generic
// `destroy`/`replace` findings live there, not in a second list); the approval block; then what
// a reviewer opens only when they want it, collapsed: other risk factors, the hygiene list
// ("before this bites"), how the score is computed, the details of each change; the digest.
//
// Several projects in one body: each project gets its own section in that order and the body
// ends with ONE marker (markerFor) listing every project with its own digest.
//
// Budget: every list item is rendered once; the body is assembled from four counts (details
// shown, other risk factors shown, risk factors shown per rule, destroys shown). If the whole
// does not fit, the largest count that fits is found by binary search, one list at a time in
// that order, each search starting from a count (0) that is checked to fit.

export const GITHUB_COMMENT_MAX_CHARS = 65_536;
export const DEFAULT_FULL_SUMMARY_HINT =
  'the job summary and the summary JSON (`summary-json` output)';
/** Longest address shown; longer ones are cut with `…` (the marker and JSON keep them whole). */
export const ADDRESS_MAX = 500;
/** Longest attribute value shown (JSON-encoded). */
export const VALUE_MAX = 200;
const MESSAGE_MAX = 1_000;
const NAME_MAX = 100;
const ATTRS_MAX = 50;
const APPROVERS_MAX = 50;
const TITLE_PROJECTS_MAX = 10;

export interface MarkdownOptions {
  /** Recorded in the marker. */
  marker?: { headSha?: string; runId?: number };
  /** Where the full summary is, in trusted markdown written by the adapter. */
  fullSummaryHint?: string;
  /** Upper bound on the body's length in UTF-16 units, marker included. Default 65,536. */
  maxChars?: number;
  /**
   * The base branch's approval policy (approval.ts `approvalPolicy(config)`), passed whole: the
   * command to type and who may approve, said as the app's check and replies say it. Default:
   * the default config's.
   */
  policy?: ApprovalPolicy;
  /**
   * Show the details of at most this many changes: the Action's job summary of a plan read as a
   * stream, which keeps whole values for the first MARKDOWN_FULL_DETAILS changes only.
   */
  maxDetails?: number;
}

/** The body for one project: what the Action posts as that project's sticky comment. */
export function renderProjectMarkdown(project: ProjectReport, opts: MarkdownOptions = {}): string {
  const report: Report = {
    level: project.assessment.level,
    score: project.assessment.score,
    requiresApproval: project.assessment.requiresApproval,
    projects: [project],
  };
  return renderMarkdown(report, opts);
}

interface Budget {
  hygiene: number;
  destroys: number;
  /** Risk factors stated above the table, per rule. */
  findingsPerRule: number;
  /** Collapsed "Other risk factors" items. */
  other: number;
  details: number;
}

const NO_RISK = 'No risk factors.';

/** How far each count may be cut. */
const LEAST: Readonly<Budget> = {
  hygiene: 0,
  details: 0,
  other: 0,
  findingsPerRule: 1,
  destroys: 0,
};

interface FactorLine {
  id: FindingId;
  line: string;
}

interface ProjectParts {
  /** Heading and badge (several projects only). */
  head: string;
  /** The verdict sentence, as a bold paragraph. */
  verdict: string;
  /** High and critical risk factors (or the plan's own level), strongest first. */
  factors: FactorLine[];
  counts: string;
  destroyTotal: number;
  /** The action every destroy shares (stated once above the table), or undefined. */
  sharedAction: string | undefined;
  destroyRows: string[];
  approval: string;
  hygiene: readonly HygieneFinding[];
  /** Medium and low factors that are not folded into the destroy table. */
  other: string[];
  /** The collapsed "How the score is computed" (empty without findings). */
  score: string;
  details: string[];
  digest: string;
}

export function renderMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  const max = opts.maxChars ?? GITHUB_COMMENT_MAX_CHARS;
  const hint = trustedLine(opts.fullSummaryHint ?? DEFAULT_FULL_SUMMARY_HINT);
  const multi = report.projects.length > 1;
  const parts = report.projects.map((p) => projectParts(p, opts, multi));
  const title = titleLines(report);
  const marker = encodeMarker(markerFor(report, opts.marker));

  // Top to bottom: why (verdict, risk factors), what (counts, destroys), who (approval), then
  // everything a reviewer opens only when they want it (collapsed), and the digest.
  const assemble = (b: Budget): string => {
    const out: string[] = [...title];
    let destroysLeft = b.destroys;
    let detailsLeft = b.details;
    let hygieneLeft = b.hygiene;
    let otherLeft = b.other;
    for (const p of parts) {
      const shownDestroys = Math.min(destroysLeft, p.destroyRows.length);
      destroysLeft -= shownDestroys;
      const shownDetails = Math.min(detailsLeft, p.details.length);
      detailsLeft -= shownDetails;
      const shownOther = Math.min(otherLeft, p.other.length);
      otherLeft -= shownOther;
      if (p.head) out.push(p.head);
      out.push(p.verdict);
      if (p.factors.length > 0) out.push(factorList(p.factors, b.findingsPerRule));
      else if (p.score === '') out.push(NO_RISK);
      out.push(p.counts);
      out.push(destroySection(p, shownDestroys, hint));
      if (p.approval) out.push(p.approval);
      if (p.other.length > 0) out.push(otherSection(p.other, shownOther));
      if (p.hygiene.length > 0) {
        const shownHygiene = Math.min(hygieneLeft, p.hygiene.length);
        hygieneLeft -= shownHygiene;
        out.push(hygieneMarkdown(p.hygiene, shownHygiene, hint));
      }
      if (p.score) out.push(p.score);
      if (p.details.length > 0) out.push(detailsSection(p.details, shownDetails, hint));
      out.push(p.digest);
    }
    out.push(marker);
    return out.join('\n\n');
  };

  const full: Budget = {
    hygiene: sum(parts.map((p) => p.hygiene.length)),
    destroys: sum(parts.map((p) => p.destroyRows.length)),
    findingsPerRule: Math.max(0, ...parts.flatMap((p) => perRule(p.factors))),
    other: sum(parts.map((p) => p.other.length)),
    details: Math.min(sum(parts.map((p) => p.details.length)), opts.maxDetails ?? Infinity),
  };
  const fits = (b: Budget) => assemble(b).length <= max;
  if (fits(full)) return assemble(full);

  // Cut in order: what is collapsed (the hygiene list, 0 points; details; the other risk
  // factors), then the factors
  // listed per rule down to the first of each rule (every rule that fired is still stated once),
  // then the destroys themselves.
  let b: Budget = full;
  for (const key of ['hygiene', 'details', 'other', 'findingsPerRule', 'destroys'] as const) {
    const least = { ...b, [key]: Math.min(LEAST[key], full[key]) };
    if (fits(least)) {
      const n = largestFitting(least[key], full[key], (k) => fits({ ...b, [key]: k }));
      return assemble({ ...b, [key]: n });
    }
    b = least;
  }

  // Even the parts that always stay are too long (many projects, or a tiny maxChars).
  const minimal = [
    ...title,
    `The summary is too long for one comment: it is in ${hint}.`,
    marker,
  ].join('\n\n');
  if (minimal.length <= max) return minimal;
  throw new RangeError(
    `maxChars ${max} is too small for the summary's marker and title (${minimal.length} characters)`,
  );
}

/** How many factors each rule has in a list (the rules' lines are contiguous). */
function perRule(factors: readonly FactorLine[]): number[] {
  const n = new Map<FindingId, number>();
  for (const f of factors) n.set(f.id, (n.get(f.id) ?? 0) + 1);
  return [...n.values()];
}

/** Largest k in [lo, hi] with fits(k), given fits(lo); binary search, so at most log2 steps. */
function largestFitting(lo: number, hi: number, fits: (k: number) => boolean): number {
  if (fits(hi)) return hi;
  // Invariant: fits(lo) and !fits(hi); the gap halves on every step.
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

function sum(xs: number[]): number {
  return xs.reduce((a, x) => a + x, 0);
}

/** Adapter-written markdown on one line, with our marker and HTML comments defanged. */
function trustedLine(s: string): string {
  return defang(s.replace(/[\r\n]+/g, ' '));
}

function badge(level: ProjectReport['assessment']['level'], score: number, approval: boolean) {
  return (
    `${LEVEL_EMOJI[level]} **${level.toUpperCase()}** · risk score **${score}/100**` +
    (approval ? ' · **approval required**' : '')
  );
}

function titleLines(report: Report): string[] {
  const names = report.projects.map((p) => escapeInline(truncate(p.name, NAME_MAX)));
  const shown = names.slice(0, TITLE_PROJECTS_MAX);
  const more = names.length - shown.length;
  const list =
    names.length === 0 ? 'no plans' : shown.join(', ') + (more > 0 ? `, and ${more} more` : '');
  return [`### applygate: ${list}`, badge(report.level, report.score, report.requiresApproval)];
}

function projectParts(p: ProjectReport, opts: MarkdownOptions, multi: boolean): ProjectParts {
  const ordered = orderedChanges(p.plan);
  const destroys = ordered.destructive;
  const short = shortDigest(p.plan.digest);
  const layout = factorLayout(p.assessment.findings, p.assessment.level);
  // When every destroy has the same action and reason (a `terraform destroy`, a removed module),
  // a column repeating it on every row tells nothing: it is said once, above the table.
  const actions = new Set(destroys.map(actionCell));
  const sharedAction = destroys.length > 1 && actions.size === 1 ? [...actions][0] : undefined;
  const head = multi
    ? [
        `#### Project ${codeSpan(truncate(p.name, NAME_MAX))}`,
        badge(p.assessment.level, p.assessment.score, p.assessment.requiresApproval),
      ].join('\n\n')
    : '';
  return {
    head,
    verdict: `**${verdict(p, layout.top)
      .map((v) => (typeof v === 'string' ? escapeInline(v) : addressCode(v.address)))
      .join('')}**`,
    factors: layout.top.map((f) => ({ id: f.id, line: factorLine(f) })),
    counts: countsTable(p),
    destroyTotal: destroys.length,
    sharedAction,
    destroyRows: destroys.map(
      (c) =>
        `| ${addressCode(c.address, true)} |` +
        (sharedAction === undefined ? ` ${actionCell(c)} |` : '') +
        ` ${flagsCell(layout.flags.get(c.address))} |`,
    ),
    approval: p.assessment.requiresApproval ? approvalSection(p, opts, multi, short) : '',
    hygiene: p.assessment.hygiene,
    other: layout.other.map(factorLine),
    score: p.assessment.findings.length > 0 ? scoreSection(p) : '',
    details: [...ordered.destructive, ...ordered.other].map(detailsBlock),
    digest: `Plan digest: ${codeSpan(short)} (${escapeInline(truncate(p.file, NAME_MAX))})`,
  };
}

/** `- 🔴 **Backups lost** (`backups-lost`): the rule's sentence` */
function factorLine(f: Finding): string {
  return (
    `- ${LEVEL_EMOJI[f.severity]} **${escapeInline(ruleTitle(f.id))}** (${codeSpan(f.id)}): ` +
    escapeInline(truncate(f.message, MESSAGE_MAX))
  );
}

function factorList(factors: readonly FactorLine[], perRule: number): string {
  const lines: string[] = [];
  let i = 0;
  while (i < factors.length) {
    const id = factors[i]!.id;
    let j = i;
    while (j < factors.length && factors[j]!.id === id) j++;
    const shown = Math.min(perRule, j - i);
    lines.push(...factors.slice(i, i + shown).map((f) => f.line));
    const left = j - i - shown;
    if (left > 0) {
      lines.push(`- …and ${left} more ${codeSpan(id)} ${left === 1 ? 'finding' : 'findings'}`);
    }
    i = j;
  }
  return lines.join('\n');
}

function otherSection(lines: readonly string[], shown: number): string {
  const left = lines.length - shown;
  return [
    `<details><summary>${plural(lines.length, 'more risk factor')} (medium and low)</summary>`,
    '',
    ...lines.slice(0, shown),
    ...(left > 0 ? [`- …and ${left} more, left out to fit GitHub's size limit`] : []),
    '',
    '</details>',
  ].join('\n');
}

function scoreSection(p: ProjectReport): string {
  const a = scoreArithmetic(p.assessment.findings, p.assessment.level);
  const rows = a.terms.map(
    (t) =>
      `| ${escapeInline(t.title)} (${codeSpan(t.id, { table: true })}) | ${t.severity} | ` +
      `${t.findings.length} | +${t.points} |`,
  );
  const cap = a.sum > a.ceiling ? `, capped at **${a.ceiling}**` : '';
  return [
    '<details><summary>How the score is computed</summary>',
    '',
    `The level is the most severe finding's: **${a.level}**, scores ${a.floor}–${a.ceiling}. ` +
      `The score starts at ${a.floor} and every finding adds points (${POINTS_TEXT}), ` +
      `up to ${a.ceiling}.`,
    '',
    '| Rule | Severity | Findings | Points |',
    '|---|---|---:|---:|',
    ...rows,
    '',
    `${a.floor} + ${a.terms.map((t) => t.points).join(' + ')} = ${a.sum}${cap}: ` +
      `risk score **${a.score}/100**.`,
    '',
    '</details>',
  ].join('\n');
}

const KIND_LABEL: Readonly<Record<ChangeKind, string>> = {
  create: 'Create',
  update: 'Update',
  replace: 'Replace',
  delete: 'Delete',
  read: 'Read',
  'no-op': 'No-op',
  forget: 'Forget',
  import: 'Import',
  move: 'Move',
};

function countsTable(p: ProjectReport): string {
  const kinds = countedKinds(p.counts);
  return [
    `| ${kinds.map((k) => KIND_LABEL[k]).join(' | ')} |`,
    `|${kinds.map(() => '---:').join('|')}|`,
    `| ${kinds.map((k) => String(p.counts[k])).join(' | ')} |`,
  ].join('\n');
}

/** `delete · no resource config`: the action, and Terraform's reason when it gives one. */
function actionCell(c: ResourceChange): string {
  const reason = shortReason(c);
  return destroyAction(c) + (reason ? ` · ${escapeInline(reason)}` : '');
}

/** The rules that flag a row, strongest first, marked when one of them is high or critical. */
function flagsCell(f: Flags | undefined): string {
  if (!f) return '';
  const mark =
    f.severity === 'critical' || f.severity === 'high' ? `${LEVEL_EMOJI[f.severity]} ` : '';
  // Rule ids are ours (RULE_IDS), never text from the plan.
  return mark + f.rules.join(', ');
}

/** How an address is shown in markdown: cut to ADDRESS_MAX, as an inline code span. */
export function addressCode(address: string, table = false): string {
  return codeSpan(truncate(address, ADDRESS_MAX), { table });
}

function destroySection(p: ProjectParts, shown: number, hint: string): string {
  const lines = [`**${p.destroyTotal} to destroy or replace**`];
  if (p.sharedAction !== undefined)
    lines.push(`Action for all ${p.destroyTotal}: ${p.sharedAction}.`);
  if (shown > 0) {
    lines.push('');
    lines.push(
      p.sharedAction === undefined
        ? '| Address | Action | Flagged by |\n|---|---|---|'
        : '| Address | Flagged by |\n|---|---|',
    );
    lines.push(...p.destroyRows.slice(0, shown));
  }
  const left = p.destroyTotal - shown;
  if (left > 0) {
    lines.push('');
    lines.push(`…and ${left} more destroys/replaces not shown: the full list is in ${hint}.`);
  }
  return lines.join('\n');
}

function approvalSection(
  p: ProjectReport,
  opts: MarkdownOptions,
  multi: boolean,
  short: string,
): string {
  const all = opts.policy ?? DEFAULT_POLICY;
  // Under `projects:`, this project's own policy, and only the owners of its own paths.
  const policy = policyFor(all, p.name);
  const paths = all.projects.find((q) => q.name === p.name)?.paths;
  const command = approvalCommand(p, { ...policy, withProject: multi }, short);
  const quote = (t: string) => codeSpan(truncate(t, NAME_MAX));
  const who =
    describeApprovers(policy, { quote, maxNames: APPROVERS_MAX }) +
    (paths && policy.codeowners
      ? `; code owners count only for this project's paths (${paths.slice(0, APPROVERS_MAX).map(quote).join(', ')})`
      : '');
  return [
    '#### Approval required',
    '',
    'This plan must be approved before it is applied, because:',
    '',
    ...p.assessment.approvalReasons.map((r) => `- ${escapeInline(reasonText(r))}`),
    '',
    `To approve, comment with this as the first line${policy.confirmDigest ? ' (the digest binds your approval to this exact plan)' : ''}:`,
    '',
    codeBlock(command),
    '',
    `Who can approve: ${who}.`,
    ...policyOwnersNeeded(p, policy).map(
      (q) =>
        `\nAlso needed: one approval from ${q.owners.map((o) => codeSpan(truncate(`@${o}`, NAME_MAX))).join(', ')} (owners of the policy ${codeSpan(q.id)}).`,
    ),
    '',
    APPROVAL_COVERS,
  ].join('\n');
}

/**
 * What the summary says an approval covers: this comment can be rewritten by any workflow (it
 * is written as the identity they share), so the app's check run shows the bound truth.
 */
export const APPROVAL_COVERS = `An approval covers what the check run ${codeSpan(LEDGER_CHECK_NAME)} shows: the destroys and high findings it lists from this comment's hidden marker, which the apply job's \`verify\` holds the plan to. Not this text: any workflow can rewrite it.`;

/** The config's policies with owners that fired in this project. */
function policyOwnersNeeded(p: ProjectReport, policy: ApprovalPolicy) {
  const fired = new Set(p.assessment.findings.map((f) => f.id));
  return policy.policies.filter((q) => fired.has(policyFindingId(q.id)));
}

function detailsSection(blocks: string[], shown: number, hint: string): string {
  const lines = ['#### Changes', '', ...blocks.slice(0, shown)];
  const left = blocks.length - shown;
  if (left > 0) {
    if (shown > 0) lines.push('');
    lines.push(
      `Details of ${plural(left, 'change')} ${left === 1 ? 'is' : 'are'} not shown, to keep this comment under GitHub's size limit: the full summary is in ${hint}.`,
    );
  }
  return lines.join('\n');
}

function detailsBlock(c: ResourceChange): string {
  const title =
    `<code>${escapeHtml(truncate(c.address, ADDRESS_MAX))}</code> · ` +
    `${KIND_LABEL[c.kind].toLowerCase()}${c.deposed ? ' (deposed object)' : ''} · ` +
    escapeHtml(truncate(c.type, NAME_MAX));
  const notes: string[] = [];
  if (c.previousAddress) notes.push(`Previously ${addressCode(c.previousAddress)}.`);
  if (c.actionReason) notes.push(`Reason: ${escapeInline(actionReasonWords(c.actionReason))}.`);
  if (c.importing) notes.push('Imported into state by this plan.');
  if (c.kind === 'forget') notes.push('Removed from state; the object itself is not destroyed.');
  return [
    `<details><summary>${title}</summary>`,
    '',
    ...(notes.length > 0 ? [notes.join(' '), ''] : []),
    attributeTable(c),
    '',
    '</details>',
  ].join('\n');
}

function attributeTable(c: ResourceChange): string {
  const before = asObject(c.before);
  const after = asObject(c.after);
  let header: string;
  let rows: string[];
  if (c.kind === 'create' || (c.kind === 'read' && c.before === null)) {
    header = '| Attribute | Value |\n|---|---|';
    rows = Object.entries(after)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `| ${codeSpan(truncate(k, NAME_MAX), { table: true })} | ${value(v)} |`);
  } else if (c.kind === 'delete') {
    header = '| Attribute | Value before |\n|---|---|';
    rows = Object.entries(before)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `| ${codeSpan(truncate(k, NAME_MAX), { table: true })} | ${value(v)} |`);
  } else {
    header = '| Attribute | Before | After |\n|---|---|---|';
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    rows = keys
      .filter((k) => canonicalJson(own(before, k)) !== canonicalJson(own(after, k)))
      .map(
        (k) =>
          `| ${codeSpan(truncate(k, NAME_MAX), { table: true })} | ${value(own(before, k))} | ${value(own(after, k))} |`,
      );
  }
  if (rows.length === 0) return 'No attribute changes.';
  const shown = rows.slice(0, ATTRS_MAX);
  const left = rows.length - shown.length;
  return (
    [header, ...shown].join('\n') + (left > 0 ? `\n\n…and ${plural(left, 'more attribute')}.` : '')
  );
}

/** A value in a table cell: placeholders as words, anything else as JSON in code, cut short. */
function value(v: Json): string {
  if (v === REDACTED) return '_(sensitive value)_';
  if (v === UNKNOWN) return '_(known after apply)_';
  return codeSpan(truncate(JSON.stringify(v), VALUE_MAX), { table: true });
}

/**
 * The attribute `k` of `o`, or null: an own property only, so that an attribute the other side
 * has, named `toString` or `constructor`, is not read from Object.prototype (a function).
 */
function own(o: Record<string, Json>, k: string): Json {
  return Object.hasOwn(o, k) ? (o[k] ?? null) : null;
}
