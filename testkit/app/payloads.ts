/**
 * Webhook payloads for the app's end-to-end tests. Each starts from a real payload in
 * `@octokit/webhooks-examples` (or, where the examples have none, from the schema's shape), is
 * filled in from the emulator's state, and is checked against `@octokit/webhooks-schemas` before
 * it is sent: a test can only send what GitHub could.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import type { GitHubEmulator } from '../github/emulator.js';

type Obj = Record<string, unknown>;

const require = createRequire(import.meta.url);
const EXAMPLES = require('@octokit/webhooks-examples') as {
  name: string;
  actions: string[];
  examples: Obj[];
}[];
const SCHEMA = require('@octokit/webhooks-schemas') as { definitions: Record<string, Obj> };

/**
 * The compiled validators, kept once per process: compiling a webhook's schema takes seconds,
 * and jest gives each test file fresh modules. Core modules such as `fs` are the same object in
 * every file of a worker, so the cache hangs off it (as testkit/github/openapi.ts does).
 */
function compiled(): { ajv: Ajv; validators: Map<string, ValidateFunction> } {
  const holder = fs as unknown as Record<symbol, ReturnType<typeof compiled> | undefined>;
  const key = Symbol.for('applygate.test.webhookValidators');
  const cached = holder[key];
  if (cached) return cached;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  ajv.addFormat('uri', {
    type: 'string',
    validate: (s: string) => {
      try {
        new URL(s);
        return true;
      } catch {
        return false;
      }
    },
  });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/);
  ajv.addFormat('uri-template', true);
  ajv.addSchema({ ...SCHEMA, $id: 'webhooks' });
  const made = { ajv, validators: new Map<string, ValidateFunction>() };
  Object.defineProperty(holder, key, { value: made, enumerable: false, configurable: true });
  return made;
}
const { ajv, validators } = compiled();

/** Throws unless `payload` is a valid `event.action` webhook per @octokit/webhooks-schemas. */
export function validateWebhook(event: string, payload: Obj): void {
  const key = `${event}$${String(payload['action'])}`;
  if (!SCHEMA.definitions[key]) throw new Error(`no webhook schema for ${key}`);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.getSchema(`webhooks#/definitions/${key.replace('$', '%24')}`);
    if (!validate) throw new Error(`cannot compile the schema of ${key}`);
    validators.set(key, validate);
  }
  if (!validate(payload)) {
    const errors = (validate.errors ?? [])
      .slice(0, 10)
      .map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    throw new Error(`invalid ${key} payload:\n${errors.join('\n')}`);
  }
}

function example(event: string, action: string): Obj {
  const group = EXAMPLES.find((e) => e.name === event);
  const found =
    group?.examples.find((x) => x['action'] === action && x['installation']) ??
    group?.examples.find((x) => x['action'] === action);
  if (!found) throw new Error(`no example ${event}.${action}`);
  return structuredClone(found);
}

/**
 * The emulator answers with today's REST shapes; @octokit/webhooks-schemas 7 predates two newer
 * fields (`user_view_type` on users, `client_id` on apps) and requires `custom_properties` on
 * repositories. Webhooks carry the same objects, so map them across those differences only.
 */
function asWebhook<T>(value: T): T {
  if (Array.isArray(value)) return value.map(asWebhook) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value as Obj)) {
    if (k === 'user_view_type' || k === 'client_id') continue;
    out[k] = asWebhook(v);
  }
  const isRepository = 'full_name' in out && 'private' in out;
  if (isRepository && !('custom_properties' in out)) out['custom_properties'] = {};
  return out as T;
}

export interface Site {
  gh: GitHubEmulator;
  owner: string;
  repo: string;
}

function common(site: Site, sender: string): Obj {
  return {
    repository: asWebhook(site.gh.repository(site.owner, site.repo)),
    sender: asWebhook(site.gh.user(sender)),
    installation: {
      id: site.gh.app.installationId,
      node_id: Buffer.from(`010:Installation${site.gh.app.installationId}`).toString('base64'),
    },
  };
}

/** `issue_comment.created|edited|deleted` for a comment on a pull request. */
export function issueCommentPayload(
  site: Site,
  action: 'created' | 'edited' | 'deleted',
  comment: Obj,
  opts: { pull: number; from?: string; sender?: string },
): Obj {
  const base = example('issue_comment', action);
  const pull = asWebhook(site.gh.pull(site.owner, site.repo, opts.pull));
  const issue = base['issue'] as Obj;
  const user = comment['user'] as { login: string };
  const payload: Obj = {
    ...base,
    action,
    issue: {
      ...issue,
      url: `${site.gh.url}/repos/${site.owner}/${site.repo}/issues/${opts.pull}`,
      html_url: pull['html_url'],
      number: opts.pull,
      title: pull['title'],
      user: pull['user'],
      state: 'open',
      body: pull['body'],
      // What makes an issue comment a pull request comment.
      pull_request: {
        url: pull['url'],
        html_url: pull['html_url'],
        diff_url: pull['diff_url'],
        patch_url: pull['patch_url'],
        merged_at: null,
      },
    },
    comment: asWebhook(comment),
    ...common(site, opts.sender ?? user.login),
  };
  delete payload['organization'];
  if (action === 'edited') payload['changes'] = { body: { from: opts.from ?? '' } };
  validateWebhook('issue_comment', payload);
  return payload;
}

/**
 * `pull_request.opened|synchronize|reopened|edited` from the emulator's pull request; `edited`
 * with `baseFrom` is a retarget (the old base in `changes.base`).
 */
export function pullRequestPayload(
  site: Site,
  action: 'opened' | 'synchronize' | 'reopened' | 'edited',
  number: number,
  opts: { before?: string; baseFrom?: { ref: string; sha: string }; sender?: string } = {},
): Obj {
  // The examples have no `edited`: it is `opened`'s shape plus `changes` (the schema checks it).
  const base = example('pull_request', action === 'edited' ? 'opened' : action);
  const pull = asWebhook(site.gh.pull(site.owner, site.repo, number));
  const head = pull['head'] as { sha: string };
  const payload: Obj = {
    ...base,
    action,
    number,
    pull_request: pull,
    ...common(site, opts.sender ?? (pull['user'] as { login: string }).login),
  };
  if (action === 'edited') {
    payload['changes'] = opts.baseFrom
      ? { base: { ref: { from: opts.baseFrom.ref }, sha: { from: opts.baseFrom.sha } } }
      : { title: { from: String(pull['title']) } };
  }
  if (action === 'synchronize') {
    payload['before'] = opts.before ?? '0'.repeat(40);
    payload['after'] = head.sha;
  }
  validateWebhook('pull_request', payload);
  return payload;
}

/**
 * `deployment_protection_rule.requested`. The examples have none: this follows the schema.
 * `deployment` is left out when the test says so (GitHub may send none).
 */
export function deploymentProtectionRulePayload(
  site: Site,
  opts: {
    runId: number;
    environment: string;
    sha: string;
    event?: string;
    pulls?: number[];
    deployment?: boolean;
    callbackUrl?: string;
    sender?: string;
  },
): Obj {
  const { gh, owner, repo } = site;
  const sender = opts.sender ?? 'alice';
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const deploymentId = 1_700_000 + opts.runId;
  const payload: Obj = {
    action: 'requested',
    environment: opts.environment,
    event: opts.event ?? 'pull_request',
    deployment_callback_url: opts.callbackUrl ?? gh.deploymentCallbackUrl(owner, repo, opts.runId),
    ...(opts.deployment !== false && {
      deployment: {
        url: `${gh.url}/repos/${owner}/${repo}/deployments/${deploymentId}`,
        id: deploymentId,
        node_id: Buffer.from(`010:Deployment${deploymentId}`).toString('base64'),
        sha: opts.sha,
        ref: opts.sha,
        task: 'deploy',
        payload: {},
        original_environment: opts.environment,
        environment: opts.environment,
        description: null,
        creator: asWebhook(gh.user(sender)),
        created_at: at,
        updated_at: at,
        statuses_url: `${gh.url}/repos/${owner}/${repo}/deployments/${deploymentId}/statuses`,
        repository_url: `${gh.url}/repos/${owner}/${repo}`,
        performed_via_github_app: null,
      },
    }),
    pull_requests: (opts.pulls ?? []).map((n) => asWebhook(gh.pull(owner, repo, n))),
    ...common(site, sender),
  };
  validateWebhook('deployment_protection_rule', payload);
  return payload;
}

/**
 * `membership.added|removed`: `login` joined or left the organization's team `team`, from the
 * real example, with the emulator's organization, team and users. Organization-level: no
 * repository.
 */
export function membershipPayload(
  site: Site,
  action: 'added' | 'removed',
  opts: { team: string; login: string; sender?: string },
): Obj {
  const { gh, owner } = site;
  const base = example('membership', action);
  const org = gh.user(owner) as { login: string; id: number; node_id: string };
  const team = gh.team(owner, opts.team);
  const api = gh.url;
  const payload: Obj = {
    ...base,
    action,
    scope: 'team',
    member: asWebhook(gh.user(opts.login)),
    sender: asWebhook(gh.user(opts.sender ?? 'octo-admin')),
    team: {
      ...(base['team'] as Obj),
      id: team.id,
      node_id: Buffer.from(`04:Team${team.id}`).toString('base64'),
      name: team.name,
      slug: team.slug,
      url: `${api}/organizations/${org.id}/team/${team.id}`,
      html_url: `https://github.com/orgs/${owner}/teams/${team.slug}`,
      members_url: `${api}/organizations/${org.id}/team/${team.id}/members{/member}`,
      repositories_url: `${api}/organizations/${org.id}/team/${team.id}/repos`,
    },
    organization: {
      ...(base['organization'] as Obj),
      login: org.login,
      id: org.id,
      node_id: org.node_id,
      url: `${api}/orgs/${owner}`,
      repos_url: `${api}/orgs/${owner}/repos`,
      events_url: `${api}/orgs/${owner}/events`,
      hooks_url: `${api}/orgs/${owner}/hooks`,
      issues_url: `${api}/orgs/${owner}/issues`,
      members_url: `${api}/orgs/${owner}/members{/member}`,
      public_members_url: `${api}/orgs/${owner}/public_members{/member}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${org.id}?v=4`,
    },
    installation: {
      id: gh.app.installationId,
      node_id: Buffer.from(`010:Installation${gh.app.installationId}`).toString('base64'),
    },
  };
  validateWebhook('membership', payload);
  return payload;
}
