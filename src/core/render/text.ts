import { DEFAULT_POLICY, type ApprovalPolicy } from '../approval/policy.js';
import { shortDigest, type ResourceChange } from '../plan/model.js';
import type { ProjectReport, Report } from '../report.js';
import type { Level } from '../risk/types.js';
import {
  approvalCommand,
  countedKinds,
  destroysOf,
  groupFindings,
  plural,
  reasonText,
} from './common.js';
import { escapeTerminal } from './escape.js';
import { hygieneText } from './hygiene.js';

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

  const out: string[] = [
    bold(
      `plangate: ${level(report.level)} (risk score ${report.score}/100)` +
        (report.requiresApproval ? ', approval required' : ''),
    ),
  ];
  if (report.projects.length === 0) out.push('No plans.');

  for (const p of report.projects) {
    out.push('');
    if (multi) {
      out.push(
        bold(`Project ${escapeTerminal(p.name)}: `) +
          `${level(p.assessment.level)} (${p.assessment.score}/100)`,
      );
    }
    out.push(
      countedKinds(p.counts)
        .map((k) => `${k} ${p.counts[k]}`)
        .join(', '),
    );

    const destroys = destroysOf(p);
    out.push('');
    out.push(bold(`${destroys.length} to destroy or replace`));
    for (const c of destroys) out.push(`  ${paint('red', kindOf(c).padEnd(7))}  ${line(c)}`);

    const groups = groupFindings(p.assessment.findings);
    out.push('');
    if (groups.length === 0) {
      out.push(bold('No risk factors.'));
    } else {
      out.push(bold('Risk factors'));
      for (const g of groups) {
        out.push(
          `  ${level(g.severity, g.severity)} ${g.id} (+${g.points} points, ${plural(g.findings.length, 'finding')})`,
        );
        for (const f of g.findings) out.push(`    - ${escapeTerminal(f.message)}`);
      }
    }

    out.push(...hygieneText(p.assessment.hygiene, bold));

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

    out.push('');
    out.push(`Plan digest: ${shortDigest(p.plan.digest)} (${escapeTerminal(p.file)})`);
  }
  return `${out.join('\n')}\n`;
}

function kindOf(c: ResourceChange): string {
  if (c.kind === 'replace') return c.createBeforeDestroy ? 'replace (new first)' : 'replace';
  return c.deposed ? 'delete (deposed)' : 'delete';
}

function line(c: ResourceChange): string {
  const reason = c.actionReason ? `, ${c.actionReason.replace(/_/g, ' ')}` : '';
  return escapeTerminal(`${c.address} (${c.type}${reason})`);
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
