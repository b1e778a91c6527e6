/**
 * Policies with owners (issue 24), end to end against the emulator: a policy of the base-branch
 * config fires on the plan; the usual owner's approval is not enough; the policy's owner's is.
 */
import { parseConfig, type Config } from '../../src/core/config.js';
import { CEL_POLICY_ENGINE } from '../../src/core/policies/engine.js';
import { decodeLedger } from '../../src/core/ledger.js';
import { BASE, HEAD, Harness, OWNER, REPO, harnessForEachTest } from '../../testkit/app/harness.js';

const CONFIG = [
  'policies:',
  '  - id: no-db-delete',
  '    severity: critical',
  '    message: Databases are deleted only in a maintenance window',
  `    when: 'change.type == "aws_db_instance" && "delete" in change.actions'`,
  '    owners: ["@ops-olga"]',
  '',
].join('\n');

function config(text: string): Config {
  const c = parseConfig(text, undefined, CEL_POLICY_ENGINE);
  if (!c.ok) throw new Error(c.errors.join('\n'));
  return c.config;
}

let h: Harness;
harnessForEachTest((started) => (h = started));

function ledger() {
  const runs = h.gh.checkRuns(OWNER, REPO).filter((c) => c['head_sha'] === HEAD);
  const r = decodeLedger(String((runs.at(-1)!['output'] as { text: string | null }).text ?? ''));
  if (!r.ok) throw new Error(r.detail);
  return r.ledger;
}

test('a fired policy with owners: the usual owner approves, the run still waits; the policy owner approves, it unlocks', async () => {
  h.setup({ config: CONFIG });
  h.waitingRun(555);
  await h.summary('destroy', undefined, { config: config(CONFIG) });
  await h.gate(555);
  expect(h.runStatus(555)).toBe('waiting');

  // dba-dana owns db/ (CODEOWNERS): the usual approval, not the policy's.
  await h.comment('dba-dana', '/approve-destroy');
  expect(h.check()).toMatchObject({ conclusion: 'action_required' });
  expect(h.check()!.summary).toContain(
    'one approval from `@ops-olga` (owners of the policy `no-db-delete`, which fired)',
  );
  expect(h.check()!.title).toContain('policy no-db-delete: needs one of @ops-olga');
  await h.gate(555);
  expect(h.runStatus(555)).toBe('waiting');
  expect(h.reviews(555).map((r) => r.state)).not.toContain('approved');

  // mallory has write access but owns neither db/ nor the policy: refused, nothing changes.
  await h.comment('mallory', '/approve-destroy');
  expect(h.check()).toMatchObject({ conclusion: 'action_required' });
  expect(h.runStatus(555)).toBe('waiting');

  // The policy's owner approves: the deployment unlocks.
  await h.comment('ops-olga', '/approve-destroy');
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  expect(h.check()!.title).toContain('policy no-db-delete: approved by @ops-olga');
  expect(h.reviews(555).map((r) => r.state)).toContain('approved');
  const record = ledger();
  expect(record.projects[0]?.state).toBe('approved');
  expect(record.projects[0]?.approvals.map((a) => a.login).sort()).toEqual([
    'dba-dana',
    'ops-olga',
  ]);
});

test('the policy owner alone is not the usual approval: the run waits for a code owner', async () => {
  h.setup({ config: CONFIG });
  h.waitingRun(555);
  await h.summary('destroy', undefined, { config: config(CONFIG) });
  await h.comment('ops-olga', '/approve-destroy');
  expect(h.check()).toMatchObject({ conclusion: 'action_required' });
  expect(h.check()!.title).toContain('0/1 approvals');
  await h.gate(555);
  expect(h.runStatus(555)).toBe('waiting');
});

test('a policy that does not compile on the base branch: config error, nothing approved', async () => {
  const broken = CONFIG.replace('"delete" in change.actions', '"delete" in chnage.actions');
  h.setup({ config: broken });
  h.waitingRun(555);
  await h.summary('destroy');
  await h.comment('dba-dana', '/approve-destroy');
  await h.comment('ops-olga', '/approve-destroy');
  expect(h.check()).toMatchObject({ conclusion: 'failure' });
  const column = /when: '(.*)'/.exec(broken)![1]!.indexOf('chnage') + 1;
  expect(h.check()!.summary).toContain(
    `policy 'no-db-delete': \`when\` at 1:${column}: unknown variable 'chnage'`,
  );
  await h.gate(555);
  expect(h.reviews(555).map((r) => r.state)).not.toContain('approved');
});

describe('projects: each project approved by its own owners only', () => {
  const PROJECTS = [
    'projects:',
    '  - name: network',
    '    paths: ["infra/network/"]',
    '  - name: db',
    '    paths: ["infra/db/"]',
    '    approval: { approvers: ["kate"] }',
    '',
  ].join('\n');
  const OWNERS = '/infra/network/  @lena\n/infra/db/  @dba-dana\n';
  const both = [
    { name: 'network', plan: 'destroy' as const },
    { name: 'db', plan: 'destroy' as const },
  ];

  async function monorepo(configText: string | undefined) {
    h.setup({ config: configText, files: ['infra/network/main.tf', 'infra/db/main.tf'] });
    h.gh.setFile(OWNER, REPO, BASE, '.github/CODEOWNERS', OWNERS);
    h.waitingRun(555);
    await h.summary('destroy', undefined, {
      config: configText ? config(configText) : undefined,
      projects: both,
    });
  }

  test("without projects: the network owner's approval approves the db project too", async () => {
    await monorepo(undefined);
    await h.comment('lena', '/approve-destroy');
    expect(h.check()).toMatchObject({ conclusion: 'success' });
  });

  test("with projects: the network owner's /approve-destroy does not approve db", async () => {
    await monorepo(PROJECTS);
    await h.comment('lena', '/approve-destroy');
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    expect(h.check()!.title).toContain('db: 0/1 approvals; network: 1/1 approvals by @lena');
    expect(h.check()!.summary).toContain("- `@lena`: project 'db': Not a code owner");
    expect(h.check()!.summary).toContain('**Who can approve each project:**');
    expect(h.check()!.summary).toMatch(/- `db`: `@dba-dana`, `@kate` \(/);
    await h.gate(555);
    expect(h.runStatus(555)).toBe('waiting');
    expect(h.reviews(555).map((r) => r.state)).not.toContain('approved');

    // kate is the db project's approver, not network's: her approval counts for db only.
    await h.comment('kate', '/approve-destroy');
    expect(h.check()).toMatchObject({ conclusion: 'success' });
    expect(h.check()!.title).toContain(
      'db: 1/1 approvals by @kate; network: 1/1 approvals by @lena',
    );
    expect(h.reviews(555).map((r) => r.state)).toContain('approved');
  });

  test("the db owner's approval does not approve network either", async () => {
    await monorepo(PROJECTS);
    await h.comment('dba-dana', '/approve-destroy');
    expect(h.check()).toMatchObject({ conclusion: 'action_required' });
    expect(h.check()!.title).toContain('db: 1/1 approvals by @dba-dana; network: 0/1 approvals');
    expect(h.check()!.summary).toContain("- `@dba-dana`: project 'network': Not a code owner");
  });
});
