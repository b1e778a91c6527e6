/**
 * The npm package as a user gets it: packed from a fresh clone (the files git tracks, no lib/), so
 * `prepack` has to build it; installed from the tarball into an empty folder, with only the
 * dependencies it declares; then `npx applygate check` on real plans, and the Lambda entry
 * imported by its package path. Needs the npm registry for the dependencies, as a user does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../testkit/support/shared.js';
import { createsOnlyPlan, incidentDestroyPlan } from '../../testkit/plans/samples.js';
import { COMMANDS } from '../../src/cli/help.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  private?: boolean;
  scripts: Record<string, string>;
};

/** npm, offline where its cache can answer; never asking anything of the terminal. */
const npmEnv = {
  ...process.env,
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  // A test run inside `npm test` must not hand its own npm settings to the npm it starts.
  npm_config_dry_run: 'false',
};

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, env: npmEnv, encoding: 'utf8', stdio: 'pipe' });
}

test('publishable: not private, and built before it is packed', () => {
  expect(pkg.private).toBeUndefined();
  expect(pkg.scripts.prepack).toMatch(/\bbuild\b/);
});

describe('packed from a fresh clone, installed from the tarball', () => {
  let dir: string;
  let packed: { files: { path: string }[]; filename: string };
  let user: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'applygate-pack-'));
    const clone = join(dir, 'clone');
    // What a clone holds: tracked files and new ones not ignored (lib/, dist builds are not).
    const tracked = execFileSync(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    )
      .split('\0')
      .filter((f) => f && existsSync(join(repoRoot, f)));
    for (const f of tracked) {
      mkdirSync(dirname(join(clone, f)), { recursive: true });
      cpSync(join(repoRoot, f), join(clone, f));
    }
    expect(existsSync(join(clone, 'lib'))).toBe(false);
    // `npm ci` already done: the clone shares the dev dependencies rather than installing them.
    symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'), 'dir');

    const out = npm(['pack', '--json', '--pack-destination', dir], clone);
    packed = (JSON.parse(out) as (typeof packed)[])[0]!;

    user = join(dir, 'user');
    mkdirSync(user);
    npm(['install', join(dir, packed.filename)], user);
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the tarball holds the CLI and the app, built, and nothing else', () => {
    const files = packed.files.map((f) => f.path).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'bin/applygate.js',
        'lib/cli/index.js',
        'lib/app/index.js',
        'lib/app/server.js',
        'lib/app/lambda.js',
      ]),
    );
    const extra = files.filter(
      (f) =>
        !/^(bin|lib)\//.test(f) &&
        !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(f),
    );
    expect(extra).toEqual([]);
    expect(files.filter((f) => /^lib\/(action|demo|bench|previews|docs)\//.test(f))).toEqual([]);
  });

  test('npx applygate check: exit 3 on a destroy, 0 on a plan within limits', () => {
    const destroy = join(user, 'destroy.json');
    const creates = join(user, 'creates.json');
    writeFileSync(destroy, JSON.stringify(incidentDestroyPlan()));
    writeFileSync(creates, JSON.stringify(createsOnlyPlan()));
    const npx = (plan: string) =>
      spawnSync('npx', ['--offline', 'applygate', 'check', plan], {
        cwd: user,
        env: npmEnv,
        encoding: 'utf8',
      });

    const risky = npx('destroy.json');
    expect(risky.stderr).not.toMatch(/Cannot find|ERR_MODULE_NOT_FOUND/);
    expect(risky.status).toBe(3);
    expect(risky.stdout).toMatch(/critical/i);
    expect(risky.stdout).toMatch(/aws_db_instance/);

    const fine = npx('creates.json');
    expect(fine.status).toBe(0);

    const bad = npx('missing.json');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/missing\.json/);
  });

  test('npx applygate guard claude-hook: the shell parser loads from the installed package', () => {
    // A PATH with node, npx and the system directories: a destroy must be refused, saying why.
    const bin = mkdtempSync(join(tmpdir(), 'applygate-bin-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    // npx as this run found it on PATH: beside node in an installer's layout, elsewhere when node
    // itself came from the npm registry (.ci/run on a machine with an older node).
    const npxPath = execFileSync('sh', ['-c', 'command -v npx'], { encoding: 'utf8' }).trim();
    symlinkSync(npxPath, join(bin, 'npx'));
    mkdirSync(join(user, 'infra'), { recursive: true });
    const hook = (command: string) =>
      spawnSync(join(bin, 'npx'), ['--offline', 'applygate', 'guard', 'claude-hook'], {
        cwd: user,
        env: { ...npmEnv, PATH: `${bin}:/usr/bin:/bin` },
        input: JSON.stringify({ tool_name: 'Bash', tool_input: { command }, cwd: user }),
        encoding: 'utf8',
      });
    const destroy = hook('cd infra && terraform destroy -auto-approve');
    expect(destroy.status).toBe(0);
    expect(destroy.stdout).toMatch(/"permissionDecision":"deny"/);
    // The line was parsed and the plan attempted (no terraform here; a system one finds no config).
    expect(destroy.stdout).toMatch(/terraform is not installed|`terraform plan .*` failed/);
    expect(destroy.stdout).not.toMatch(/applygate failed while checking/);
    const other = hook('ls -la');
    expect(other.status).toBe(0);
    expect(other.stdout).toBe('');
  });

  test('npx applygate guard install claude: the hook it writes works with a PATH lacking the package', () => {
    const project = join(user, 'project');
    mkdirSync(join(project, '.git'), { recursive: true });
    // Run as npx would: from the project, the package resolved from the folder it was installed in.
    const installed = spawnSync(
      'npx',
      ['--offline', '--prefix', user, 'applygate', 'guard', 'install', 'claude'],
      { cwd: project, env: npmEnv, encoding: 'utf8' },
    );
    expect(installed.stderr).toBe('');
    expect(installed.status).toBe(0);
    expect(installed.stdout).toMatch(/checked: it ran once with a harmless line/);
    const settings = JSON.parse(readFileSync(join(project, '.claude/settings.json'), 'utf8')) as {
      hooks: { PreToolUse: { hooks: { command: string }[] }[] };
    };
    const command = settings.hooks.PreToolUse[0]!.hooks[0]!.command;
    expect(command).toContain(join(user, 'node_modules/applygate/lib/guard/claude-hook.js'));
    // Claude Code runs the command with its own PATH: here one without node, npx or applygate.
    const hook = (line: string) =>
      spawnSync('sh', ['-c', command], {
        cwd: project,
        env: { HOME: project, PATH: '/usr/bin:/bin' },
        input: JSON.stringify({ tool_name: 'Bash', tool_input: { command: line }, cwd: project }),
        encoding: 'utf8',
      });
    const ls = hook('ls');
    expect(ls.status).toBe(0);
    expect(ls.stdout).toBe('');
    const incident = hook('terraform destroy -auto-approve');
    expect(incident.status).toBe(0);
    expect(incident.stdout).toMatch(/"permissionDecision":"deny"/);
    // doctor sees it, and that it works.
    const doctor = spawnSync(
      'npx',
      ['--offline', '--prefix', user, 'applygate', 'guard', 'doctor'],
      {
        cwd: project,
        env: npmEnv,
        encoding: 'utf8',
      },
    );
    expect(doctor.stdout).toMatch(/works: a harmless line/);
  });

  test('every command explains itself from the installed package: --help and --version', () => {
    const npx = (...args: string[]) =>
      spawnSync('npx', ['--offline', 'applygate', ...args], {
        cwd: user,
        env: npmEnv,
        encoding: 'utf8',
      });
    const version = npx('--version');
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${pkg.version}\n`);
    const help = npx('--help');
    expect(help.status).toBe(0);
    expect(COMMANDS.length).toBeGreaterThanOrEqual(3);
    for (const c of COMMANDS) {
      expect(help.stdout).toContain(`  ${c.name}`);
      const one = npx(c.name, '--help');
      expect({ command: c.name, status: one.status, stderr: one.stderr }).toEqual({
        command: c.name,
        status: 0,
        stderr: '',
      });
      expect(one.stdout).toMatch(new RegExp(`usage:\\s+applygate ${c.name}`));
    }
  });

  test('the demo runs from the fresh clone the package was packed from', () => {
    const demo = spawnSync('npm', ['run', '-s', 'demo'], {
      cwd: join(dir, 'clone'),
      env: npmEnv,
      encoding: 'utf8',
    });
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
    expect(demo.stdout).toMatch(/Outcome: nothing was destroyed without a code owner approving/);
  }, 240_000);

  test("the Lambda entry resolves by its package path with the package's own dependencies", () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('applygate/lambda'); console.log(typeof m.handler, typeof m.createLambdaHandler);",
      ],
      { cwd: user, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('function function');
  });
});
