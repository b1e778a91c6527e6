import { createHash } from 'node:crypto';
import { bindingOf, destroyLines, riskLines, setDigest } from '../../src/core/binding.js';
import { buildReport } from '../../src/core/report.js';
import type { Finding } from '../../src/core/risk/types.js';
import { config, planDoc, rc, toPlan } from '../../testkit/support/build.js';

// destroySet and riskSet (DESIGN.md "Gate v2"): what `verify` with `match: destroys` compares.

const plan = toPlan(
  planDoc({
    changes: [
      rc({ address: 'aws_s3_bucket.b', actions: ['delete'], before: { bucket: 'b' } }),
      rc({ address: 'aws_db_instance.main', actions: ['delete', 'create'], before: {}, after: {} }),
      rc({ address: 'aws_iam_role.old', actions: ['forget'], before: {} }),
      rc({ address: 'aws_instance.web', actions: ['update'], before: { a: 1 }, after: { a: 2 } }),
      rc({ address: 'aws_sqs_queue.q', actions: ['no-op'], before: {}, after: {} }),
      rc({ address: 'data.aws_ami.x', mode: 'data', actions: ['read'], after: {} }),
    ],
    priorResources: 40,
  }),
);

test('destroyLines: every delete, replace and forget as KIND ADDRESS, sorted', () => {
  expect(destroyLines(plan)).toEqual([
    'delete aws_s3_bucket.b',
    'forget aws_iam_role.old',
    'replace aws_db_instance.main',
  ]);
});

test('riskLines: findings at high and above only, as RULE ADDRESS (RULE alone plan-wide)', () => {
  const findings: Finding[] = [
    { id: 'destroy', severity: 'medium', address: 'a.b', message: '' },
    { id: 'stateful-destroy', severity: 'critical', address: 'aws_s3_bucket.b', message: '' },
    { id: 'mass-destroy', severity: 'critical', message: '' },
    { id: 'network-exposure', severity: 'high', address: 'aws_sg.a', message: '' },
    { id: 'stateful-destroy', severity: 'critical', address: 'aws_s3_bucket.b', message: '' },
  ];
  expect(riskLines(findings)).toEqual([
    'mass-destroy',
    'network-exposure aws_sg.a',
    'stateful-destroy aws_s3_bucket.b',
  ]);
});

test('setDigest: sha256 hex of the JSON list of sorted, distinct lines; order and repeats do not matter', () => {
  const lines = ['replace b', 'delete a'];
  expect(setDigest(lines)).toBe(
    createHash('sha256').update('["delete a","replace b"]', 'utf8').digest('hex'),
  );
  expect(setDigest(['delete a', 'replace b', 'delete a'])).toBe(setDigest(lines));
  expect(setDigest([])).toMatch(/^[0-9a-f]{64}$/);
  // A newline inside an address cannot make two different sets hash alike.
  expect(setDigest(['delete a\ndelete b'])).not.toBe(setDigest(['delete a', 'delete b']));
});

test('the report carries each project binding, computed with its config', () => {
  const report = buildReport([{ name: 'p', plan }], config());
  const b = report.projects[0]!.binding;
  expect(b).toEqual(bindingOf(plan, report.projects[0]!.assessment.findings));
  expect(b.destroySet).toBe(setDigest(destroyLines(plan)));
  expect(b.risks).toContain('stateful-destroy aws_s3_bucket.b');
  // A rule switched off in the config leaves the risk set.
  const quiet = buildReport(
    [{ name: 'p', plan }],
    config({ risk: { ignore: ['stateful-destroy', 'backups-lost'] } }),
  );
  expect(quiet.projects[0]!.binding.risks.some((l) => l.startsWith('stateful-destroy'))).toBe(
    false,
  );
  expect(quiet.projects[0]!.binding.riskSet).not.toBe(b.riskSet);
  expect(quiet.projects[0]!.binding.destroySet).toBe(b.destroySet);
});
