import { approvalPolicy, describeApprovers } from '../../src/core/approval/policy.js';
import { encodeLedger, type Ledger } from '../../src/core/ledger.js';
import { buildReport, type ProjectReport } from '../../src/core/report.js';
import {
  approvesDigest,
  pickLedger,
  verifyProject,
  type LedgerCheckRun,
} from '../../src/core/verify.js';
import { markerFor } from '../../src/core/marker.js';
import { config, planDoc, rc, toPlan } from '../../testkit/support/build.js';

// The verify decision without GitHub (the end-to-end runs are in test/action/verify.e2e.test.ts).

const HEAD = 'a'.repeat(40);
const project = (changes: Record<string, unknown>[]): ProjectReport =>
  buildReport([{ name: 'db', plan: toPlan(planDoc({ changes, priorResources: 50 })) }], config())
    .projects[0]!;
const approved = project([
  rc({ address: 'aws_db_instance.main', actions: ['delete'], before: {} }),
]);

function ledgerOf(p: ProjectReport, over: Partial<Ledger['projects'][number]> = {}): Ledger {
  return {
    headSha: HEAD,
    pull: 7,
    baseRef: 'main',
    projects: [
      {
        name: p.name,
        digest: p.plan.digest,
        destroySet: p.binding.destroySet,
        riskSet: p.binding.riskSet,
        level: p.assessment.level,
        requiresApproval: true,
        state: 'approved',
        approvals: [{ login: 'dana', commentId: 1, at: '2026-11-25T10:00:00Z' }],
        ...over,
      },
    ],
  };
}
const run = (id: number, appSlug: string | undefined, l: Ledger | string): LedgerCheckRun => ({
  id,
  appSlug,
  text: typeof l === 'string' ? l : `x\n${encodeLedger(l)}`,
});

describe('pickLedger: one rule for verify and the guard', () => {
  const want = { headSha: HEAD, pull: 7, app: 'applygate' };
  test("takes the app's latest run, never github-actions nor another app", () => {
    const good = ledgerOf(approved);
    const r = pickLedger(
      [
        run(1, 'github-actions', good),
        run(2, 'applygate', good),
        run(3, 'applygate', good),
        run(4, 'release-bot', good),
      ],
      want,
    );
    expect(r.ok && r.run.id).toBe(3);
  });
  test('the slug compares case-blind', () => {
    const good = ledgerOf(approved);
    const r = pickLedger([run(2, 'ApplyGate', good)], { ...want, app: 'applygate' });
    expect(r.ok && r.run.id).toBe(2);
    expect(pickLedger([run(2, 'applygate', good)], { ...want, app: 'APPLYGATE' }).ok).toBe(true);
  });
  test("another app's approval never counts, even beside the app's own pending record", () => {
    const pending = ledgerOf(approved, { state: 'pending', approvals: [] });
    const r = pickLedger(
      [run(5, 'applygate', pending), run(9, 'release-bot', ledgerOf(approved))],
      want,
    );
    expect(r.ok && r.ledger.projects[0]!.state).toBe('pending');
    expect(r.ok && r.run.id).toBe(5);
  });
  test('fails closed with the cause', () => {
    const good = ledgerOf(approved);
    const cases: [LedgerCheckRun[], typeof want, RegExp][] = [
      [
        [run(1, 'applygate', good)],
        { ...want, app: '' },
        /^gate\.app is not set: set `gate: \{ app: <slug> \}`/,
      ],
      [[run(1, 'applygate', good)], { ...want, app: '  ' }, /^gate\.app is not set/],
      [
        [run(1, 'github-actions', good)],
        { ...want, app: 'github-actions' },
        /^gate\.app is `github-actions`, which every workflow can act as/,
      ],
      [
        [],
        want,
        /no applygate ledger on head aaaaaaa of PR #7\. Is the applygate app installed as `applygate`/,
      ],
      [
        [run(1, 'github-actions', good), run(2, 'release-bot', good)],
        want,
        /ignored 2 check runs .* from github-actions, release-bot: only the app `applygate` \(gate.app\)/,
      ],
      [
        [run(1, 'applygate', 'no ledger here')],
        want,
        /cannot be read: the check run carries no applygate ledger/,
      ],
      [
        [run(1, 'applygate', good), run(2, 'applygate', 'x <!-- applygate-ledger:v1 e30 -->')],
        want,
        /the ledger of applygate on head aaaaaaa cannot be read: the ledger is malformed: headSha/,
      ],
      [
        [run(1, 'applygate', { ...good, pull: 8 })],
        want,
        /is for aaaaaaa of PR #8, not head aaaaaaa of PR #7/,
      ],
    ];
    for (const [runs, w, msg] of cases) {
      const r = pickLedger(runs, w);
      expect(r.ok ? 'ok' : r.message).toMatch(msg);
      expect(r.ok ? '' : r.message).not.toContain('\n');
    }
  });
});

describe('approvesDigest (the guard, after pickLedger)', () => {
  test('only an approved project with this digest', () => {
    const l = ledgerOf(approved);
    expect(approvesDigest(l, approved.plan.digest)).toMatchObject({ approved: true });
    expect(approvesDigest(l, `sha256v2:${'0'.repeat(64)}`)).toMatchObject({ approved: false });
    const pending = ledgerOf(approved, { state: 'pending', approvals: [] });
    expect(approvesDigest(pending, approved.plan.digest)).toMatchObject({
      approved: false,
      detail: expect.stringMatching(/pending/),
    });
  });
});

/** The policy's sentence of who may approve, as the Action passes it (describeApprovers). */
const WHO = describeApprovers(approvalPolicy(config({ approval: { approvers: ['@dba-dana'] } })), {
  quote: (t) => t,
});

describe('verifyProject', () => {
  test('match destroys: the same destroys and high findings pass, also with other changes', () => {
    const replan = project([
      rc({ address: 'aws_db_instance.main', actions: ['delete'], before: {} }),
      rc({ address: 'aws_sns_topic.t', actions: ['create'], after: {} }),
    ]);
    expect(replan.plan.digest).not.toBe(approved.plan.digest);
    expect(verifyProject(replan, ledgerOf(approved), 'destroys', WHO).ok).toBe(true);
    const exact = verifyProject(replan, ledgerOf(approved), 'exact', WHO);
    expect(exact.ok).toBe(false);
    expect(exact.message).toContain(
      `approved digest ${approved.plan.digest}, this plan's digest ${replan.plan.digest}`,
    );
  });
  test('names destroys added and gone when the summary lists hash to the ledger, else says they differ', () => {
    const other = project([rc({ address: 'aws_s3_bucket.logs', actions: ['delete'], before: {} })]);
    const lists = markerFor(buildReport([{ name: 'db', plan: approved.plan }], config()))
      .projects[0]!;
    const v = verifyProject(other, ledgerOf(approved), 'destroys', WHO, lists);
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(
      /destroys added: delete aws_s3_bucket\.logs, gone: delete aws_db_instance\.main/,
    );
    const forged = { ...lists, destroys: ['delete nothing.real'] };
    expect(verifyProject(other, ledgerOf(approved), 'destroys', WHO, forged)).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /the destroys differ from the approved ones \(now: delete aws_s3_bucket\.logs\)/,
      ),
    });
  });
  test('a higher level than approved fails; not approved fails; a plan needing nothing passes alone', () => {
    const fails = (message: RegExp) => ({ ok: false, message: expect.stringMatching(message) });
    expect(
      verifyProject(approved, ledgerOf(approved, { level: 'low' }), 'destroys', WHO),
    ).toMatchObject(fails(/the level rose from low \(approved\) to critical/));
    expect(
      verifyProject(
        approved,
        ledgerOf(approved, { state: 'pending', approvals: [] }),
        'destroys',
        WHO,
      ),
    ).toMatchObject(fails(/not approved for it \(ledger state: pending\)/));
    // It says who may approve in the policy's own words, not "a code owner".
    expect(
      verifyProject(approved, ledgerOf(approved, { state: 'pending' }), 'destroys', WHO).message,
    ).toContain(`Who may approve: ${WHO}.`);
    expect(
      verifyProject(
        approved,
        { ...ledgerOf(approved), projects: [{ ...ledgerOf(approved).projects[0]!, name: 'net' }] },
        'destroys',
        WHO,
      ),
    ).toMatchObject(fails(/has no project 'db' \(projects: net\)/));
    const harmless = project([rc({ address: 'aws_sns_topic.t', actions: ['create'], after: {} })]);
    expect(verifyProject(harmless, undefined, 'destroys', WHO)).toMatchObject({ ok: true });
  });
});
