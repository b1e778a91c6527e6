import { DEFAULT_POLICY, type ApprovalPolicy } from '../approval/policy.js';
import { shortDigest } from '../plan/model.js';
import type { ProjectReport, Report } from '../report.js';
import { POINTS } from '../risk/score.js';
import type { Finding, Level } from '../risk/types.js';
import { scoreArithmetic } from './arithmetic.js';
import {
  approvalCommand,
  countedKinds,
  destroyAction,
  destroysOf,
  reasonText,
  shortReason,
} from './common.js';
import { escapeTerminal } from './escape.js';
import { hygieneText } from './hygiene.js';
import { factorLayout } from './factors.js';
import { verdict } from './verdict.js';

// The terminal view (CLI `summarize --format text`, `check`). Colour only when asked; every
// string from the plan goes through escapeTerminal so no escape sequence reaches the terminal.

export interface TextOptions {
  /** ANSI colour and bold. The CLI decides (TTY, NO_COLOR, --color). */
  color: boolean;
  /** The base branch's approval policy, passed whole (the command to type). Default: the default config's. */
  policy?: ApprovalPolicy;
}

/** Each style with its own "off" code, so nesting colour inside bold keeps the bold. */
const SGR = {
  bold: ['\u001b[1m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
} as const;

const LEVEL_COLOR: Readonly<Record<Level, keyof typeof SGR>> = {
  none: 'green',
  low: 'green',
  medium: 'yellow',
  high: 'yellow',
  critical: 'red',
};

export function renderText(report: Report, opts: TextOptions): string {
  const paint = (style: keyof typeof SGR, s: string) =>
    opts.color ? `${SGR[style][0]}${s}${SGR[style][1]}` : s;
  const bold = (s: string) => paint('bold', s);
  const level = (l: Level, s = l.toUpperCase()) => paint(LEVEL_COLOR[l], s);
  const multi = report.projects.length > 1;

  // Short first (a person at a terminal, or an agent reading the guard's reason, may read only
  // the first lines): headline, verdict, risk factors; then what changes, the approval, and the
  // details, in the comment's order.
  const out: string[] = [
    bold(
      `applygate: ${level(report.level)} (risk score ${report.score}/100)` +
        (report.requiresApproval ? ', approval required' : ''),
    ),
  ];
  if (report.projects.length === 0) out.push('No plans.');

  for (const p of report.projects) {
    const layout = factorLayout(p.assessment.findings, p.assessment.level);
    if (multi) {
      out.push('');
      out.push(
        bold(`Project ${escapeTerminal(p.name)}: `) +
          `${level(p.assessment.level)} (${p.assessment.score}/100)`,
      );
    }
    out.push(
      verdict(p, layout.top)
        .map((v) => escapeTerminal(typeof v === 'string' ? v : v.address))
        .join(''),
    );
    if (layout.top.length > 0) {
      out.push('');
      out.push(bold('Risk factors'));
      for (const f of layout.top) out.push(factorLine(f, level));
    } else if (p.assessment.findings.length === 0) {
      out.push('No risk factors.');
    }

    out.push('');
    out.push(
      countedKinds(p.counts)
        .map((k) => `${k} ${p.counts[k]}`)
        .join(', '),
    );
    const destroys = destroysOf(p);
    out.push(bold(`${destroys.length} to destroy or replace`));
    const width = Math.max(0, ...destroys.map((c) => destroyAction(c).length));
    for (const c of destroys) {
      const flags = layout.flags.get(c.address);
      const reason = shortReason(c);
      out.push(
        `  ${paint('red', destroyAction(c).padEnd(width))}  ${escapeTerminal(c.address)}` +
          (reason ? ` (${escapeTerminal(reason)})` : '') +
          (flags ? `  [${level(flags.severity, flags.rules.join(', '))}]` : ''),
      );
    }

    if (p.assessment.requiresApproval) {
      out.push('');
      out.push(bold(paint('red', 'Approval required')));
      for (const r of p.assessment.approvalReasons) {
        out.push(`  - ${escapeTerminal(reasonText(r))}`);
      }
      const command = approvalCommand(
        p,
        { ...(opts.policy ?? DEFAULT_POLICY), withProject: multi },
        shortDigest(p.plan.digest),
      );
      out.push(`  To approve, comment on the pull request: ${escapeTerminal(command)}`);
    }

    if (layout.other.length > 0) {
      out.push('');
      out.push(bold('More risk factors (medium and low)'));
      for (const f of layout.other) out.push(factorLine(f, level));
    }
    out.push(...hygieneText(p.assessment.hygiene, bold));
    out.push('');
    if (p.assessment.findings.length > 0) out.push(scoreLine(p));
    out.push(`Plan digest: ${shortDigest(p.plan.digest)} (${escapeTerminal(p.file)})`);
  }
  return `${out.join('\n')}\n`;
}

function factorLine(f: Finding, level: (l: Level, s?: string) => string): string {
  return `  ${level(f.severity, f.severity)} ${f.id}: ${escapeTerminal(f.message)}`;
}

/** "How the score is computed: 75 (critical) + 8 mass-destroy + ... = 149, capped at 100." */
function scoreLine(p: ProjectReport): string {
  const a = scoreArithmetic(p.assessment.findings, p.assessment.level);
  const terms = a.terms.map(
    (t) =>
      `${t.points} ${t.id}` +
      (t.findings.length > 1 ? ` (${t.findings.length} × ${POINTS[t.severity]})` : ''),
  );
  return (
    `How the score is computed: ${a.floor} (${a.level}) + ${terms.join(' + ')} = ${a.sum}` +
    (a.sum > a.ceiling ? `, capped at ${a.ceiling}` : '') +
    '.'
  );
}

/** For callers that print one project alone. */
export function renderProjectText(project: ProjectReport, opts: TextOptions): string {
  return renderText(
    {
      level: project.assessment.level,
      score: project.assessment.score,
      requiresApproval: project.assessment.requiresApproval,
      projects: [project],
    },
    opts,
  );
}
