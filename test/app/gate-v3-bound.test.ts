/**
 * Gate v3, part 1 (issue 22): owners approve what is bound, not the comment's visible text. The
 * summary is written by an identity every workflow shares (`github-actions[bot]`), so the app
 * shows the bound truth from the marker itself, trusts a marker only when its lists hash to its
 * sets, only from the workflow run it names, and counts an edit it saw only at catch-up as an
 * edit. End to end against the emulator; each test fails on the code before Gate v3.
 */
import { decodeMarker, encodeMarker, withoutMarker, type Marker } from '../../src/core/marker.js';
import { REFUSE } from '../../src/core/approval/decide.js';
import { COVERS } from '../../src/app/bound.js';
import { GATE } from '../../src/app/messages.js';
import { setDigest } from '../../src/core/binding.js';
import { codeSpan } from '../../src/core/render/index.js';
import { APPROVAL_COVERS } from '../../src/core/render/markdown.js';
import {
  CALL,
  HEAD,
  HEAD2,
  Harness,
  OWNER,
  PLAN_WORKFLOW,
  PR,
  REPO,
  planRun,
  planRunId,
  shortDigestOf,
  summaryBody,
  harnessForEachTest,
} from '../../testkit/app/harness.js';

const approve = '/approve-destroy';

let h: Harness;

harnessForEachTest((started) => (h = started));

/** The real summary of the destroy plan with its marker changed by `change`. */
function forged(change: (m: Marker) => void, text?: string): string {
  const body = summaryBody('destroy', HEAD);
  const d = decodeMarker(body);
  if (!d.ok) throw new Error('the harness summary has no marker');
  change(d.marker);
  return `${text ?? withoutMarker(body)}\n${encodeMarker(d.marker)}`;
}

describe('the marker: lists must hash to the sets they claim', () => {
  test('a destroy list cut down to a harmless line, set kept: untrusted, with the reason', async () => {
    h.setup();
    h.waitingRun(555);
    await h.comment(
      'github-actions[bot]',
      forged((m) => {
        m.projects[0]!.destroys = ['delete aws_s3_bucket.logs'];
      }, '### applygate: default\n\nDeletes one empty log bucket.'),
      { type: 'Bot' },
    );
    await h.comment('dba-dana', approve);
    const check = h.check()!;
    expect(check.conclusion).toBe('action_required');
    expect(check.summary).toContain('its destroy list does not hash to its destroySet');
    expect(h.appComments().join('\n')).toContain(REFUSE.noSummary());
    await h.gate(555);
    expect(h.reviews(555)).toEqual([
      { run: 555, state: 'rejected', comment: GATE.noSummary(HEAD, PR) },
    ]);
  });

  test('a list marked cut must show fewer lines than its count', async () => {
    h.setup();
    await h.comment(
      'github-actions[bot]',
      forged((m) => {
        m.projects[0]!.risks = ['mass-destroy'];
        m.projects[0]!.cut = { risks: 1 };
      }),
      { type: 'Bot' },
    );
    await h.comment('dba-dana', approve);
    expect(h.check()!.summary).toContain('its high-risk list is marked cut at 1 lines but shows 1');
    expect(h.check()!.conclusion).toBe('action_required');
  });
});

describe('the app shows the bound truth, whatever the comment says', () => {
  test('a workflow rewrites the visible text: check, notice and reply still name the real destroy', async () => {
    h.setup();
    h.waitingRun(555);
    const summary = await h.summary('destroy');
    // Any workflow on any branch comments as github-actions[bot]: it rewrites the text in place
    // and keeps the marker (whose lists hash to the real plan's sets).
    await h.editComment(
      summary['id'] as number,
      forged(() => undefined, '### applygate: default\n\n🟢 Adds one tag. Nothing destroyed.'),
    );
    await h.gate(555);
    const notice = h.appComments().find((c) => c.includes('A deployment is waiting'))!;
    const check = h.check()!.summary;
    for (const text of [notice, check]) {
      expect(text).toContain(COVERS);
      expect(text).toContain(
        '- delete `aws_db_instance.main`: backups lost, stateful resource destroyed',
      );
      expect(text).toContain('- delete `aws_vpc.main`');
      expect(text).toContain('- mass destroy (the whole plan)');
      expect(text).toContain('16 resources destroyed, replaced or forgotten');
    }
    const ok = await h.comment('dba-dana', approve);
    const reply = h
      .appComments()
      .find((c) => c.includes(`comment=${(ok['id'] as number).toString(16)}`))!;
    expect(reply.split('\n')[0]).toBe(
      `@dba-dana approved plan \`${shortDigestOf('destroy')}\` of project \`default\`: destroys \`aws_db_instance.main\` (backups lost, stateful resource destroyed) and 15 more.`,
    );
    expect(reply).toContain('- delete `aws_s3_bucket.uploads`: stateful resource destroyed');
    expect(h.runStatus(555)).toBe('queued');
    // The real summary says so too, above the fold of its approval section.
    expect(summaryBody('destroy', HEAD)).toContain(APPROVAL_COVERS);
  });

  test('addresses from the plan are escaped in the reply and the check', async () => {
    h.setup();
    const evil = 'aws_s3_bucket.x["</details>@mallory <!-- applygate:v2 x -->"]';
    await h.comment(
      'github-actions[bot]',
      forged((m) => {
        const p = m.projects[0]!;
        p.destroys = [...p.destroys, `delete ${evil}`].sort();
        p.destroySet = setDigest(p.destroys);
      }),
      { type: 'Bot' },
    );
    await h.comment('dba-dana', approve);
    const reply = h.appComments().find((c) => c.startsWith('@dba-dana approved'))!;
    for (const text of [reply, h.check()!.summary]) {
      expect(text).toContain(`- delete ${codeSpan(evil)}`);
      expect(text).not.toContain('<!-- applygate:v2 x');
      expect(text.replace(/`[^`]*`/g, '')).not.toContain('@mallory');
    }
    expect(reply).toContain('and 16 more');
  });
});

describe("summary provenance: the run the marker names is this head's plan job", () => {
  const SIDE = 'd1'.repeat(20);
  const sideRun = 880001;

  /** A workflow's run writes a summary of a plan that destroys nothing, naming itself. */
  async function harmlessSummaryFrom(runId: number): Promise<void> {
    const sticky = h.gh
      .comments(OWNER, REPO, PR)
      .find((c) => String(c['body']).includes('applygate:v2'))!;
    await h.editComment(
      sticky['id'] as number,
      summaryBody('creates', HEAD, undefined, undefined, runId),
    );
  }

  test("a summary from a run on another SHA (a side branch's push): untrusted, deployment rejected", async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');
    // A workflow pushed to an unreviewed side branch runs there and rewrites the summary as
    // github-actions[bot], claiming this head and a plan that needs no approval.
    planRun(h.gh, SIDE, { id: sideRun, event: 'push', ref: 'side' });
    await harmlessSummaryFrom(sideRun);
    const check = h.check()!;
    expect(check.conclusion).toBe('action_required');
    expect(check.summary).toContain(
      `the workflow run ${sideRun} it names ran on commit \`${SIDE.slice(0, 7)}\`, not on this pull request's head \`${HEAD.slice(0, 7)}\``,
    );
    await h.gate(555);
    expect(h.reviews(555)).toEqual([
      { run: 555, state: 'rejected', comment: GATE.noSummary(HEAD, PR) },
    ]);
  });

  test('a run at the head started by another event, or no run named, or none found: untrusted', async () => {
    h.setup();
    await h.summary('destroy');
    planRun(h.gh, HEAD, { id: sideRun, event: 'workflow_dispatch' });
    await harmlessSummaryFrom(sideRun);
    expect(h.check()!.summary).toContain(
      `the workflow run ${sideRun} it names was started by a \`workflow_dispatch\` event, not \`pull_request\``,
    );
    await harmlessSummaryFrom(424243);
    expect(h.check()!.summary).toContain(
      'the workflow run 424243 it names does not exist in this repository',
    );
    const sticky = h.gh.comments(OWNER, REPO, PR)[0]!;
    const d = decodeMarker(summaryBody('creates', HEAD));
    if (!d.ok) throw new Error('no marker');
    delete d.marker.runId;
    h.clock.tick();
    await h.editComment(sticky['id'] as number, `harmless\n${encodeMarker(d.marker)}`);
    expect(h.check()!.summary).toContain('it does not name the workflow run that wrote it');
    expect(h.check()!.title).toMatch(/^No applygate summary/);
  });

  test('gate.plan_workflow: only that workflow, with its file as on the default branch', async () => {
    const reviewed = 'on: pull_request\njobs: { plan: { runs-on: ubuntu-latest } }\n';
    h.setup({ config: `gate:\n  plan_workflow: ${PLAN_WORKFLOW}\n` });
    h.gh.setFile(OWNER, REPO, 'main', PLAN_WORKFLOW, reviewed);
    h.gh.setFile(OWNER, REPO, HEAD, PLAN_WORKFLOW, reviewed);
    // Another workflow of this head's pull_request event writes the summary: not the plan job.
    planRun(h.gh, HEAD, { id: sideRun, path: '.github/workflows/lint.yml' });
    await h.summary('creates');
    await harmlessSummaryFrom(sideRun);
    expect(h.check()!.summary).toContain(
      `the workflow run ${sideRun} it names is of \`.github/workflows/lint.yml\`, not of \`${PLAN_WORKFLOW}\``,
    );
    // The plan job itself, its file unchanged: trusted.
    await harmlessSummaryFrom(planRunId(HEAD));
    expect(h.check()).toMatchObject({
      conclusion: 'success',
      title: 'The current plan needs no approval.',
    });
    // The pull request changes the plan workflow (it runs as changed under pull_request).
    h.gh.setFile(OWNER, REPO, HEAD2, PLAN_WORKFLOW, `${reviewed}# prints a harmless plan\n`);
    await h.push(HEAD2);
    await h.summary('creates', HEAD2);
    expect(h.check(HEAD2)!.summary).toContain(
      `the workflow run ${planRunId(HEAD2)} it names ran \`${PLAN_WORKFLOW}\` as changed by this pull request`,
    );
    expect(h.check(HEAD2)!.conclusion).toBe('action_required');
  });
});

describe('edits seen only at catch-up count as edits', () => {
  const NOT_SEEN = 'applygate did not see the plan job write that version';

  test('a person rewrites the summary while the app is down: the next event does not trust it', async () => {
    h.setup();
    h.waitingRun(555);
    const summary = await h.summary('destroy');
    expect(h.check()!.title).toMatch(/^Waiting for approval/);
    // The app is down: mallory replaces the summary with that of a plan needing no approval (its
    // marker names this head's real plan run, and its lists hash to its sets). No webhook.
    h.clock.tick();
    h.gh.editComment(OWNER, REPO, summary['id'] as number, summaryBody('creates', HEAD));
    await h.gate(555);
    expect(h.reviews(555)).toEqual([
      { run: 555, state: 'rejected', comment: GATE.noSummary(HEAD, PR) },
    ]);
    expect(h.check()!.summary).toContain(NOT_SEEN);
  });

  test("the plan job's own update while the app was down: untrusted until written again live", async () => {
    h.setup();
    const summary = await h.summary('creates');
    // Written again live (the edit's webhook, sent by the author): trusted, and recorded in the
    // check run, so the next events, which carry no webhook of it, trust it too.
    await h.summary('destroy');
    await h.comment('dba-dana', approve);
    expect(h.check()).toMatchObject({ conclusion: 'success' });
    // After a restart (empty memory), the record in the check run is what says so.
    await h.restart();
    h.calls();
    h.waitingRun(555);
    await h.gate(555);
    expect(h.runStatus(555)).toBe('queued');
    expect(h.calls()).toContain(CALL.findCheck);
    // The app is down while the plan job writes the summary once more.
    h.clock.tick();
    h.gh.editComment(OWNER, REPO, summary['id'] as number, summaryBody('destroy', HEAD));
    h.waitingRun(556);
    await h.gate(556);
    expect(h.reviews(556)).toEqual([
      { run: 556, state: 'rejected', comment: GATE.noSummary(HEAD, PR) },
    ]);
    expect(h.check()!.summary).toContain(NOT_SEEN);
    // The plan job writes it again while the app runs: trusted again (approvals start over).
    await h.summary('destroy');
    expect(h.check()!.title).toMatch(/^Waiting for approval/);
    expect(h.check()!.summary).not.toContain(NOT_SEEN);
  });
});
