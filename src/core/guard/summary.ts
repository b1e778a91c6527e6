import { shortDigest } from '../plan/index.js';
import { destroysOf, groupFindings, plural } from '../render/common.js';
import type { ProjectReport } from '../report.js';
import { levelRank } from '../risk/types.js';

// The plan as the guard's answer shows it: short enough for an agent's context and a permission
// prompt, with why it is risky before what it touches. Data loss leads: lost backups and
// destroyed stateful resources are what the incident cost.

const DATA_LOSS_FIRST = ['backups-lost', 'stateful-destroy'];
const MAX_FINDINGS = 12;
const MAX_ADDRESSES = 12;

export function guardSummary(p: ProjectReport): string {
  const a = p.assessment;
  const out: string[] = [
    `Plan: ${a.level.toUpperCase()} (risk score ${a.score}/100), digest ${shortDigest(p.plan.digest)}; ` +
      `delete ${p.counts.delete}, replace ${p.counts.replace}, create ${p.counts.create}, update ${p.counts.update}.`,
  ];
  const rank = (id: string) => {
    const i = DATA_LOSS_FIRST.indexOf(id);
    return i < 0 ? DATA_LOSS_FIRST.length : i;
  };
  const groups = groupFindings(a.findings).sort(
    (x, y) => levelRank(y.severity) - levelRank(x.severity) || rank(x.id) - rank(y.id),
  );
  // High and critical findings in full; the rest (each plain destroy, drift) only counted,
  // since the destroy list below names them.
  const major = groups.filter((g) => levelRank(g.severity) >= levelRank('high'));
  const minor = groups.filter((g) => levelRank(g.severity) < levelRank('high'));
  const findings = major.flatMap((g) =>
    g.findings.map((f) => `  - ${g.severity} ${g.id}: ${f.message}`),
  );
  const shownFindings = findings.slice(0, MAX_FINDINGS);
  if (findings.length > MAX_FINDINGS)
    shownFindings.push(`  - and ${findings.length - MAX_FINDINGS} more`);
  const minorCount = minor.reduce((n, g) => n + g.findings.length, 0);
  if (minorCount > 0) {
    shownFindings.push(
      `  - ${plural(minorCount, 'lower-severity finding')} (${minor.map((g) => `${g.id} ×${g.findings.length}`).join(', ')})`,
    );
  }
  if (shownFindings.length > 0) out.push('Risk factors:', ...shownFindings);
  const destroys = destroysOf(p);
  if (destroys.length > 0) {
    const shown = destroys.slice(0, MAX_ADDRESSES).map((c) => `${c.address} (${c.kind})`);
    const more = destroys.length - shown.length;
    out.push(
      `Destroyed or replaced: ${plural(destroys.length, 'resource')}: ${shown.join(', ')}${more > 0 ? `, and ${more} more` : ''}.`,
    );
  }
  return out.join('\n');
}
