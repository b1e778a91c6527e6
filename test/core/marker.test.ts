import {
  decodeMarker,
  encodeMarker,
  listsProblem,
  markerFor,
  MARKER_MAX_BYTES,
  OUTDATED_MARKER,
  type MarkerProject,
} from '../../src/core/marker.js';
import { buildReport } from '../../src/core/report.js';
import { findSticky } from '../../src/core/summaries.js';
import { config, planDoc, rc, toPlan } from '../../testkit/support/build.js';

// Marker v2 (DESIGN.md "Gate v2"): the v2 digest and both binding sets per project; a v1 marker
// is never a summary.

const report = buildReport(
  [
    {
      name: 'db',
      plan: toPlan(
        planDoc({
          changes: [rc({ address: 'aws_db_instance.main', actions: ['delete'], before: {} })],
        }),
      ),
    },
    {
      name: 'web',
      plan: toPlan(
        planDoc({ changes: [rc({ address: 'aws_instance.w', actions: ['create'], after: {} })] }),
      ),
    },
  ],
  config(),
);

test('round trip: every project with its digest, level and binding sets', () => {
  const m = markerFor(report, { headSha: 'A'.repeat(40), runId: 7 });
  const d = decodeMarker(`summary\n${encodeMarker(m)}`);
  expect(d).toEqual({ ok: true, marker: m });
  if (!d.ok) return;
  expect(d.marker.v).toBe(2);
  expect(d.marker.headSha).toBe('a'.repeat(40));
  const [db] = d.marker.projects;
  expect(db).toMatchObject({
    name: 'db',
    digest: report.projects[0]!.plan.digest,
    destroyCount: 1,
    destroys: ['delete aws_db_instance.main'],
    destroySet: report.projects[0]!.binding.destroySet,
    riskSet: report.projects[0]!.binding.riskSet,
  });
  expect(db!.risks).toContain('stateful-destroy aws_db_instance.main');
});

test('a v1 marker is outdated, with its project names (for the sticky comment), never a summary', () => {
  const v1 = (json: unknown) =>
    `<!-- applygate:v1 ${Buffer.from(JSON.stringify(json)).toString('base64url')} -->`;
  const body = v1({ v: 1, projects: [{ name: 'db', digest: `sha256:${'a'.repeat(64)}` }] });
  expect(decodeMarker(body)).toEqual({
    ok: false,
    reason: 'outdated',
    version: 1,
    projects: ['db'],
  });
  expect(OUTDATED_MARKER).toMatch(/re-run the plan job/);
  // Two markers of any versions in one comment: forged.
  const v2 = encodeMarker(markerFor(report));
  expect(decodeMarker(`${body}\n${v2}`)).toEqual({ ok: false, reason: 'several' });
  // A future version is not read either.
  expect(decodeMarker(v2.replace('applygate:v2', 'applygate:v3'))).toEqual({
    ok: false,
    reason: 'malformed',
  });
  // The bot's old sticky comment is found and rewritten, not duplicated.
  const comments = [{ id: 5, body, user: { login: 'github-actions[bot]' } }];
  expect(findSticky(comments, ['github-actions[bot]'], ['db']).keep?.comment.id).toBe(5);
  expect(findSticky(comments, ['github-actions[bot]'], ['web']).keep).toBeUndefined();
});

test('v2 fields are checked: a v1-style digest or a bad set digest is malformed', () => {
  const m = markerFor(report);
  const bad = [
    { ...m.projects[0]!, digest: `sha256:${'a'.repeat(64)}` },
    { ...m.projects[0]!, destroySet: 'nope' },
    { ...m.projects[0]!, risks: [1] as unknown as string[] },
  ];
  for (const p of bad) {
    expect(decodeMarker(encodeMarker({ ...m, projects: [p] }))).toEqual({
      ok: false,
      reason: 'malformed',
    });
  }
});

test('too many destroys for the marker: lists are cut, counts and set digests stay exact', () => {
  const many = buildReport(
    [
      {
        name: 'big',
        plan: toPlan(
          planDoc({
            changes: Array.from({ length: 800 }, (_, i) =>
              rc({
                address: `aws_s3_bucket.b${String(i).padStart(4, '0')}`,
                actions: ['delete'],
                before: {},
              }),
            ),
          }),
        ),
      },
    ],
    config(),
  );
  const text = encodeMarker(markerFor(many));
  const d = decodeMarker(text);
  expect(d.ok).toBe(true);
  if (!d.ok) return;
  const p = d.marker.projects[0]!;
  expect(Buffer.from(text.split(' ')[2]!, 'base64url').length).toBeLessThanOrEqual(
    MARKER_MAX_BYTES,
  );
  expect(p.destroys.length).toBeLessThan(800);
  expect(p.destroyCount).toBe(800);
  expect(p.destroySet).toBe(many.projects[0]!.binding.destroySet);
  // Each list cut is marked with its exact length (800 stateful destroys, and mass-destroy).
  expect(p.cut).toEqual({ destroys: 800, risks: 801 });
  expect(listsProblem(p)).toBeUndefined();
});

test('lists that do not hash to their sets, unless marked cut with more lines than shown', () => {
  const p = markerFor(report).projects[0]!;
  expect(listsProblem(p)).toBeUndefined();
  expect(listsProblem({ ...p, destroys: [] })).toBe(
    'its destroy list does not hash to its destroySet',
  );
  expect(listsProblem({ ...p, risks: p.risks.slice(1) })).toBe(
    'its high-risk list does not hash to its riskSet',
  );
  // Cut: the set cannot be checked, the count can.
  expect(listsProblem({ ...p, destroys: [], cut: { destroys: 1 } })).toBeUndefined();
  expect(listsProblem({ ...p, cut: { destroys: 1 } })).toBe(
    'its destroy list is marked cut at 1 lines but shows 1',
  );
  // A cut that is not a positive whole number: not a marker at all.
  for (const cut of [{ destroys: 0 }, { risks: 1.5 }, { other: 3 }, [2]]) {
    const m = markerFor(report);
    const bad = { ...m, projects: [{ ...p, cut } as unknown as MarkerProject] };
    expect(decodeMarker(encodeMarker(bad))).toEqual({ ok: false, reason: 'malformed' });
  }
});
