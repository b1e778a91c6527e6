import { assess } from '../../../src/core/risk/index.js';
import { hygieneFindings } from '../../../src/core/risk/hygiene.js';
import { buildReport, reportJson } from '../../../src/core/report.js';
import { renderMarkdown, renderText } from '../../../src/core/render/index.js';
import { DEFAULT_CONFIG, planDoc, rc, toPlan } from '../../../testkit/support/build.js';

// "Before this bites": 0 points, never an approval, shown collapsed and in the JSON.

const db = (actions: string[], values: Record<string, unknown>) =>
  toPlan(
    planDoc({
      changes: [
        rc({
          address: 'aws_db_instance.main',
          actions,
          before: actions[0] === 'create' ? null : { identifier: 'prod', ...values },
          after: { identifier: 'prod', ...values },
        }),
      ],
      priorResources: 3,
    }),
  );

test('the seed incident trap on a kept database: backups go with it, no final snapshot, no protection', () => {
  const plan = db(['no-op'], {
    delete_automated_backups: true,
    skip_final_snapshot: true,
    deletion_protection: false,
  });
  const a = assess(plan, DEFAULT_CONFIG);
  expect(a.findings).toEqual([]);
  expect(a.score).toBe(0);
  expect(a.requiresApproval).toBe(false);
  expect(a.hygiene.map((h) => h.id)).toEqual([
    'backups-deleted-with-resource',
    'no-final-snapshot',
    'deletion-protection-off',
  ]);
  expect(a.hygiene[0]?.message).toMatch(
    /aws_db_instance\.main \(RDS database\): its automated backups/,
  );
});

test('a database set up safely has no item; a deleted one is a risk finding, not hygiene', () => {
  expect(
    hygieneFindings(
      db(['create'], {
        delete_automated_backups: false,
        skip_final_snapshot: false,
        deletion_protection: true,
      }),
    ),
  ).toEqual([]);
  expect(hygieneFindings(db(['delete'], { skip_final_snapshot: true }))).toEqual([]);
});

test('bucket versioning: off on the bucket, unless a separate aws_s3_bucket_versioning is planned', () => {
  const bucket = rc({
    address: 'aws_s3_bucket.b',
    actions: ['no-op'],
    before: { versioning: [{ enabled: false }] },
    after: { versioning: [{ enabled: false }] },
  });
  expect(hygieneFindings(toPlan(planDoc({ changes: [bucket] }))).map((h) => h.id)).toEqual([
    'versioning-off',
  ]);
  const separate = rc({
    address: 'aws_s3_bucket_versioning.b',
    actions: ['create'],
    after: { versioning_configuration: [{ status: 'Enabled' }] },
  });
  expect(hygieneFindings(toPlan(planDoc({ changes: [bucket, separate] })))).toEqual([]);
});

test('shown collapsed under its own heading in markdown, listed in text, and in the JSON as hygiene', () => {
  const plan = db(['no-op'], { skip_final_snapshot: true, delete_automated_backups: false });
  const report = buildReport([{ name: 'default', plan }], DEFAULT_CONFIG);
  const md = renderMarkdown(report);
  expect(md).toMatch(
    /<details>\n<summary>Before this bites: 1 setting that would lose data in a later destroy \(0 points\)<\/summary>\n\n- aws\\_db\\_instance\\.main/,
  );
  expect(md).toContain('No risk factors.');
  const text = renderText(report, { color: false });
  expect(text).toMatch(
    /Before this bites: 1 setting .*\n {2}- aws_db_instance\.main \(RDS database\): a destroy would take no final snapshot/,
  );
  const json = reportJson(report);
  expect(json.projects[0]?.hygiene).toEqual([
    {
      id: 'no-final-snapshot',
      address: 'aws_db_instance.main',
      message:
        'aws_db_instance.main (RDS database): a destroy would take no final snapshot (skip_final_snapshot = true).',
    },
  ]);
});

test('a hostile address in a hygiene item is escaped like every other plan text', () => {
  const plan = toPlan(
    planDoc({
      changes: [
        {
          ...rc({
            address: 'aws_s3_bucket.x',
            actions: ['create'],
            after: { force_destroy: true },
          }),
          address: 'aws_s3_bucket.x<!-- applygate:v1 AAAA -->\u001b[31m',
          type: 'aws_s3_bucket',
        },
      ],
    }),
  );
  const report = buildReport([{ name: 'default', plan }], DEFAULT_CONFIG);
  const md = renderMarkdown(report);
  // Only the real marker, on the last line: the address's fake one is escaped.
  expect(md.match(/<!--/g)?.length).toBe(1);
  expect(md.trimEnd().split('\n').pop()).toMatch(/^<!-- applygate:v2 /);
  expect(renderText(report, { color: false })).not.toContain('\u001b[31m');
});
