import { approvalPolicy } from '../../../src/core/approval/policy.js';
import { DEFAULT_CONFIG } from '../../../src/core/config.js';
import { shortDigest } from '../../../src/core/plan/model.js';
import { renderProjectText, renderText } from '../../../src/core/render/index.js';
import { reportOf } from './plans.js';

const ESCAPES = 'a\u001b[2J\u001b]0;title\u0007\u009b31m\rb\nc\u202e';

function report() {
  return reportOf({
    prior: 3,
    changes: [
      { address: 'aws_instance.web', type: 'aws_instance', actions: ['create'], after: {} },
      {
        address: `aws_db_instance.db["${ESCAPES}"]`,
        type: 'aws_db_instance',
        actions: ['delete'],
        before: { skip_final_snapshot: true },
        actionReason: `delete_because_${ESCAPES}`,
      },
      {
        address: 'aws_instance.app',
        type: 'aws_instance',
        actions: ['create', 'delete'],
        before: {},
        after: {},
      },
    ],
  });
}

describe('renderText', () => {
  it('shows headline, verdict, risks, counts, destroys, approval, score and digest, in that order', () => {
    const r = report();
    const out = renderText(r, {
      color: false,
      policy: approvalPolicy({ approval: { ...DEFAULT_CONFIG.approval, confirm_digest: true } }),
    });
    const digest = shortDigest(r.projects[0]!.plan.digest);
    const order = [
      'applygate: CRITICAL (risk score ',
      'Destroys or replaces the RDS database aws_db_instance.db[',
      'Risk factors',
      '  critical backups-lost: ',
      'create 1, update 0, replace 1, delete 1',
      '2 to destroy or replace',
      `  ${'delete'.padEnd(23)}  aws_db_instance.db`,
      '  replace (new one first)  aws_instance.app  [replace]',
      'Approval required',
      `To approve, comment on the pull request: /approve-destroy ${digest}`,
      'How the score is computed: 75 (critical) + ',
      `Plan digest: ${digest}`,
    ];
    const at = order.map((s) => out.indexOf(s));
    expect(order.filter((_, i) => at[i]! < 0)).toEqual([]);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(out).not.toContain('aws_instance.web');
  });

  it('sends no control character from the plan to the terminal', () => {
    const plain = renderText(report(), { color: false });
    // eslint-disable-next-line no-control-regex
    expect(plain).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(plain).toContain('a\\u{1b}[2J\\u{1b}]0;title\\u{7}\\u{9b}31m\\u{d}b\\u{a}c\\u{202e}');

    const colored = renderText(report(), { color: true });
    // Only SGR sequences of our own: ESC [ digits m.
    // eslint-disable-next-line no-control-regex
    const escapes = [...colored.matchAll(/\u001b(.{0,4})/g)].map((m) => m[1]!);
    expect(escapes.length).toBeGreaterThan(0);
    for (const e of escapes) expect(e).toMatch(/^\[\d{1,2}m/);
  });

  it('colours by level only when asked', () => {
    expect(renderText(report(), { color: false })).not.toContain('\u001b');
    const colored = renderText(report(), { color: true });
    expect(colored).toContain('\u001b[31mCRITICAL\u001b[39m');
    expect(colored).toContain('\u001b[1m');
    const clean = renderText(reportOf({ changes: [] }), { color: true });
    expect(clean).toContain('\u001b[32mNONE\u001b[39m');
    const medium = renderText(
      reportOf({ changes: [{ address: 'a.b', actions: ['delete'], before: {} }] }),
      { color: true },
    );
    expect(medium).toContain('\u001b[33mMEDIUM\u001b[39m');
  });

  it('says when nothing is risky', () => {
    const out = renderText(reportOf({ changes: [] }), { color: false });
    expect(out).toContain(
      'applygate: NONE (risk score 0/100)\nNo resource changes.\nNo risk factors.\n',
    );
    expect(out).toContain('0 to destroy or replace');
    expect(out).not.toContain('Risk factors');
    expect(out).not.toContain('Approval required');
  });

  it('names each project when there are several', () => {
    const r = reportOf([
      { name: 'net', plan: { changes: [{ address: 'a.b', actions: ['delete'], before: {} }] } },
      { name: 'app', plan: { changes: [] } },
    ]);
    const out = renderText(r, { color: false });
    expect(out).toContain('Project net: MEDIUM');
    expect(out).toContain('Project app: NONE');
    expect(out).toContain('/approve-destroy project=net');
    expect(renderProjectText(r.projects[1]!, { color: false })).not.toContain('net');
  });
});
