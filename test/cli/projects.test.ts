import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runProjects } from '../../src/cli/projects.js';
import { repoRoot } from '../../testkit/support/shared.js';
import { runAction } from '../../testkit/action/runner.js';

// `applygate projects` on repositories made here with git: Terraform roots using nested local
// modules, and Terragrunt units with a parent config, an env.hcl and `//` and get_repo_root()
// sources.

const FILES: Record<string, string> = {
  'README.md': '# infra\n',
  'modules/net/main.tf': 'resource "aws_vpc" "this" {}\n',
  'modules/rds/main.tf': 'resource "aws_db_instance" "this" {}\n',
  // A module using a module: a change to rds reaches db's users too.
  'modules/db/main.tf': 'module "rds" {\n  source = "../rds"\n}\n',
  'infra/network/main.tf': 'module "net" {\n  source = "../../modules/net"\n}\n',
  'infra/db/main.tf':
    '# module "old" { source = "../../modules/net" }\nmodule "db" {\n  source = "../../modules/db"\n}\n',
  'infra/db/prod.tfvars': 'size = 1\n',
  'infra/app/main.tf':
    'module "remote" {\n  source = "terraform-aws-modules/vpc/aws"\n}\nresource "null_resource" "x" {}\n',
  'live/terragrunt.hcl': 'remote_state {\n  backend = "s3"\n}\n',
  'live/prod/env.hcl': 'locals {\n  env = "prod"\n}\n',
  'live/prod/vpc/terragrunt.hcl':
    'include "root" {\n  path = find_in_parent_folders()\n}\nterraform {\n  source = "../../../modules//net"\n}\n',
  'live/prod/rds/terragrunt.hcl':
    'include "root" {\n  path = find_in_parent_folders()\n}\nterraform {\n  source = "${get_repo_root()}/modules/rds"\n}\n',
  'live/dev/vpc/terragrunt.hcl': 'terraform {\n  source = "../../../modules/net"\n}\n',
};

let dir: string;

function git(...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
}

function write(path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'applygate-projects-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 't');
  for (const [path, text] of Object.entries(FILES)) write(path, text);
  git('add', '-A');
  git('commit', '-qm', 'base');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Commit `changes` on a branch off main, run `projects --base main`, back to main. */
function rootsAfter(changes: Record<string, string | null>): { path: string; kind: string }[] {
  const branch = `b${Math.random().toString(36).slice(2)}`;
  git('checkout', '-q', '-b', branch, 'main');
  for (const [path, text] of Object.entries(changes)) {
    if (text === null) git('rm', '-q', path);
    else write(path, text);
  }
  git('add', '-A');
  git('commit', '-qm', 'change', '--allow-empty');
  // main moves on meanwhile: only the branch's own changes count (merge base).
  git('checkout', '-q', 'main');
  write('infra/app/main.tf', `${FILES['infra/app/main.tf']}# ${branch}\n`);
  git('commit', '-qam', 'main moves');
  let out = '';
  const code = runProjects(['--base', 'main', '--head', branch, '--dir', dir], {
    stdout: (t) => (out += t),
    stderr: (t) => {
      throw new Error(t);
    },
    cwd: dir,
  });
  expect(code).toBe(0);
  const matrix = JSON.parse(out) as { include: { name: string; path: string; kind: string }[] };
  for (const e of matrix.include) expect(e.name).toBe(e.path);
  return matrix.include.map(({ path, kind }) => ({ path, kind }));
}

const tf = (path: string) => ({ path, kind: 'terraform' });
const tg = (path: string) => ({ path, kind: 'terragrunt' });

const CASES: {
  name: string;
  changes: Record<string, string | null>;
  want: { path: string; kind: string }[];
}[] = [
  {
    name: 'a nested module: its users, their users, and the unit that sources it',
    changes: { 'modules/rds/main.tf': 'resource "aws_db_instance" "this" { x = 1 }\n' },
    want: [tf('infra/db'), tg('live/prod/rds')],
  },
  {
    name: 'a module used by roots and by units through `//`',
    changes: { 'modules/net/variables.tf': 'variable "cidr" {}\n' },
    want: [tf('infra/network'), tg('live/dev/vpc'), tg('live/prod/vpc')],
  },
  {
    name: 'a .tfvars file of a root',
    changes: { 'infra/db/prod.tfvars': 'size = 2\n' },
    want: [tf('infra/db')],
  },
  {
    name: "a unit's own terragrunt.hcl",
    changes: {
      'live/dev/vpc/terragrunt.hcl': `${FILES['live/dev/vpc/terragrunt.hcl']}inputs = {}\n`,
    },
    want: [tg('live/dev/vpc')],
  },
  {
    name: 'an env.hcl: every unit below it',
    changes: { 'live/prod/env.hcl': 'locals {\n  env = "production"\n}\n' },
    want: [tg('live/prod/rds'), tg('live/prod/vpc')],
  },
  {
    name: 'the parent terragrunt.hcl: every unit',
    changes: { 'live/terragrunt.hcl': 'remote_state {\n  backend = "gcs"\n}\n' },
    want: [tg('live/dev/vpc'), tg('live/prod/rds'), tg('live/prod/vpc')],
  },
  {
    name: 'a file deleted from a root',
    changes: { 'infra/db/prod.tfvars': null },
    want: [tf('infra/db')],
  },
  {
    name: 'a new root',
    changes: { 'infra/dns/main.tf': 'resource "aws_route53_zone" "z" {}\n' },
    want: [tf('infra/dns')],
  },
  {
    name: 'nothing Terraform reads (a commented-out source does not count)',
    changes: { 'README.md': '# infra, again\n', 'docs/x.md': 'x\n' },
    want: [],
  },
];

test.each(CASES)('$name', ({ changes, want }) => {
  expect(rootsAfter(changes)).toEqual(want);
});

test('the built CLI prints the matrix; a base that is not a commit is a clear error', () => {
  const cli = join(repoRoot, 'lib/cli/index.js');
  const ok = spawnSync('node', [cli, 'projects', '--base', 'main~1', '--head', 'main'], {
    cwd: dir,
    encoding: 'utf8',
  });
  expect(ok.stderr).toBe('');
  expect(ok.status).toBe(0);
  expect(JSON.parse(ok.stdout)).toHaveProperty('include');
  const bad = spawnSync('node', [cli, 'projects', '--base', 'no-such-ref'], {
    cwd: dir,
    encoding: 'utf8',
  });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('"no-such-ref" is not a commit');
});

test("the Action's projects mode: the pull request's roots as the matrix output", async () => {
  // A pull request changing the network module, against main.
  git('checkout', '-q', '-b', 'pr', 'main');
  write('modules/net/outputs.tf', 'output "id" { value = 1 }\n');
  git('add', '-A');
  git('commit', '-qm', 'pr');
  const head = git('rev-parse', 'HEAD').trim();
  const base = git('rev-parse', 'main').trim();
  git('checkout', '-q', 'main');
  const run = await runAction({
    inputs: { mode: 'projects' },
    apiUrl: 'http://127.0.0.1:9', // nothing is asked of GitHub in this mode
    event: {
      name: 'pull_request',
      payload: { pull_request: { number: 1, head: { sha: head }, base: { sha: base } } },
    },
    repository: 'acme/infra',
    sha: head,
    cwd: dir,
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(JSON.parse(run.outputs['matrix']!)).toEqual({
    include: [
      { name: 'infra/network', path: 'infra/network', kind: 'terraform' },
      { name: 'live/dev/vpc', path: 'live/dev/vpc', kind: 'terragrunt' },
      { name: 'live/prod/vpc', path: 'live/prod/vpc', kind: 'terragrunt' },
    ],
  });
  expect(run.outputs['count']).toBe('3');
});
