/**
 * A local, in-memory GitHub REST API emulator for end-to-end tests.
 *
 * It listens on 127.0.0.1 (port 0), speaks the routes applygate's Action and Probot app use, with
 * response shapes taken from GitHub's OpenAPI description, and checks every request against that
 * description (`gh.violations`). Point the bundled Action at it with `GITHUB_API_URL=gh.url`, an
 * Octokit with `baseUrl: gh.url`, or a Probot app with `GHE_HOST` (it also answers under
 * `/api/v3`, as GitHub Enterprise Server does).
 *
 * ```ts
 * const gh = await startEmulator();
 * gh.addRepo({ owner: 'acme', repo: 'infra' });
 * gh.addToken('ghs_actions', { login: 'github-actions[bot]', type: 'Bot' });
 * gh.addPull({ owner: 'acme', repo: 'infra', number: 1, title: 't', user: { login: 'alice' },
 *   head: { sha: 'a'.repeat(40), ref: 'feature' }, base: { sha: 'b'.repeat(40), ref: 'main' }, files: [] });
 * // ... run the code under test ...
 * expect(gh.violations).toEqual([]);
 * await gh.close();
 * ```
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  compileTemplate,
  loadSpec,
  matchTemplates,
  type RouteTemplate,
  type SpecValidator,
} from './openapi.js';
import {
  checkRun,
  commitStatus,
  contentEntry,
  contentFile,
  diffEntry,
  fakeSha,
  REPO_ROLES,
  installation,
  integration,
  nodeId,
  issueComment,
  pullRequest,
  reaction,
  repository,
  simpleUser,
  workflowRun,
  type AppInfo,
  type CheckRunState,
  type CommentState,
  type Identity,
  type ProtectionReview,
  type PullFile,
  type PullState,
  type RepoRole,
  type RepoState,
  type StatusState,
  type TeamState,
  type UrlContext,
  type UserType,
} from './shapes.js';

export type { Identity, ProtectionReview, PullFile, RepoRole, UserType } from './shapes.js';

type Obj = Record<string, unknown>;

/** A GitHub App the emulator knows: its JWT (`iss`) and installation tokens are accepted. */
export interface AppInput {
  id?: number;
  slug?: string;
  name?: string;
  installationId?: number;
  botId?: number;
  owner?: string;
  permissions?: Record<string, string>;
  events?: string[];
}

export interface EmulatorOptions {
  /** Check requests against GitHub's OpenAPI description (default true). */
  validate?: boolean;
  /** Also check the emulator's own JSON responses against the description (default false). */
  validateResponses?: boolean;
  /** The first GitHub App (the Probot app under test, `gh.app`); more with `apps` or `addApp`. */
  app?: AppInput;
  /** Other GitHub Apps installed on every repository (each with its own id, slug, installation). */
  apps?: AppInput[];
  /** Clock for created_at/updated_at (default: real time). */
  now?: () => Date;
}

export interface UserInput {
  login: string;
  id?: number;
  type?: UserType;
}

export interface RepoInput {
  owner: string;
  repo: string;
  defaultBranch?: string;
  private?: boolean;
  id?: number;
  ownerType?: 'Organization' | 'User';
  /** Collaborators with the write role (setCollaborator gives other roles). */
  collaborators?: string[];
  /** a fork (the head repository of a pull request from a fork) */
  fork?: boolean;
}

export interface PullInput {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body?: string | null;
  user: UserInput;
  /** `repo`: a fork (added with addRepo) the head branch lives in. */
  head: { sha: string; ref: string; repo?: { owner: string; repo: string } };
  base: { sha: string; ref: string };
  files?: PullFile[];
  state?: 'open' | 'closed';
  draft?: boolean;
}

export interface CommentInput {
  user: UserInput;
  body: string;
  /** override the computed author_association */
  authorAssociation?: string;
}

export interface WorkflowRunInput {
  owner: string;
  repo: string;
  id: number;
  head_sha: string;
  status?: string;
  conclusion?: string | null;
  environment?: string;
  head_branch?: string | null;
  event?: string;
  name?: string;
  run_number?: number;
  path?: string;
  actor?: string;
}

export interface FaultInput {
  /** HTTP method; may be omitted when `route` starts with it ('GET /repos/...'). */
  method?: string;
  /** An emulated route template, e.g. '/repos/{owner}/{repo}/pulls/{pull_number}'. */
  route: string;
  /** Only requests whose decoded path contains this (one file of the contents route). */
  pathIncludes?: string;
  /** Status to answer with; defaults to 500 (403 for rate limits, none for a pure delay). */
  status?: number;
  /** How many matching requests fail (default Infinity). */
  times?: number;
  /** Wait this long before answering (use for client timeouts). */
  delayMs?: number;
  /**
   * Hold every matching request until `fault.release()` (or close): a request in flight for as
   * long as the test needs, without guessing a delay. Then it is answered as the other fields say
   * (normally, when they say nothing else).
   */
  hold?: boolean;
  /** Secondary rate limit: 403, GitHub's message and a `retry-after` header. */
  secondaryRateLimit?: boolean;
  /** Primary rate limit: 403, `x-ratelimit-remaining: 0` and `x-ratelimit-reset`. */
  rateLimit?: boolean;
  /** Seconds for `retry-after` / the rate limit reset (default 60). */
  retryAfter?: number;
  /** Response body to send instead of the default GitHub-like error. */
  body?: unknown;
}

export interface Fault {
  readonly method: string;
  readonly route: string;
  /** requests this fault answered (or delayed) so far */
  hits: number;
  remaining: number;
  readonly spec: FaultInput;
  /** Let the requests a `hold` fault holds (and every later one) go on. */
  release(): void;
}

export interface RequestLogEntry {
  method: string;
  /** the OpenAPI path template, or null when no route matched */
  route: string | null;
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string>;
  /** login behind the token, when there was a valid one */
  login?: string;
  /** the answered status (0 while in flight) */
  status: number;
  /** the answered JSON body */
  response?: unknown;
  /** whether an injected fault answered or delayed it */
  fault?: boolean;
  /**
   * When the emulator read or changed its state for this request: a counter over all requests,
   * in the order handlers ran (a request held by latency or a fault runs later than it came).
   */
  handled?: number;
}

/** Extra time before a request is handled, in milliseconds, by method and route template. */
export type Latency = (method: string, route: string) => number;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Obj = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface TokenInfo {
  user: Identity;
  app: AppInfo | undefined;
  /**
   * A fine-grained personal access token: GitHub offers it no permission for checks, so it
   * cannot read check runs (403 "Resource not accessible by personal access token").
   */
  fineGrained?: boolean;
}

interface Ctx {
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  token: TokenInfo | undefined;
  /** the app whose JWT authenticated a `jwt` route */
  jwtApp?: AppInfo;
  entry: RequestLogEntry;
}

interface Result {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send `body` (a string) as is with this content type, not as JSON. */
  contentType?: string;
}

type Auth = 'optional' | 'token' | 'jwt';

interface RouteDef {
  method: string;
  template: string;
  auth: Auth;
  handler: (c: Ctx) => Result;
}

const DOCS = 'https://docs.github.com/rest';
const MAX_COMMENT = 65536;
const MAX_PULL_FILES = 3000;
/** GitHub refuses a longer status description (422). */
const MAX_STATUS_DESCRIPTION = 140;
/** Statuses per SHA and context in a repository (GitHub: "a limit of 1000"). */
const MAX_STATUSES = 1000;
/** Files larger than this come from the contents API without content (`encoding: "none"`). */
const MAX_INLINE_CONTENT = 1024 * 1024;
/** `mediaType: { format: 'raw' }`: the file's bytes, not JSON. */
const RAW_MEDIA_RE = /application\/vnd\.github(?:\.v3)?\.raw(?:\+json)?\b/;

const GITHUB_ORG: Identity = { login: 'github', id: 9919, type: 'Organization' };
const ACTIONS_APP: AppInfo = {
  id: 15368,
  slug: 'github-actions',
  name: 'GitHub Actions',
  owner: GITHUB_ORG,
  botId: 41898282,
  installationId: 1,
  permissions: {
    actions: 'write',
    checks: 'write',
    contents: 'write',
    issues: 'write',
    pull_requests: 'write',
  },
  events: [],
  clientId: 'Iv1.05c79e9ad1f6bdfa',
};

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
}

function decodeJwt(token: string): Obj | undefined {
  const [h, p] = token.split('.');
  try {
    const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as unknown;
    if (!header || typeof header !== 'object' || !('alg' in header)) return undefined;
    if (!payload || typeof payload !== 'object') return undefined;
    return payload as Obj;
  } catch {
    return undefined;
  }
}

function linkHeader(link: string | undefined): Record<string, string> {
  return link ? { link } : {};
}

/** Logins are ASCII and case-insensitive on GitHub: fold A-Z only (U+212A KELVIN SIGN stays). */
function fold(login: string): string {
  return login.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** The `permissions` booleans GitHub shows for a role. */
function rolePermissions(role: RepoRole | null): Record<string, boolean> {
  const at = role ? REPO_ROLES.indexOf(role) : -1;
  return { pull: at >= 0, triage: at >= 1, push: at >= 2, maintain: at >= 3, admin: at >= 4 };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export class GitHubEmulator {
  /** Base URL, e.g. http://127.0.0.1:PORT (use as GITHUB_API_URL / Octokit baseUrl). */
  url = '';
  /** Every request received, in order. */
  readonly requests: RequestLogEntry[] = [];
  /** OpenAPI validation failures and requests to routes that do not exist. */
  readonly violations: string[] = [];
  /** Milliseconds spent loading GitHub's OpenAPI description (0 if cached or validation is off). */
  readonly specLoadMs: number;
  /** The first GitHub App (the Probot app under test); `appNamed` finds the others. */
  readonly app: AppInfo;

  private readonly server: Server;
  private readonly spec: SpecValidator | undefined;
  private readonly validateResponses: boolean;
  private readonly now: () => Date;
  private readonly repos = new Map<string, RepoState>();
  private readonly users = new Map<string, Identity>();
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly teams = new Map<string, TeamState>();
  /** every GitHub App but github-actions, by slug */
  private readonly apps = new Map<string, AppInfo>();
  private readonly routes = new Map<string, RouteDef>();
  private readonly routeTemplates = new Map<string, RouteTemplate[]>();
  private faults: Fault[] = [];
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  /** requests a `hold` fault holds, and the faults released */
  private readonly holds = new Set<{ fault: Fault; resolve: () => void }>();
  private readonly released = new Set<Fault>();
  private nextUserId = 1001;
  private nextRepoId = 500_001;
  private nextCommentId = 2_200_000_001;
  private nextCheckRunId = 30_000_000_001;
  private nextStatusId = 40_000_000_001;
  private nextReactionId = 300_000_001;
  private nextTeamId = 7001;
  private nextRequestId = 1;
  private closed = false;
  private latency: Latency | undefined;
  private handledCount = 0;

  constructor(opts: EmulatorOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    this.validateResponses = opts.validateResponses ?? false;
    if (opts.validate ?? true) {
      this.spec = loadSpec();
      this.specLoadMs = this.spec.loadMs;
    } else {
      this.specLoadMs = 0;
    }
    this.app = this.addApp({
      ...opts.app,
      slug: opts.app?.slug ?? 'applygate',
      owner: opts.app?.owner ?? 'applygate-dev',
    });
    for (const a of opts.apps ?? []) this.addApp(a);
    this.users.set('github-actions[bot]', {
      login: 'github-actions[bot]',
      id: ACTIONS_APP.botId,
      type: 'Bot',
    });
    this.defineRoutes();
    if (this.spec) {
      for (const def of this.routes.values()) {
        if (!this.spec.methods(def.template).includes(def.method.toLowerCase())) {
          throw new Error(
            `emulated route ${def.method} ${def.template} is not in GitHub's OpenAPI description`,
          );
        }
      }
    }
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ message: `emulator error: ${String(err)}` }));
        }
      });
    });
  }

  /** @internal */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${addr.port}`;
  }

  /** Stop listening, drop open connections and release delayed requests. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.resolve();
    }
    this.sleepers.clear();
    for (const h of this.holds) h.resolve();
    this.holds.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- state setup

  /** Register (or look up) a user; ids are assigned when not given. */
  addUser(login: string, opts: { id?: number; type?: UserType } = {}): Identity {
    return this.ensureUser({ login, ...opts });
  }

  /**
   * Register a GitHub App installed on every repository (a release bot, a look-alike): its bot
   * `SLUG[bot]`, its JWT (`iss` = its id or client id), its installation and tokens, so the check
   * runs and comments it writes carry it. Ids not given are the next free ones. A slug alone
   * returns the app already registered under it.
   */
  addApp(input: AppInput | string = {}): AppInfo {
    if (typeof input === 'string') return this.apps.get(input) ?? this.addApp({ slug: input });
    const n = this.apps.size;
    const slug = input.slug ?? `app-${n + 1}`;
    if (this.apps.has(slug) || slug === ACTIONS_APP.slug)
      throw new Error(`an app with the slug ${slug} exists`);
    const id = input.id ?? 424242 + n;
    const installationId = input.installationId ?? 4242 + n;
    for (const other of this.apps.values()) {
      if (other.id === id || other.installationId === installationId)
        throw new Error(`app ${slug}: id ${id} or installation ${installationId} is taken`);
    }
    const app: AppInfo = {
      id,
      slug,
      name: input.name ?? slug,
      owner: this.ensureUser({ login: input.owner ?? `${slug}-dev`, type: 'Organization' }),
      botId: input.botId ?? 190_000_001 + n,
      installationId,
      permissions: input.permissions ?? {
        actions: 'read',
        checks: 'write',
        contents: 'read',
        deployments: 'write',
        issues: 'write',
        members: 'read',
        metadata: 'read',
        pull_requests: 'write',
      },
      events: input.events ?? [
        'issue_comment',
        'pull_request',
        'deployment_protection_rule',
        'push',
      ],
      clientId: `Iv1.${slug
        .replace(/[^a-z0-9]/gi, '')
        .padEnd(16, '0')
        .slice(0, 16)}`,
    };
    this.apps.set(slug, app);
    this.botOf(app);
    return app;
  }

  /** A registered app by slug (`github-actions` included). */
  appNamed(slug: string): AppInfo {
    const app = slug === ACTIONS_APP.slug ? ACTIONS_APP : this.apps.get(slug);
    if (!app) throw new Error(`no app ${slug}`);
    return app;
  }

  /**
   * A new installation token for an app (by slug; default the first app), as
   * POST /app/installations/{id}/access_tokens would give it: writes with it are the app bot's.
   */
  installationToken(slug: string = this.app.slug): string {
    const app = this.appNamed(slug);
    const token = `ghs_${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`;
    this.tokens.set(token, { user: this.botOf(app), app });
    return token;
  }

  /**
   * Map a token to an identity: writes made with it are authored by that identity. `app` names
   * the GitHub App the token belongs to (`'app'`: the first app; otherwise a slug); without it, a
   * login `SLUG[bot]` of a registered app is that app's.
   */
  addToken(
    token: string,
    user: UserInput & { app?: string; kind?: 'classic' | 'fine-grained' },
  ): Identity {
    const identity = this.ensureUser(user);
    const app =
      user.app === 'app' ? this.app : user.app ? this.appNamed(user.app) : this.appOf(identity);
    this.tokens.set(token, {
      user: identity,
      app,
      ...(user.kind === 'fine-grained' && { fineGrained: true }),
    });
    return identity;
  }

  /** The app whose bot `user` is, if any. */
  private appOf(user: Identity): AppInfo | undefined {
    if (!user.login.endsWith('[bot]')) return undefined;
    const slug = user.login.slice(0, -'[bot]'.length);
    return slug === ACTIONS_APP.slug ? ACTIONS_APP : this.apps.get(slug);
  }

  private botOf(app: AppInfo): Identity {
    return this.ensureUser({ login: `${app.slug}[bot]`, id: app.botId, type: 'Bot' });
  }

  /** The app a JWT's issuer (its id or client id) names, if any. */
  private appOfJwt(payload: Obj): AppInfo | undefined {
    const iss = payload['iss'];
    if (typeof iss !== 'number' && typeof iss !== 'string') return undefined;
    return [...this.apps.values()].find((a) => String(a.id) === String(iss) || a.clientId === iss);
  }

  addRepo(input: RepoInput): void {
    const owner = this.ensureUser({ login: input.owner, type: input.ownerType ?? 'Organization' });
    const id = input.id ?? this.nextRepoId++;
    const defaultBranch = input.defaultBranch ?? 'main';
    this.repos.set(this.key(input.owner, input.repo), {
      owner,
      name: input.repo,
      id,
      defaultBranch,
      private: input.private ?? false,
      fork: input.fork ?? false,
      collaborators: new Map((input.collaborators ?? []).map((l) => [fold(l), 'write' as const])),
      createdAt: iso(this.now()),
      branches: new Map([
        [defaultBranch, fakeSha('branch', input.owner, input.repo, defaultBranch)],
      ]),
      files: new Map(),
      issues: new Map(),
      pulls: new Map(),
      comments: new Map(),
      checkRuns: new Map(),
      statuses: [],
      runs: new Map(),
      protectionReviews: [],
    });
  }

  /** Give `login` a role on the repository as a direct collaborator, or take it away (null). */
  setCollaborator(owner: string, repo: string, login: string, role: RepoRole | null): void {
    const r = this.mustRepo(owner, repo);
    this.ensureUser({ login });
    if (role) r.collaborators.set(fold(login), role);
    else r.collaborators.delete(fold(login));
  }

  /** Give a team a role on a repository, or take its access away (null). */
  setTeamRepoRole(
    org: string,
    slug: string,
    owner: string,
    repo: string,
    role: RepoRole | null,
  ): void {
    const t = this.mustTeam(org, slug);
    this.mustRepo(owner, repo);
    const key = fold(`${owner}/${repo}`);
    if (role) t.repos.set(key, role);
    else t.repos.delete(key);
  }

  /**
   * A user's role on a repository as GitHub computes it: the strongest of the owner's (admin),
   * a direct collaborator's role and the roles of the organization's teams they are in; null
   * for none.
   */
  repoRole(owner: string, repo: string, login: string): RepoRole | null {
    const r = this.mustRepo(owner, repo);
    const l = fold(login);
    if (l === fold(r.owner.login)) return 'admin';
    const roles: RepoRole[] = [];
    const direct = r.collaborators.get(l);
    if (direct) roles.push(direct);
    const key = fold(`${r.owner.login}/${r.name}`);
    for (const t of this.teams.values()) {
      if (fold(t.org) !== fold(r.owner.login)) continue;
      if (![...t.members.keys()].some((m) => fold(m) === l)) continue;
      const role = t.repos.get(key);
      if (role) roles.push(role);
    }
    return roles.reduce<RepoRole | null>(
      (best, x) => (best && REPO_ROLES.indexOf(best) >= REPO_ROLES.indexOf(x) ? best : x),
      null,
    );
  }

  /** A plain issue (pull requests are issues too: addPull is enough for PR comments). */
  addIssue(
    owner: string,
    repo: string,
    input: { number: number; title?: string; user: UserInput },
  ): void {
    const r = this.mustRepo(owner, repo);
    this.assertFreeNumber(r, input.number);
    r.issues.set(input.number, {
      number: input.number,
      title: input.title ?? `Issue ${input.number}`,
      user: this.ensureUser(input.user),
      createdAt: iso(this.now()),
    });
  }

  addPull(input: PullInput): void {
    const r = this.mustRepo(input.owner, input.repo);
    this.assertFreeNumber(r, input.number);
    const at = iso(this.now());
    const state = input.state ?? 'open';
    r.pulls.set(input.number, {
      number: input.number,
      title: input.title,
      body: input.body ?? null,
      user: this.ensureUser(input.user),
      createdAt: at,
      updatedAt: at,
      state,
      draft: input.draft ?? false,
      head: { ...input.head, ...(input.head.repo && { repo: { ...input.head.repo } }) },
      base: { ...input.base },
      headHistory: [input.head.sha],
      files: (input.files ?? []).map((f) => ({ ...f })),
      merged: false,
      mergeCommitSha: null,
      mergedAt: null,
      closedAt: state === 'closed' ? at : null,
    });
    this.headRepo(r, input.head).branches.set(input.head.ref, input.head.sha);
    r.branches.set(input.base.ref, input.base.sha);
  }

  /** The repository a PR's head branch lives in: a fork, or the base repository. */
  private headRepo(r: RepoState, head: PullState['head']): RepoState {
    return head.repo ? this.mustRepo(head.repo.owner, head.repo.repo) : r;
  }

  /** A push to the PR's branch: the head moves to `sha`. */
  setPullHead(owner: string, repo: string, number: number, sha: string): void {
    const p = this.mustPull(owner, repo, number);
    const r = this.mustRepo(owner, repo);
    p.head.sha = sha;
    p.headHistory.push(sha);
    p.updatedAt = iso(this.now());
    this.headRepo(r, p.head).branches.set(p.head.ref, sha);
  }

  /**
   * The PR's base commit moves to `sha` (GitHub updates `base.sha` when the base branch moves
   * under the pull request, e.g. on the next push to the head).
   */
  setPullBase(owner: string, repo: string, number: number, sha: string): void {
    const p = this.mustPull(owner, repo, number);
    p.base.sha = sha;
    p.updatedAt = iso(this.now());
    this.mustRepo(owner, repo).branches.set(p.base.ref, sha);
  }

  /** The PR is retargeted (edited) to another base branch, at that branch's head `sha`. */
  setPullBaseRef(owner: string, repo: string, number: number, ref: string, sha: string): void {
    const p = this.mustPull(owner, repo, number);
    p.base = { ref, sha };
    p.updatedAt = iso(this.now());
    this.mustRepo(owner, repo).branches.set(ref, sha);
  }

  /** Replace the PR's changed files. */
  setPullFiles(owner: string, repo: string, number: number, files: PullFile[]): void {
    this.mustPull(owner, repo, number).files = files.map((f) => ({ ...f }));
  }

  /** Merge the PR: closed, merged, and `mergeSha` becomes the base branch head. */
  mergePull(owner: string, repo: string, number: number, mergeSha: string): void {
    const p = this.mustPull(owner, repo, number);
    const at = iso(this.now());
    Object.assign(p, {
      state: 'closed',
      merged: true,
      mergeCommitSha: mergeSha,
      mergedAt: at,
      closedAt: at,
      updatedAt: at,
    });
    this.mustRepo(owner, repo).branches.set(p.base.ref, mergeSha);
  }

  /** Point a branch at a sha (used to resolve `ref` in contents and check-runs lookups). */
  setBranch(owner: string, repo: string, branch: string, sha: string): void {
    this.mustRepo(owner, repo).branches.set(branch, sha);
  }

  /** Repository contents at `ref` (a branch name or a sha). */
  setFile(owner: string, repo: string, ref: string, path: string, content: string): void {
    const r = this.mustRepo(owner, repo);
    const key = ref.replace(/^refs\/heads\//, '');
    let files = r.files.get(key);
    if (!files) r.files.set(key, (files = new Map<string, string>()));
    files.set(path.replace(/^\/+/, ''), content);
  }

  deleteFile(owner: string, repo: string, ref: string, path: string): void {
    this.mustRepo(owner, repo)
      .files.get(ref.replace(/^refs\/heads\//, ''))
      ?.delete(path.replace(/^\/+/, ''));
  }

  /** Post a comment as `input.user` (as if written on github.com); returns it as the API would. */
  addComment(owner: string, repo: string, issueNumber: number, input: CommentInput): Obj {
    const r = this.mustRepo(owner, repo);
    if (!this.issueExists(r, issueNumber))
      throw new Error(`no issue or pull #${issueNumber} in ${owner}/${repo}`);
    const user = this.ensureUser(input.user);
    const c = this.createComment(r, issueNumber, user, this.appOf(user), input.body);
    c.authorAssociation = input.authorAssociation;
    return this.commentJson(r, c);
  }

  /** Edit a stored comment (as if edited on github.com). */
  editComment(owner: string, repo: string, commentId: number, body: string): Obj {
    const r = this.mustRepo(owner, repo);
    const c = r.comments.get(commentId);
    if (!c) throw new Error(`no comment ${commentId} in ${owner}/${repo}`);
    c.body = body;
    c.updatedAt = iso(this.now());
    return this.commentJson(r, c);
  }

  /** Delete a stored comment (as if deleted on github.com). */
  deleteComment(owner: string, repo: string, commentId: number): void {
    this.mustRepo(owner, repo).comments.delete(commentId);
  }

  /** The comments on an issue or PR, oldest first, as the API returns them. */
  comments(owner: string, repo: string, issueNumber: number): Obj[] {
    const r = this.mustRepo(owner, repo);
    return this.issueComments(r, issueNumber).map((c) => this.commentJson(r, c));
  }

  addTeam(
    org: string,
    slug: string,
    members: string[],
    opts: { maintainers?: string[]; name?: string } = {},
  ): void {
    this.ensureUser({ login: org, type: 'Organization' });
    const m = new Map<string, 'member' | 'maintainer'>();
    for (const login of members) m.set(this.ensureUser({ login }).login, 'member');
    for (const login of opts.maintainers ?? [])
      m.set(this.ensureUser({ login }).login, 'maintainer');
    this.teams.set(`${org.toLowerCase()}/${slug.toLowerCase()}`, {
      org,
      slug,
      id: this.nextTeamId++,
      name: opts.name ?? slug,
      members: m,
      repos: new Map(),
    });
  }

  /** Add `login` to a team (as a member), as an organization owner would. */
  addTeamMember(org: string, slug: string, login: string): void {
    this.mustTeam(org, slug).members.set(this.ensureUser({ login }).login, 'member');
  }

  /** Remove `login` from a team. */
  removeTeamMember(org: string, slug: string, login: string): void {
    const t = this.mustTeam(org, slug);
    for (const l of t.members.keys()) if (fold(l) === fold(login)) t.members.delete(l);
  }

  /** A team's id, slug and name (for webhook payloads). */
  team(org: string, slug: string): { id: number; slug: string; name: string } {
    const t = this.mustTeam(org, slug);
    return { id: t.id, slug: t.slug, name: t.name };
  }

  private mustTeam(org: string, slug: string): TeamState {
    const t = this.teams.get(`${org.toLowerCase()}/${slug.toLowerCase()}`);
    if (!t) throw new Error(`no team ${org}/${slug}`);
    return t;
  }

  addWorkflowRun(input: WorkflowRunInput): void {
    const r = this.mustRepo(input.owner, input.repo);
    const at = iso(this.now());
    r.runs.set(input.id, {
      id: input.id,
      name: input.name ?? 'terraform',
      headSha: input.head_sha,
      headBranch: input.head_branch === undefined ? r.defaultBranch : input.head_branch,
      event: input.event ?? 'push',
      status: input.status ?? 'waiting',
      conclusion: input.conclusion ?? null,
      environment: input.environment,
      runNumber: input.run_number ?? r.runs.size + 1,
      workflowId: 9_000_001,
      path: input.path ?? '.github/workflows/terraform.yml',
      actor: this.ensureUser({
        login: input.actor ?? r.owner.login,
        type: input.actor ? 'User' : r.owner.type,
      }),
      createdAt: at,
      updatedAt: at,
    });
  }

  /** The workflow run as the API returns it. */
  workflowRun(owner: string, repo: string, runId: number): Obj | undefined {
    const r = this.mustRepo(owner, repo);
    const w = r.runs.get(runId);
    return w ? workflowRun(r, w, this.ctx(), this.pullsForSha(r, w.headSha, true)) : undefined;
  }

  /** The `deployment_callback_url` of a deployment_protection_rule webhook for this run. */
  deploymentCallbackUrl(owner: string, repo: string, runId: number): string {
    return `${this.url}/repos/${owner}/${repo}/actions/runs/${runId}/deployment_protection_rule`;
  }

  /** The repository as the API (and webhooks) represent it. */
  repository(owner: string, repo: string): Obj {
    return repository(this.mustRepo(owner, repo), this.ctx());
  }

  /** The pull request as GET /repos/{owner}/{repo}/pulls/{pull_number} returns it. */
  pull(owner: string, repo: string, number: number): Obj {
    const r = this.mustRepo(owner, repo);
    return this.pullJson(r, this.mustPull(owner, repo, number), true);
  }

  /** A user as the API represents it (simple-user). */
  user(login: string): Obj {
    return simpleUser(this.ensureUser({ login }), this.ctx());
  }

  /** Check runs created on the repository, oldest first. */
  checkRuns(owner: string, repo: string): (Obj & { history: Record<string, unknown>[] })[] {
    const r = this.mustRepo(owner, repo);
    return [...r.checkRuns.values()].map((c) => ({
      ...this.checkRunJson(r, c),
      history: c.history,
    }));
  }

  /**
   * A check run GitHub no longer knows (the API cannot delete one; this stands for whatever
   * makes GitHub answer 404 for an id an app kept).
   */
  dropCheckRun(owner: string, repo: string, id: number): void {
    this.mustRepo(owner, repo).checkRuns.delete(id);
  }

  /** Commit statuses of `sha` (all when omitted), newest first, as the API lists them. */
  statuses(owner: string, repo: string, sha?: string): Obj[] {
    const r = this.mustRepo(owner, repo);
    return r.statuses
      .filter((x) => sha === undefined || x.sha === sha)
      .reverse()
      .map((x) => commitStatus(r, x, this.ctx()));
  }

  /** Reactions on a comment, oldest first. */
  reactions(owner: string, repo: string, commentId: number): Obj[] {
    const r = this.mustRepo(owner, repo);
    return (r.comments.get(commentId)?.reactions ?? []).map((x) => reaction(x, this.ctx()));
  }

  /** Reviews and status reports posted to a run's deployment_protection_rule, in order. */
  protectionReviews(owner: string, repo: string, runId?: number): ProtectionReview[] {
    const r = this.mustRepo(owner, repo);
    return r.protectionReviews
      .filter((x) => runId === undefined || x.runId === runId)
      .map((x) => ({ ...x }));
  }

  // ---------------------------------------------------------------- faults and log

  /** Inject a fault on an emulated route. Returns a handle counting its hits. */
  fault(input: FaultInput): Fault {
    let method = input.method?.toUpperCase();
    let route = input.route.trim();
    const m = /^([A-Za-z]+)\s+(\/.*)$/.exec(route);
    if (m) {
      method = method ?? m[1]!.toUpperCase();
      route = m[2]!;
    }
    if (!method) throw new Error(`fault: no method for ${input.route}`);
    if (!this.routes.has(`${method} ${route}`)) {
      throw new Error(
        `fault: ${method} ${route} is not an emulated route; one of:\n${[...this.routes.keys()].join('\n')}`,
      );
    }
    const f: Fault = {
      method,
      route,
      hits: 0,
      remaining: input.times ?? Infinity,
      spec: { ...input },
      release: () => {
        this.released.add(f);
        for (const w of [...this.holds]) {
          if (w.fault !== f) continue;
          this.holds.delete(w);
          w.resolve();
        }
      },
    };
    this.faults.push(f);
    return f;
  }

  clearFaults(): void {
    this.faults = [];
  }

  /**
   * GitHub's latency: every request waits `latency(method, route)` ms before it is handled (its
   * effect lands then, as a slow GitHub's does). `undefined` removes it.
   */
  setLatency(latency: Latency | undefined): void {
    this.latency = latency;
  }

  /** Return the violations recorded so far and clear them. */
  takeViolations(): string[] {
    return this.violations.splice(0, this.violations.length);
  }

  resetLog(): void {
    this.requests.length = 0;
  }

  /** Logged requests for one route template (optionally one method). */
  requestsTo(route: string, method?: string): RequestLogEntry[] {
    return this.requests.filter(
      (e) => e.route === route && (!method || e.method === method.toUpperCase()),
    );
  }

  // ---------------------------------------------------------------- internals

  private ctx(): UrlContext {
    return { api: this.url, html: 'https://github.com' };
  }

  private key(owner: string, repo: string): string {
    return `${owner.toLowerCase()}/${repo.toLowerCase()}`;
  }

  private ensureUser(u: UserInput): Identity {
    const k = fold(u.login);
    const existing = this.users.get(k);
    if (existing) {
      if (u.id !== undefined && existing.id !== u.id) existing.id = u.id;
      if (u.type !== undefined) existing.type = u.type;
      return existing;
    }
    const type: UserType = u.type ?? (u.login.endsWith('[bot]') ? 'Bot' : 'User');
    const created: Identity = { login: u.login, id: u.id ?? this.nextUserId++, type };
    this.users.set(k, created);
    return created;
  }

  private mustRepo(owner: string, repo: string): RepoState {
    const r = this.repos.get(this.key(owner, repo));
    if (!r) throw new Error(`no repository ${owner}/${repo}: call addRepo first`);
    return r;
  }

  private mustPull(owner: string, repo: string, number: number): PullState {
    const p = this.mustRepo(owner, repo).pulls.get(number);
    if (!p) throw new Error(`no pull #${number} in ${owner}/${repo}`);
    return p;
  }

  private assertFreeNumber(r: RepoState, n: number): void {
    if (this.issueExists(r, n))
      throw new Error(`#${n} already exists in ${r.owner.login}/${r.name}`);
  }

  private issueExists(r: RepoState, n: number): boolean {
    return r.pulls.has(n) || r.issues.has(n);
  }

  private issueComments(r: RepoState, n: number): CommentState[] {
    return [...r.comments.values()].filter((c) => c.issueNumber === n).sort((a, b) => a.id - b.id);
  }

  private createComment(
    r: RepoState,
    issueNumber: number,
    user: Identity,
    app: AppInfo | undefined,
    body: string,
  ): CommentState {
    const at = iso(this.now());
    const c: CommentState = {
      id: this.nextCommentId++,
      issueNumber,
      body,
      user,
      app,
      authorAssociation: undefined,
      createdAt: at,
      updatedAt: at,
      reactions: [],
    };
    r.comments.set(c.id, c);
    return c;
  }

  private association(r: RepoState, login: string): string {
    const l = fold(login);
    if (l === fold(r.owner.login)) return 'OWNER';
    const org = fold(r.owner.login);
    for (const t of this.teams.values()) {
      if (fold(t.org) === org && [...t.members.keys()].some((m) => fold(m) === l)) return 'MEMBER';
    }
    if (r.collaborators.has(l)) return 'COLLABORATOR';
    if ([...r.pulls.values()].some((p) => p.merged && fold(p.user.login) === l))
      return 'CONTRIBUTOR';
    return 'NONE';
  }

  private commentJson(r: RepoState, c: CommentState): Obj {
    return issueComment(r, c, this.ctx(), {
      isPull: r.pulls.has(c.issueNumber),
      authorAssociation: c.authorAssociation ?? this.association(r, c.user.login),
    });
  }

  private pullJson(r: RepoState, p: PullState, full: boolean): Obj {
    return pullRequest(r, p, this.ctx(), {
      full,
      comments: this.issueComments(r, p.number).length,
      authorAssociation: this.association(r, p.user.login),
      headRepo: this.headRepo(r, p.head),
    });
  }

  private checkRunJson(r: RepoState, c: CheckRunState): Obj {
    return checkRun(r, c, this.ctx(), this.pullsForSha(r, c.headSha, true));
  }

  /** PRs whose head is (or was) `sha`, or whose merge commit is `sha`. */
  private pullsForSha(r: RepoState, sha: string, openOnly = false): PullState[] {
    return [...r.pulls.values()]
      .filter((p) =>
        openOnly
          ? p.state === 'open' && p.head.sha === sha
          : p.headHistory.includes(sha) || p.mergeCommitSha === sha,
      )
      .sort((a, b) => b.number - a.number);
  }

  /** The sha a ref names: a branch's head, or the ref itself. */
  private resolveSha(r: RepoState, ref: string): string {
    const name = ref.replace(/^refs\/heads\//, '');
    return r.branches.get(name) ?? ref;
  }

  /** The file set for a ref: stored under that name, its branch, or a branch whose head it is. */
  private filesAt(r: RepoState, ref: string): Map<string, string> | undefined {
    const name = ref.replace(/^refs\/heads\//, '');
    const candidates = [name];
    const sha = r.branches.get(name);
    if (sha) candidates.push(sha);
    for (const [branch, head] of r.branches) if (head === name) candidates.push(branch);
    for (const c of candidates) {
      const files = r.files.get(c);
      if (files) return files;
    }
    const known =
      r.branches.has(name) ||
      [...r.branches.values()].includes(name) ||
      [...r.pulls.values()].some((p) => p.headHistory.includes(name) || p.base.sha === name);
    return known ? new Map() : undefined;
  }

  private repoFor(c: Ctx): RepoState {
    const r = this.repos.get(this.key(c.params['owner'] ?? '', c.params['repo'] ?? ''));
    if (!r || (r.private && !c.token)) throw new HttpError(404, 'Not Found');
    return r;
  }

  private requireToken(c: Ctx): TokenInfo {
    if (!c.token) throw new HttpError(401, 'Requires authentication');
    return c.token;
  }

  private requireApp(c: Ctx): TokenInfo & { app: AppInfo } {
    const t = this.requireToken(c);
    if (!t.app || t.user.type !== 'Bot')
      throw new HttpError(403, 'You must authenticate via a GitHub App.');
    return t as TokenInfo & { app: AppInfo };
  }

  private paginate<T>(items: T[], c: Ctx, path: string): { items: T[]; link: string | undefined } {
    const perRaw = Number.parseInt(c.query['per_page'] ?? '30', 10);
    const perPage = Number.isFinite(perRaw) && perRaw > 0 ? Math.min(perRaw, 100) : 30;
    const pageRaw = Number.parseInt(c.query['page'] ?? '1', 10);
    const page = Number.isFinite(pageRaw) && pageRaw > 0 ? pageRaw : 1;
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const at = (n: number): string => {
      const u = new URL(path, this.url);
      for (const [k, v] of Object.entries(c.query)) u.searchParams.set(k, v);
      u.searchParams.set('page', String(n));
      return u.toString();
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${at(Math.min(page - 1, last))}>; rel="prev"`);
    if (page < last) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
    if (page > 1) links.push(`<${at(1)}>; rel="first"`);
    return { items: slice, link: links.length ? links.join(', ') : undefined };
  }

  private list<T>(items: T[], c: Ctx, map: (x: T) => unknown): Result {
    const { items: page, link } = this.paginate(items, c, c.entry.path);
    return { status: 200, body: page.map(map), headers: linkHeader(link) };
  }

  private checkCommentBody(body: unknown, resource = 'IssueComment'): string {
    if (typeof body !== 'string')
      throw new HttpError(422, 'Invalid request.\n\n"body" wasn\'t supplied.');
    if ([...body].length > MAX_COMMENT) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [
          {
            resource,
            code: 'unprocessable',
            field: 'data',
            message: `Body is too long (maximum is ${MAX_COMMENT} characters)`,
          },
        ],
      });
    }
    return body;
  }

  private route(method: string, template: string, auth: Auth, handler: (c: Ctx) => Result): void {
    this.routes.set(`${method} ${template}`, { method, template, auth, handler });
    const list = this.routeTemplates.get(method) ?? [];
    list.push(compileTemplate(template));
    this.routeTemplates.set(method, list);
  }

  private defineRoutes(): void {
    const R = '/repos/{owner}/{repo}';
    const int = (c: Ctx, name: string): number => Number.parseInt(c.params[name] ?? '', 10);
    const comment = (c: Ctx): { r: RepoState; cm: CommentState } => {
      const r = this.repoFor(c);
      const cm = r.comments.get(int(c, 'comment_id'));
      if (!cm) throw new HttpError(404, 'Not Found');
      return { r, cm };
    };
    const issueOf = (c: Ctx): { r: RepoState; n: number } => {
      const r = this.repoFor(c);
      const n = int(c, 'issue_number');
      if (!this.issueExists(r, n)) throw new HttpError(404, 'Not Found');
      return { r, n };
    };
    const pullOf = (c: Ctx): { r: RepoState; p: PullState } => {
      const r = this.repoFor(c);
      const p = r.pulls.get(int(c, 'pull_number'));
      if (!p) throw new HttpError(404, 'Not Found');
      return { r, p };
    };
    const body = (c: Ctx): Obj => (c.body && typeof c.body === 'object' ? (c.body as Obj) : {});

    // Issue comments
    this.route('GET', `${R}/issues/{issue_number}/comments`, 'optional', (c) => {
      const { r, n } = issueOf(c);
      const since = c.query['since'] ? Date.parse(c.query['since']) : NaN;
      const all = this.issueComments(r, n).filter(
        (x) => Number.isNaN(since) || Date.parse(x.updatedAt) >= since,
      );
      return this.list(all, c, (x) => this.commentJson(r, x));
    });
    this.route('POST', `${R}/issues/{issue_number}/comments`, 'token', (c) => {
      const t = this.requireToken(c);
      const { r, n } = issueOf(c);
      const text = this.checkCommentBody(body(c)['body']);
      const cm = this.createComment(r, n, t.user, t.app, text);
      const json = this.commentJson(r, cm);
      return { status: 201, body: json, headers: { location: String(json['url']) } };
    });
    this.route('GET', `${R}/issues/comments/{comment_id}`, 'optional', (c) => {
      const { r, cm } = comment(c);
      return { status: 200, body: this.commentJson(r, cm) };
    });
    this.route('PATCH', `${R}/issues/comments/{comment_id}`, 'token', (c) => {
      this.requireToken(c);
      const { r, cm } = comment(c);
      cm.body = this.checkCommentBody(body(c)['body']);
      cm.updatedAt = iso(this.now());
      return { status: 200, body: this.commentJson(r, cm) };
    });
    this.route('DELETE', `${R}/issues/comments/{comment_id}`, 'token', (c) => {
      this.requireToken(c);
      const { r, cm } = comment(c);
      r.comments.delete(cm.id);
      return { status: 204 };
    });

    // Reactions
    this.route('POST', `${R}/issues/comments/{comment_id}/reactions`, 'token', (c) => {
      const t = this.requireToken(c);
      const { cm } = comment(c);
      const content = str(body(c)['content']);
      if (!content) throw new HttpError(422, 'Invalid request.\n\n"content" wasn\'t supplied.');
      const existing = cm.reactions.find((x) => x.user.id === t.user.id && x.content === content);
      if (existing) return { status: 200, body: reaction(existing, this.ctx()) };
      const x = { id: this.nextReactionId++, user: t.user, content, createdAt: iso(this.now()) };
      cm.reactions.push(x);
      return { status: 201, body: reaction(x, this.ctx()) };
    });

    // Pulls
    this.route('GET', `${R}/pulls/{pull_number}`, 'optional', (c) => {
      const { r, p } = pullOf(c);
      return { status: 200, body: this.pullJson(r, p, true) };
    });
    this.route('GET', `${R}/pulls/{pull_number}/files`, 'optional', (c) => {
      const { r, p } = pullOf(c);
      return this.list(p.files.slice(0, MAX_PULL_FILES), c, (f) => diffEntry(r, p, f, this.ctx()));
    });
    this.route('GET', `${R}/commits/{commit_sha}/pulls`, 'optional', (c) => {
      const r = this.repoFor(c);
      return this.list(this.pullsForSha(r, c.params['commit_sha'] ?? ''), c, (p) =>
        this.pullJson(r, p, false),
      );
    });

    // Contents
    this.route('GET', `${R}/contents/{path}`, 'optional', (c) => {
      const r = this.repoFor(c);
      const ref = c.query['ref'] || r.defaultBranch;
      const path = (c.params['path'] ?? '').replace(/^\/+|\/+$/g, '');
      const files = this.filesAt(r, ref);
      if (!files) throw new HttpError(404, `No commit found for the ref ${ref}`);
      const content = files.get(path);
      if (content !== undefined) {
        if (RAW_MEDIA_RE.test(c.entry.headers['accept'] ?? '')) {
          // As GitHub answers: the bytes, typed as the raw media type with a charset.
          return {
            status: 200,
            body: content,
            contentType: 'application/vnd.github.v3.raw; charset=utf-8',
            headers: { 'x-github-media-type': 'github.v3; param=raw' },
          };
        }
        const file = contentFile(r, ref, path, content, this.ctx());
        // Between 1 and 100 MB GitHub leaves the content out: use the raw media type.
        if (Buffer.byteLength(content, 'utf8') > MAX_INLINE_CONTENT) {
          return { status: 200, body: { ...file, content: '', encoding: 'none' } };
        }
        return { status: 200, body: file };
      }
      const prefix = path ? `${path}/` : '';
      const children = new Map<string, boolean>();
      for (const p of files.keys()) {
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length).split('/');
        children.set(prefix + rest[0], rest.length > 1 || children.get(prefix + rest[0]) === true);
      }
      if (children.size === 0) throw new HttpError(404, 'Not Found');
      const entries = [...children.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([p, dir]) =>
          contentEntry(
            r,
            ref,
            p,
            this.ctx(),
            dir ? { dir: true } : { content: files.get(p) ?? '' },
          ),
        );
      return { status: 200, body: entries };
    });

    // Check runs
    const applyCheckRun = (cr: CheckRunState, b: Obj): void => {
      const at = iso(this.now());
      const conclusion = str(b['conclusion']);
      const status = conclusion ? 'completed' : (str(b['status']) ?? cr.status);
      const finalConclusion = conclusion ?? (status === 'completed' ? cr.conclusion : null);
      if (status === 'completed' && !finalConclusion) {
        throw new HttpError(422, 'Invalid request.\n\n"conclusion" wasn\'t supplied.');
      }
      if (typeof b['name'] === 'string') cr.name = b['name'];
      if (typeof b['details_url'] === 'string') cr.detailsUrl = b['details_url'];
      if (typeof b['external_id'] === 'string') cr.externalId = b['external_id'];
      if (typeof b['started_at'] === 'string') cr.startedAt = b['started_at'];
      cr.status = status;
      cr.conclusion = finalConclusion;
      cr.completedAt =
        status === 'completed' ? (str(b['completed_at']) ?? cr.completedAt ?? at) : null;
      const out = b['output'];
      if (out && typeof out === 'object') {
        const o = out as Obj;
        if (o['title'] !== undefined) cr.output.title = str(o['title']) ?? null;
        if (o['summary'] !== undefined) cr.output.summary = str(o['summary']) ?? null;
        if (o['text'] !== undefined) cr.output.text = str(o['text']) ?? null;
        if (Array.isArray(o['annotations'])) cr.output.annotationsCount += o['annotations'].length;
      }
      cr.history.push(structuredClone(b));
    };
    this.route('POST', `${R}/check-runs`, 'token', (c) => {
      const t = this.requireApp(c);
      const r = this.repoFor(c);
      const b = body(c);
      const name = str(b['name']);
      const headSha = str(b['head_sha']);
      if (!name || !headSha)
        throw new HttpError(422, 'Invalid request.\n\n"name" and "head_sha" are required.');
      const cr: CheckRunState = {
        id: this.nextCheckRunId++,
        name,
        headSha,
        status: 'queued',
        conclusion: null,
        startedAt: iso(this.now()),
        completedAt: null,
        detailsUrl: null,
        externalId: null,
        output: { title: null, summary: null, text: null, annotationsCount: 0 },
        app: t.app,
        checkSuiteId: 20_000_000 + r.checkRuns.size,
        history: [],
      };
      applyCheckRun(cr, b);
      r.checkRuns.set(cr.id, cr);
      return { status: 201, body: this.checkRunJson(r, cr) };
    });
    this.route('PATCH', `${R}/check-runs/{check_run_id}`, 'token', (c) => {
      const t = this.requireApp(c);
      const r = this.repoFor(c);
      const cr = r.checkRuns.get(int(c, 'check_run_id'));
      if (!cr) throw new HttpError(404, 'Not Found');
      if (cr.app && cr.app.id !== t.app.id) {
        throw new HttpError(
          403,
          `Invalid app_id \`${t.app.id}\` - check run can only be modified by its creator.`,
        );
      }
      applyCheckRun(cr, body(c));
      return { status: 200, body: this.checkRunJson(r, cr) };
    });
    this.route('GET', `${R}/commits/{ref}/check-runs`, 'optional', (c) => {
      const r = this.repoFor(c);
      // Fine-grained personal access tokens have no permission for checks (GitHub offers none).
      if (c.token?.fineGrained) {
        throw new HttpError(403, 'Resource not accessible by personal access token');
      }
      const sha = this.resolveSha(r, c.params['ref'] ?? '');
      let runs = [...r.checkRuns.values()]
        .filter((x) => x.headSha === sha)
        .sort((a, b) => b.id - a.id);
      const name = c.query['check_name'];
      if (name) runs = runs.filter((x) => x.name === name);
      const status = c.query['status'];
      if (status) runs = runs.filter((x) => x.status === status);
      const appId = c.query['app_id'];
      if (appId) runs = runs.filter((x) => String(x.app?.id) === appId);
      if ((c.query['filter'] ?? 'latest') === 'latest') {
        const seen = new Set<string>();
        runs = runs.filter((x) => {
          const k = `${x.app?.id ?? ''}\0${x.name}`;
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
      }
      const { items, link } = this.paginate(runs, c, c.entry.path);
      return {
        status: 200,
        body: { total_count: runs.length, check_runs: items.map((x) => this.checkRunJson(r, x)) },
        headers: linkHeader(link),
      };
    });

    // Commit statuses: created, never edited; listed newest first.
    this.route('GET', `${R}/commits/{ref}/statuses`, 'optional', (c) => {
      const r = this.repoFor(c);
      const sha = this.resolveSha(r, c.params['ref'] ?? '');
      const all = r.statuses.filter((x) => x.sha === sha).reverse();
      return this.list(all, c, (x) => commitStatus(r, x, this.ctx()));
    });
    this.route('POST', `${R}/statuses/{sha}`, 'token', (c) => {
      const t = this.requireToken(c);
      const r = this.repoFor(c);
      if (t.app && t.user.type === 'Bot' && t.app.permissions['statuses'] !== 'write') {
        throw new HttpError(403, 'Resource not accessible by integration');
      }
      if (!t.app) {
        const role = this.repoRole(r.owner.login, r.name, t.user.login);
        if (!role || REPO_ROLES.indexOf(role) < REPO_ROLES.indexOf('write'))
          throw new HttpError(404, 'Not Found');
      }
      const b = body(c);
      const state = str(b['state']);
      if (!state || !['error', 'failure', 'pending', 'success'].includes(state)) {
        throw new HttpError(
          422,
          'Invalid request.\n\n"state" must be error, failure, pending or success.',
        );
      }
      const description = str(b['description']) ?? null;
      const invalid = (field: string, message: string) =>
        new HttpError(422, 'Validation Failed', {
          errors: [{ resource: 'Status', code: 'custom', field, message }],
        });
      if (description !== null && [...description].length > MAX_STATUS_DESCRIPTION) {
        throw invalid(
          'description',
          `description is too long (maximum is ${MAX_STATUS_DESCRIPTION} characters)`,
        );
      }
      const sha = c.params['sha'] ?? '';
      const context = str(b['context']) ?? 'default';
      const same = r.statuses.filter(
        (x) => x.sha === sha && x.context.toLowerCase() === context.toLowerCase(),
      );
      if (same.length >= MAX_STATUSES) {
        throw invalid(
          'context',
          `This SHA and context has reached the maximum number of statuses.`,
        );
      }
      const x: StatusState = {
        id: this.nextStatusId++,
        sha,
        state,
        description,
        targetUrl: str(b['target_url']) ?? null,
        context,
        creator: t.user,
        createdAt: iso(this.now()),
      };
      r.statuses.push(x);
      return { status: 201, body: commitStatus(r, x, this.ctx()) };
    });

    // Teams
    const teamOf = (c: Ctx): TeamState => {
      this.requireToken(c);
      const t = this.teams.get(
        `${(c.params['org'] ?? '').toLowerCase()}/${(c.params['team_slug'] ?? '').toLowerCase()}`,
      );
      if (!t) throw new HttpError(404, 'Not Found');
      return t;
    };
    this.route('GET', '/orgs/{org}/teams/{team_slug}/memberships/{username}', 'token', (c) => {
      const t = teamOf(c);
      const login = fold(c.params['username'] ?? '');
      const member = [...t.members.entries()].find(([l]) => fold(l) === login);
      if (!member) throw new HttpError(404, 'Not Found');
      const orgId = this.ensureUser({ login: t.org, type: 'Organization' }).id;
      return {
        status: 200,
        body: {
          url: `${this.url}/organizations/${orgId}/team/${t.id}/memberships/${encodeURIComponent(member[0])}`,
          role: member[1],
          state: 'active',
        },
      };
    });
    this.route('GET', '/orgs/{org}/teams/{team_slug}/members', 'token', (c) => {
      const t = teamOf(c);
      const role = c.query['role'] ?? 'all';
      const members = [...t.members.entries()]
        .filter(([, r]) => role === 'all' || r === role)
        .map(([l]) => this.ensureUser({ login: l }))
        .sort((a, b) => a.login.localeCompare(b.login));
      return this.list(members, c, (u) => simpleUser(u, this.ctx()));
    });

    // Permissions: `permission` is the legacy field (maintain reads as write, triage as read);
    // `role_name` the role itself. A user without access answers "none".
    this.route('GET', `${R}/collaborators/{username}/permission`, 'token', (c) => {
      this.requireToken(c);
      const r = this.repoFor(c);
      const login = c.params['username'] ?? '';
      const user =
        this.users.get(login) ??
        [...this.users.values()].find((u) => fold(u.login) === fold(login));
      if (!user) throw new HttpError(404, 'Not Found');
      const role = this.repoRole(r.owner.login, r.name, user.login);
      const legacy = {
        admin: 'admin',
        maintain: 'write',
        write: 'write',
        triage: 'read',
        read: 'read',
      };
      return {
        status: 200,
        body: {
          permission: role ? legacy[role] : 'none',
          role_name: role ?? 'none',
          user: {
            ...simpleUser(user, this.ctx()),
            permissions: rolePermissions(role),
            role_name: role ?? 'none',
          },
        },
      };
    });
    this.route('GET', '/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', 'token', (c) => {
      const t = teamOf(c);
      const r = this.repoFor(c);
      const role = t.repos.get(fold(`${r.owner.login}/${r.name}`));
      if (!role) throw new HttpError(404, 'Not Found');
      // With the repository media type, the repository and the team's permissions on it;
      // without, 204 (the team has access).
      if (!/application\/vnd\.github\.v3\.repository\+json/.test(c.entry.headers['accept'] ?? '')) {
        return { status: 204 };
      }
      return {
        status: 200,
        body: { ...repository(r, this.ctx()), permissions: rolePermissions(role), role_name: role },
      };
    });

    // Actions
    this.route('GET', `${R}/actions/runs`, 'optional', (c) => {
      const r = this.repoFor(c);
      const q = c.query;
      let runs = [...r.runs.values()].sort((a, b) => b.id - a.id);
      if (q['head_sha']) runs = runs.filter((w) => w.headSha === q['head_sha']);
      if (q['status'])
        runs = runs.filter((w) => w.status === q['status'] || w.conclusion === q['status']);
      if (q['branch']) runs = runs.filter((w) => w.headBranch === q['branch']);
      if (q['event']) runs = runs.filter((w) => w.event === q['event']);
      if (q['actor']) runs = runs.filter((w) => fold(w.actor.login) === fold(q['actor']!));
      const { items, link } = this.paginate(runs, c, c.entry.path);
      return {
        status: 200,
        body: {
          total_count: runs.length,
          workflow_runs: items.map((w) =>
            workflowRun(r, w, this.ctx(), this.pullsForSha(r, w.headSha, true)),
          ),
        },
        headers: linkHeader(link),
      };
    });
    this.route('GET', `${R}/actions/runs/{run_id}`, 'optional', (c) => {
      const r = this.repoFor(c);
      const w = r.runs.get(int(c, 'run_id'));
      if (!w) throw new HttpError(404, 'Not Found');
      return {
        status: 200,
        body: workflowRun(r, w, this.ctx(), this.pullsForSha(r, w.headSha, true)),
      };
    });
    this.route('GET', `${R}/actions/runs/{run_id}/pending_deployments`, 'optional', (c) => {
      const r = this.repoFor(c);
      const w = r.runs.get(int(c, 'run_id'));
      if (!w) throw new HttpError(404, 'Not Found');
      if (w.status !== 'waiting' || !w.environment) return { status: 200, body: [] };
      const full = `${r.owner.login}/${r.name}`;
      const envId = Number.parseInt(fakeSha('environment', full, w.environment).slice(0, 8), 16);
      const env = encodeURIComponent(w.environment);
      return {
        status: 200,
        body: [
          {
            environment: {
              id: envId,
              node_id: nodeId('Environment', envId),
              name: w.environment,
              url: `${this.url}/repos/${full}/environments/${env}`,
              html_url: `https://github.com/${full}/deployments/activity_log?environments_filter=${env}`,
            },
            wait_timer: 0,
            wait_timer_started_at: null,
            current_user_can_approve: false,
            reviewers: [],
          },
        ],
      };
    });
    this.route('POST', `${R}/actions/runs/{run_id}/deployment_protection_rule`, 'token', (c) => {
      const t = this.requireApp(c);
      const r = this.repoFor(c);
      const w = r.runs.get(int(c, 'run_id'));
      if (!w) throw new HttpError(404, 'Not Found');
      const b = body(c);
      const env = str(b['environment_name']);
      const state = str(b['state']);
      const text = str(b['comment']);
      if (!env)
        throw new HttpError(422, 'Invalid request.\n\n"environment_name" wasn\'t supplied.');
      if (state !== undefined && state !== 'approved' && state !== 'rejected') {
        throw new HttpError(422, `Invalid request.\n\n"state" must be approved or rejected.`);
      }
      if (state === undefined && text === undefined) {
        throw new HttpError(422, 'Invalid request.\n\nNo subschema in "anyOf" matched.');
      }
      const at = iso(this.now());
      r.protectionReviews.push({
        runId: w.id,
        environment_name: env,
        state: state,
        comment: text,
        kind: state ? 'review' : 'status',
        user: t.user.login,
        at,
      });
      if (state && w.status === 'waiting') {
        w.status = state === 'approved' ? 'queued' : 'completed';
        if (state === 'rejected') w.conclusion = 'failure';
        w.updatedAt = at;
      }
      return { status: 204 };
    });

    // App authentication
    // App authentication: the JWT's issuer is the app; every app is installed on every repository.
    const jwtApp = (c: Ctx): AppInfo => {
      if (!c.jwtApp) throw new HttpError(401, 'A JSON web token could not be decoded');
      return c.jwtApp;
    };
    this.route('GET', '/app', 'jwt', (c) => ({
      status: 200,
      body: integration(jwtApp(c), this.ctx()),
    }));
    this.route('GET', `${R}/installation`, 'jwt', (c) => {
      const app = jwtApp(c);
      const r = this.repos.get(this.key(c.params['owner'] ?? '', c.params['repo'] ?? ''));
      if (!r) throw new HttpError(404, 'Not Found');
      return { status: 200, body: installation(app, r.owner, this.ctx()) };
    });
    this.route('POST', '/app/installations/{installation_id}/access_tokens', 'jwt', (c) => {
      const app = jwtApp(c);
      // another app's installation is not this app's to use
      if (int(c, 'installation_id') !== app.installationId) throw new HttpError(404, 'Not Found');
      return {
        status: 201,
        body: {
          token: this.installationToken(app.slug),
          expires_at: iso(new Date(this.now().getTime() + 3600_000)),
          permissions: app.permissions,
          repository_selection: 'all',
        },
      };
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const s = {
        timer: setTimeout(() => {
          this.sleepers.delete(s);
          resolve();
        }, ms),
        resolve,
      };
      this.sleepers.add(s);
    });
  }

  private violation(entry: RequestLogEntry, message: string): void {
    const q = new URLSearchParams(entry.query).toString();
    this.violations.push(`${entry.method} ${entry.path}${q ? `?${q}` : ''}: ${message}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator');
    // GitHub Enterprise Server serves the REST API under /api/v3: so does the emulator, so that
    // Probot's GHE_HOST (and any Octokit baseUrl ending in /api/v3) can point at it.
    const pathname = url.pathname.replace(/^\/api\/v3(?=\/|$)/, '') || '/';
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const entry: RequestLogEntry = {
      method,
      route: null,
      path: pathname,
      query,
      body: undefined,
      headers,
      status: 0,
    };
    this.requests.push(entry);

    const send = (
      status: number,
      body: unknown,
      extra: Record<string, string> = {},
      contentType?: string,
    ): void => {
      entry.status = status;
      entry.response = body;
      if (this.closed || res.destroyed) return;
      const h: Record<string, string> = {
        'x-github-request-id': `EMU:${this.nextRequestId++}`,
        'x-github-api-version-selected': '2022-11-28',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-used': '1',
        'x-ratelimit-resource': 'core',
        ...extra,
      };
      if (status === 204 || body === undefined) {
        res.writeHead(status, h);
        res.end();
        return;
      }
      if (contentType !== undefined && typeof body === 'string') {
        h['content-type'] = contentType;
        res.writeHead(status, h);
        res.end(body);
        return;
      }
      h['content-type'] = 'application/json; charset=utf-8';
      res.writeHead(status, h);
      res.end(JSON.stringify(body));
    };
    const error = (
      status: number,
      message: string,
      extra: Obj = {},
      h: Record<string, string> = {},
    ): void => {
      send(status, { message, ...extra, documentation_url: DOCS, status: String(status) }, h);
    };

    if (!headers['user-agent']) {
      this.violation(entry, 'no User-Agent header (GitHub answers 403)');
      return error(
        403,
        'Request forbidden by administrative rules. Please make sure your request has a User-Agent header',
      );
    }

    let hasBody = raw.length > 0;
    let body: unknown;
    if (hasBody) {
      try {
        body = JSON.parse(raw);
      } catch {
        entry.body = raw;
        this.violation(entry, 'request body is not JSON');
        return error(400, 'Problems parsing JSON');
      }
    }
    if (method === 'GET' || method === 'DELETE')
      hasBody = hasBody && body !== null && body !== undefined;
    entry.body = body;

    const templates = this.spec
      ? this.spec.templatesFor(method)
      : (this.routeTemplates.get(method) ?? []);
    const match = matchTemplates(templates, pathname);
    if (!match) {
      this.violation(entry, `no such route: ${method} ${pathname} is not in GitHub's REST API`);
      return error(404, 'Not Found');
    }
    entry.route = match.template;
    const def = this.routes.get(`${method} ${match.template}`);

    const problems = this.spec
      ? this.spec.checkRequest({
          method,
          template: match.template,
          params: match.params,
          query,
          body,
          hasBody,
        })
      : [];
    for (const p of problems) this.violation(entry, `${method} ${match.template}: ${p}`);

    const fault = this.faults.find(
      (f) =>
        f.method === method &&
        f.route === match.template &&
        f.remaining > 0 &&
        (f.spec.pathIncludes === undefined || safeDecode(pathname).includes(f.spec.pathIncludes)),
    );
    if (fault) {
      fault.remaining--;
      fault.hits++;
      entry.fault = true;
      const f = fault.spec;
      if (f.hold && !this.released.has(fault) && !this.closed) {
        await new Promise<void>((resolve) => this.holds.add({ fault, resolve }));
      }
      if (f.delayMs) await this.sleep(f.delayMs);
      if (this.closed) return;
      const retryAfter = f.retryAfter ?? 60;
      if (f.secondaryRateLimit) {
        return send(
          f.status ?? 403,
          f.body ?? {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID EMU.',
            documentation_url:
              'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          },
          { 'retry-after': String(retryAfter) },
        );
      }
      if (f.rateLimit) {
        return send(
          f.status ?? 403,
          f.body ?? {
            message: `API rate limit exceeded for installation ID ${this.app.installationId}.`,
            documentation_url:
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit',
          },
          {
            'x-ratelimit-remaining': '0',
            'x-ratelimit-used': '5000',
            'x-ratelimit-reset': String(Math.floor(this.now().getTime() / 1000) + retryAfter),
          },
        );
      }
      if (f.status !== undefined || !(f.delayMs || f.hold)) {
        const status = f.status ?? 500;
        if (f.body !== undefined) return send(status, f.body);
        return error(
          status,
          status === 502 ? 'Server Error' : status >= 500 ? 'Server Error' : 'Fault injected',
        );
      }
    }

    if (problems.length > 0) return error(422, `Invalid request.\n\n${problems.join('\n')}`);
    if (!def) {
      this.violation(entry, `no such route: ${method} ${match.template} is not emulated`);
      return error(404, 'Not Found');
    }

    const wait = this.latency?.(method, match.template) ?? 0;
    if (wait > 0) await this.sleep(wait);
    if (this.closed) return;

    let token: TokenInfo | undefined;
    let jwtApp: AppInfo | undefined;
    const auth = headers['authorization'];
    if (auth) {
      const m = /^(token|bearer)\s+(\S+)$/i.exec(auth.trim());
      const value = m?.[2];
      if (!value) return error(401, 'Bad credentials');
      if (isJwt(value)) {
        if (def.auth !== 'jwt') return error(403, 'Resource not accessible by integration');
        const payload = decodeJwt(value);
        if (!payload) return error(401, 'A JSON web token could not be decoded');
        jwtApp = this.appOfJwt(payload);
        if (!jwtApp) return error(401, "'Issuer' claim ('iss') must be an Integer");
      } else {
        if (def.auth === 'jwt') return error(401, 'A JSON web token could not be decoded');
        token = this.tokens.get(value);
        if (!token) return error(401, 'Bad credentials');
        entry.login = token.user.login;
      }
    } else if (def.auth === 'jwt') {
      return error(401, 'A JSON web token could not be decoded');
    }

    let result: Result;
    entry.handled = ++this.handledCount;
    try {
      result = def.handler({ params: match.params, query, body, token, jwtApp, entry });
    } catch (err) {
      if (err instanceof HttpError) return error(err.status, err.message, err.extra, err.headers);
      throw err;
    }
    if (this.spec && this.validateResponses && result.body !== undefined && !result.contentType) {
      for (const p of this.spec.checkResponse(method, match.template, result.status, result.body)) {
        this.violation(entry, `${method} ${match.template}: ${p}`);
      }
    }
    send(result.status, result.body, result.headers, result.contentType);
  }
}

/** Start an emulator on 127.0.0.1 (random port). */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<GitHubEmulator> {
  const gh = new GitHubEmulator(opts);
  await gh.listen();
  return gh;
}

/** A URL path with its escapes decoded, or as it is when it has a malformed one. */
function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
