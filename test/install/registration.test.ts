/**
 * Step 1 of docs/app.md as a user runs it: `npm run app` (lib/app/server.js) without APP_ID serves
 * Probot's setup page, whose "Register GitHub App" button posts a manifest to GitHub. What that
 * manifest says is what GitHub registers, so the docs' claims are checked on it: the webhook URL
 * is WEBHOOK_PROXY_URL (else a localhost URL GitHub refuses), the app is private, and the events
 * and permissions are app.yml's.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { freePort } from '../../testkit/app/harness.js';
import { repoRoot } from '../../testkit/support/shared.js';

const SERVER = join(repoRoot, 'lib/app/server.js');
const appYml = load(readFileSync(join(repoRoot, 'app.yml'), 'utf8')) as Record<string, unknown>;

interface SetupPage {
  /** Where the browser posts the manifest. */
  action: string;
  manifest: Record<string, unknown>;
}

/** Start the app in setup mode in a folder holding app.yml, and read its setup page. */
async function setupPage(env: Record<string, string>): Promise<SetupPage> {
  // A folder of its own: the setup reads app.yml from the working directory, and a developer's
  // .env in the repository must not turn setup mode off.
  const cwd = mkdtempSync(join(tmpdir(), 'applygate-setup-'));
  copyFileSync(join(repoRoot, 'app.yml'), join(cwd, 'app.yml'));
  copyFileSync(join(repoRoot, 'package.json'), join(cwd, 'package.json'));
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    cwd,
    // No APP_ID, not production: setup mode. NO_SMEE_SETUP: do not ask smee.io for a channel.
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      NO_SMEE_SETUP: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    for (let i = 0; ; i++) {
      const html = await fetch(`http://127.0.0.1:${port}/probot`).then(
        (r) => (r.ok ? r.text() : ''),
        () => '',
      );
      if (html) {
        const action = /<form action="([^"]+)"/.exec(html)?.[1];
        const manifest = /name="manifest" id="manifest" value='([^']*)'/.exec(html)?.[1];
        if (!action || !manifest)
          throw new Error(`no registration form on the setup page:\n${html}`);
        return { action, manifest: JSON.parse(manifest) as Record<string, unknown> };
      }
      if (i > 100 || child.exitCode !== null)
        throw new Error(`the setup page did not come up:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(cwd, { recursive: true, force: true });
  }
}

test("the manifest registers a private app with the real webhook URL and app.yml's access", async () => {
  const url = 'https://applygate.acme.example/api/github/webhooks';
  const { action, manifest } = await setupPage({ GH_ORG: 'acme', WEBHOOK_PROXY_URL: url });
  expect(action).toBe('https://github.com/organizations/acme/settings/apps/new');
  expect(manifest.hook_attributes).toEqual({ url });
  expect(manifest.public).toBe(false);
  expect(manifest.default_events).toEqual(appYml.default_events);
  expect(manifest.default_permissions).toEqual(appYml.default_permissions);
  // The name GitHub proposes; app names are global, so the docs say to change it on GitHub's page.
  expect(manifest.name).toBe(appYml.name);
}, 30_000);

test('without WEBHOOK_PROXY_URL the manifest carries a localhost URL (docs/app.md warns of it)', async () => {
  const { action, manifest } = await setupPage({});
  expect(action).toBe('https://github.com/settings/apps/new');
  expect(manifest.hook_attributes).toEqual({
    url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
  });
}, 30_000);
