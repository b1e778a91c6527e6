/**
 * The app's image, built from exactly what `docker build .` would send and nothing else: the
 * Dockerfile's stages carried out in a temporary folder (dockerfile.ts), then the image's CMD
 * started from the final stage's tree, as its USER would run it, against the GitHub emulator,
 * approving a deployment. Needs the npm registry (the image's `npm ci` steps), as `docker build`
 * does. Without it, the image's CMD and HEALTHCHECK are still checked on the compiled tree
 * (`npm run build`'s lib/, what the build stage makes). Where a Docker daemon and the base image
 * are at hand, the real image is built and run too.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/github/emulator.js';
import { repoRoot } from '../../testkit/support/shared.js';
import {
  OWNER,
  REPO,
  creatingPull,
  freePort,
  postWebhook,
  probotEnv,
  startAppProcess,
  waitingApply,
} from '../../testkit/app/harness.js';
import { until } from '../../testkit/support/wait.js';
import { deploymentProtectionRulePayload } from '../../testkit/app/payloads.js';
import {
  build,
  contextFiles,
  imageConfig,
  layOutContext,
  parseDockerfile,
  type BuiltStage,
} from './dockerfile.js';

const DOCKERFILE = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(DOCKERFILE);

test('the build context holds what the image needs and no secrets, tests or tools', () => {
  const files = contextFiles(repoRoot);
  for (const f of files) {
    expect(f).not.toMatch(/(^|\/)(\.env(\..*)?|.*\.pem)$/);
    expect(f).not.toMatch(/^(node_modules|lib|test|testkit|tools|\.git)\//);
  }
  expect(files).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
});

test('the image runs as an unprivileged user', () => {
  const image = stages[stages.length - 1]!;
  const users = image.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
  expect(users.length).toBeGreaterThan(0);
  const user = users[users.length - 1]!.split(':')[0];
  expect(['root', '0', '']).not.toContain(user);
});

test("the image's CMD, run by node outside Docker, passes the image's HEALTHCHECK: /ping answers PONG", async () => {
  const config = imageConfig(stages[stages.length - 1]!);
  const [cmd, ...args] = config.cmd ?? [];
  expect(cmd).toBe('node');
  // The HEALTHCHECK names the route and the port variable: the URL it fetches, at our port.
  const health = config.healthcheck ?? '';
  const url = /http:\/\/127\.0\.0\.1:\$\{PORT\}(\/[^"'\s]*)/.exec(health);
  expect(url?.[1]).toBeDefined();
  const gh = await startEmulator();
  const port = await freePort();
  // The image's ENV (NODE_ENV=production: no setup page) and Probot's settings for this port.
  const env = { PATH: process.env.PATH ?? '', ...config.env, ...probotEnv(gh, port, 's', 'warn') };
  // The build stage's `npm run build` makes lib/ at the WORKDIR; here, in the repository.
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const healthcheck = () =>
    spawnSync('sh', ['-c', health], { env: { ...env, PORT: String(port) }, encoding: 'utf8' });
  try {
    // Listening, or gone: whichever comes first (the test's timeout is the deadline).
    let up = false;
    const probe = setInterval(() => {
      fetch(`http://127.0.0.1:${port}/`).then(
        () => (up = true),
        () => undefined,
      );
    }, 50);
    await until(() => up || child.exitCode !== null);
    clearInterval(probe);
    if (child.exitCode !== null) throw new Error(`the CMD exited (${child.exitCode}):\n${out}`);
    const res = await fetch(`http://127.0.0.1:${port}${url![1]}`);
    expect([res.status, await res.text()]).toEqual([200, 'PONG']);
    expect(healthcheck().status).toBe(0);
  } finally {
    child.kill('SIGTERM');
    await exited;
    await gh.close();
  }
  // The health check itself can fail: with the server gone, it reports unhealthy.
  expect(healthcheck().status).not.toBe(0);
}, 60_000);

describe('the Dockerfile carried out on its build context', () => {
  let dir: string;
  let image: BuiltStage;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'applygate-image-'));
    const context = join(dir, 'context');
    layOutContext(repoRoot, context);
    const built = build(stages, {
      context,
      into: join(dir, 'stages'),
      runEnv: {
        PATH: `${join(process.execPath, '..')}:${process.env.PATH ?? ''}`,
        HOME: process.env.HOME ?? dir,
        // The same packages `npm ci` would fetch; from npm's cache when it holds them.
        npm_config_prefer_offline: 'true',
        npm_config_update_notifier: 'false',
      },
    });
    image = built[built.length - 1]!;
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the image holds the compiled app and production dependencies only', () => {
    const app = join(image.root, image.workdir);
    expect(existsSync(join(app, 'lib/app/server.js'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/probot'))).toBe(true);
    for (const devOnly of [
      'node_modules/typescript',
      'node_modules/jest',
      'src',
      'test',
      'testkit',
      'tools',
    ])
      expect(existsSync(join(app, devOnly))).toBe(false);
  });

  test("the image's CMD starts the app, which approves a deployment", async () => {
    const gh = await startEmulator({ validate: true });
    const HEAD = 'd4'.repeat(20);
    const { site } = creatingPull(gh, { number: 5, head: HEAD, base: 'e4'.repeat(20) });
    waitingApply(gh, 81, HEAD);
    const secret = 'image-secret';
    const [cmd, ...args] = image.cmd ?? [];
    expect(cmd).toBe('node');
    // The image listens on every interface (its HOST); here, on the loopback only.
    const app = await startAppProcess(gh, {
      args,
      secret,
      cwd: join(image.root, image.workdir),
      env: image.env,
    });
    try {
      const payload = deploymentProtectionRulePayload(site, {
        runId: 81,
        environment: 'production',
        sha: HEAD,
        pulls: [5],
      });
      const res = await postWebhook(app.url, secret, 'deployment_protection_rule', payload);
      expect(res.status).toBe(200);
      for (let i = 0; gh.protectionReviews(OWNER, REPO, 81).length === 0; i++) {
        if (i > 200) throw new Error(`no review of the deployment:\n${app.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(gh.protectionReviews(OWNER, REPO, 81).map((r) => r.state)).toEqual(['approved']);
      expect(gh.violations).toEqual([]);
    } finally {
      app.child.kill('SIGTERM');
      await app.exited;
      await gh.close();
    }
  }, 60_000);
});

const BASE = stages[stages.length - 1]?.from ?? '';
const daemon = spawnSync('docker', ['image', 'inspect', BASE], { stdio: 'ignore' }).status === 0;
const dockerTest = daemon ? test : test.skip;
if (!daemon)
  console.warn(
    `[applygate tests] skipped 'docker build: ... non-root user': it needs a Docker daemon with the base image ${BASE}, and there is none here. The Dockerfile's steps, its CMD and its HEALTHCHECK are checked without Docker above.`,
  );

dockerTest(
  'docker build: the real image runs as a non-root user (id -u inside it is not 0)',
  async () => {
    const tag = `applygate-app-test:${process.pid}`;
    execFileSync('docker', ['build', '-q', '-t', tag, repoRoot], { stdio: 'pipe' });
    try {
      const uid = execFileSync('docker', ['run', '--rm', '--entrypoint', 'id', tag, '-u'], {
        encoding: 'utf8',
      }).trim();
      expect(uid).not.toBe('0');
    } finally {
      spawnSync('docker', ['image', 'rm', '-f', tag], { stdio: 'ignore' });
    }
  },
  600_000,
);
