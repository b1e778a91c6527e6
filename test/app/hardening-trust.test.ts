/**
 * Hardening (issue 7), trust: what a pull request controls (its own CODEOWNERS, config and
 * workflows, a fork, a summary for another commit, an approval for another project) cannot lower
 * its own gate. End to end, as in app.test.ts.
 */
import { GATE } from '../../src/app/messages.js';
import {
  AUTHOR,
  BASE,
  CODEOWNERS,
  HEAD,
  HEAD2,
  Harness,
  OWNER,
  PR,
  REPO,
  harnessForEachTest,
} from '../../testkit/app/harness.js';
import { pullRequestPayload } from '../../testkit/app/payloads.js';

const R = '/repos/{owner}/{repo}';
const approve = '/approve-destroy';
const waitingFor = 'Waiting for approval: 0/1 approvals.';

let h: Harness;

harnessForEachTest((started) => (h = started));

const reads = () => h.fileReads();

function stillPending(runId: number): void {
  expect(h.check()).toMatchObject({ conclusion: 'action_required' });
  expect(h.runStatus(runId)).toBe('waiting');
  expect(h.reviews(runId).map((r) => r.state)).not.toContain('approved');
}

test.each([false, true])(
  'a PR that makes its author a code owner in its own CODEOWNERS: the author still cannot approve (allow_author: %s)',
  async (allowAuthor) => {
    h.setup({
      config: `approval:\n  allow_author: ${allowAuthor}\n`,
      files: ['db/main.tf', '.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'],
    });
    // Every place GitHub looks, at the PR head, names the author.
    for (const path of ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS']) {
      h.gh.setFile(OWNER, REPO, HEAD, path, `* @${AUTHOR}\n/db/ @${AUTHOR}\n`);
    }
    h.waitingRun(555);
    await h.summary('destroy');
    await h.comment(AUTHOR, approve);
    // With allow_author false the author is refused as the author; with true, as a non-owner:
    // the base branch's CODEOWNERS is the one read.
    expect(h.appComments().at(-1)).toContain(
      allowAuthor
        ? '@alice **Not counted.** Not a code owner of any changed file'
        : '@alice **Not counted.** The author of a pull request may not approve its destroy',
    );
    stillPending(555);
    await h.gate(555);
    expect(h.reviews(555).map((r) => r.state)).toEqual(['status']);
    expect(reads()).toEqual([`.github/applygate.yml@${BASE}`, `.github/CODEOWNERS@${BASE}`]);
  },
);

test('a PR that edits .github/applygate.yml to lower its gate (when: never, itself as approver and bot) changes nothing', async () => {
  const lowered = [
    'approval:',
    '  when: { destroys: false, level: never }',
    '  allow_author: true',
    '  codeowners: false',
    `  approvers: ["@${AUTHOR}"]`,
    `bots: ["${AUTHOR}", "github-actions[bot]"]`,
    '',
  ].join('\n');
  h.setup({ files: ['db/main.tf', '.github/applygate.yml'] });
  h.gh.setFile(OWNER, REPO, HEAD, '.github/applygate.yml', lowered);
  h.waitingRun(555);
  await h.summary('destroy');
  expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });
  // Had the head's config been read: the author's own "no destroy" summary would be trusted, and
  // the author could approve.
  await h.summary('creates', HEAD, { login: AUTHOR });
  await h.comment(AUTHOR, approve);
  expect(h.appComments().at(-1)).toContain('@alice **Not counted.** The author of a pull request');
  stillPending(555);
  await h.gate(555);
  expect(h.reviews(555).map((r) => r.state)).toEqual(['status']);
  expect(reads()).toEqual([`.github/applygate.yml@${BASE}`, `.github/CODEOWNERS@${BASE}`]);

  // `required: 0` (invalid, so it would break the gate closed if read) is not read either.
  h.gh.setFile(OWNER, REPO, HEAD, '.github/applygate.yml', 'approval:\n  required: 0\n');
  await h.comment('dba-dana', approve);
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  expect(h.runStatus(555)).toBe('queued');
});

test('a PR that edits the plan workflow: the app never reads workflows, the gate still needs the approval', async () => {
  h.setup({ files: ['db/main.tf', '.github/workflows/terraform.yml'] });
  // The edited workflow would skip `verify` and apply at once; the app does not look at it.
  h.gh.setFile(
    OWNER,
    REPO,
    HEAD,
    '.github/workflows/terraform.yml',
    'on: pull_request\njobs:\n  apply:\n    environment: production\n    steps: [{ run: terraform apply -auto-approve }]\n',
  );
  h.waitingRun(555);
  await h.summary('destroy');
  await h.gate(555);
  stillPending(555);
  expect(h.reviews(555).map((r) => r.state)).toEqual(['status']);
  expect(reads().filter((r) => r.includes('workflows'))).toEqual([]);
  await h.comment('dba-dana', approve);
  expect(h.runStatus(555)).toBe('queued');
  // What it read, at which commit: only the base branch's config and CODEOWNERS.
  expect(reads()).toEqual([`.github/applygate.yml@${BASE}`, `.github/CODEOWNERS@${BASE}`]);
});

test("a PR from a fork: the same gate, approvals still from the base repository's owners", async () => {
  const { gh } = h;
  gh.addRepo({ owner: OWNER, repo: REPO, defaultBranch: 'main' });
  gh.addRepo({ owner: 'mallory', repo: REPO, fork: true, ownerType: 'User' });
  gh.addTeam(OWNER, 'dba', ['tom']);
  gh.setTeamRepoRole(OWNER, 'dba', OWNER, REPO, 'write');
  gh.addPull({
    owner: OWNER,
    repo: REPO,
    number: PR,
    title: 'Clean up duplicates',
    user: { login: 'mallory' },
    head: { sha: HEAD, ref: 'main', repo: { owner: 'mallory', repo: REPO } },
    base: { sha: BASE, ref: 'main' },
    files: [
      { filename: 'db/main.tf', status: 'modified' },
      { filename: '.github/CODEOWNERS', status: 'modified' },
    ],
  });
  gh.setFile(OWNER, REPO, BASE, '.github/CODEOWNERS', CODEOWNERS);
  gh.setFile('mallory', REPO, HEAD, '.github/CODEOWNERS', '* @mallory @mallory-alt\n');
  gh.setFile(OWNER, REPO, HEAD, '.github/CODEOWNERS', '* @mallory @mallory-alt\n');
  const opened = pullRequestPayload(h, 'opened', PR);
  expect(opened['pull_request']).toMatchObject({
    head: { repo: { full_name: `mallory/${REPO}`, fork: true }, label: 'mallory:main' },
    base: { repo: { full_name: `${OWNER}/${REPO}` } },
  });
  await h.send('pull_request', opened);

  h.waitingRun(555);
  await h.summary('destroy');
  await h.comment('mallory', approve);
  await h.comment('mallory-alt', approve);
  expect(h.appComments().slice(-2)).toEqual([
    expect.stringContaining('@mallory **Not counted.** The author of a pull request'),
    expect.stringContaining('@mallory-alt **Not counted.** Not a code owner'),
  ]);
  // GitHub leaves `pull_requests` empty for runs from forks: the app finds the PR by commit.
  await h.gate(555, { pulls: [] });
  stillPending(555);
  expect(h.reviews(555).map((r) => r.state)).toEqual(['status']);
  expect(h.gh.requestsTo(`${R}/commits/{commit_sha}/pulls`)).toHaveLength(1);
  await h.comment('tom', approve);
  expect(h.check()).toMatchObject({ conclusion: 'success' });
  expect(h.runStatus(555)).toBe('queued');
  expect(reads()).toEqual([`.github/applygate.yml@${BASE}`, `.github/CODEOWNERS@${BASE}`]);
});

test('a summary for another head SHA is not used', async () => {
  h.setup();
  h.waitingRun(555);
  // The plan job's summary names another commit (a later push, another PR's run).
  await h.summary('creates', HEAD2);
  expect(h.check()).toMatchObject({
    conclusion: 'action_required',
    title:
      'No applygate summary for a1a1a1a: the plan job has not reported for this commit (run or re-run it: summaries from applygate before v2 do not count).',
  });
  await h.gate(555);
  expect(h.reviews(555)).toEqual([
    { run: 555, state: 'rejected', comment: GATE.noSummary(HEAD, PR) },
  ]);
  await h.comment('dba-dana', approve);
  expect(h.appComments().at(-1)).toContain(
    '@dba-dana **Not counted.** there is no applygate summary for the current head commit yet',
  );

  // The summary for HEAD, approved; then a push: neither carries over to the new head.
  h.waitingRun(556);
  await h.summary('destroy', HEAD);
  await h.comment('dba-dana', approve);
  expect(h.runStatus(556)).toBe('queued');
  await h.push(HEAD2);
  h.waitingRun(557, HEAD2);
  await h.gate(557, { sha: HEAD2 });
  expect(h.reviews(557)).toEqual([
    { run: 557, state: 'rejected', comment: GATE.noSummary(HEAD2, PR) },
  ]);
});

test('monorepo: an approval with project=network does not approve database', async () => {
  h.setup();
  h.waitingRun(555);
  const projects = [
    { name: 'network', plan: 'destroy' as const },
    { name: 'database', plan: 'destroy' as const },
  ];
  await h.summary('destroy', HEAD, { projects });
  expect(h.check()!.title).toBe(
    'Waiting for approval: database: 0/1 approvals; network: 0/1 approvals.',
  );
  const n = await h.comment('dba-dana', `${approve} project=network`);
  expect(h.replyTo(n['id'] as number)).toMatch(
    /^@dba-dana approved plan `\w+` of project `network`: /,
  );
  expect(h.check()).toMatchObject({
    conclusion: 'action_required',
    title: 'Waiting for approval: database: 0/1 approvals; network: 1/1 approvals by @dba-dana.',
  });
  await h.gate(555);
  stillPending(555);
  expect(h.reviews(555)[0]?.comment).toMatch(/^Waiting for approval: database: 0\/1/);

  await h.comment('dba-dana', `${approve} project=nosuch`);
  expect(h.appComments().at(-1)).toContain(
    "there is no project 'nosuch' in this pull request's plan (projects: database, network)",
  );
  stillPending(555);

  await h.comment('tom', `${approve} project=database`);
  expect(h.check()).toMatchObject({
    conclusion: 'success',
    title: 'Approved: database: 1/1 approvals by @tom; network: 1/1 approvals by @dba-dana.',
  });
  expect(h.runStatus(555)).toBe('queued');
  expect(h.reviews(555).at(-1)).toMatchObject({ state: 'approved' });
});
