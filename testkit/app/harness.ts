/**
 * The app under test, for real: the local GitHub emulator (OpenAPI validation on) plays GitHub,
 * the Probot app listens on HTTP on 127.0.0.1 with a freshly generated RSA key, and webhooks are
 * sent signed with the webhook secret, as GitHub sends them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign } from '@octokit/webhooks-methods';
import { load } from 'js-yaml';
import { createNodeMiddleware, Probot, ProbotOctokit, type Logger } from 'probot';
import { applygate, type ApplygateApp, type ApplygateOptions } from '../../src/app/index.js';
import { DEFAULT_CONFIG, type Config } from '../../src/core/config.js';
import { parsePlan, shortDigest } from '../../src/core/plan/index.js';
import { renderMarkdown } from '../../src/core/render/index.js';
import { buildReport } from '../../src/core/report.js';
import { CEL_POLICY_ENGINE } from '../../src/core/policies/engine.js';
import { createsOnlyPlan, incidentDestroyPlan } from '../plans/samples.js';
import { startEmulator, type GitHubEmulator, type RequestLogEntry } from '../github/emulator.js';
import {
  deploymentProtectionRulePayload,
  issueCommentPayload,
  membershipPayload,
  pullRequestPayload,
  type Site,
} from './payloads.js';

type Obj = Record<string, unknown>;

export const OWNER = 'acme';
export const REPO = 'infra';
export const PR = 7;
export const AUTHOR = 'alice';
export const HEAD = 'a1'.repeat(20);
export const HEAD2 = 'a2'.repeat(20);
export const BASE = 'b1'.repeat(20);
export const ENV = 'production';
export const WEBHOOK_SECRET = 'applygate-test-secret';
const R = '/repos/{owner}/{repo}';
/** `METHOD route` of each GitHub call the app makes, as `Harness.calls()` lists them. */
export const CALL = {
  token: 'POST /app/installations/{installation_id}/access_tokens',
  pull: `GET ${R}/pulls/{pull_number}`,
  contents: `GET ${R}/contents/{path}`,
  comments: `GET ${R}/issues/{issue_number}/comments`,
  files: `GET ${R}/pulls/{pull_number}/files`,
  membership: 'GET /orgs/{org}/teams/{team_slug}/memberships/{username}',
  permission: `GET ${R}/collaborators/{username}/permission`,
  teamPermission: 'GET /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}',
  findCheck: `GET ${R}/commits/{ref}/check-runs`,
  createCheck: `POST ${R}/check-runs`,
  updateCheck: `PATCH ${R}/check-runs/{check_run_id}`,
  react: `POST ${R}/issues/comments/{comment_id}/reactions`,
  comment: `POST ${R}/issues/{issue_number}/comments`,
  waiting: (sha: string) => `GET ${R}/actions/runs?head_sha=${sha}&status=waiting&per_page=100`,
  pending: `GET ${R}/actions/runs/{run_id}/pending_deployments`,
  review: `POST ${R}/actions/runs/{run_id}/deployment_protection_rule`,
  run: `GET ${R}/actions/runs/{run_id}`,
  commitPulls: `GET ${R}/commits/{commit_sha}/pulls`,
};

/** Collaborators with the write role in `setup()`. */
export const WRITERS = ['dba-dana', AUTHOR, 'mallory', 'lena', 'ops-olga', 'writer', 'kate'];

/** Base-branch CODEOWNERS: `/db/` (changed by the PR) is owned by dba-dana and the dba team. */
export const CODEOWNERS = '*  @acme/platform\n/db/  @dba-dana @acme/dba\n';

let key: string | undefined;
/** A real RSA key for the app's JWTs, generated once per test file. */
export function privateKey(): string {
  key ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  return key;
}

/**
 * POST a webhook as GitHub does: signed with `secret` unless `signature` is given, with a fresh
 * delivery id unless `id` is given (GitHub's redelivery keeps the id).
 */
export async function postWebhook(
  url: string,
  secret: string,
  event: string,
  payload: object,
  opts: { signature?: string; id?: string } = {},
): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/applygate-test',
      'x-github-event': event,
      'x-github-delivery': opts.id ?? randomUUID(),
      'x-hub-signature-256': opts.signature ?? (await sign(secret, body)),
    },
    body,
  });
}

/**
 * Probot's environment variables for an app server of its own (Probot's runner, or
 * lib/app/server.js) on `port`, pointed at the emulator through GHE_HOST as at an Enterprise
 * server.
 */
export function probotEnv(
  gh: GitHubEmulator,
  port: number,
  secret: string,
  logLevel: string,
): Record<string, string> {
  return {
    APP_ID: String(gh.app.id),
    PRIVATE_KEY: privateKey(),
    WEBHOOK_SECRET: secret,
    GHE_HOST: gh.url.replace(/^http:\/\//, ''),
    GHE_PROTOCOL: 'http',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: logLevel,
    LOG_FORMAT: 'json',
  };
}

/** A TCP port free on 127.0.0.1 right now, for a server started as its own process. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------- the app as its own process

/**
 * The repository of the tests that start the app as a server, an image or a function rather
 * than through the Harness: acme/infra, pull request #`number` by alice changing
 * network/main.tf, with the plan job's summary of a plan that only creates (no approval
 * needed) for `head`. Returns the site for webhook payloads and the summary comment.
 */
export function creatingPull(
  gh: GitHubEmulator,
  opts: { number: number; head: string; base: string },
): { site: Site; summary: Obj } {
  gh.addRepo({ owner: OWNER, repo: REPO });
  gh.addPull({
    owner: OWNER,
    repo: REPO,
    number: opts.number,
    title: 'Add subnets',
    user: { login: AUTHOR },
    head: { sha: opts.head, ref: 'subnets' },
    base: { sha: opts.base, ref: 'main' },
    files: [{ filename: 'network/main.tf', status: 'modified' }],
  });
  planRun(gh, opts.head, { ref: 'subnets' });
  const summary = gh.addComment(OWNER, REPO, opts.number, {
    user: { login: 'github-actions[bot]', type: 'Bot' },
    body: summaryBody('creates', opts.head),
  });
  return { site: { gh, owner: OWNER, repo: REPO }, summary };
}

/** The apply job of a `pull_request` run at `head`, waiting on the environment `production`. */
export function waitingApply(gh: GitHubEmulator, runId: number, head: string): void {
  gh.addWorkflowRun({
    owner: OWNER,
    repo: REPO,
    id: runId,
    head_sha: head,
    status: 'waiting',
    environment: ENV,
    event: 'pull_request',
  });
}

export interface AppProcess {
  child: ChildProcess;
  /** Where it takes webhooks. */
  url: string;
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
  /** What it wrote to stdout and stderr so far. */
  output(): string;
}

/**
 * Start the app server as a process (`node ARGS...` in `cwd`) with Probot's environment for
 * the emulator on a free port, plus `env`; resolves once it answers `/ping`, and fails with its
 * output if it exits or does not answer within `startMs`.
 */
export async function startAppProcess(
  gh: GitHubEmulator,
  opts: {
    args: string[];
    secret: string;
    cwd?: string;
    env?: Record<string, string>;
    logLevel?: string;
    startMs?: number;
  },
): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, opts.args, {
    cwd: opts.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      ...opts.env,
      ...probotEnv(gh, port, opts.secret, opts.logLevel ?? 'warn'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const until = Date.now() + (opts.startMs ?? 15_000);
  for (;;) {
    const ping = await fetch(`http://127.0.0.1:${port}/ping`).then(
      (r) => r.text(),
      () => '',
    );
    if (ping === 'PONG') break;
    if (Date.now() > until || child.exitCode !== null) {
      if (child.exitCode === null) child.kill('SIGKILL');
      throw new Error(`the app did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `http://127.0.0.1:${port}/api/github/webhooks`, exited, output: () => out };
}

interface Manifest {
  default_events: string[];
  default_permissions: Record<string, string>;
}

export const MANIFEST = load(
  readFileSync(new URL('../../app.yml', import.meta.url), 'utf8'),
) as Manifest;

export interface LogEntry {
  level: string;
  msg: string;
  obj: unknown;
}

/** A pino-shaped logger that records what the app logs. */
function recordingLogger(entries: LogEntry[]): Logger {
  const at =
    (level: string) =>
    (obj: unknown, msg?: string): void => {
      entries.push({ level, obj, msg: typeof obj === 'string' ? obj : (msg ?? '') });
    };
  const log = {
    level: 'info',
    child: () => log,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
  };
  return log as unknown as Logger;
}

/** A test clock: GitHub's timestamps have whole seconds, so time moves only when told to. */
export class Clock {
  private t = Math.floor(Date.now() / 1000) * 1000;
  now = (): Date => new Date(this.t);
  tick(seconds = 60): void {
    this.t += seconds * 1000;
  }
}

/**
 * The repository of the app tests (Harness.setup, and the replicas' tests): PR #7 by alice
 * changing db/main.tf, CODEOWNERS and config on the base.
 */
export function setupRepo(
  gh: GitHubEmulator,
  opts: { config?: string; files?: string[] } = {},
): void {
  gh.addRepo({ owner: OWNER, repo: REPO, defaultBranch: 'main' });
  gh.addTeam(OWNER, 'dba', ['tom']);
  gh.addTeam(OWNER, 'platform', ['pat']);
  gh.addPull({
    owner: OWNER,
    repo: REPO,
    number: PR,
    title: 'Clean up duplicates',
    user: { login: AUTHOR },
    head: { sha: HEAD, ref: 'cleanup' },
    base: { sha: BASE, ref: 'main' },
    files: (opts.files ?? ['db/main.tf']).map((filename) => ({ filename, status: 'modified' })),
  });
  gh.setFile(OWNER, REPO, BASE, '.github/CODEOWNERS', CODEOWNERS);
  // Who can push, as GitHub requires of code owners: the owners (dba-dana as a collaborator,
  // the teams through their repository role) and the people the tests name, the attacker
  // mallory included (a person with write access who is not an owner).
  for (const login of WRITERS) gh.setCollaborator(OWNER, REPO, login, 'write');
  gh.setTeamRepoRole(OWNER, 'dba', OWNER, REPO, 'write');
  gh.setTeamRepoRole(OWNER, 'platform', OWNER, REPO, 'maintain');
  if (opts.config !== undefined)
    gh.setFile(OWNER, REPO, BASE, '.github/applygate.yml', opts.config);
  // The plan job's runs the summaries of both heads name (summary() adds others).
  planRun(gh, HEAD);
  planRun(gh, HEAD2);
}

/** The emulator as the app tests use it: requests validated, the test's clock, app.yml's app. */
export function startAppEmulator(clock: Clock): Promise<GitHubEmulator> {
  return startEmulator({
    validate: true,
    now: clock.now,
    app: {
      id: 424242,
      slug: 'applygate',
      permissions: MANIFEST.default_permissions,
      events: MANIFEST.default_events,
    },
  });
}

export class Harness implements Site {
  readonly owner = OWNER;
  readonly repo = REPO;
  readonly logs: LogEntry[] = [];
  private server!: Server;
  private webhookUrl = '';

  private constructor(
    readonly gh: GitHubEmulator,
    /** The app under test; a new one after restart(). */
    public app: ApplygateApp,
    readonly clock: Clock,
    private readonly options: ApplygateOptions = {},
  ) {}

  /**
   * `app`: options of the app under test (its client policy, for the fault tests). The app's
   * clock (the TTL of cached "not a member" answers) is the harness's clock.
   */
  static async start(opts: { app?: ApplygateOptions } = {}): Promise<Harness> {
    const clock = new Clock();
    const gh = await startAppEmulator(clock);
    const app = applygate({ appId: gh.app.id, now: () => clock.now().getTime(), ...opts.app });
    const h = new Harness(gh, app, clock, opts.app);
    await h.listen();
    return h;
  }

  /**
   * The app restarts (or another replica takes over): a new app with empty memory, on a new
   * server, takes the webhooks from now on; GitHub (the emulator) keeps everything.
   */
  async restart(): Promise<void> {
    await this.app.settled();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.app = applygate({
      appId: this.gh.app.id,
      now: () => this.clock.now().getTime(),
      ...this.options,
    });
    await this.listen();
  }

  private async listen(): Promise<void> {
    const probot = new Probot({
      appId: this.gh.app.id,
      privateKey: privateKey(),
      secret: WEBHOOK_SECRET,
      baseUrl: this.gh.url,
      log: recordingLogger(this.logs),
      // Probot's own Octokit and retry plugin, with the retry delays cut from seconds to
      // milliseconds; the throttling plugin (writes 1 s apart, comments 3 s apart) is switched
      // off after Probot's own throttle options are merged in, so the suite stays fast.
      Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
        ...options,
        retry: { retryAfterBaseValue: 1 },
        throttle: { ...(options['throttle'] as object), enabled: false },
      })),
    });
    const middleware = await createNodeMiddleware(this.app, { probot });
    this.server = createServer((req, res) => {
      void middleware(req, res, () => {
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
  }

  /** Where the app receives webhooks (http://127.0.0.1:PORT/api/github/webhooks). */
  get url(): string {
    return this.webhookUrl;
  }

  async close(): Promise<void> {
    await this.app.settled();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.gh.close();
  }

  // ---------------------------------------------------------------- the repository

  /** The repository, PR #7 by alice changing db/main.tf, CODEOWNERS and config on the base. */
  setup(opts: { config?: string; files?: string[] } = {}): void {
    setupRepo(this.gh, opts);
  }

  /** A waiting workflow run for `sha` (its apply job waits on the environment). */
  waitingRun(runId: number, sha = HEAD, event = 'pull_request'): void {
    this.gh.addWorkflowRun({
      owner: OWNER,
      repo: REPO,
      id: runId,
      head_sha: sha,
      status: 'waiting',
      environment: ENV,
      event,
      head_branch: event === 'push' ? 'main' : 'cleanup',
    });
  }

  // ---------------------------------------------------------------- webhooks

  /**
   * POST a webhook, signed unless `signature` is given, with a fresh delivery id unless `id` is
   * given (GitHub's redelivery keeps the id); waits for the response only.
   */
  async deliver(
    event: string,
    payload: Obj,
    opts: { signature?: string; id?: string } = {},
  ): Promise<{ status: number; body: string }> {
    const res = await postWebhook(this.webhookUrl, WEBHOOK_SECRET, event, payload, opts);
    return { status: res.status, body: await res.text() };
  }

  /** Deliver, expect GitHub's 200, and wait until the app has finished the work it queued. */
  async send(event: string, payload: Obj, opts: { id?: string } = {}): Promise<void> {
    const res = await this.deliver(event, payload, opts);
    if (res.status !== 200) throw new Error(`webhook ${event} answered ${res.status}: ${res.body}`);
    await this.app.settled();
  }

  // ---------------------------------------------------------------- what people and bots do

  /** A comment written on github.com, then its `issue_comment.created` webhook. */
  async comment(login: string, body: string, opts: { type?: 'User' | 'Bot' } = {}): Promise<Obj> {
    this.clock.tick();
    const c = this.gh.addComment(OWNER, REPO, PR, { user: { login, type: opts.type }, body });
    await this.send('issue_comment', issueCommentPayload(this, 'created', c, { pull: PR }));
    return c;
  }

  /** Edit a comment on github.com, by its author unless `by` (someone with write access). */
  async editComment(id: number, body: string, opts: { by?: string } = {}): Promise<void> {
    this.clock.tick();
    const before = this.gh.comments(OWNER, REPO, PR).find((c) => c['id'] === id);
    const c = this.gh.editComment(OWNER, REPO, id, body);
    await this.send(
      'issue_comment',
      issueCommentPayload(this, 'edited', c, {
        pull: PR,
        from: String(before?.['body']),
        sender: opts.by,
      }),
    );
  }

  async deleteComment(id: number): Promise<void> {
    this.clock.tick();
    const c = this.gh.comments(OWNER, REPO, PR).find((x) => x['id'] === id);
    if (!c) throw new Error(`no comment ${id}`);
    this.gh.deleteComment(OWNER, REPO, id);
    await this.send('issue_comment', issueCommentPayload(this, 'deleted', c, { pull: PR }));
  }

  /**
   * The Action's sticky summary, rendered by the real renderer for `headSha`: posted by
   * github-actions[bot] or, when the head moved, the same comment edited in place.
   */
  async summary(
    plan: 'destroy' | 'creates' = 'destroy',
    headSha = HEAD,
    opts: { config?: Config; login?: string; type?: 'User' | 'Bot'; projects?: Projects } = {},
  ): Promise<Obj> {
    planRun(this.gh, headSha);
    const body = summaryBody(plan, headSha, opts.config, opts.projects);
    const login = opts.login ?? 'github-actions[bot]';
    const existing = this.gh
      .comments(OWNER, REPO, PR)
      .find(
        (c) =>
          (c['user'] as { login: string }).login === login &&
          String(c['body']).includes('applygate:v2'),
      );
    if (existing && login === 'github-actions[bot]') {
      await this.editComment(existing['id'] as number, body);
      return this.gh.comments(OWNER, REPO, PR).find((c) => c['id'] === existing['id'])!;
    }
    return this.comment(login, body, {
      type: opts.type ?? (login.endsWith('[bot]') ? 'Bot' : 'User'),
    });
  }

  /** A push to the PR: the head moves, then `pull_request.synchronize`. */
  async push(sha: string): Promise<void> {
    this.clock.tick();
    const before = String((this.gh.pull(OWNER, REPO, PR)['head'] as { sha: string }).sha);
    this.gh.setPullHead(OWNER, REPO, PR, sha);
    await this.send('pull_request', pullRequestPayload(this, 'synchronize', PR, { before }));
  }

  /**
   * Someone with write access retargets PR #`number` to `ref` (at `sha`) on github.com; then
   * `pull_request.edited` with the old base in `changes`.
   */
  async retarget(ref: string, sha: string, number = PR): Promise<void> {
    this.clock.tick();
    const before = this.gh.pull(OWNER, REPO, number)['base'] as { ref: string; sha: string };
    this.gh.setPullBaseRef(OWNER, REPO, number, ref, sha);
    await this.send(
      'pull_request',
      pullRequestPayload(this, 'edited', number, {
        baseFrom: { ref: before.ref, sha: before.sha },
      }),
    );
  }

  /** An organization owner adds `login` to `team` on github.com; then `membership.added`. */
  async joinTeam(team: string, login: string, opts: { webhook?: boolean } = {}): Promise<void> {
    this.gh.addTeamMember(OWNER, team, login);
    if (opts.webhook === false) return;
    await this.send('membership', membershipPayload(this, 'added', { team, login }));
  }

  /** An organization owner removes `login` from `team`; then `membership.removed`. */
  async leaveTeam(team: string, login: string): Promise<void> {
    this.gh.removeTeamMember(OWNER, team, login);
    await this.send('membership', membershipPayload(this, 'removed', { team, login }));
  }

  /** GitHub asks the app about a run's environment. */
  async gate(
    runId: number,
    opts: { sha?: string; pulls?: number[]; event?: string; deployment?: boolean } = {},
  ): Promise<void> {
    await this.send(
      'deployment_protection_rule',
      deploymentProtectionRulePayload(this, {
        runId,
        environment: ENV,
        sha: opts.sha ?? HEAD,
        pulls: opts.pulls ?? [PR],
        event: opts.event,
        deployment: opts.deployment,
      }),
    );
  }

  // ---------------------------------------------------------------- what GitHub saw

  /** `path@ref` of every file the app read (the contents API) since the log was last reset. */
  fileReads(): string[] {
    return this.gh
      .requestsTo(`${R}/contents/{path}`)
      .map((r) => `${decodeURIComponent(r.path.split('/contents/')[1]!)}@${r.query['ref']}`);
  }

  /** `METHOD route` of every request since the last call (or the start), in order. */
  calls(): string[] {
    const out = this.gh.requests.map((r) => describe(r));
    this.gh.resetLog();
    return out;
  }

  check(sha = HEAD): { conclusion: unknown; title: string; summary: string } | undefined {
    const runs = this.gh
      .checkRuns(OWNER, REPO)
      .filter((c) => c['head_sha'] === sha && c['name'] === 'applygate / destroy approval');
    const last = runs[runs.length - 1];
    if (!last) return undefined;
    const output = last['output'] as { title: string; summary: string };
    return { conclusion: last['conclusion'], title: output.title, summary: output.summary };
  }

  checkCount(): number {
    return this.gh.checkRuns(OWNER, REPO).length;
  }

  /** Comments the app wrote. */
  appComments(): string[] {
    return this.gh
      .comments(OWNER, REPO, PR)
      .filter((c) => (c['user'] as { login: string }).login === 'applygate[bot]')
      .map((c) => String(c['body']));
  }

  reviews(runId?: number) {
    return this.gh
      .protectionReviews(OWNER, REPO, runId)
      .map((r) => ({ run: r.runId, state: r.state ?? 'status', comment: r.comment ?? '' }));
  }

  /** The app's reply to comment `id` (found by the hidden tag naming it), if any. */
  replyTo(id: number): string | undefined {
    const tag = `<!-- applygate-app reply comment=${id.toString(16)} -->`;
    return this.appComments().find((c) => c.includes(tag));
  }

  reactions(commentId: number): string[] {
    return this.gh
      .reactions(OWNER, REPO, commentId)
      .map((r) => `${(r['user'] as { login: string }).login}:${String(r['content'])}`);
  }

  runStatus(runId: number): unknown {
    return this.gh.workflowRun(OWNER, REPO, runId)?.['status'];
  }

  /** Wait until the emulator has answered every request (delayed ones included). */
  async quiet(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.gh.requests.some((r) => r.status === 0)) {
      if (Date.now() > until) throw new Error('requests still in flight');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function describe(r: RequestLogEntry): string {
  const q = new URLSearchParams(r.query).toString();
  const route = r.route ?? r.path;
  return `${r.method} ${route}${q && r.method === 'GET' && /actions\/runs$/.test(route) ? `?${q}` : ''}${r.fault ? ' (fault)' : ''}`;
}

/** Monorepo projects: name and plan of each (default: one project `default` with `plan`). */
export type Projects = { name: string; plan: 'destroy' | 'creates' }[];

/** The workflow file of the plan job in these tests. */
export const PLAN_WORKFLOW = '.github/workflows/plan.yml';

/**
 * The id of the plan job's workflow run for `headSha`, which the summary's marker names: one
 * per head (from its first hex digits), so that a summary of one head never names another's run.
 */
export function planRunId(headSha: string): number {
  return 0x100000 + Number.parseInt(headSha.slice(0, 5), 16);
}

/**
 * The plan job's run for `headSha` in the emulator (once): a completed `pull_request` run of
 * PLAN_WORKFLOW on branch `ref`, as GitHub lists it. `event`, `id`: for runs that are not it.
 */
export function planRun(
  gh: GitHubEmulator,
  headSha: string,
  opts: { ref?: string; event?: string; id?: number; path?: string } = {},
): number {
  const id = opts.id ?? planRunId(headSha);
  if (gh.workflowRun(OWNER, REPO, id)) return id;
  gh.addWorkflowRun({
    owner: OWNER,
    repo: REPO,
    id,
    head_sha: headSha,
    status: 'completed',
    conclusion: 'success',
    event: opts.event ?? 'pull_request',
    head_branch: opts.ref ?? 'cleanup',
    name: 'plan',
    path: opts.path ?? PLAN_WORKFLOW,
  });
  return id;
}

export function summaryBody(
  plan: 'destroy' | 'creates',
  headSha: string,
  config: Config = DEFAULT_CONFIG,
  projects: Projects = [{ name: 'default', plan }],
  runId = planRunId(headSha),
): string {
  const reports = projects.map((p) => {
    const doc = p.plan === 'destroy' ? incidentDestroyPlan() : createsOnlyPlan();
    const parsed = parsePlan(JSON.stringify(doc), `${p.name}/plan.json`);
    if (!parsed.ok) throw new Error(parsed.error.message);
    return { name: p.name, plan: parsed.plan };
  });
  return renderMarkdown(buildReport(reports, config, CEL_POLICY_ENGINE), {
    marker: { headSha, runId },
  });
}

/** The short digest of a demo plan, as the summary shows it. */
export function shortDigestOf(plan: 'destroy' | 'creates'): string {
  const doc = plan === 'destroy' ? incidentDestroyPlan() : createsOnlyPlan();
  const parsed = parsePlan(JSON.stringify(doc), 'plan.json');
  if (!parsed.ok) throw new Error(parsed.error.message);
  return shortDigest(parsed.plan.digest);
}

/**
 * A fresh app and emulator for every test of the file: started before each test and handed to
 * `use` (the file keeps it in its `h`), finished after it (see finish).
 */
export function harnessForEachTest(
  use: (h: Harness) => void,
  opts: { app?: ApplygateOptions } = {},
): void {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await Harness.start(opts);
    use(current);
  });
  afterEach(async () => {
    const h = current;
    current = undefined;
    if (h) await finish(h);
  });
}

/** The end of every app test: nothing in flight, nothing off GitHub's description, all closed. */
export async function finish(h: Harness): Promise<void> {
  await h.app.settled();
  expect(h.gh.requests.filter((r) => r.status === 0)).toEqual([]);
  expect(h.gh.violations).toEqual([]);
  await h.close();
}
