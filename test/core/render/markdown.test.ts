import { approvalPolicy, type ApprovalPolicy } from '../../../src/core/approval/policy.js';
import { DEFAULT_CONFIG, type Config } from '../../../src/core/config.js';
import { decodeMarker, mentionsMarker } from '../../../src/core/marker.js';
import { shortDigest } from '../../../src/core/plan/model.js';
import {
  addressCode,
  GITHUB_COMMENT_MAX_CHARS,
  renderMarkdown,
  renderProjectMarkdown,
} from '../../../src/core/render/index.js';
import { countedKinds } from '../../../src/core/render/common.js';
import { MARKER_LINE, mentionsOutsideCode } from './checks.js';
import { FORGED_MARKER, reportOf, type ChangeSpec } from './plans.js';

const EVIL =
  '@octocat @org/team ` `` ``` ```` ````` | <script>alert(1)</script> </details> ' +
  `${FORGED_MARKER} --> <!-- \n\r\n\u001b[31m\u001b]0;x\u0007`;

function hostileReport() {
  return reportOf({
    prior: 4,
    changes: [
      {
        address: `aws_db_instance.db["${EVIL}"]`,
        type: 'aws_db_instance',
        actions: ['delete'],
        before: { engine: EVIL, skip_final_snapshot: true, [EVIL]: 1 },
        actionReason: `delete_because_${EVIL}`,
      },
      {
        address: `module.${EVIL}.aws_s3_bucket.b`,
        type: 'aws_s3_bucket',
        actions: ['create', 'delete'],
        before: { bucket: 'a' },
        after: { bucket: EVIL },
      },
      {
        address: `aws_instance.web["${EVIL}"]`,
        type: 'aws_instance',
        actions: ['create'],
        after: { ami: EVIL, key: 'S3CR3T-abcdefghijkl' },
        afterSensitive: { key: true },
      },
      {
        address: 'aws_iam_role.r',
        type: 'aws_iam_role',
        actions: ['update'],
        before: { policy: '{}' },
        after: { policy: EVIL },
        previousAddress: `aws_iam_role.old["${EVIL}"]`,
      },
    ],
  });
}

/** The policy of the default config with these `approval` keys. */
function policyOf(over: Partial<Config['approval']>): ApprovalPolicy {
  return approvalPolicy({ approval: { ...DEFAULT_CONFIG.approval, ...over } });
}

const OPTS = {
  marker: { headSha: 'ABCDEF1234567', runId: 42 },
  policy: policyOf({ approvers: ['@octocat', '@org/team', 'alice'], confirm_digest: true }),
};

describe('renderMarkdown on a plan made of hostile strings', () => {
  const report = hostileReport();
  const md = renderMarkdown(report, OPTS);
  const lines = md.split('\n');

  it('ends with exactly one marker, the real one', () => {
    expect(lines.at(-1)).toMatch(MARKER_LINE);
    const decoded = decodeMarker(md);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const p = report.projects[0]!;
    expect(decoded.marker).toMatchObject({
      v: 2,
      headSha: 'abcdef1234567',
      runId: 42,
      projects: [
        {
          name: 'default',
          digest: p.plan.digest,
          level: 'critical',
          requiresApproval: true,
          destroyCount: 2,
          destroys: [
            `delete aws_db_instance.db["${EVIL}"]`,
            `replace module.${EVIL}.aws_s3_bucket.b`,
          ],
          destroySet: p.binding.destroySet,
          riskSet: p.binding.riskSet,
        },
      ],
    });
    expect(mentionsMarker(lines.slice(0, -1).join('\n'))).toBe(false);
    expect(md.match(/<!--/g)).toHaveLength(1);
    expect(md.match(/-->/g)).toHaveLength(1);
  });

  it('pings nobody', () => {
    expect(mentionsOutsideCode(md)).toEqual([]);
    expect(md).toContain('@&#8203;octocat');
  });

  it('lets no tag through and balances <details>', () => {
    expect(md).not.toMatch(/<script/i);
    expect(md).not.toContain('\u001b');
    expect(md).not.toContain('\r');
    const open = md.match(/<details>/g)?.length ?? 0;
    const close = md.match(/<\/details>/g)?.length ?? 0;
    // One per change, the medium `iam-change` factor, and the score's arithmetic.
    expect(open).toBe(6);
    expect(close).toBe(open);
    // The only tags are ours.
    const tags = new Set([...md.matchAll(/<\/?([A-Za-z][A-Za-z0-9]*)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(['code', 'details', 'summary']);
  });

  it('keeps every table row one line with the right number of cells', () => {
    for (const line of lines.filter((l) => l.startsWith('|'))) {
      const cells = line.replace(/\\\|/g, '').split('|').length - 2;
      // Destroy rows (4), details tables (2, 3), the counts table (one cell per kind shown).
      const countCells = countedKinds(report.projects[0]!.counts).length;
      expect([2, 3, 4, countCells].includes(cells) || /^\|(-|:|\|)+$/.test(line)).toBe(true);
    }
    // Address, action, flagged by.
    const destroyRows = lines.filter((l) => l.startsWith('| ') && l.includes('aws_db_instance.db'));
    expect(destroyRows).toHaveLength(1);
    for (const row of destroyRows) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(5);
  });

  it('never shows the sensitive value', () => {
    expect(md).not.toContain('S3CR3T');
    expect(md).toContain('_(sensitive value)_');
  });

  it('shows sections in the designed order', () => {
    const at = (s: string) => {
      const i = md.indexOf(s);
      expect(i).toBeGreaterThanOrEqual(0);
      return i;
    };
    const order = [
      '### applygate: default',
      '🔴 **CRITICAL** · risk score **',
      '**Destroys or replaces the RDS database ',
      '- 🔴 **Backups lost** (`backups-lost`): ',
      '- 🔴 **Stateful resource destroyed** (`stateful-destroy`): ',
      '| Create | Update | Replace | Delete |',
      '**2 to destroy or replace**',
      '| Address | Action | Flagged by |',
      addressCode(`aws_db_instance.db["${EVIL}"]`, true),
      '#### Approval required',
      `/approve-destroy ${shortDigest(report.projects[0]!.plan.digest)}`,
      '<details><summary>1 more risk factor (medium and low)</summary>',
      '- 🟡 **Access control changed** (`iam-change`): ',
      '<details><summary>How the score is computed</summary>',
      '#### Changes',
      'Plan digest: `',
      '<!-- applygate:v2 ',
    ];
    const positions = order.map(at);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('names the approvers as text, in code spans (never mentions)', () => {
    expect(md).toContain('`@octocat`, `@alice`, or members of `@org/team`');
  });
});

describe('renderMarkdown content', () => {
  it('shows the counts, with import/move/forget/read only when nonzero', () => {
    const md = renderMarkdown(
      reportOf({ changes: [{ address: 'a.b', actions: ['create'], after: { x: 1 } }] }),
    );
    expect(md).toContain(
      '| Create | Update | Replace | Delete |\n|---:|---:|---:|---:|\n| 1 | 0 | 0 | 0 |',
    );
    const md2 = renderMarkdown(
      reportOf({
        changes: [
          { address: 'a.b', actions: ['no-op'], importing: true },
          { address: 'a.c', actions: ['no-op'], previousAddress: 'a.old' },
          { address: 'data.a.d', actions: ['read'], mode: 'data' },
          { address: 'a.e', actions: ['forget'] },
        ],
      }),
    );
    expect(md2).toContain('| Create | Update | Replace | Delete | Import | Move | Forget | Read |');
    expect(md2).toContain('| 0 | 0 | 0 | 0 | 1 | 1 | 1 | 1 |');
    expect(md2).toContain('Previously `a.old`.');
  });

  it('says a clean plan is clean and needs no approval', () => {
    const md = renderMarkdown(reportOf({ changes: [] }));
    expect(md).toContain(
      '✅ **NONE** · risk score **0/100**\n\n**No resource changes\\.**\n\nNo risk factors.\n\n',
    );
    expect(md).toContain('**0 to destroy or replace**');
    expect(md).not.toContain('Approval required');
    expect(md).not.toContain('<details>');
  });

  it('shows before and after for updates, after for creates, before for deletes', () => {
    const md = renderMarkdown(
      reportOf({
        changes: [
          {
            address: 'a.u',
            actions: ['update'],
            before: { s: 1, same: 'x' },
            after: { s: 2, same: 'x' },
          },
          { address: 'a.c', actions: ['create'], after: { v: 'new', n: null } },
          { address: 'a.d', actions: ['delete'], before: { v: 'old' } },
        ],
      }),
    );
    expect(md).toContain('| Attribute | Before | After |\n|---|---|---|\n| `s` | `1` | `2` |');
    expect(md).not.toContain('`same`');
    expect(md).toContain('| Attribute | Value |\n|---|---|\n| `v` | `"new"` |');
    expect(md).not.toContain('`n`');
    expect(md).toContain('| Attribute | Value before |\n|---|---|\n| `v` | `"old"` |');
  });

  it('cuts long values to about 200 characters', () => {
    const md = renderMarkdown(
      reportOf({
        changes: [{ address: 'a.c', actions: ['create'], after: { v: 'y'.repeat(5000) } }],
      }),
    );
    const cell = /\| `v` \| `("y+…)` \|/.exec(md);
    expect(cell).not.toBeNull();
    expect(cell![1]!.length).toBeLessThanOrEqual(200);
  });

  it('shows unknown values and removed attributes', () => {
    const md = renderMarkdown(
      reportOf({
        changes: [
          {
            address: 'a.u',
            actions: ['update'],
            before: { id: 'x', arn: 'old' },
            after: {},
            afterUnknown: { arn: true },
          },
        ],
      }),
    );
    expect(md).toContain('| `id` | `"x"` | `null` |');
    expect(md).toContain('| `arn` | `"old"` | _(known after apply)_ |');
  });

  it('uses the configured command and says who may approve, as the policy says it', () => {
    const report = reportOf({ changes: [{ address: 'a.d', actions: ['delete'], before: {} }] });
    const open = policyOf({ command: '/approve-apply', codeowners: false, required: 2 });
    const md = renderMarkdown(report, { policy: open });
    expect(md).toContain('```\n/approve-apply\n```');
    expect(md).not.toContain('code owner');
    // Neither owners nor a list: anyone who can push (the app lets them, and says so too).
    expect(md).toContain(
      'Who can approve: anyone with write access to the repository, other than the author of the pull request; approvals needed: 2.',
    );
    const md2 = renderMarkdown(report, {
      policy: policyOf({ codeowners: false, approvers: ['bob'], required: 2 }),
    });
    expect(md2).toContain(
      'Who can approve: `@bob`, other than the author of the pull request, while they have write access to the repository; approvals needed: 2.',
    );
    const md3 = renderMarkdown(report, { policy: policyOf({ approvers: ['bob'] }) });
    expect(md3).toContain(
      'Who can approve: code owners of the changed files (base-branch CODEOWNERS), or `@bob`, other than the author',
    );
  });

  it('renders a report with no plans', () => {
    const md = renderMarkdown({ level: 'none', score: 0, requiresApproval: false, projects: [] });
    expect(md).toContain('### applygate: no plans');
    expect(md.split('\n').at(-1)).toMatch(MARKER_LINE);
  });

  it('rejects a head SHA that the marker could not hold', () => {
    expect(() =>
      renderMarkdown(reportOf({ changes: [] }), { marker: { headSha: 'main' } }),
    ).toThrow(RangeError);
  });
});

describe('several projects in one body', () => {
  const report = reportOf([
    { name: 'network', plan: { changes: [{ address: 'a.x', actions: ['delete'], before: {} }] } },
    { name: 'app', plan: { changes: [{ address: 'a.y', actions: ['create'], after: {} }] } },
  ]);

  it('renders a section per project and one combined marker', () => {
    const md = renderMarkdown(report, { policy: policyOf({ confirm_digest: true }) });
    expect(md).toContain('### applygate: network, app');
    expect(md).toContain('#### Project `network`');
    expect(md).toContain('#### Project `app`');
    expect(md.match(/applygate:v2 /g)).toHaveLength(1);
    const m = decodeMarker(md);
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(m.marker.projects.map((p) => [p.name, p.digest, p.destroys])).toEqual([
      ['network', report.projects[0]!.plan.digest, ['delete a.x']],
      ['app', report.projects[1]!.plan.digest, []],
    ]);
    expect(md).toContain(
      `/approve-destroy ${shortDigest(report.projects[0]!.plan.digest)} project=network`,
    );
  });

  it('renders one project alone with its own marker', () => {
    const md = renderProjectMarkdown(report.projects[1]!);
    const m = decodeMarker(md);
    expect(m.ok && m.marker.projects.map((p) => [p.name, p.digest])).toEqual([
      ['app', report.projects[1]!.plan.digest],
    ]);
    expect(md).not.toContain('network');
  });
});

describe('the size budget', () => {
  const many = (n: number, actions: string[], prefix: string): ChangeSpec[] =>
    Array.from({ length: n }, (_, i) => ({
      address: `aws_instance.${prefix}${'n'.repeat(80)}[${i}]`,
      type: 'aws_instance',
      actions,
      before: actions[0] === 'create' ? null : { id: `i-${i}`, size: 'large'.repeat(20) },
      after: actions[0] === 'delete' ? null : { id: `i-${i}`, size: 'small'.repeat(20) },
    }));

  it('cuts details first, and says how many and where the rest is', () => {
    const report = reportOf({
      changes: [...many(20, ['delete'], 'd'), ...many(600, ['update'], 'u')],
    });
    const md = renderMarkdown(report, { fullSummaryHint: 'the artifact' });
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_CHARS);
    const shown = md.match(/<details><summary><code>/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(0);
    expect(md).toContain('<details><summary>How the score is computed</summary>');
    expect(md).toContain(
      `Details of ${620 - shown} changes are not shown, to keep this comment under GitHub's size limit: the full summary is in the artifact.`,
    );
    // Nothing else was cut.
    expect(md).not.toMatch(/more destroys\/replaces not shown/);
    expect(md).not.toMatch(/…and \d+ more$/m);
  });

  it('then the findings per rule, then the destroys, keeping the exact numbers', () => {
    const report = reportOf({ prior: 5000, changes: many(3000, ['delete'], 'd') });
    const md = renderMarkdown(report);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_CHARS);
    expect(md).toContain('**3000 to destroy or replace**');
    expect(md).toContain('Details of 3000 changes are not shown');
    // The mass destroy is still stated; the 3,000 `destroy` findings are the table's rows.
    expect(md).toContain('- 🔴 **Mass destroy** (`mass-destroy`): This plan ');
    expect(md).not.toMatch(/is destroyed/);
    const listed = md.split('\n').filter((l) => l.startsWith('| `aws_instance.')).length;
    const left = Number(/…and (\d+) more destroys\/replaces not shown/.exec(md)?.[1]);
    expect(listed).toBeGreaterThan(100);
    expect(listed + left).toBe(3000);
    expect(md).toContain('#### Approval required');
    expect(decodeMarker(md).ok).toBe(true);
  });

  it('honours a small maxChars, marker included', () => {
    const report = reportOf({ prior: 100, changes: many(50, ['delete'], 'd') });
    const marker = renderMarkdown(report).split('\n').at(-1)!.length;
    for (const extra of [2500, 3000, 8000, 20000]) {
      const max = marker + extra;
      const md = renderMarkdown(report, { maxChars: max });
      expect(md.length).toBeLessThanOrEqual(max);
      expect(md.split('\n').at(-1)).toMatch(MARKER_LINE);
      expect(decodeMarker(md).ok).toBe(true);
      expect(md).toContain('**50 to destroy or replace**');
    }
  });

  it('falls back to a title and the marker, and refuses a limit below that', () => {
    const report = reportOf({ prior: 100, changes: many(50, ['delete'], 'd') });
    const marker = renderMarkdown(report).split('\n').at(-1)!.length;
    const md = renderMarkdown(report, { maxChars: marker + 400 });
    expect(md.length).toBeLessThanOrEqual(marker + 400);
    expect(md).toContain('The summary is too long for one comment');
    expect(decodeMarker(md).ok).toBe(true);
    expect(() => renderMarkdown(report, { maxChars: marker })).toThrow(RangeError);
  });
});
