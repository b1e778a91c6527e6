/**
 * Hardening (issue 7), faults: the emulator breaks each route the app uses, in turn, with a 500,
 * a 502, an answer slower than the app's time limit and a secondary rate limit (403 with
 * `retry-after`). The app retries within its limits; when it cannot decide it leaves the
 * deployment waiting (or says so on it), never approves; and once GitHub is back, the next event
 * decides. Then webhooks delivered twice, and two approvals arriving at the same moment.
 */
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ProbotOctokit } from 'probot';
import {
  LEDGER_STATUS_CONTEXT,
  ledgerLines,
  ledgerStatusDescription,
} from '../../src/core/ledger-copy.js';
import type { FaultInput } from '../../testkit/github/emulator.js';
import { HEAD, Harness, OWNER, PR, REPO } from '../../testkit/app/harness.js';
import {
  deploymentProtectionRulePayload,
  issueCommentPayload,
} from '../../testkit/app/payloads.js';

const R = '/repos/{owner}/{repo}';
const approve = '/approve-destroy';

/**
 * The app's client policy here: rate-limit waits shrunk so that a fault costs milliseconds. The
 * time limit applies to every call, the healthy ones too, so it is tight (TIMEOUT_MS) only for
 * the kind of fault it is about, a request that gets no answer; otherwise it is the default.
 */
const TIMEOUT_MS = 1000;
const RATE_LIMIT_RETRIES = 2;
const CLIENT = {
  rateLimitRetries: RATE_LIMIT_RETRIES,
  maxRetryAfterSeconds: 60,
  retryAfterUnitMs: 5,
};
const clientFor = (k: FaultKind) => (k.spec.hold ? { ...CLIENT, timeoutMs: TIMEOUT_MS } : CLIENT);

type Expect = 'approved' | 'waiting';

interface RouteCase {
  /** What the app calls it in src/app/github.ts. */
  use: string;
  route: string;
  /**
   * `start`: the fault is on before the summary, for the routes whose answer is cached after
   * the first event of a head (contents, changed files, the check-run lookup) or used only then
   * (creating the check run); `ready`: after the summary's event.
   */
  from: 'start' | 'ready';
  /**
   * Run 556 waits when tom's approval arrives (the app approves waiting runs itself); run 557
   * asks afterwards through the deployment protection rule. What each must be while the route
   * fails: `waiting` when the route is needed to decide or to approve that way, `approved` when
   * the decision and the way to approve do not need it.
   */
  r556: Expect;
  r557: Expect;
  /** Who approves (default tom, an owner through the acme/dba team). */
  approver?: string;
  /** The repository's config (default none). */
  config?: string;
  /** What makes the app call the route, after the summary and before the fault is on. */
  prepare?: (h: Harness) => void;
}

// The ledger's copy (gate.publish_ledger) decides nothing: a write that fails is logged, the
// check run and the deployments are decided as without it.
const PUBLISH = 'gate:\n  app: applygate\n  publish_ledger: true\n';

const ROUTES: RouteCase[] = [
  // prettier-ignore
  { use: 'installation token (Probot)', route: 'POST /app/installations/{installation_id}/access_tokens', from: 'start', r556: 'waiting', r557: 'waiting' },
  {
    use: 'pull',
    route: `GET ${R}/pulls/{pull_number}`,
    from: 'ready',
    r556: 'waiting',
    r557: 'waiting',
  },
  // prettier-ignore
  { use: 'comments', route: `GET ${R}/issues/{issue_number}/comments`, from: 'ready', r556: 'waiting', r557: 'waiting' },
  {
    use: 'file',
    route: `GET ${R}/contents/{path}`,
    from: 'start',
    r556: 'waiting',
    r557: 'waiting',
  },
  // prettier-ignore
  { use: 'changedFiles', route: `GET ${R}/pulls/{pull_number}/files`, from: 'start', r556: 'waiting', r557: 'waiting' },
  // prettier-ignore
  { use: 'membership', route: 'GET /orgs/{org}/teams/{team_slug}/memberships/{username}', from: 'ready', r556: 'waiting', r557: 'waiting' },
  // prettier-ignore
  { use: 'teamCanWrite', route: 'GET /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', from: 'ready', r556: 'waiting', r557: 'waiting' },
  // dba-dana approves as herself, a direct owner: her own permission is what is asked.
  // prettier-ignore
  { use: 'userCanWrite', route: `GET ${R}/collaborators/{username}/permission`, from: 'ready', r556: 'waiting', r557: 'waiting', approver: 'dba-dana' },
  // prettier-ignore
  { use: 'findCheckRun', route: `GET ${R}/commits/{ref}/check-runs`, from: 'start', r556: 'waiting', r557: 'waiting' },
  {
    use: 'createCheckRun',
    route: `POST ${R}/check-runs`,
    from: 'start',
    r556: 'waiting',
    r557: 'waiting',
  },
  // prettier-ignore
  { use: 'updateCheckRun', route: `PATCH ${R}/check-runs/{check_run_id}`, from: 'ready', r556: 'waiting', r557: 'waiting' },
  // prettier-ignore
  { use: 'react', route: `POST ${R}/issues/comments/{comment_id}/reactions`, from: 'ready', r556: 'approved', r557: 'approved' },
  // prettier-ignore
  { use: 'comment', route: `POST ${R}/issues/{issue_number}/comments`, from: 'ready', r556: 'approved', r557: 'approved' },
  {
    use: 'waitingRuns',
    route: `GET ${R}/actions/runs`,
    from: 'ready',
    r556: 'waiting',
    r557: 'approved',
  },
  // prettier-ignore
  { use: 'pendingEnvironments', route: `GET ${R}/actions/runs/{run_id}/pending_deployments`, from: 'ready', r556: 'waiting', r557: 'approved' },
  // prettier-ignore
  { use: 'reviewGate', route: `POST ${R}/actions/runs/{run_id}/deployment_protection_rule`, from: 'ready', r556: 'waiting', r557: 'waiting' },
  {
    use: 'runHeadSha',
    route: `GET ${R}/actions/runs/{run_id}`,
    from: 'ready',
    r556: 'approved',
    r557: 'waiting',
  },
  // prettier-ignore
  { use: 'pullsForCommit', route: `GET ${R}/commits/{commit_sha}/pulls`, from: 'ready', r556: 'approved', r557: 'waiting' },
  // The copy: written with the first decision, rewritten on the approval, its status read when
  // the comment already says the ledger (the deployment's event).
  // prettier-ignore
  { use: 'createStatus', route: `POST ${R}/statuses/{sha}`, from: 'start', r556: 'approved', r557: 'approved', config: PUBLISH },
  // prettier-ignore
  { use: 'updateComment', route: `PATCH ${R}/issues/comments/{comment_id}`, from: 'ready', r556: 'approved', r557: 'approved', config: PUBLISH },
  // prettier-ignore
  { use: 'statuses', route: `GET ${R}/commits/{ref}/statuses`, from: 'ready', r556: 'approved', r557: 'approved', config: PUBLISH },
  {
    use: 'deleteComment',
    route: `DELETE ${R}/issues/comments/{comment_id}`,
    from: 'ready',
    r556: 'approved',
    r557: 'approved',
    config: PUBLISH,
    // A second copy, as a replica that lost its lease mid-write leaves: the next evaluation
    // deletes it.
    prepare: (h) => {
      const copy = h.gh
        .comments(OWNER, REPO, PR)
        .find((c) => String(c['body']).includes('applygate-ledger:v'));
      if (!copy) throw new Error('the app wrote no copy of its ledger');
      h.gh.addComment(OWNER, REPO, PR, {
        user: { login: 'applygate[bot]', type: 'Bot' },
        body: String(copy['body']),
      });
    },
  },
];

interface FaultKind {
  name: string;
  spec: Omit<FaultInput, 'route'>;
  /** Requests GitHub sees for one call of the app that keeps failing. */
  attempts: (method: string) => number;
}

const KINDS: FaultKind[] = [
  // Probot's retry plugin: the first try and 3 retries, for reads and writes.
  { name: '500', spec: { status: 500 }, attempts: () => 4 },
  { name: '502', spec: { status: 502 }, attempts: () => 4 },
  {
    // No answer within the time limit: the emulator holds the request until the test releases
    // it, then answers (and applies a write), as GitHub may after the app gave up. Reads and
    // idempotent writes are retried like a 5xx; a POST is not (it may have landed).
    name: `no answer within the time limit (${TIMEOUT_MS} ms)`,
    spec: { hold: true },
    attempts: (method) => (method === 'POST' ? 1 : 4),
  },
  {
    name: 'a secondary rate limit (403, retry-after: 1)',
    spec: { secondaryRateLimit: true, retryAfter: 1 },
    attempts: () => 1 + RATE_LIMIT_RETRIES,
  },
];

let h: Harness;

// The first case also loads GitHub's OpenAPI description and starts Probot for the first time
// (about 20 s on a busy two-core machine); every later case takes a second or two.
jest.setTimeout(90_000);

afterEach(async () => {
  await h.app.settled();
  await h.quiet();
  expect(h.gh.violations).toEqual([]);
  await h.close();
});

function reviewStates(runId: number): string[] {
  return h.reviews(runId).map((r) => r.state);
}

/** A run is approved exactly once and never rejected. */
function expectApprovedOnce(runId: number): void {
  expect(h.runStatus(runId)).toBe('queued');
  expect(reviewStates(runId).filter((s) => s === 'approved')).toHaveLength(1);
  expect(reviewStates(runId)).not.toContain('rejected');
}

/**
 * Installation tokens come from Probot's auth strategy, which uses its own HTTP client: the
 * app's time limit does not apply there (Node's fetch has its own, 300 s). Not tested with a
 * delay.
 */
const CASES = ROUTES.flatMap((r) =>
  KINDS.filter((k) => !(k.spec.hold && r.route.includes('access_tokens'))).map((k) => ({
    ...r,
    kind: k,
    title: `${r.route} (${r.use}) answering ${k.name}`,
  })),
);

describe('each route the app uses, broken in turn', () => {
  test.each(CASES)(
    '$title: retried within limits, never approved undecided, then decided',
    async (c) => {
      h = await Harness.start({ app: { client: clientFor(c.kind) } });
      const method = c.route.split(' ')[0]!;
      const held = c.kind.spec.hold === true;
      h.setup(c.config === undefined ? {} : { config: c.config });
      h.waitingRun(556);
      const on = () => h.gh.fault({ route: c.route, ...c.kind.spec });
      let fault = c.from === 'start' ? on() : undefined;

      await h.summary('destroy');
      c.prepare?.(h);
      fault ??= on();
      if (c.use === 'comment') {
        // A refused approval: its reply is the write that fails.
        await h.comment('mallory', approve);
        expect(h.runStatus(556)).toBe('waiting');
      }
      if (c.use === 'react') {
        // A /revoke-destroy is answered with +1 (an approval, with what it approved).
        await h.comment('mallory', '/revoke-destroy');
        expect(h.runStatus(556)).toBe('waiting');
      }
      await h.comment(c.approver ?? 'tom', approve); // by default an owner through acme/dba
      h.waitingRun(557);
      // Without `deployment` and pull requests, as GitHub may send it: the app asks for the
      // run's commit and its pull request.
      await h.gate(557, { deployment: false, pulls: [] });
      // Held requests stay unanswered until released (below); everything else is answered.
      if (!held) await h.quiet();

      // Retried within limits: every failing call made exactly its attempts.
      expect(fault.hits).toBeGreaterThan(0);
      if (!c.route.includes('access_tokens')) {
        expect(fault.hits % c.kind.attempts(method)).toBe(0);
      }
      const { r556, r557 } = c;
      if (r556 === 'approved') expectApprovedOnce(556);
      else {
        expect(h.runStatus(556)).toBe('waiting');
        expect(reviewStates(556)).toEqual([]);
      }
      if (r557 === 'approved') expectApprovedOnce(557);
      else {
        expect(h.runStatus(557)).toBe('waiting');
        expect(reviewStates(557)).not.toContain('approved');
        expect(reviewStates(557)).not.toContain('rejected');
        // The run says why, unless saying so is what fails.
        if (c.use !== 'reviewGate' && !c.route.includes('access_tokens')) {
          expect(h.reviews(557).map((r) => r.comment)).toContainEqual(
            expect.stringMatching(/^Not decided: applygate could not .+, even after retrying/),
          );
        }
      }
      if (r556 === 'waiting' || r557 === 'waiting') {
        expect(h.logs.map((l) => l.level)).toEqual(expect.arrayContaining(['error']));
      }

      // The held requests are answered now, long after the app gave up on them: a write among
      // them lands late, as it may on GitHub (a run approved late is approved once, never
      // rejected).
      if (held) {
        fault.release();
        await h.quiet();
        for (const run of [556, 557]) expect(reviewStates(run)).not.toContain('rejected');
      }

      // GitHub is back: the next event decides, and approves each waiting run once.
      h.gh.clearFaults();
      await h.comment(c.approver === 'dba-dana' ? 'tom' : 'dba-dana', approve);
      await h.quiet();
      expectApprovedOnce(556);
      expectApprovedOnce(557);
      expect(h.check()).toMatchObject({ conclusion: 'success' });
      if (c.config === PUBLISH) {
        // And the copy is whole again: one comment of the app's, the newest status naming it.
        const lines = h.gh
          .comments(OWNER, REPO, PR)
          .filter((x) => (x['user'] as { login: string }).login === 'applygate[bot]')
          .flatMap((x) => ledgerLines(String(x['body'])));
        expect(lines).toHaveLength(1);
        const newest = h.gh
          .statuses(OWNER, REPO, HEAD)
          .filter((x) => x['context'] === LEDGER_STATUS_CONTEXT)
          .sort((a, b) => Number(b['id']) - Number(a['id']))[0];
        expect(newest?.['description']).toBe(ledgerStatusDescription(lines[0]));
      }
    },
  );

  test('the matrix covers every GitHub call in src/app/github.ts', () => {
    const source = readFileSync(new URL('../../src/app/github.ts', import.meta.url), 'utf8');
    const octokit = new ProbotOctokit() as unknown as {
      rest: Record<
        string,
        Record<string, { endpoint: { DEFAULTS: { method: string; url: string } } }>
      >;
    };
    const used = [...source.matchAll(/octokit\.rest\.(\w+)\.(\w+)/g)].map(([, ns, name]) => {
      const { method, url } = octokit.rest[ns!]![name!]!.endpoint.DEFAULTS;
      return `${method} ${url}`;
    });
    expect(used.length).toBeGreaterThanOrEqual(15);
    const covered = new Set(ROUTES.map((r) => r.route));
    expect([...new Set(used)].filter((u) => !covered.has(u))).toEqual([]);
  });
});

describe('retries that succeed', () => {
  test.each(KINDS)(
    'one $name on the comments: retried, and decided in the same event',
    async (k) => {
      h = await Harness.start({ app: { client: clientFor(k) } });
      h.setup();
      h.waitingRun(556);
      await h.summary('destroy');
      const fault = h.gh.fault({
        route: `GET ${R}/issues/{issue_number}/comments`,
        times: 1,
        ...k.spec,
      });
      await h.comment('dba-dana', approve);
      expect(fault.hits).toBe(1);
      expectApprovedOnce(556);
      expect(h.logs.filter((l) => l.level === 'error')).toEqual([]);
      fault.release(); // a held request is answered at last (nobody listens any more)
    },
  );

  test('a secondary rate limit asking for longer than the app waits: given up at once, closed', async () => {
    h = await Harness.start({ app: { client: CLIENT } });
    h.setup();
    h.waitingRun(556);
    await h.summary('destroy');
    const fault = h.gh.fault({
      route: `GET ${R}/pulls/{pull_number}`,
      secondaryRateLimit: true,
      retryAfter: 3600,
    });
    await h.comment('dba-dana', approve);
    expect(fault.hits).toBe(1);
    expect(h.runStatus(556)).toBe('waiting');
    h.gh.clearFaults();
    await h.comment('tom', approve);
    expectApprovedOnce(556);
  });

  test('a secondary rate limit on a team lookup is not "team hidden": no refusal, nothing decided', async () => {
    h = await Harness.start({ app: { client: { ...CLIENT, rateLimitRetries: 0 } } });
    h.setup();
    h.waitingRun(556);
    await h.summary('destroy');
    h.gh.fault({
      route: 'GET /orgs/{org}/teams/{team_slug}/memberships/{username}',
      secondaryRateLimit: true,
    });
    await h.comment('tom', approve);
    // Before the fix, the 403 read as "the app cannot see the team": tom was told he is not a
    // code owner, and the check listed him as not counted.
    expect(h.appComments()).toEqual([]);
    expect(h.check()!.summary).not.toContain('**Not counted:**');
    // It cannot tell, and says so.
    expect(h.check()!.title).toBe(
      'Not decided: applygate could not read whether @tom is a member of @acme/dba (GitHub answered HTTP 403)',
    );
    expect(h.runStatus(556)).toBe('waiting');
    h.gh.clearFaults();
    await h.comment('dba-dana', approve);
    expectApprovedOnce(556);
  });
});

describe('duplicates and races', () => {
  beforeEach(async () => {
    h = await Harness.start();
  });

  test('a webhook delivered twice (same delivery id) changes nothing the second time', async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');

    // A deployment asks while approvals are missing: one status report, one PR notice.
    const gate = deploymentProtectionRulePayload(h, {
      runId: 555,
      environment: 'production',
      sha: HEAD,
      pulls: [PR],
    });
    await h.send('deployment_protection_rule', gate, { id: 'delivery-gate' });
    await h.send('deployment_protection_rule', gate, { id: 'delivery-gate' });
    expect(reviewStates(555)).toEqual(['status']);
    expect(h.appComments()).toHaveLength(1);

    // A refused approval: one reply.
    h.clock.tick();
    const m = h.gh.addComment(OWNER, REPO, PR, { user: { login: 'mallory' }, body: approve });
    const refused = issueCommentPayload(h, 'created', m, { pull: PR });
    await h.send('issue_comment', refused, { id: 'delivery-mallory' });
    h.calls();
    await h.send('issue_comment', refused, { id: 'delivery-mallory' });
    expect(h.calls()).toEqual([]);
    expect(h.appComments()).toHaveLength(2);

    // The approval: one reaction, one approval of the waiting run.
    h.clock.tick();
    const d = h.gh.addComment(OWNER, REPO, PR, { user: { login: 'dba-dana' }, body: approve });
    const approval = issueCommentPayload(h, 'created', d, { pull: PR });
    await h.send('issue_comment', approval, { id: 'delivery-dana' });
    expectApprovedOnce(555);
    h.calls();
    await h.send('issue_comment', approval, { id: 'delivery-dana' });
    await h.send('deployment_protection_rule', gate, { id: 'delivery-gate' });
    expect(h.calls()).toEqual([]); // not a single GitHub call
    expectApprovedOnce(555);
    expect(h.replyTo(d['id'] as number)).toMatch(/^@dba-dana approved plan /);
    expect(h.appComments()).toHaveLength(3);
    expect(h.checkCount()).toBe(1);
    expect(
      h.logs.filter((l) => l.msg === 'applygate: webhook delivered twice; ignored'),
    ).toHaveLength(4);
  });

  test('the same comment events under new delivery ids (another replica): effects stay single', async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');
    await h.gate(555);
    h.clock.tick();
    const m = h.gh.addComment(OWNER, REPO, PR, { user: { login: 'mallory' }, body: approve });
    const d = h.gh.addComment(OWNER, REPO, PR, { user: { login: 'dba-dana' }, body: approve });
    for (let i = 0; i < 2; i++) {
      await h.send('issue_comment', issueCommentPayload(h, 'created', m, { pull: PR }));
      await h.send('issue_comment', issueCommentPayload(h, 'created', d, { pull: PR }));
    }
    // GitHub's state is checked before each write: one notice, one reply to each command, one
    // approval of the run, one check run.
    expect(h.appComments()).toHaveLength(3);
    expect(h.replyTo(d['id'] as number)).toMatch(/^@dba-dana approved plan /);
    expectApprovedOnce(555);
    expect(h.checkCount()).toBe(1);
  });

  test('a failed delivery is forgotten: GitHub redelivering it (same id) is processed', async () => {
    h.setup();
    h.waitingRun(555);
    await h.summary('destroy');
    h.clock.tick();
    const d = h.gh.addComment(OWNER, REPO, PR, { user: { login: 'dba-dana' }, body: approve });
    const approval = issueCommentPayload(h, 'created', d, { pull: PR });
    h.gh.fault({ route: `GET ${R}/pulls/{pull_number}` });
    await h.send('issue_comment', approval, { id: 'delivery-1' });
    expect(h.runStatus(555)).toBe('waiting');
    h.gh.clearFaults();
    await h.send('issue_comment', approval, { id: 'delivery-1' });
    expectApprovedOnce(555);
  });

  test('two approvals at the same moment (required: 2): one consistent check run, one approval of the run', async () => {
    h.setup({ config: 'approval:\n  required: 2\n' });
    h.waitingRun(555);
    await h.summary('destroy');
    await h.gate(555);
    h.clock.tick();
    const d = h.gh.addComment(OWNER, REPO, PR, { user: { login: 'dba-dana' }, body: approve });
    const t = h.gh.addComment(OWNER, REPO, PR, { user: { login: 'tom' }, body: approve });
    const answers = await Promise.all(
      [d, t].map((c) =>
        h.deliver('issue_comment', issueCommentPayload(h, 'created', c, { pull: PR })),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await h.app.settled();
    expect(h.checkCount()).toBe(1);
    expect(h.check()).toMatchObject({
      conclusion: 'success',
      title: 'Approved: 2/2 approvals by @dba-dana, @tom.',
    });
    // Every write of the check run is consistent: created by the summary's event, found (and
    // left as it was) by the gate's, then written by its now known id, without reading it, by
    // each approval's evaluation, both of which saw both approvals.
    const history = h.gh
      .checkRuns(OWNER, REPO)[0]!
      .history.map((x) => (x['output'] as { title: string }).title);
    expect(history).toEqual([
      'Waiting for approval: 0/2 approvals.',
      'Approved: 2/2 approvals by @dba-dana, @tom.',
      'Approved: 2/2 approvals by @dba-dana, @tom.',
    ]);
    expectApprovedOnce(555);
    expect(h.replyTo(d['id'] as number)).toMatch(/^@dba-dana approved plan /);
    expect(h.replyTo(t['id'] as number)).toMatch(/^@tom approved plan /);
  });
});
