import type { ProjectDecision } from '../core/approval/decide.js';
import { CUT_RULE } from '../core/marker.js';
import { shortDigest } from '../core/plan/model.js';
import { plural, ruleTitle } from '../core/render/common.js';
import { addressCode, codeSpan } from '../core/render/index.js';
import type { RuleId } from '../core/risk/types.js';

// The bound truth (Gate v3): what an approval covers, as the app shows it in its check run, its
// pending notice and its reply to an approval. The summary's visible text is written by an
// identity every workflow shares and can be rewritten; these lists come from the marker, whose
// lists hash to the destroySet and riskSet that `verify` binds (listsProblem), so what the app
// shows is what the apply job will be held to. Everything in them is plan text: escaped.

/**
 * What decide() keeps of a project's marker: `KIND ADDRESS` lines of every delete, replace and
 * forget, `RULE ADDRESS` (or `RULE`) lines of every high or critical finding, and the exact
 * lengths of the lists the marker had to cut.
 */
type BoundLists = ProjectDecision['bound'];

interface Destroy {
  kind: string;
  address: string;
  /** Titles of the high and critical findings at this address. */
  factors: string[];
}

interface Parsed {
  destroys: Destroy[];
  /** High and critical findings not at a destroyed address (or plan-wide), as shown. */
  others: string[];
  /** How many lines of each list the marker left out. */
  destroysLeft: number;
  risksLeft: number;
}

/** `HEAD REST` split at the first space (addresses may hold spaces, rule ids and kinds do not). */
function split(line: string): [string, string | undefined] {
  const i = line.indexOf(' ');
  return i < 0 ? [line, undefined] : [line.slice(0, i), line.slice(i + 1)];
}

/** A rule's title when it is one of ours; otherwise the id from the marker, escaped. */
function factorName(rule: string): string {
  const title = ruleTitle(rule as RuleId);
  return title === rule ? codeSpan(rule) : title.toLowerCase();
}

function parse(b: BoundLists): Parsed {
  const destroys = [...new Set(b.destroys)].map((line): Destroy => {
    const [kind, address] = split(line);
    return { kind, address: address ?? '', factors: [] };
  });
  const at = new Map(destroys.map((d) => [d.address, d]));
  const others: string[] = [];
  for (const line of new Set(b.risks)) {
    const [rule, address] = split(line);
    const d = address === undefined ? undefined : at.get(address);
    if (d) d.factors.push(factorName(rule));
    else
      others.push(
        address === undefined
          ? `${factorName(rule)} (the whole plan)`
          : `${factorName(rule)}: ${addressCode(address)}`,
      );
  }
  return {
    destroys,
    others,
    destroysLeft: Math.max(0, (b.cut?.destroys ?? 0) - destroys.length),
    risksLeft: Math.max(0, (b.cut?.risks ?? 0) - b.risks.length),
  };
}

function destroyItem(d: Destroy): string {
  return `${d.kind} ${addressCode(d.address)}${d.factors.length ? `: ${d.factors.join(', ')}` : ''}`;
}

function more(n: number, what: string): string {
  return `…and ${plural(n, `more ${what}`)}, not listed: ${CUT_RULE}.`;
}

/**
 * The markdown lines saying what approving `p` covers: every destroyed, replaced or forgotten
 * address with its high and critical findings, then the high and critical findings elsewhere,
 * each list followed by the count the marker left out, if any.
 */
export function boundMarkdown(p: Pick<ProjectDecision, 'name' | 'digest' | 'bound'>): string[] {
  const { destroys, others, destroysLeft, risksLeft } = parse(p.bound);
  const out = [
    `**Plan ${codeSpan(shortDigest(p.digest))} of project ${codeSpan(p.name)}:** ${plural(destroys.length + destroysLeft, 'resource')} destroyed, replaced or forgotten.`,
  ];
  if (destroys.length + destroysLeft > 0) {
    out.push('', ...destroys.map((d) => `- ${destroyItem(d)}`));
    if (destroysLeft > 0) out.push(`- ${more(destroysLeft, 'resource')}`);
  }
  if (others.length + risksLeft > 0) {
    out.push('', 'High and critical findings elsewhere:', '', ...others.map((o) => `- ${o}`));
    if (risksLeft > 0) out.push(`- ${more(risksLeft, 'finding')}`);
  }
  return out;
}

/**
 * One phrase for what the plan does, for the reply's first line: "destroys `a` (backups lost)
 * and 15 more". The destroy named is the one with the most high or critical findings.
 */
export function boundPhrase(p: Pick<ProjectDecision, 'bound'>): string {
  const { destroys, others, destroysLeft, risksLeft } = parse(p.bound);
  const total = destroys.length + destroysLeft;
  if (total > 0) {
    const first = destroys.reduce<Destroy | undefined>(
      (best, d) => (!best || d.factors.length > best.factors.length ? d : best),
      undefined,
    );
    if (!first) return `destroys ${plural(total, 'resource')}`;
    const named = `${first.kind === 'delete' ? 'destroys' : `${first.kind}s`} ${addressCode(first.address)}${first.factors.length ? ` (${first.factors.join(', ')})` : ''}`;
    return total > 1 ? `${named} and ${total - 1} more` : named;
  }
  const findings = others.length + risksLeft;
  return findings > 0
    ? `destroys nothing; ${plural(findings, 'high or critical finding')}`
    : 'destroys nothing, with no high or critical finding';
}

/** The sentence every text with these lists carries: what an approval covers. */
export const COVERS =
  "An approval covers what applygate's check shows: the destroys and findings below, read from the summary's marker and bound to the plan (the apply job's `verify` holds the plan to them), not the summary comment's text, which any workflow can rewrite.";

/** The lists of every project that needs approval, under the sentence saying what they are. */
export function coversMarkdown(
  projects: readonly Pick<ProjectDecision, 'name' | 'digest' | 'bound' | 'requiresApproval'>[],
): string[] {
  const shown = projects.filter((p) => p.requiresApproval);
  if (shown.length === 0) return [];
  return [
    '**What an approval covers**',
    '',
    COVERS,
    '',
    ...shown.flatMap((p) => [...boundMarkdown(p), '']),
  ];
}

/**
 * The reply to an approval that counted: who approved which plan of which project and what it
 * does, then the full lists. Mentions only the approver (the author of the command).
 */
export function approvedReply(
  login: string,
  projects: readonly Pick<ProjectDecision, 'name' | 'digest' | 'bound' | 'requiresApproval'>[],
): string[] {
  const lead = projects
    .map(
      (p) =>
        `plan ${codeSpan(shortDigest(p.digest))} of project ${codeSpan(p.name)}: ${boundPhrase(p)}`,
    )
    .join('; ');
  return [
    `@${login} approved ${lead}.`,
    '',
    ...coversMarkdown(projects.map((p) => ({ ...p, requiresApproval: true }))),
  ];
}
