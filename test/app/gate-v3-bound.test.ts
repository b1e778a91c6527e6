/**
 * Gate v3, part 1 (issue 22): owners approve what is bound, not the comment's visible text. The
 * summary is written by an identity every workflow shares (`github-actions[bot]`), so the app
 * shows the bound truth from the marker itself, trusts a marker only when its lists hash to its
 * sets, only from the workflow run it names, and counts an edit it saw only at catch-up as an
 * edit. End to end against the emulator; each test fails on the code before Gate v3.
 */
import { decodeMarker, encodeMarker, withoutMarker, type Marker } from '../../src/core/marker.js';
import { REFUSE } from '../../src/core/approval/decide.js';
import { GATE } from '../../src/app/messages.js';
import { HEAD, Harness, PR, summaryBody, harnessForEachTest } from '../../testkit/app/harness.js';

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
