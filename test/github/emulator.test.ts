import { createHash } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { startEmulator, type GitHubEmulator } from '../../testkit/github/emulator.js';
import { compileTemplate, loadSpec, matchTemplates } from '../../testkit/github/openapi.js';
import { until } from '../../testkit/support/wait.js';

const OWNER = 'acme';
const REPO = 'infra';
const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);

function client(gh: GitHubEmulator, auth?: string): Octokit {
  return new Octokit({
    baseUrl: gh.url,
    auth,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

/** An unsigned but well-formed JWT, as an app would send (the emulator does not check signatures). */
function jwt(appId: number): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iat: now - 30, exp: now + 540, iss: appId })}.c2lnbmF0dXJl`;
}

/** The status of a rejected Octokit call (fails the test if the call succeeded). */
async function statusOf(
  p: Promise<unknown>,
): Promise<{ status: number; message: string; headers: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    const err = e as {
      status?: number;
      message?: string;
      response?: { headers?: Record<string, unknown> };
    };
    return {
      status: err.status ?? -1,
      message: err.message ?? '',
      headers: err.response?.headers ?? {},
    };
  }
  throw new Error('expected the request to fail');
}

function gitBlobSha(content: string): string {
  const b = Buffer.from(content);
  return createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
}

let gh: GitHubEmulator;

beforeEach(async () => {
  gh = await startEmulator({ validate: true, validateResponses: true });
  gh.addRepo({ owner: OWNER, repo: REPO, defaultBranch: 'main' });
  gh.addToken('ghs_actions', { login: 'github-actions[bot]', type: 'Bot' });
  gh.addToken('ghp_alice', { login: 'alice', type: 'User' });
  gh.addPull({
    owner: OWNER,
    repo: REPO,
    number: 7,
    title: 'Drop the old database',
    user: { login: 'bob' },
    head: { sha: HEAD, ref: 'drop-db' },
    base: { sha: BASE, ref: 'main' },
    files: [{ filename: 'main.tf', status: 'modified' }],
  });
});

afterEach(async () => {
  // Every test leaves no unexpected violation: requests and responses matched GitHub's description.
  const left = gh.takeViolations();
  await gh.close();
  expect(left).toEqual([]);
});

describe('OpenAPI description', () => {
  it('loads once per process and matches the most specific template', () => {
    const spec = loadSpec();
    expect(spec.templates.length).toBeGreaterThan(500);
    const get = spec.templatesFor('GET');
    expect(matchTemplates(get, '/repos/acme/infra/issues/comments/5')).toEqual({
      template: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
      params: { owner: 'acme', repo: 'infra', comment_id: '5' },
    });
    // a literal segment beats a parameter: "comments" is not an issue number
    expect(matchTemplates(get, '/repos/acme/infra/issues/comments')?.template).toBe(
      '/repos/{owner}/{repo}/issues/comments',
    );
    expect(matchTemplates(get, '/repos/acme/infra/contents/.github/applygate.yml')).toEqual({
      template: '/repos/{owner}/{repo}/contents/{path}',
      params: { owner: 'acme', repo: 'infra', path: '.github/applygate.yml' },
    });
    expect(matchTemplates(get, '/repos/acme/infra/contents/a%2Fb.tf')?.params['path']).toBe(
      'a/b.tf',
    );
    expect(matchTemplates(get, '/nope/acme')).toBeUndefined();
    const compare = compileTemplate('/repos/{owner}/{repo}/compare/{base}...{head}');
    expect(matchTemplates([compare], '/repos/o/r/compare/main...feature')?.params).toEqual({
      owner: 'o',
      repo: 'r',
      base: 'main',
      head: 'feature',
    });
  });

  it('rejects bodies and responses that do not match the schemas', () => {
    const spec = loadSpec();
    const template = '/repos/{owner}/{repo}/check-runs';
    const params = { owner: 'o', repo: 'r' };
    const check = (body: unknown): string[] =>
      spec.checkRequest({ method: 'POST', template, params, query: {}, body, hasBody: true });
    expect(check({ name: 'x', head_sha: HEAD })).toEqual([]);
    expect(check({ head_sha: HEAD }).join()).toMatch(/must have required property 'name'/);
    expect(check({ name: 'x', head_sha: HEAD, status: 'done' }).join()).toMatch(
      /must be equal to one of/,
    );
    expect(
      spec.checkRequest({
        method: 'POST',
        template,
        params,
        query: {},
        body: undefined,
        hasBody: false,
      }),
    ).toEqual(['missing required request body']);
    // the issue-comment schema requires html_url, user, ...; nullable fields accept null
    const bad = spec.checkResponse(
      'GET',
      '/repos/{owner}/{repo}/issues/comments/{comment_id}',
      200,
      { id: 1 },
    );
    expect(bad.join()).toMatch(/must have required property/);
    const gate = '/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule';
    const p2 = { ...params, run_id: '1' };
    const dpr = (body: unknown): string[] =>
      spec.checkRequest({
        method: 'POST',
        template: gate,
        params: p2,
        query: {},
        body,
        hasBody: true,
      });
    expect(dpr({ environment_name: 'prod', state: 'approved', comment: 'ok' })).toEqual([]);
    expect(dpr({ environment_name: 'prod', comment: 'waiting for approval' })).toEqual([]);
    expect(dpr({ environment_name: 'prod' }).join()).toMatch(/anyOf/);
    expect(
      spec.checkRequest({
        method: 'GET',
        template: gate,
        params: { ...params, run_id: 'x' },
        query: {},
        body: undefined,
        hasBody: false,
      }),
    ).toEqual([
      "GET /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule is not an operation in GitHub's OpenAPI description",
    ]);
  });
});

describe('issue comments', () => {
  it('creates, reads, updates and deletes, authored by the token identity', async () => {
    const octokit = client(gh, 'ghs_actions');
    const created = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      body: 'hello',
    });
    expect(created.status).toBe(201);
    expect(created.data.user?.login).toBe('github-actions[bot]');
    expect(created.data.user?.type).toBe('Bot');
    expect(created.data.performed_via_github_app?.slug).toBe('github-actions');
    expect(created.data.html_url).toBe(
      `https://github.com/acme/infra/pull/7#issuecomment-${created.data.id}`,
    );
    expect(created.data.id).toBeGreaterThan(2 ** 31); // real comment ids overflow int32

    const id = created.data.id;
    const got = await octokit.rest.issues.getComment({ owner: OWNER, repo: REPO, comment_id: id });
    expect(got.data.body).toBe('hello');

    const updated = await octokit.rest.issues.updateComment({
      owner: OWNER,
      repo: REPO,
      comment_id: id,
      body: 'bye',
    });
    expect(updated.data.body).toBe('bye');
    expect(gh.comments(OWNER, REPO, 7).map((c) => c['body'])).toEqual(['bye']);

    const deleted = await octokit.rest.issues.deleteComment({
      owner: OWNER,
      repo: REPO,
      comment_id: id,
    });
    expect(deleted.status).toBe(204);
    expect(gh.comments(OWNER, REPO, 7)).toEqual([]);
    expect(
      (await statusOf(octokit.rest.issues.getComment({ owner: OWNER, repo: REPO, comment_id: id })))
        .status,
    ).toBe(404);
    expect(
      (
        await statusOf(
          octokit.rest.issues.createComment({
            owner: OWNER,
            repo: REPO,
            issue_number: 99,
            body: 'x',
          }),
        )
      ).status,
    ).toBe(404);
  });

  it('paginates 250 comments in 3 pages with a real Link header', async () => {
    for (let i = 0; i < 250; i++)
      gh.addComment(OWNER, REPO, 7, { user: { login: `user${i % 3}` }, body: `c${i}` });
    const octokit = client(gh, 'ghs_actions');

    const first = await octokit.rest.issues.listComments({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      per_page: 100,
    });
    expect(first.data).toHaveLength(100);
    expect(first.data[0]?.body).toBe('c0');
    const base = `${gh.url}/repos/acme/infra/issues/7/comments`;
    expect(first.headers.link).toBe(
      `<${base}?per_page=100&page=2>; rel="next", <${base}?per_page=100&page=3>; rel="last"`,
    );

    const middle = await octokit.rest.issues.listComments({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      per_page: 100,
      page: 2,
    });
    expect(middle.headers.link).toBe(
      `<${base}?per_page=100&page=1>; rel="prev", <${base}?per_page=100&page=3>; rel="next", ` +
        `<${base}?per_page=100&page=3>; rel="last", <${base}?per_page=100&page=1>; rel="first"`,
    );

    const last = await octokit.rest.issues.listComments({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      per_page: 100,
      page: 3,
    });
    expect(last.data).toHaveLength(50);
    expect(last.data[49]?.body).toBe('c249');
    expect(last.headers.link).not.toMatch(/rel="next"/);
    expect(last.headers.link).toMatch(/rel="first"/);

    gh.resetLog();
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      per_page: 100,
    });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 250 }, (_, i) => `c${i}`));
    expect(
      gh
        .requestsTo('/repos/{owner}/{repo}/issues/{issue_number}/comments', 'GET')
        .map((r) => r.query['page']),
    ).toEqual([undefined, '2', '3']);

    // per_page is capped at 100; the default is 30; a single page has no Link header
    const capped = await octokit.rest.issues.listComments({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      per_page: 500,
    });
    expect(capped.data).toHaveLength(100);
    const dflt = await octokit.rest.issues.listComments({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
    });
    expect(dflt.data).toHaveLength(30);
    expect(dflt.headers.link).toContain('page=9>; rel="last"');
    const single = await octokit.rest.issues.listComments({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      per_page: 100,
      page: 1,
      since: '2999-01-01T00:00:00Z',
    });
    expect(single.data).toEqual([]);
    expect(single.headers.link).toBeUndefined();
  });

  it('takes the author from the token and computes author_association', async () => {
    gh.addTeam(OWNER, 'platform', ['alice']);
    gh.addToken('ghp_mallory', { login: 'mallory' });
    const byAlice = await client(gh, 'ghp_alice').rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      body: '/approve-destroy',
    });
    const byMallory = await client(gh, 'ghp_mallory').rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      body: '/approve-destroy',
    });
    expect(byAlice.data.user?.login).toBe('alice');
    expect(byAlice.data.user?.type).toBe('User');
    expect(byAlice.data.author_association).toBe('MEMBER');
    expect(byAlice.data.performed_via_github_app).toBeNull();
    expect(byMallory.data.user?.login).toBe('mallory');
    expect(byMallory.data.author_association).toBe('NONE');
    expect(byAlice.data.user?.id).not.toBe(byMallory.data.user?.id);
    const logged = gh.requestsTo('/repos/{owner}/{repo}/issues/{issue_number}/comments', 'POST');
    expect(logged.map((r) => [r.login, r.status, (r.body as { body: string }).body])).toEqual([
      ['alice', 201, '/approve-destroy'],
      ['mallory', 201, '/approve-destroy'],
    ]);
  });

  it('answers 401 for an unknown token and for anonymous writes, 404 for anonymous reads of private repos', async () => {
    const bad = await statusOf(
      client(gh, 'ghp_nope').rest.issues.listComments({
        owner: OWNER,
        repo: REPO,
        issue_number: 7,
      }),
    );
    expect(bad.status).toBe(401);
    expect(bad.message).toMatch(/Bad credentials/);
    const anonWrite = await statusOf(
      client(gh).rest.issues.createComment({
        owner: OWNER,
        repo: REPO,
        issue_number: 7,
        body: 'x',
      }),
    );
    expect(anonWrite.status).toBe(401);
    expect(gh.comments(OWNER, REPO, 7)).toEqual([]);
    // anonymous reads of a public repository work
    expect(
      (await client(gh).rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 })).status,
    ).toBe(200);
    gh.addRepo({ owner: OWNER, repo: 'secret', private: true });
    gh.setFile(OWNER, 'secret', 'main', 'a.txt', 'x');
    expect(
      (
        await statusOf(
          client(gh).rest.repos.getContent({ owner: OWNER, repo: 'secret', path: 'a.txt' }),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await client(gh, 'ghp_alice').rest.repos.getContent({
          owner: OWNER,
          repo: 'secret',
          path: 'a.txt',
        })
      ).status,
    ).toBe(200);
  });

  it('refuses bodies over 65536 characters like GitHub', async () => {
    const octokit = client(gh, 'ghs_actions');
    const ok = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      body: 'x'.repeat(65536),
    });
    expect(ok.status).toBe(201);
    const tooLong = await statusOf(
      octokit.rest.issues.createComment({
        owner: OWNER,
        repo: REPO,
        issue_number: 7,
        body: 'x'.repeat(65537),
      }),
    );
    expect(tooLong.status).toBe(422);
    expect(tooLong.message).toMatch(/Body is too long \(maximum is 65536 characters\)/);
    expect(gh.comments(OWNER, REPO, 7)).toHaveLength(1);
  });

  it('records reactions, once per user and content', async () => {
    const c = gh.addComment(OWNER, REPO, 7, { user: { login: 'alice' }, body: '/approve-destroy' });
    const octokit = client(gh, 'ghs_actions');
    const args = {
      owner: OWNER,
      repo: REPO,
      comment_id: c['id'] as number,
      content: '+1' as const,
    };
    expect((await octokit.rest.reactions.createForIssueComment(args)).status).toBe(201);
    expect((await octokit.rest.reactions.createForIssueComment(args)).status).toBe(200);
    await octokit.rest.reactions.createForIssueComment({ ...args, content: 'eyes' });
    expect(
      gh
        .reactions(OWNER, REPO, c['id'] as number)
        .map((r) => [(r['user'] as { login: string }).login, r['content']]),
    ).toEqual([
      ['github-actions[bot]', '+1'],
      ['github-actions[bot]', 'eyes'],
    ]);
    const again = await octokit.rest.issues.getComment({
      owner: OWNER,
      repo: REPO,
      comment_id: c['id'] as number,
    });
    expect(again.data.reactions?.total_count).toBe(2);
    expect(again.data.reactions?.['+1']).toBe(1);
  });
});

describe('pulls', () => {
  it('returns the pull request and follows pushes', async () => {
    const octokit = client(gh, 'ghs_actions');
    const pr = await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(pr.data.head.sha).toBe(HEAD);
    expect(pr.data.base.ref).toBe('main');
    expect(pr.data.user.login).toBe('bob');
    expect(pr.data.base.repo.default_branch).toBe('main');
    const pushed = 'c'.repeat(40);
    gh.setPullHead(OWNER, REPO, 7, pushed);
    expect(
      (await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 })).data.head.sha,
    ).toBe(pushed);
    expect(
      (await statusOf(octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 8 }))).status,
    ).toBe(404);
  });

  it("paginates files and stops at GitHub's 3000-file limit", async () => {
    const files = Array.from({ length: 3500 }, (_, i) => ({
      filename: `mod/f${String(i).padStart(4, '0')}.tf`,
      status: 'added' as const,
    }));
    gh.setPullFiles(OWNER, REPO, 7, files);
    const octokit = client(gh, 'ghs_actions');
    const first = await octokit.rest.pulls.listFiles({
      owner: OWNER,
      repo: REPO,
      pull_number: 7,
      per_page: 100,
    });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toContain('page=30>; rel="last"');
    expect(first.data[0]).toMatchObject({ filename: 'mod/f0000.tf', status: 'added' });
    const all = await octokit.paginate(octokit.rest.pulls.listFiles, {
      owner: OWNER,
      repo: REPO,
      pull_number: 7,
      per_page: 100,
    });
    expect(all).toHaveLength(3000);
    expect(all[2999]?.filename).toBe('mod/f2999.tf');
    expect(new Set(all.map((f) => f.filename)).size).toBe(3000);
    const beyond = await octokit.rest.pulls.listFiles({
      owner: OWNER,
      repo: REPO,
      pull_number: 7,
      per_page: 100,
      page: 31,
    });
    expect(beyond.data).toEqual([]);
    // the pull request itself still counts every file
    expect(
      (await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 })).data
        .changed_files,
    ).toBe(3500);
  });

  it('finds pull requests associated with a commit: old and new heads, and the merge commit', async () => {
    const octokit = client(gh, 'ghs_actions');
    const forSha = async (sha: string): Promise<number[]> =>
      (
        await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
          owner: OWNER,
          repo: REPO,
          commit_sha: sha,
        })
      ).data.map((p) => p.number);
    expect(await forSha(HEAD)).toEqual([7]);
    gh.setPullHead(OWNER, REPO, 7, 'c'.repeat(40));
    expect(await forSha('c'.repeat(40))).toEqual([7]);
    expect(await forSha(HEAD)).toEqual([7]);
    expect(await forSha('d'.repeat(40))).toEqual([]);
    gh.mergePull(OWNER, REPO, 7, 'e'.repeat(40));
    const merged = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner: OWNER,
      repo: REPO,
      commit_sha: 'e'.repeat(40),
    });
    expect(merged.data.map((p) => [p.number, p.state, p.merge_commit_sha])).toEqual([
      [7, 'closed', 'e'.repeat(40)],
    ]);
  });
});

describe('contents', () => {
  it('returns base64 content with the git blob sha, per ref, and 404 when absent', async () => {
    const config = 'approval:\n  required: 2\n';
    gh.setFile(OWNER, REPO, 'main', '.github/applygate.yml', config);
    gh.setFile(OWNER, REPO, 'drop-db', '.github/applygate.yml', 'approval:\n  required: 0\n');
    const octokit = client(gh, 'ghs_actions');

    const res = await octokit.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: '.github/applygate.yml',
    });
    const data = res.data as {
      type: string;
      encoding: string;
      content: string;
      sha: string;
      size: number;
      path: string;
    };
    expect(data.type).toBe('file');
    expect(data.encoding).toBe('base64');
    expect(Buffer.from(data.content, 'base64').toString('utf8')).toBe(config);
    expect(data.sha).toBe(gitBlobSha(config));
    expect(data.size).toBe(Buffer.byteLength(config));
    expect(data.path).toBe('.github/applygate.yml');

    const decode = async (ref: string): Promise<string> => {
      const r = await octokit.rest.repos.getContent({
        owner: OWNER,
        repo: REPO,
        path: '.github/applygate.yml',
        ref,
      });
      return Buffer.from((r.data as { content: string }).content, 'base64').toString('utf8');
    };
    expect(await decode('main')).toBe(config);
    expect(await decode(BASE)).toBe(config); // the base sha is main's head
    expect(await decode('drop-db')).toContain('required: 0');
    expect(await decode(HEAD)).toContain('required: 0');

    const missing = await statusOf(
      octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'CODEOWNERS' }),
    );
    expect(missing.status).toBe(404);
    expect(missing.message).toMatch(/Not Found/);
    const badRef = await statusOf(
      octokit.rest.repos.getContent({
        owner: OWNER,
        repo: REPO,
        path: '.github/applygate.yml',
        ref: 'f'.repeat(40),
      }),
    );
    expect(badRef.status).toBe(404);
    expect(badRef.message).toMatch(/No commit found for the ref/);

    const dir = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: '.github' });
    expect((dir.data as { name: string; type: string }[]).map((e) => [e.name, e.type])).toEqual([
      ['applygate.yml', 'file'],
    ]);
  });
});

describe('contents over 1 MB', () => {
  it('come without content (encoding "none"); the raw media type returns the bytes', async () => {
    const big = `${'x'.repeat(1024 * 1024)}\n/db/ @dba\n`;
    gh.setFile(OWNER, REPO, 'main', 'CODEOWNERS', big);
    gh.setFile(OWNER, REPO, 'main', 'small.txt', 'small\n');
    const octokit = client(gh, 'ghs_actions');
    const json = await octokit.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: 'CODEOWNERS',
    });
    expect(json.data).toMatchObject({
      type: 'file',
      size: Buffer.byteLength(big),
      encoding: 'none',
      content: '',
      sha: gitBlobSha(big),
    });
    const raw = await octokit.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: 'CODEOWNERS',
      mediaType: { format: 'raw' },
    });
    // GitHub's answer: `application/vnd.github.v3.raw; charset=utf-8`, which Octokit reads as text.
    expect(raw.headers['content-type']).toBe('application/vnd.github.v3.raw; charset=utf-8');
    expect(raw.data).toBe(big);
    const small = await octokit.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: 'small.txt',
      mediaType: { format: 'raw' },
    });
    expect(small.data).toBe('small\n');
    expect(
      (
        (await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'small.txt' }))
          .data as { encoding: string }
      ).encoding,
    ).toBe('base64');
  });
});

describe('request validation', () => {
  it('records a bad body as a violation and answers 422', async () => {
    const octokit = client(gh, 'ghs_actions');
    const res = await statusOf(
      octokit.request('POST /repos/{owner}/{repo}/check-runs', {
        owner: OWNER,
        repo: REPO,
        head_sha: HEAD,
      } as never),
    );
    expect(res.status).toBe(422);
    const v = gh.takeViolations();
    expect(v).toHaveLength(1);
    expect(v[0]).toContain('POST /repos/acme/infra/check-runs');
    expect(v[0]).toContain("must have required property 'name'");
    expect(gh.checkRuns(OWNER, REPO)).toEqual([]);
  });

  it('records unknown routes, unemulated routes and mistyped parameters', async () => {
    const octokit = client(gh, 'ghs_actions');
    expect((await statusOf(octokit.request('GET /repos/acme/infra/no-such-thing'))).status).toBe(
      404,
    );
    expect(
      (
        await statusOf(
          octokit.request('GET /repos/{owner}/{repo}/releases', { owner: OWNER, repo: REPO }),
        )
      ).status,
    ).toBe(404);
    expect((await statusOf(octokit.request('GET /repos/acme/infra/pulls/seven'))).status).toBe(422);
    expect(
      (
        await statusOf(
          octokit.request('GET /repos/acme/infra/issues/7/comments', { per_page: 'lots' } as never),
        )
      ).status,
    ).toBe(422);
    const v = gh.takeViolations();
    expect(v).toHaveLength(4);
    expect(v[0]).toMatch(/GET \/repos\/acme\/infra\/no-such-thing: no such route/);
    expect(v[1]).toMatch(
      /no such route: GET \/repos\/\{owner\}\/\{repo\}\/releases is not emulated/,
    );
    expect(v[2]).toMatch(/path parameter "pull_number"="seven" is not an integer/);
    expect(v[3]).toMatch(/query parameter "per_page"="lots" is not an integer/);
  });
});

describe('fault injection', () => {
  it('fails the first N requests, then succeeds', async () => {
    const f = gh.fault({
      method: 'GET',
      route: '/repos/{owner}/{repo}/pulls/{pull_number}',
      status: 502,
      times: 1,
    });
    const octokit = client(gh, 'ghs_actions');
    expect(
      (await statusOf(octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 }))).status,
    ).toBe(502);
    expect(
      (await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 })).status,
    ).toBe(200);
    expect(f.hits).toBe(1);
    // other routes are unaffected; the route may carry its method
    const g = gh.fault({
      route: 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files',
      status: 500,
    });
    expect(
      (await statusOf(octokit.rest.pulls.listFiles({ owner: OWNER, repo: REPO, pull_number: 7 })))
        .status,
    ).toBe(500);
    expect(
      (await statusOf(octokit.rest.pulls.listFiles({ owner: OWNER, repo: REPO, pull_number: 7 })))
        .status,
    ).toBe(500);
    expect(g.hits).toBe(2);
    gh.clearFaults();
    expect(
      (await octokit.rest.pulls.listFiles({ owner: OWNER, repo: REPO, pull_number: 7 })).status,
    ).toBe(200);
    expect(() => gh.fault({ method: 'GET', route: '/repos/{owner}/{repo}/pull/{n}' })).toThrow(
      /not an emulated route/,
    );
  });

  it('answers secondary rate limits like GitHub', async () => {
    gh.fault({
      method: 'POST',
      route: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      secondaryRateLimit: true,
      retryAfter: 7,
      times: 1,
    });
    const octokit = client(gh, 'ghs_actions');
    const res = await statusOf(
      octokit.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 7, body: 'x' }),
    );
    expect(res.status).toBe(403);
    expect(res.message).toContain('You have exceeded a secondary rate limit');
    expect(res.headers['retry-after']).toBe('7');
    expect(gh.comments(OWNER, REPO, 7)).toEqual([]);
    await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      body: 'x',
    });
    expect(gh.comments(OWNER, REPO, 7)).toHaveLength(1);
  });

  it('holds answers so clients can time out, and delays them', async () => {
    const held = gh.fault({
      method: 'GET',
      route: '/repos/{owner}/{repo}/pulls/{pull_number}',
      hold: true,
      times: 1,
    });
    const octokit = client(gh, 'ghs_actions');
    const abort = new AbortController();
    const call = statusOf(
      octokit.rest.pulls.get({
        owner: OWNER,
        repo: REPO,
        pull_number: 7,
        request: { signal: abort.signal },
      }),
    );
    // The client gives up while the emulator still holds the answer.
    await until(() => held.hits === 1);
    abort.abort();
    expect((await call).status).toBe(500); // Octokit's status for a network failure
    const [entry] = gh.requestsTo('/repos/{owner}/{repo}/pulls/{pull_number}');
    expect(entry?.status).toBe(0); // still unanswered
    held.release();
    await until(() => entry?.status !== 0);
    expect(entry?.status).toBe(200);
    // the fault was for one request: the next one is answered at once
    const ok = await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(ok.status).toBe(200);
    // a delay-only fault still answers normally once the delay is over, and not before
    gh.fault({
      method: 'GET',
      route: '/repos/{owner}/{repo}/pulls/{pull_number}',
      delayMs: 100,
      times: 1,
    });
    const t1 = Date.now();
    expect(
      (await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 })).data.number,
    ).toBe(7);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(95);
  });
});

describe('GitHub App flow', () => {
  it("exchanges a JWT for an installation token whose writes are the app bot's", async () => {
    const appClient = client(gh, jwt(gh.app.id));
    expect((await appClient.rest.apps.getAuthenticated()).data?.slug).toBe('applygate');
    const inst = await appClient.rest.apps.getRepoInstallation({ owner: OWNER, repo: REPO });
    expect(inst.data.id).toBe(gh.app.installationId);
    const tok = await appClient.rest.apps.createInstallationAccessToken({
      installation_id: inst.data.id,
    });
    expect(tok.status).toBe(201);
    expect(tok.data.token).toMatch(/^ghs_/);
    // a JWT is not an installation token, and vice versa
    expect(
      (await statusOf(appClient.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 })))
        .status,
    ).toBe(403);
    expect((await statusOf(client(gh, tok.data.token).rest.apps.getAuthenticated())).status).toBe(
      401,
    );
    expect((await statusOf(client(gh, 'a.b.c').rest.apps.getAuthenticated())).status).toBe(401);
    expect(
      (await statusOf(appClient.rest.apps.createInstallationAccessToken({ installation_id: 1 })))
        .status,
    ).toBe(404);

    const octokit = client(gh, tok.data.token);
    const c = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      body: 'waiting',
    });
    expect(c.data.user?.login).toBe('applygate[bot]');
    expect(c.data.performed_via_github_app?.id).toBe(gh.app.id);

    const run = await octokit.rest.checks.create({
      owner: OWNER,
      repo: REPO,
      name: 'applygate / destroy approval',
      head_sha: HEAD,
      status: 'in_progress',
    });
    expect(run.data.app?.slug).toBe('applygate');
    expect(run.data.pull_requests.map((p) => p.number)).toEqual([7]);
    await octokit.rest.checks.update({
      owner: OWNER,
      repo: REPO,
      check_run_id: run.data.id,
      conclusion: 'success',
      output: { title: 'approved', summary: 'by alice' },
    });
    await octokit.rest.checks.create({
      owner: OWNER,
      repo: REPO,
      name: 'other',
      head_sha: HEAD,
      conclusion: 'neutral',
    });
    await octokit.rest.checks.create({
      owner: OWNER,
      repo: REPO,
      name: 'applygate / destroy approval',
      head_sha: HEAD,
      status: 'queued',
    });

    const latest = await octokit.rest.checks.listForRef({
      owner: OWNER,
      repo: REPO,
      ref: HEAD,
      check_name: 'applygate / destroy approval',
    });
    expect(latest.data.total_count).toBe(1);
    expect(latest.data.check_runs[0]?.status).toBe('queued');
    const all = await octokit.rest.checks.listForRef({
      owner: OWNER,
      repo: REPO,
      ref: HEAD,
      check_name: 'applygate / destroy approval',
      filter: 'all',
    });
    expect(all.data.check_runs.map((r) => [r.status, r.conclusion, r.output.title])).toEqual([
      ['queued', null, null],
      ['completed', 'success', 'approved'],
    ]);
    // by branch name too
    expect(
      (await octokit.rest.checks.listForRef({ owner: OWNER, repo: REPO, ref: 'drop-db' })).data
        .total_count,
    ).toBe(2);
    const stored = gh.checkRuns(OWNER, REPO);
    expect(stored.map((r) => r['name'])).toEqual([
      'applygate / destroy approval',
      'other',
      'applygate / destroy approval',
    ]);
    expect(stored[0]?.history).toEqual([
      { name: 'applygate / destroy approval', head_sha: HEAD, status: 'in_progress' },
      { conclusion: 'success', output: { title: 'approved', summary: 'by alice' } },
    ]);

    // check runs need an app's token; another app may not modify this one
    expect(
      (
        await statusOf(
          client(gh, 'ghp_alice').rest.checks.create({
            owner: OWNER,
            repo: REPO,
            name: 'x',
            head_sha: HEAD,
          }),
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await statusOf(
          client(gh, 'ghs_actions').rest.checks.update({
            owner: OWNER,
            repo: REPO,
            check_run_id: run.data.id,
            conclusion: 'failure',
          }),
        )
      ).status,
    ).toBe(403);
  });
});

describe('several GitHub Apps', () => {
  const NAME = 'applygate / destroy approval';

  /** An installation token got the way an app gets one: JWT, installation lookup, exchange. */
  async function tokenOf(appId: number): Promise<string> {
    const c = client(gh, jwt(appId));
    const inst = await c.rest.apps.getRepoInstallation({ owner: OWNER, repo: REPO });
    expect(inst.data.app_id).toBe(appId);
    const tok = await c.rest.apps.createInstallationAccessToken({ installation_id: inst.data.id });
    return tok.data.token;
  }

  it('each has its own id, slug, bot and installation, chosen by the JWT issuer', async () => {
    const rogue = gh.addApp({ slug: 'rogue' });
    const third = gh.addApp();
    const ids = [gh.app, rogue, third].map((a) => [a.id, a.installationId, a.botId]);
    expect(new Set(ids.flat()).size).toBe(9);
    expect(gh.appNamed('rogue')).toBe(rogue);
    expect(() => gh.addApp({ slug: 'rogue' })).toThrow(/exists/);
    expect(() => gh.addApp({ slug: 'clash', id: rogue.id })).toThrow(/taken/);

    for (const a of [gh.app, rogue, third]) {
      const c = client(gh, jwt(a.id));
      expect((await c.rest.apps.getAuthenticated()).data?.slug).toBe(a.slug);
      expect((await c.rest.apps.getRepoInstallation({ owner: OWNER, repo: REPO })).data.id).toBe(
        a.installationId,
      );
    }
    // one app may not mint tokens for another's installation; an unknown issuer is refused
    expect(
      (
        await statusOf(
          client(gh, jwt(rogue.id)).rest.apps.createInstallationAccessToken({
            installation_id: gh.app.installationId,
          }),
        )
      ).status,
    ).toBe(404);
    expect((await statusOf(client(gh, jwt(999)).rest.apps.getAuthenticated())).status).toBe(401);

    const c = await client(gh, await tokenOf(rogue.id)).rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      body: 'from rogue',
    });
    expect(c.data.user?.login).toBe('rogue[bot]');
    expect(c.data.performed_via_github_app?.id).toBe(rogue.id);
    // a comment stored as a bot is that bot's app's, as on github.com
    const stored = gh.addComment(OWNER, REPO, 7, { user: { login: 'rogue[bot]' }, body: 'x' });
    expect((stored['performed_via_github_app'] as { slug: string }).slug).toBe('rogue');
  });

  it('each writes its own record under the same check name; only its creator may change one', async () => {
    const apps = [gh.app, gh.addApp({ slug: 'rogue' }), gh.addApp({ slug: 'third' })];
    const created: number[] = [];
    for (const [i, a] of apps.entries()) {
      // the JWT flow and the shortcut both give the app's own token
      const token = i === 2 ? gh.installationToken(a.slug) : await tokenOf(a.id);
      const run = await client(gh, token).rest.checks.create({
        owner: OWNER,
        repo: REPO,
        name: NAME,
        head_sha: HEAD,
        conclusion: 'success',
        output: { title: a.slug, summary: `written by ${a.slug}` },
      });
      expect(run.data.app?.id).toBe(a.id);
      created.push(run.data.id);
    }
    gh.addToken('ghs_forger', { login: 'forger[bot]', type: 'Bot', app: 'rogue' });
    await client(gh, 'ghs_forger').rest.checks.create({
      owner: OWNER,
      repo: REPO,
      name: NAME,
      head_sha: HEAD,
      conclusion: 'success',
      output: { title: 'newer rogue', summary: 'x' },
    });

    const octokit = client(gh, 'ghp_alice');
    const latest = await octokit.rest.checks.listForRef({
      owner: OWNER,
      repo: REPO,
      ref: HEAD,
      check_name: NAME,
    });
    // the latest run per app: three apps, three records, newest first
    expect(latest.data.check_runs.map((r) => [r.app?.slug, r.output.title])).toEqual([
      ['rogue', 'newer rogue'],
      ['third', 'third'],
      ['applygate', 'applygate'],
    ]);
    for (const a of apps) {
      const mine = await octokit.rest.checks.listForRef({
        owner: OWNER,
        repo: REPO,
        ref: HEAD,
        check_name: NAME,
        app_id: a.id,
        filter: 'all',
      });
      expect(mine.data.check_runs.every((r) => r.app?.id === a.id)).toBe(true);
      expect(mine.data.total_count).toBe(a.slug === 'rogue' ? 2 : 1);
    }

    // every app may modify its own run and no other app's
    for (const [i, a] of apps.entries()) {
      const token = gh.installationToken(a.slug);
      for (const [j, id] of created.entries()) {
        const update = client(gh, token).rest.checks.update({
          owner: OWNER,
          repo: REPO,
          check_run_id: id,
          conclusion: 'failure',
        });
        if (i === j) expect((await update).status).toBe(200);
        else expect((await statusOf(update)).message).toMatch(/only be modified by its creator/);
      }
    }
    expect(gh.checkRuns(OWNER, REPO).map((r) => r['conclusion'])).toEqual([
      'failure',
      'failure',
      'failure',
      'success',
    ]);
  });
});

describe('teams', () => {
  it('answers memberships and member lists', async () => {
    gh.addTeam(OWNER, 'platform', ['alice', 'carol'], { maintainers: ['dave'] });
    const octokit = client(gh, 'ghs_actions');
    const m = await octokit.rest.teams.getMembershipForUserInOrg({
      org: OWNER,
      team_slug: 'platform',
      username: 'alice',
    });
    expect(m.data).toMatchObject({ state: 'active', role: 'member' });
    const d = await octokit.rest.teams.getMembershipForUserInOrg({
      org: OWNER,
      team_slug: 'platform',
      username: 'dave',
    });
    expect(d.data.role).toBe('maintainer');
    expect(
      (
        await statusOf(
          octokit.rest.teams.getMembershipForUserInOrg({
            org: OWNER,
            team_slug: 'platform',
            username: 'bob',
          }),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await statusOf(
          octokit.rest.teams.getMembershipForUserInOrg({
            org: OWNER,
            team_slug: 'nope',
            username: 'alice',
          }),
        )
      ).status,
    ).toBe(404);
    const members = await octokit.rest.teams.listMembersInOrg({
      org: OWNER,
      team_slug: 'platform',
    });
    expect(members.data.map((u) => u.login)).toEqual(['alice', 'carol', 'dave']);
    const onlyMembers = await octokit.rest.teams.listMembersInOrg({
      org: OWNER,
      team_slug: 'platform',
      role: 'member',
    });
    expect(onlyMembers.data.map((u) => u.login)).toEqual(['alice', 'carol']);
  });
});

describe('repository permissions', () => {
  it("answers a user's role (direct, through a team, the owner) and a team's role", async () => {
    gh.addTeam(OWNER, 'dba', ['tom']);
    gh.setTeamRepoRole(OWNER, 'dba', OWNER, REPO, 'maintain');
    gh.setCollaborator(OWNER, REPO, 'dana', 'write');
    gh.setCollaborator(OWNER, REPO, 'rita', 'triage');
    gh.addUser('nobody');
    const octokit = client(gh, 'ghs_actions');
    const role = async (username: string) =>
      (
        await octokit.rest.repos.getCollaboratorPermissionLevel({
          owner: OWNER,
          repo: REPO,
          username,
        })
      ).data;
    expect(await role('dana')).toMatchObject({ permission: 'write', role_name: 'write' });
    // The legacy field reads maintain as write and triage as read, as GitHub's does.
    expect(await role('tom')).toMatchObject({ permission: 'write', role_name: 'maintain' });
    expect(await role('rita')).toMatchObject({ permission: 'read', role_name: 'triage' });
    expect(await role('nobody')).toMatchObject({ permission: 'none' });
    expect(await role(OWNER)).toMatchObject({ permission: 'admin' });
    expect(
      (
        await statusOf(
          octokit.rest.repos.getCollaboratorPermissionLevel({
            owner: OWNER,
            repo: REPO,
            username: 'no-such-user',
          }),
        )
      ).status,
    ).toBe(404);

    const team = (team_slug: string, accept?: string) =>
      octokit.rest.teams.checkPermissionsForRepoInOrg({
        org: OWNER,
        team_slug,
        owner: OWNER,
        repo: REPO,
        ...(accept && { headers: { accept } }),
      });
    const full = await team('dba', 'application/vnd.github.v3.repository+json');
    expect(full.status).toBe(200);
    expect(full.data).toMatchObject({
      full_name: `${OWNER}/${REPO}`,
      permissions: { push: true, maintain: true, admin: false },
    });
    expect((await team('dba')).status).toBe(204);
    gh.setTeamRepoRole(OWNER, 'dba', OWNER, REPO, null);
    expect((await statusOf(team('dba'))).status).toBe(404);
    gh.setCollaborator(OWNER, REPO, 'dana', null);
    expect(await role('dana')).toMatchObject({ permission: 'none' });
  });

  it('an edit moves updated_at; a reaction does not', async () => {
    let t = Date.parse('2030-01-01T00:00:00Z');
    const timed = await startEmulator({ validate: true, now: () => new Date(t) });
    try {
      timed.addRepo({ owner: OWNER, repo: REPO });
      timed.addToken('ghp_alice', { login: 'alice', type: 'User' });
      timed.addIssue(OWNER, REPO, { number: 1, user: { login: 'bob' } });
      const c = timed.addComment(OWNER, REPO, 1, { user: { login: 'bob' }, body: 'hi' });
      expect(c['updated_at']).toBe(c['created_at']);
      t += 60_000;
      const octokit = client(timed, 'ghp_alice');
      await octokit.rest.reactions.createForIssueComment({
        owner: OWNER,
        repo: REPO,
        comment_id: c['id'] as number,
        content: '+1',
      });
      const [after] = timed.comments(OWNER, REPO, 1);
      expect(after!['updated_at']).toBe(c['created_at']);
      t += 60_000;
      await octokit.rest.issues.updateComment({
        owner: OWNER,
        repo: REPO,
        comment_id: c['id'] as number,
        body: 'edited by alice',
      });
      const [edited] = timed.comments(OWNER, REPO, 1);
      expect(edited!['updated_at']).toBe('2030-01-01T00:02:00Z');
      expect(edited!['created_at']).toBe(c['created_at']);
    } finally {
      await timed.close();
    }
  });
});

describe('logins', () => {
  it('are case-insensitive in ASCII only: a look-alike (Kelvin sign, Cyrillic) is another user', async () => {
    gh.addTeam(OWNER, 'dba', ['kate', 'dba-dana']);
    const kate = gh.addUser('kate');
    expect(gh.addUser('KATE')).toBe(kate);
    const kelvin = gh.addUser('\u212Aate'); // U+212A lowers to 'k' in Unicode
    const cyrillic = gh.addUser('dba-d\u0430na');
    expect(kelvin.id).not.toBe(kate.id);
    expect(cyrillic.id).not.toBe(gh.addUser('dba-dana').id);
    const octokit = client(gh, 'ghs_actions');
    const member = async (username: string): Promise<number> => {
      try {
        await octokit.rest.teams.getMembershipForUserInOrg({
          org: OWNER,
          team_slug: 'dba',
          username,
        });
        return 200;
      } catch (e) {
        return (e as { status: number }).status;
      }
    };
    expect(await member('KATE')).toBe(200);
    expect(await member('\u212Aate')).toBe(404);
    expect(await member('dba-d\u0430na')).toBe(404);
  });
});

describe('pull requests from forks', () => {
  it("carry the fork as the head repository; the base repository's files stay apart", async () => {
    gh.addRepo({ owner: 'mallory', repo: REPO, fork: true, ownerType: 'User' });
    gh.addPull({
      owner: OWNER,
      repo: REPO,
      number: 8,
      title: 'From a fork',
      user: { login: 'mallory' },
      head: { sha: 'c'.repeat(40), ref: 'main', repo: { owner: 'mallory', repo: REPO } },
      base: { sha: BASE, ref: 'main' },
    });
    const octokit = client(gh, 'ghs_actions');
    const pr = (await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 8 })).data;
    expect(pr.head).toMatchObject({
      label: 'mallory:main',
      sha: 'c'.repeat(40),
      repo: { full_name: `mallory/${REPO}`, fork: true },
    });
    expect(pr.base).toMatchObject({
      ref: 'main',
      sha: BASE,
      repo: { full_name: `${OWNER}/${REPO}`, fork: false },
    });
    // The fork's `main` is not the base repository's `main`.
    gh.setFile(OWNER, REPO, BASE, 'where.txt', 'base');
    const at = await octokit.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: 'where.txt',
      ref: 'main',
    });
    expect(Buffer.from((at.data as { content: string }).content, 'base64').toString()).toBe('base');
  });
});

describe('actions and deployment protection rules', () => {
  it('lists runs, records reviews and status reports, and unblocks approved runs', async () => {
    gh.addWorkflowRun({
      owner: OWNER,
      repo: REPO,
      id: 555,
      head_sha: HEAD,
      status: 'waiting',
      environment: 'production',
    });
    gh.addWorkflowRun({
      owner: OWNER,
      repo: REPO,
      id: 556,
      head_sha: 'c'.repeat(40),
      status: 'completed',
      conclusion: 'success',
    });
    const appClient = client(gh, jwt(gh.app.id));
    const { data: tok } = await appClient.rest.apps.createInstallationAccessToken({
      installation_id: gh.app.installationId,
    });
    const octokit = client(gh, tok.token);

    const waiting = await octokit.rest.actions.listWorkflowRunsForRepo({
      owner: OWNER,
      repo: REPO,
      head_sha: HEAD,
      status: 'waiting',
    });
    expect(waiting.data.total_count).toBe(1);
    expect(waiting.data.workflow_runs[0]?.id).toBe(555);
    expect(waiting.data.workflow_runs[0]?.pull_requests?.map((p) => p.number)).toEqual([7]);
    expect(
      (
        await octokit.rest.actions.listWorkflowRunsForRepo({
          owner: OWNER,
          repo: REPO,
          status: 'success',
        })
      ).data.workflow_runs.map((r) => r.id),
    ).toEqual([556]);
    expect(
      (await octokit.rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: 555 })).data
        .status,
    ).toBe('waiting');

    const status = await octokit.rest.actions.reviewCustomGatesForRun({
      owner: OWNER,
      repo: REPO,
      run_id: 555,
      environment_name: 'production',
      comment: 'needs 1 more approval',
    });
    expect(status.status).toBe(204);
    expect(
      (await octokit.rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: 555 })).data
        .status,
    ).toBe('waiting');
    // octokit's own path: the webhook's deployment_callback_url
    await octokit.request(`POST ${gh.deploymentCallbackUrl(OWNER, REPO, 555)}`, {
      environment_name: 'production',
      state: 'approved',
      comment: 'approved by alice',
    });
    expect(gh.protectionReviews(OWNER, REPO, 555)).toEqual([
      expect.objectContaining({
        kind: 'status',
        state: undefined,
        comment: 'needs 1 more approval',
        user: 'applygate[bot]',
        environment_name: 'production',
      }),
      expect.objectContaining({
        kind: 'review',
        state: 'approved',
        comment: 'approved by alice',
        user: 'applygate[bot]',
      }),
    ]);
    expect(
      (await octokit.rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: 555 })).data
        .status,
    ).toBe('queued');

    const bad = await statusOf(
      octokit.request(
        'POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule',
        {
          owner: OWNER,
          repo: REPO,
          run_id: 555,
          environment_name: 'production',
          state: 'maybe',
        } as never,
      ),
    );
    expect(bad.status).toBe(422);
    const v = gh.takeViolations();
    expect(v).toHaveLength(1);
    expect(v[0]).toMatch(
      /deployment_protection_rule: request body: .*\/state must be equal to one of the allowed values/,
    );
    expect(gh.protectionReviews(OWNER, REPO, 555)).toHaveLength(2);
    expect(
      (
        await statusOf(
          octokit.rest.actions.reviewCustomGatesForRun({
            owner: OWNER,
            repo: REPO,
            run_id: 999,
            environment_name: 'production',
            state: 'rejected',
          }),
        )
      ).status,
    ).toBe(404);
  });
});

describe('pending deployments', () => {
  it('lists the environment a waiting run waits for, and nothing once it is reviewed', async () => {
    gh.addWorkflowRun({
      owner: OWNER,
      repo: REPO,
      id: 601,
      head_sha: HEAD,
      status: 'waiting',
      environment: 'production',
    });
    gh.addWorkflowRun({ owner: OWNER, repo: REPO, id: 602, head_sha: HEAD, status: 'completed' });
    const appClient = client(gh, jwt(gh.app.id));
    const { data: tok } = await appClient.rest.apps.createInstallationAccessToken({
      installation_id: gh.app.installationId,
    });
    const octokit = client(gh, tok.token);
    const pending = await octokit.rest.actions.getPendingDeploymentsForRun({
      owner: OWNER,
      repo: REPO,
      run_id: 601,
    });
    expect(pending.data.map((p) => p.environment.name)).toEqual(['production']);
    expect(pending.data[0]?.environment.html_url).toContain('environments_filter=production');
    expect(
      (
        await octokit.rest.actions.getPendingDeploymentsForRun({
          owner: OWNER,
          repo: REPO,
          run_id: 602,
        })
      ).data,
    ).toEqual([]);
    await octokit.rest.actions.reviewCustomGatesForRun({
      owner: OWNER,
      repo: REPO,
      run_id: 601,
      environment_name: 'production',
      state: 'approved',
      comment: 'ok',
    });
    expect(
      (
        await octokit.rest.actions.getPendingDeploymentsForRun({
          owner: OWNER,
          repo: REPO,
          run_id: 601,
        })
      ).data,
    ).toEqual([]);
    expect(
      (
        await statusOf(
          octokit.rest.actions.getPendingDeploymentsForRun({ owner: OWNER, repo: REPO, run_id: 9 }),
        )
      ).status,
    ).toBe(404);
  });
});

describe('GitHub Enterprise Server paths', () => {
  it('answers under /api/v3 too, logging the path without the prefix', async () => {
    const octokit = client(gh);
    const { data } = await new Octokit({
      baseUrl: `${gh.url}/api/v3`,
      log: { debug() {}, info() {}, warn() {}, error() {} },
    }).rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(data.number).toBe(7);
    expect(gh.requests.map((r) => [r.route, r.path])).toEqual([
      ['/repos/{owner}/{repo}/pulls/{pull_number}', '/repos/acme/infra/pulls/7'],
    ]);
    // /api/v3x is not the prefix
    expect((await statusOf(octokit.request('GET /api/v3x/repos/acme/infra'))).status).toBe(404);
    expect(gh.takeViolations()).toEqual([expect.stringMatching(/no such route: GET \/api\/v3x/)]);
  });
});

describe('without validation', () => {
  it('still routes, and still records unknown routes', async () => {
    const plain = await startEmulator({ validate: false });
    try {
      expect(plain.specLoadMs).toBe(0);
      plain.addRepo({ owner: OWNER, repo: REPO });
      plain.addToken('t', { login: 'alice' });
      plain.addIssue(OWNER, REPO, { number: 1, user: { login: 'alice' } });
      const octokit = client(plain, 't');
      const c = await octokit.rest.issues.createComment({
        owner: OWNER,
        repo: REPO,
        issue_number: 1,
        body: 'hi',
      });
      expect(c.data.user?.login).toBe('alice');
      expect(c.data.html_url).toContain('/issues/1#issuecomment-');
      expect((await statusOf(octokit.request('GET /repos/acme/infra/releases'))).status).toBe(404);
      expect(plain.takeViolations()).toEqual([expect.stringMatching(/no such route/)]);
      // a bad body is not checked against the description, but the emulator still refuses it
      const bad = await statusOf(
        octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          owner: OWNER,
          repo: REPO,
          issue_number: 1,
        } as never),
      );
      expect(bad.status).toBe(422);
      expect(plain.violations).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});

describe('real clients', () => {
  it("Probot's Octokit authenticates as the app installation (JWT, access token) and retries a 502", async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { ProbotOctokit } = await import('probot');
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const octokit = new ProbotOctokit({
      baseUrl: gh.url,
      auth: { appId: gh.app.id, privateKey, installationId: gh.app.installationId },
      throttle: { enabled: false },
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const c = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      body: 'hi',
    });
    expect(c.data.user?.login).toBe('applygate[bot]');
    expect(gh.requests.map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual([
      'POST /app/installations/{installation_id}/access_tokens 201',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments 201',
    ]);
    expect(gh.requests[0]?.headers['authorization']).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);
    const f = gh.fault({
      route: 'GET /repos/{owner}/{repo}/issues/comments/{comment_id}',
      status: 502,
      times: 1,
    });
    const got = await octokit.rest.issues.getComment({
      owner: OWNER,
      repo: REPO,
      comment_id: c.data.id,
    });
    expect(got.data.body).toBe('hi');
    expect(f.hits).toBe(1);
  });

  it("@actions/github's Octokit writes as github-actions[bot]", async () => {
    const { getOctokit } = await import('@actions/github');
    const octokit = getOctokit('ghs_actions', { baseUrl: gh.url });
    const c = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      body: 'summary',
    });
    expect(c.data.user?.login).toBe('github-actions[bot]');
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
    });
    expect(all.map((x) => x.id)).toEqual([c.data.id]);
  });
});
