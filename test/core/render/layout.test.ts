// The summary leads with why, and names each resource once: the verdict sentence, the risk
// factors above the table (strongest first, each once), the destroy table's "Flagged by" column
// that the generic destroy/replace findings fold into, and the score's arithmetic, collapsed.
// Checked on the markdown and on the text view, which must tell the same story in the same order.
import { parsePlan } from '../../../src/core/plan/index.js';
import { DEFAULT_CONFIG } from '../../../src/core/config.js';
import { buildReport, type Report } from '../../../src/core/report.js';
import { renderMarkdown, renderText } from '../../../src/core/render/index.js';
import { factorLayout } from '../../../src/core/render/factors.js';
import { verdict } from '../../../src/core/render/verdict.js';
import { incidentDestroyPlan } from '../../../testkit/plans/samples.js';
import { reportOf, type ChangeSpec } from './plans.js';

function incident(): Report {
  const parsed = parsePlan(JSON.stringify(incidentDestroyPlan()), 'plan.json');
  if (!parsed.ok) throw new Error(parsed.error.message);
  return buildReport([{ name: 'default', plan: parsed.plan }], DEFAULT_CONFIG);
}

/** The verdict of a one-project report, as one line of text. */
function verdictOf(report: Report): string {
  const p = report.projects[0]!;
  const { top } = factorLayout(p.assessment.findings, p.assessment.level);
  return verdict(p, top)
    .map((v) => (typeof v === 'string' ? v : `[${v.address}]`))
    .join('');
}

/** Positions of each string in `s`, which must all be present, in that order. */
function expectInOrder(s: string, order: string[]) {
  const at = order.map((x) => s.indexOf(x));
  expect(order.filter((_, i) => at[i]! < 0)).toEqual([]);
  expect([...at].sort((a, b) => a - b)).toEqual(at);
}

const db = (over: Partial<ChangeSpec> = {}): ChangeSpec => ({
  address: 'aws_db_instance.main',
  type: 'aws_db_instance',
  actions: ['delete'],
  before: { identifier: 'main', skip_final_snapshot: true },
  ...over,
});
const subnet = (i: number, actions = ['delete']): ChangeSpec => ({
  address: `aws_subnet.s[${i}]`,
  type: 'aws_subnet',
  actions,
  before: { id: `subnet-${i}` },
  after: actions.includes('create') ? { id: `subnet-${i}` } : null,
  actionReason: 'delete_because_no_resource_config',
});

describe('the verdict sentence', () => {
  it('names the database whose backups go with it, the others by count, and the share of state', () => {
    expect(verdictOf(incident())).toBe(
      'Destroys the RDS database [aws_db_instance.main] with no backup left, and 15 other resources: all 16 in state.',
    );
  });

  it('names a resource holding data when no backup is at stake', () => {
    const r = reportOf({
      prior: 10,
      changes: [
        subnet(0),
        { address: 'aws_s3_bucket.logs', type: 'aws_s3_bucket', actions: ['delete'], before: {} },
      ],
    });
    expect(verdictOf(r)).toBe(
      'Destroys the S3 bucket [aws_s3_bucket.logs] and the data in it, and 1 other resource.',
    );
  });

  it('says "replaces" for replaces only, and counts a plain destroy', () => {
    expect(verdictOf(reportOf({ prior: 10, changes: [subnet(0, ['delete', 'create'])] }))).toBe(
      'Replaces 1 resource.',
    );
    expect(verdictOf(reportOf({ prior: 3, changes: [subnet(0), subnet(1), subnet(2)] }))).toBe(
      'Destroys 3 resources: all 3 in state.',
    );
  });

  it('leads with the strongest factor when nothing is destroyed', () => {
    const r = reportOf({
      prior: 5,
      changes: [
        {
          address: 'aws_security_group.web',
          type: 'aws_security_group',
          actions: ['update'],
          before: { ingress: [] },
          after: { ingress: [{ cidr_blocks: ['0.0.0.0/0'] }] },
        },
        { address: 'aws_instance.a', type: 'aws_instance', actions: ['create'], after: {} },
        { address: 'aws_instance.b', type: 'aws_instance', actions: ['create'], after: {} },
      ],
    });
    expect(verdictOf(r)).toBe(
      'Opened to the internet: [aws_security_group.web]; creates 2 resources and updates 1, nothing is destroyed.',
    );
  });

  it('says what a routine plan does, and when there is nothing to do', () => {
    expect(
      verdictOf(
        reportOf({
          changes: [{ address: 'a.b', type: 'aws_vpc', actions: ['create'], after: {} }],
        }),
      ),
    ).toBe('Creates 1 resource, nothing is destroyed.');
    expect(verdictOf(reportOf({ changes: [] }))).toBe('No resource changes.');
  });
});

describe('the risk factors above the table', () => {
  it('come strongest first, each once: backups-lost before mass-destroy, the database not repeated', () => {
    const p = incident().projects[0]!;
    const layout = factorLayout(p.assessment.findings, p.assessment.level);
    expect(layout.top.map((f) => [f.id, f.address])).toEqual([
      ['backups-lost', 'aws_db_instance.main'],
      ['mass-destroy', undefined],
      ['stateful-destroy', 'aws_s3_bucket.uploads'],
    ]);
    // Implied by backups-lost on the same address: named in the table's column, not above it.
    expect(layout.implied.map((f) => [f.id, f.address])).toEqual([
      ['stateful-destroy', 'aws_db_instance.main'],
    ]);
    expect(layout.other).toEqual([]);
    expect(layout.flags.get('aws_db_instance.main')).toEqual({
      rules: ['backups-lost', 'stateful-destroy'],
      severity: 'critical',
    });
    expect(layout.flags.get('aws_vpc.main')).toEqual({ rules: ['destroy'], severity: 'medium' });
  });

  it('are the medium findings of a medium plan, and collapsed in a critical one', () => {
    const iam: ChangeSpec = {
      address: 'aws_iam_role.r',
      type: 'aws_iam_role',
      actions: ['update'],
      before: { policy: '{}' },
      after: { policy: '{"a":1}' },
    };
    const medium = reportOf({ prior: 5, changes: [iam] }).projects[0]!;
    expect(factorLayout(medium.assessment.findings, 'medium').top.map((f) => f.id)).toEqual([
      'iam-change',
    ]);
    const critical = reportOf({ prior: 5, changes: [iam, db()] });
    const md = renderMarkdown(critical);
    expectInOrder(md, [
      '- 🔴 **Backups lost** (`backups-lost`): ',
      '| `aws_db_instance.main` | delete | 🔴 backups-lost, stateful-destroy |',
      '#### Approval required',
      '<details><summary>1 more risk factor (medium and low)</summary>',
      '- 🟡 **Access control changed** (`iam-change`): aws\\_iam\\_role\\.r changes who may do what',
    ]);
  });
});

describe('the destroy table', () => {
  it('lists every address once, with the rules that flag it, and no generic finding elsewhere', () => {
    const report = incident();
    const md = renderMarkdown(report);
    const visible = md.slice(0, md.indexOf('#### Changes'));
    for (const c of report.projects[0]!.plan.resourceChanges) {
      const rows = md.split('\n').filter((l) => l.startsWith(`| \`${c.address}\` |`));
      expect(rows).toHaveLength(1);
    }
    expect(md).toContain('| `aws_vpc.main` | destroy |');
    expect(md).toContain('| `aws_db_instance.main` | 🔴 backups-lost, stateful-destroy |');
    expect(md).toContain('| `aws_s3_bucket.uploads` | 🔴 stateful-destroy |');
    // The 14 generic findings ("... is destroyed") are the table's rows, not a second list.
    expect(visible).not.toMatch(/is destroyed/);
    expect(visible.slice(0, visible.indexOf('<details>'))).not.toContain('(`destroy`)');
  });

  it('states an action all rows share once, and keeps the column when they differ', () => {
    const same = renderMarkdown(incident());
    expect(same).toContain(
      '**16 to destroy or replace**\nAction for all 16: delete · no resource config.\n\n| Address | Flagged by |\n|---|---|\n',
    );
    const mixed = renderMarkdown(
      reportOf({ prior: 10, changes: [subnet(0), subnet(1, ['delete', 'create'])] }),
    );
    expect(mixed).not.toContain('Action for all');
    expect(mixed).toContain('| Address | Action | Flagged by |\n|---|---|---|\n');
    expect(mixed).toContain('| `aws_subnet.s[0]` | delete · no resource config | destroy |');
    expect(mixed).toContain('| `aws_subnet.s[1]` | replace · no resource config | replace |');
  });

  it('keeps the first factor of each rule when it cuts them, and then cuts destroys', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      db({ address: `aws_db_instance.d${'x'.repeat(60)}[${i}]` }),
    );
    const md = renderMarkdown(reportOf({ prior: 400, changes: many }));
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md).toContain('- 🔴 **Backups lost** (`backups-lost`): ');
    expect(md).toMatch(/^- …and \d+ more `backups-lost` findings$/m);
    expect(md).toContain('- 🔴 **Mass destroy** (`mass-destroy`): ');
  });
});

describe('how the score is computed', () => {
  it('is collapsed, and its sum is the score the badge shows', () => {
    const report = incident();
    const md = renderMarkdown(report);
    const section = md.slice(
      md.indexOf('<details><summary>How the score is computed</summary>'),
      md.indexOf('#### Changes'),
    );
    expect(section).toContain('| Mass destroy (`mass-destroy`) | critical | 1 | +8 |');
    expect(section).toContain(
      '| Stateful resource destroyed (`stateful-destroy`) | critical | 2 | +16 |',
    );
    expect(section).toContain('| Resource destroyed (`destroy`) | medium | 14 | +42 |');
    expect(section).toContain(
      '75 + 8 + 16 + 8 + 42 = 149, capped at **100**: risk score **100/100**.',
    );
    expect(report.score).toBe(100);
    // Nothing of it above the approval block any more.
    expect(md.slice(0, md.indexOf('#### Approval required'))).not.toMatch(/points|× \d/);
  });

  it('adds up for a plan under its ceiling', () => {
    const report = reportOf({ prior: 20, changes: [subnet(0), subnet(1)] });
    expect(report.score).toBe(31);
    expect(renderMarkdown(report)).toContain('25 + 6 = 31: risk score **31/100**.');
    expect(renderText(report, { color: false })).toContain(
      'How the score is computed: 25 (medium) + 6 destroy (2 × 3) = 31.',
    );
  });
});

describe('the text view tells the same story in the same order', () => {
  it('headline, verdict, factors, counts, destroys with their rules, approval, score, digest', () => {
    const out = renderText(incident(), { color: false });
    const lines = out.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'applygate: CRITICAL (risk score 100/100), approval required',
      'Destroys the RDS database aws_db_instance.main with no backup left, and 15 other resources: all 16 in state.',
    ]);
    expectInOrder(out, [
      'Risk factors',
      '  critical backups-lost: Destroying aws_db_instance.main (RDS database)',
      '  critical mass-destroy: This plan ',
      '  critical stateful-destroy: Destroying aws_s3_bucket.uploads',
      'create 0, update 0, replace 0, delete 16',
      '16 to destroy or replace',
      '  delete  aws_vpc.main (no resource config)  [destroy]',
      '  delete  aws_db_instance.main (no resource config)  [backups-lost, stateful-destroy]',
      'Approval required',
      'How the score is computed: 75 (critical) + 8 mass-destroy + 16 stateful-destroy (2 × 8) + 8 backups-lost + 42 destroy (14 × 3) = 149, capped at 100.',
      'Plan digest: ',
    ]);
    expect(out).not.toMatch(/is destroyed/);
  });
});
