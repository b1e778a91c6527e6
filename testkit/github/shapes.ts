/**
 * The emulator's stored state and the builders that turn it into GitHub REST response objects
 * (shapes follow GitHub's OpenAPI description; the emulator's own tests validate them).
 */
import { createHash } from 'node:crypto';

export type UserType = 'User' | 'Bot' | 'Organization';

export interface Identity {
  login: string;
  id: number;
  type: UserType;
  site_admin?: boolean;
}

export interface AppInfo {
  id: number;
  slug: string;
  name: string;
  owner: Identity;
  botId: number;
  installationId: number;
  permissions: Record<string, string>;
  events: string[];
  clientId: string;
}

export interface RepoState {
  owner: Identity;
  name: string;
  id: number;
  defaultBranch: string;
  private: boolean;
  /** a fork of another repository */
  fork?: boolean;
  /** folded login -> the collaborator's role on the repository */
  collaborators: Map<string, RepoRole>;
  createdAt: string;
  /** branch name -> head sha */
  branches: Map<string, string>;
  /** ref (branch name or sha) -> path -> content */
  files: Map<string, Map<string, string>>;
  issues: Map<number, IssueState>;
  pulls: Map<number, PullState>;
  comments: Map<number, CommentState>;
  checkRuns: Map<number, CheckRunState>;
  /** commit statuses, oldest first (GitHub keeps every one; none is ever edited) */
  statuses: StatusState[];
  runs: Map<number, WorkflowRunState>;
  protectionReviews: ProtectionReview[];
}

export interface IssueState {
  number: number;
  title: string;
  user: Identity;
  createdAt: string;
}

export interface PullFile {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  additions?: number;
  deletions?: number;
  patch?: string;
  previous_filename?: string;
}

export interface PullState extends IssueState {
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  /** `repo`: the fork the head branch lives in (owner/name); absent for the same repository. */
  head: { sha: string; ref: string; repo?: { owner: string; repo: string } };
  base: { sha: string; ref: string };
  /** every sha the head has pointed at, oldest first (the commits of the PR) */
  headHistory: string[];
  files: PullFile[];
  merged: boolean;
  mergeCommitSha: string | null;
  mergedAt: string | null;
  closedAt: string | null;
  updatedAt: string;
}

export interface CommentState {
  id: number;
  issueNumber: number;
  body: string;
  user: Identity;
  app: AppInfo | undefined;
  authorAssociation: string | undefined;
  createdAt: string;
  updatedAt: string;
  reactions: ReactionState[];
}

export interface ReactionState {
  id: number;
  user: Identity;
  content: string;
  createdAt: string;
}

export interface CheckRunState {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: {
    title: string | null;
    summary: string | null;
    text: string | null;
    annotationsCount: number;
  };
  app: AppInfo | undefined;
  checkSuiteId: number;
  /** every request body that created or updated it, in order */
  history: Record<string, unknown>[];
}

export interface StatusState {
  id: number;
  sha: string;
  state: string;
  description: string | null;
  targetUrl: string | null;
  context: string;
  creator: Identity;
  createdAt: string;
}

export interface WorkflowRunState {
  id: number;
  name: string;
  headSha: string;
  headBranch: string | null;
  event: string;
  status: string;
  conclusion: string | null;
  environment: string | undefined;
  runNumber: number;
  workflowId: number;
  path: string;
  actor: Identity;
  createdAt: string;
  updatedAt: string;
}

export interface ProtectionReview {
  runId: number;
  environment_name: string;
  /** approved/rejected for a review; undefined for a status report (comment only) */
  state: 'approved' | 'rejected' | undefined;
  comment: string | undefined;
  kind: 'review' | 'status';
  user: string;
  at: string;
}

/** A repository role, weakest first (GitHub's base roles). */
export const REPO_ROLES = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
export type RepoRole = (typeof REPO_ROLES)[number];

export interface TeamState {
  org: string;
  slug: string;
  id: number;
  name: string;
  members: Map<string, 'member' | 'maintainer'>;
  /** `owner/repo` (folded) -> the team's role on that repository */
  repos: Map<string, RepoRole>;
}

/** Where links point: API URLs at the emulator, html URLs at github.com. */
export interface UrlContext {
  api: string;
  html: string;
}

type Obj = Record<string, unknown>;

export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64');
}

export function fakeSha(...parts: (string | number)[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

/** Git's blob id of a file's content. */
export function blobSha(content: string): string {
  const buf = Buffer.from(content, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${buf.length}\0`), buf]))
    .digest('hex');
}

const enc = encodeURIComponent;

export function simpleUser(u: Identity, ctx: UrlContext): Obj {
  const api =
    u.type === 'Organization'
      ? `${ctx.api}/orgs/${enc(u.login)}`
      : `${ctx.api}/users/${enc(u.login)}`;
  const users = `${ctx.api}/users/${enc(u.login)}`;
  const html =
    u.type === 'Bot' && u.login.endsWith('[bot]')
      ? `${ctx.html}/apps/${u.login.slice(0, -'[bot]'.length)}`
      : `${ctx.html}/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === 'Organization' ? 'Organization' : u.type, u.id),
    avatar_url: `https://avatars.githubusercontent.com/${u.type === 'Bot' ? 'in' : 'u'}/${u.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: html,
    followers_url: `${users}/followers`,
    following_url: `${users}/following{/other_user}`,
    gists_url: `${users}/gists{/gist_id}`,
    starred_url: `${users}/starred{/owner}{/repo}`,
    subscriptions_url: `${users}/subscriptions`,
    organizations_url: `${users}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${users}/received_events`,
    type: u.type,
    user_view_type: 'public',
    site_admin: u.site_admin ?? false,
  };
}

export function repository(r: RepoState, ctx: UrlContext): Obj {
  const full = `${r.owner.login}/${r.name}`;
  const u = `${ctx.api}/repos/${full}`;
  return {
    id: r.id,
    node_id: nodeId('Repository', r.id),
    name: r.name,
    full_name: full,
    private: r.private,
    owner: simpleUser(r.owner, ctx),
    html_url: `${ctx.html}/${full}`,
    description: null,
    fork: r.fork ?? false,
    url: u,
    forks_url: `${u}/forks`,
    keys_url: `${u}/keys{/key_id}`,
    collaborators_url: `${u}/collaborators{/collaborator}`,
    teams_url: `${u}/teams`,
    hooks_url: `${u}/hooks`,
    issue_events_url: `${u}/issues/events{/number}`,
    events_url: `${u}/events`,
    assignees_url: `${u}/assignees{/user}`,
    branches_url: `${u}/branches{/branch}`,
    tags_url: `${u}/tags`,
    blobs_url: `${u}/git/blobs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`,
    git_refs_url: `${u}/git/refs{/sha}`,
    trees_url: `${u}/git/trees{/sha}`,
    statuses_url: `${u}/statuses/{sha}`,
    languages_url: `${u}/languages`,
    stargazers_url: `${u}/stargazers`,
    contributors_url: `${u}/contributors`,
    subscribers_url: `${u}/subscribers`,
    subscription_url: `${u}/subscription`,
    commits_url: `${u}/commits{/sha}`,
    git_commits_url: `${u}/git/commits{/sha}`,
    comments_url: `${u}/comments{/number}`,
    issue_comment_url: `${u}/issues/comments{/number}`,
    contents_url: `${u}/contents/{+path}`,
    compare_url: `${u}/compare/{base}...{head}`,
    merges_url: `${u}/merges`,
    archive_url: `${u}/{archive_format}{/ref}`,
    downloads_url: `${u}/downloads`,
    issues_url: `${u}/issues{/number}`,
    pulls_url: `${u}/pulls{/number}`,
    milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`,
    labels_url: `${u}/labels{/name}`,
    releases_url: `${u}/releases{/id}`,
    deployments_url: `${u}/deployments`,
    created_at: r.createdAt,
    updated_at: r.createdAt,
    pushed_at: r.createdAt,
    git_url: `git://github.com/${full}.git`,
    ssh_url: `git@github.com:${full}.git`,
    clone_url: `${ctx.html}/${full}.git`,
    svn_url: `${ctx.html}/${full}`,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: 'HCL',
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count:
      [...r.issues.values()].length +
      [...r.pulls.values()].filter((p) => p.state === 'open').length,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: r.private ? 'private' : 'public',
    forks: 0,
    open_issues:
      [...r.issues.values()].length +
      [...r.pulls.values()].filter((p) => p.state === 'open').length,
    watchers: 0,
    default_branch: r.defaultBranch,
  };
}

function link(href: string): Obj {
  return { href };
}

function branchRef(r: RepoState, b: { sha: string; ref: string }, ctx: UrlContext): Obj {
  return {
    label: `${r.owner.login}:${b.ref}`,
    ref: b.ref,
    sha: b.sha,
    user: simpleUser(r.owner, ctx),
    repo: repository(r, ctx),
  };
}

/** `pull-request-simple` (lists, commits/{sha}/pulls); `full` adds the fields of `pull-request`. */
export function pullRequest(
  r: RepoState,
  p: PullState,
  ctx: UrlContext,
  opts: { full: boolean; comments: number; authorAssociation: string; headRepo?: RepoState },
): Obj {
  const full = `${r.owner.login}/${r.name}`;
  const u = `${ctx.api}/repos/${full}`;
  const out: Obj = {
    url: `${u}/pulls/${p.number}`,
    id: 100_000_000 + r.id * 10_000 + p.number,
    node_id: nodeId('PullRequest', `${r.id}/${p.number}`),
    html_url: `${ctx.html}/${full}/pull/${p.number}`,
    diff_url: `${ctx.html}/${full}/pull/${p.number}.diff`,
    patch_url: `${ctx.html}/${full}/pull/${p.number}.patch`,
    issue_url: `${u}/issues/${p.number}`,
    commits_url: `${u}/pulls/${p.number}/commits`,
    review_comments_url: `${u}/pulls/${p.number}/comments`,
    review_comment_url: `${u}/pulls/comments{/number}`,
    comments_url: `${u}/issues/${p.number}/comments`,
    statuses_url: `${u}/statuses/${p.head.sha}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: simpleUser(p.user, ctx),
    body: p.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: p.closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branchRef(opts.headRepo ?? r, p.head, ctx),
    base: branchRef(r, p.base, ctx),
    _links: {
      self: link(`${u}/pulls/${p.number}`),
      html: link(`${ctx.html}/${full}/pull/${p.number}`),
      issue: link(`${u}/issues/${p.number}`),
      comments: link(`${u}/issues/${p.number}/comments`),
      review_comments: link(`${u}/pulls/${p.number}/comments`),
      review_comment: link(`${u}/pulls/comments{/number}`),
      commits: link(`${u}/pulls/${p.number}/commits`),
      statuses: link(`${u}/statuses/${p.head.sha}`),
    },
    author_association: opts.authorAssociation,
    auto_merge: null,
    draft: p.draft,
  };
  if (opts.full) {
    const additions = p.files.reduce((n, f) => n + (f.additions ?? 1), 0);
    const deletions = p.files.reduce((n, f) => n + (f.deletions ?? 0), 0);
    Object.assign(out, {
      merged: p.merged,
      mergeable: p.state === 'open' ? true : null,
      rebaseable: p.state === 'open' ? true : null,
      mergeable_state: p.state === 'open' ? 'clean' : 'unknown',
      merged_by: null,
      comments: opts.comments,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: p.headHistory.length,
      additions,
      deletions,
      changed_files: p.files.length,
    });
  }
  return out;
}

export function pullRequestMinimal(r: RepoState, p: PullState, ctx: UrlContext): Obj {
  const repo = { id: r.id, url: `${ctx.api}/repos/${r.owner.login}/${r.name}`, name: r.name };
  return {
    url: `${ctx.api}/repos/${r.owner.login}/${r.name}/pulls/${p.number}`,
    id: 100_000_000 + r.id * 10_000 + p.number,
    number: p.number,
    head: { ref: p.head.ref, sha: p.head.sha, repo },
    base: { ref: p.base.ref, sha: p.base.sha, repo },
  };
}

export function diffEntry(r: RepoState, p: PullState, f: PullFile, ctx: UrlContext): Obj {
  const full = `${r.owner.login}/${r.name}`;
  const path = f.filename.split('/').map(enc).join('/');
  const additions = f.additions ?? (f.status === 'removed' ? 0 : 1);
  const deletions = f.deletions ?? (f.status === 'removed' || f.status === 'modified' ? 1 : 0);
  const out: Obj = {
    sha: fakeSha(full, p.head.sha, f.filename),
    filename: f.filename,
    status: f.status,
    additions,
    deletions,
    changes: additions + deletions,
    blob_url: `${ctx.html}/${full}/blob/${p.head.sha}/${path}`,
    raw_url: `${ctx.html}/${full}/raw/${p.head.sha}/${path}`,
    contents_url: `${ctx.api}/repos/${full}/contents/${path}?ref=${p.head.sha}`,
  };
  if (f.patch !== undefined) out['patch'] = f.patch;
  if (f.previous_filename !== undefined) out['previous_filename'] = f.previous_filename;
  return out;
}

/** GitHub wraps base64 content at 60 characters. */
function wrapBase64(s: string): string {
  return (s.match(/.{1,60}/g) ?? []).join('\n') + '\n';
}

export function contentEntry(
  r: RepoState,
  ref: string,
  path: string,
  ctx: UrlContext,
  file: { content: string } | { dir: true },
): Obj {
  const full = `${r.owner.login}/${r.name}`;
  const encPath = path.split('/').map(enc).join('/');
  const isDir = 'dir' in file;
  const sha = isDir ? fakeSha('tree', full, ref, path) : blobSha(file.content);
  const self = `${ctx.api}/repos/${full}/contents/${encPath}?ref=${enc(ref)}`;
  const git = `${ctx.api}/repos/${full}/git/${isDir ? 'trees' : 'blobs'}/${sha}`;
  const html = `${ctx.html}/${full}/${isDir ? 'tree' : 'blob'}/${enc(ref)}/${encPath}`;
  const out: Obj = {
    name: path.split('/').pop() ?? path,
    path,
    sha,
    size: isDir ? 0 : Buffer.byteLength(file.content, 'utf8'),
    url: self,
    html_url: html,
    git_url: git,
    download_url: isDir ? null : `https://raw.githubusercontent.com/${full}/${enc(ref)}/${encPath}`,
    type: isDir ? 'dir' : 'file',
    _links: { self, git, html },
  };
  return out;
}

export function contentFile(
  r: RepoState,
  ref: string,
  path: string,
  content: string,
  ctx: UrlContext,
): Obj {
  return {
    ...contentEntry(r, ref, path, ctx, { content }),
    content: wrapBase64(Buffer.from(content, 'utf8').toString('base64')),
    encoding: 'base64',
  };
}

export function reactionRollup(r: RepoState, c: CommentState, ctx: UrlContext): Obj {
  const counts: Record<string, number> = {
    '+1': 0,
    '-1': 0,
    laugh: 0,
    hooray: 0,
    confused: 0,
    heart: 0,
    rocket: 0,
    eyes: 0,
  };
  for (const x of c.reactions) counts[x.content] = (counts[x.content] ?? 0) + 1;
  return {
    url: `${ctx.api}/repos/${r.owner.login}/${r.name}/issues/comments/${c.id}/reactions`,
    total_count: c.reactions.length,
    ...counts,
  };
}

export function integration(a: AppInfo, ctx: UrlContext): Obj {
  return {
    id: a.id,
    slug: a.slug,
    node_id: nodeId('Integration', a.id),
    client_id: a.clientId,
    owner: simpleUser(a.owner, ctx),
    name: a.name,
    description: '',
    external_url: `https://example.com/${a.slug}`,
    html_url: `${ctx.html}/apps/${a.slug}`,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2020-01-01T00:00:00Z',
    permissions: a.permissions,
    events: a.events,
  };
}

export function issueComment(
  r: RepoState,
  c: CommentState,
  ctx: UrlContext,
  opts: { isPull: boolean; authorAssociation: string },
): Obj {
  const full = `${r.owner.login}/${r.name}`;
  return {
    url: `${ctx.api}/repos/${full}/issues/comments/${c.id}`,
    html_url: `${ctx.html}/${full}/${opts.isPull ? 'pull' : 'issues'}/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${ctx.api}/repos/${full}/issues/${c.issueNumber}`,
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    user: simpleUser(c.user, ctx),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: opts.authorAssociation,
    body: c.body,
    reactions: reactionRollup(r, c, ctx),
    performed_via_github_app: c.app ? integration(c.app, ctx) : null,
  };
}

export function reaction(x: ReactionState, ctx: UrlContext): Obj {
  return {
    id: x.id,
    node_id: nodeId('Reaction', x.id),
    user: simpleUser(x.user, ctx),
    content: x.content,
    created_at: x.createdAt,
  };
}

export function checkRun(r: RepoState, c: CheckRunState, ctx: UrlContext, pulls: PullState[]): Obj {
  const full = `${r.owner.login}/${r.name}`;
  const u = `${ctx.api}/repos/${full}/check-runs/${c.id}`;
  return {
    id: c.id,
    name: c.name,
    node_id: nodeId('CheckRun', c.id),
    head_sha: c.headSha,
    external_id: c.externalId ?? '',
    url: u,
    html_url: `${ctx.html}/${full}/runs/${c.id}`,
    details_url: c.detailsUrl ?? (c.app ? `https://example.com/${c.app.slug}` : null),
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: {
      title: c.output.title,
      summary: c.output.summary,
      text: c.output.text,
      annotations_count: c.output.annotationsCount,
      annotations_url: `${u}/annotations`,
    },
    check_suite: { id: c.checkSuiteId },
    app: c.app ? integration(c.app, ctx) : null,
    pull_requests: pulls.map((p) => pullRequestMinimal(r, p, ctx)),
  };
}

/** A commit status as GET /repos/{owner}/{repo}/commits/{ref}/statuses lists it. */
export function commitStatus(r: RepoState, x: StatusState, ctx: UrlContext): Obj {
  const full = `${r.owner.login}/${r.name}`;
  return {
    url: `${ctx.api}/repos/${full}/statuses/${x.sha}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${x.creator.id}?v=4`,
    id: x.id,
    node_id: nodeId('StatusContext', x.id),
    state: x.state,
    description: x.description,
    target_url: x.targetUrl,
    context: x.context,
    created_at: x.createdAt,
    updated_at: x.createdAt,
    creator: simpleUser(x.creator, ctx),
  };
}

export function workflowRun(
  r: RepoState,
  w: WorkflowRunState,
  ctx: UrlContext,
  pulls: PullState[],
): Obj {
  const full = `${r.owner.login}/${r.name}`;
  const u = `${ctx.api}/repos/${full}/actions/runs/${w.id}`;
  const repo = repository(r, ctx);
  const checkSuiteId = 10_000_000 + w.id;
  return {
    id: w.id,
    name: w.name,
    node_id: nodeId('WorkflowRun', w.id),
    head_branch: w.headBranch,
    head_sha: w.headSha,
    path: w.path,
    display_title: w.name,
    run_number: w.runNumber,
    event: w.event,
    status: w.status,
    conclusion: w.conclusion,
    workflow_id: w.workflowId,
    check_suite_id: checkSuiteId,
    check_suite_node_id: nodeId('CheckSuite', checkSuiteId),
    url: u,
    html_url: `${ctx.html}/${full}/actions/runs/${w.id}`,
    pull_requests: pulls.map((p) => pullRequestMinimal(r, p, ctx)),
    created_at: w.createdAt,
    updated_at: w.updatedAt,
    actor: simpleUser(w.actor, ctx),
    triggering_actor: simpleUser(w.actor, ctx),
    run_attempt: 1,
    referenced_workflows: [],
    run_started_at: w.createdAt,
    jobs_url: `${u}/jobs`,
    logs_url: `${u}/logs`,
    check_suite_url: `${ctx.api}/repos/${full}/check-suites/${checkSuiteId}`,
    artifacts_url: `${u}/artifacts`,
    cancel_url: `${u}/cancel`,
    rerun_url: `${u}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${ctx.api}/repos/${full}/actions/workflows/${w.workflowId}`,
    head_commit: {
      id: w.headSha,
      tree_id: fakeSha('tree', w.headSha),
      message: w.name,
      timestamp: w.createdAt,
      author: {
        name: w.actor.login,
        email: `${w.actor.id}+${w.actor.login}@users.noreply.github.com`,
      },
      committer: { name: 'GitHub', email: 'noreply@github.com' },
    },
    repository: repo,
    head_repository: repo,
    head_repository_id: r.id,
  };
}

export function installation(a: AppInfo, account: Identity, ctx: UrlContext): Obj {
  return {
    id: a.installationId,
    account: simpleUser(account, ctx),
    repository_selection: 'all',
    access_tokens_url: `${ctx.api}/app/installations/${a.installationId}/access_tokens`,
    repositories_url: `${ctx.api}/installation/repositories`,
    html_url: `${ctx.html}/organizations/${account.login}/settings/installations/${a.installationId}`,
    app_id: a.id,
    client_id: a.clientId,
    app_slug: a.slug,
    target_id: account.id,
    target_type: account.type === 'Organization' ? 'Organization' : 'User',
    permissions: a.permissions,
    events: a.events,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2020-01-01T00:00:00Z',
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}
