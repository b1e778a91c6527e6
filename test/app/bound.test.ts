// What the app shows as the bound truth (src/app/bound.ts), from a marker's lists alone.
import { approvedReply, boundMarkdown, boundPhrase } from '../../src/app/bound.js';
import { CUT_RULE } from '../../src/core/marker.js';
import { codeSpan } from '../../src/core/render/index.js';

const digest = `sha256v2:${'3800e0e15738'.padEnd(64, '0')}`;
const project = (bound: { destroys: string[]; risks: string[]; cut?: object }) => ({
  name: 'db',
  digest,
  requiresApproval: true,
  bound,
});

test('a cut list says how many lines the marker left out, and the rule', () => {
  const p = project({
    destroys: ['delete aws_db_instance.main', 'replace aws_instance.a'],
    risks: ['backups-lost aws_db_instance.main', 'mass-destroy'],
    cut: { destroys: 16, risks: 5 },
  });
  const md = boundMarkdown(p).join('\n');
  expect(md).toContain('16 resources destroyed, replaced or forgotten');
  expect(md).toContain('- delete `aws_db_instance.main`: backups lost');
  expect(md).toContain('- replace `aws_instance.a`');
  expect(md).toContain(`- …and 14 more resources, not listed: ${CUT_RULE}.`);
  expect(md).toContain(`- …and 3 more findings, not listed: ${CUT_RULE}.`);
  expect(boundPhrase(p)).toBe('destroys `aws_db_instance.main` (backups lost) and 15 more');
  expect(approvedReply('carol', [p])[0]).toBe(
    '@carol approved plan `3800e0e15738` of project `db`: destroys `aws_db_instance.main` (backups lost) and 15 more.',
  );
});

test('no destroys: the findings are named by count; nothing at all says so', () => {
  expect(boundPhrase(project({ destroys: [], risks: ['network-exposure aws_sg.x'] }))).toBe(
    'destroys nothing; 1 high or critical finding',
  );
  expect(boundPhrase(project({ destroys: [], risks: [] }))).toBe(
    'destroys nothing, with no high or critical finding',
  );
  // A rule id that is not ours (the marker is text anyone's workflow writes) is shown as code.
  const md = boundMarkdown(project({ destroys: [], risks: ['evil_@x` y'] })).join('\n');
  expect(md).toContain(`- ${codeSpan('evil_@x`')}: \`y\``);
});
