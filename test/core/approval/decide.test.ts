import { parseCodeowners } from '../../../src/core/approval/codeowners.js';
import {
  accessToCheck,
  approvalCandidates,
  decide,
  REFUSE,
  teamsToResolve,
  type ApprovalComment,
  type ApprovalInput,
} from '../../../src/core/approval/decide.js';
import type { Marker, MarkerProject } from '../../../src/core/marker.js';
import { shortDigest } from '../../../src/core/plan/model.js';
import type { TrustedSummary } from '../../../src/core/summaries.js';
import { approvalPolicy } from '../../../src/core/approval/policy.js';
import type { Config } from '../../../src/core/config.js';
import { config } from '../../../testkit/support/build.js';

const HEAD = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const DIGEST = `sha256v2:${'c0ffee'.repeat(10)}abcd`;

function project(over: Partial<MarkerProject> = {}): MarkerProject {
  return {
    name: 'default',
    digest: DIGEST,
    level: 'critical',
    score: 90,
    requiresApproval: true,
    destroyCount: 13,
    destroys: ['delete aws_db_instance.main'],
    risks: ['stateful-destroy aws_db_instance.main'],
    destroySet: '1'.repeat(64),
    riskSet: '2'.repeat(64),
    ...over,
  };
}

function summary(at: string, projects = [project()], headSha = HEAD): TrustedSummary {
  const marker: Marker = { v: 2, headSha, runId: 1, projects };
  return {
    comment: {
      id: 1,
      body: '',
      user: { login: 'github-actions[bot]', type: 'Bot' },
      created_at: at,
      updated_at: at,
    },
    marker,
  };
}

let nextId = 100;
function comment(
  login: string,
  body: string,
  at: string,
  extra: Partial<ApprovalComment> = {},
): ApprovalComment {
  return {
    id: nextId++,
    user: { login, type: 'User' },
    body,
    created_at: at,
    updated_at: at,
    author_association: 'MEMBER',
    ...extra,
  };
}

const CODEOWNERS = parseCodeowners(
  '*  @acme/platform\n/db/ @dba-dana @acme/dba\n/docs/ @writer\n',
).rules;

/** Everyone with write access now, unless a test takes it away. */
const WRITERS = {
  users: new Set(['dba-dana', 'writer', 'zed', 'x', 'alice']),
  teams: new Set(['acme/platform', 'acme/dba', 'acme/sre']),
};

type Over = Partial<ApprovalInput> & { config?: Config };

function input({ config: cfg, ...over }: Over = {}): ApprovalInput {
  return {
    policy: approvalPolicy(cfg ?? config()),
    writeAccess: WRITERS,
    pull: { number: 7, author: 'alice', headSha: HEAD },
    summaries: [summary('2026-11-21T10:00:00Z')],
    comments: [],
    codeowners: CODEOWNERS,
    changedFiles: ['db/main.tf'],
    changedFilesTruncated: false,
    teamMembers: new Map([
      ['acme/platform', new Set(['pat'])],
      ['acme/dba', new Set(['tom'])],
    ]),
    ...over,
  };
}

const T1 = '2026-11-21T10:05:00Z';
const T2 = '2026-11-21T10:06:00Z';

test('a plan that needs no approval is not-required', () => {
  const d = decide(
    input({
      summaries: [
        summary('2026-11-21T10:00:00Z', [
          project({ level: 'low', destroyCount: 0, requiresApproval: false }),
        ]),
      ],
    }),
  );
  expect(d.state).toBe('not-required');
});

test("the app's own config decides: a marker claiming no approval is overruled by its destroys", () => {
  const d = decide(
    input({
      summaries: [
        summary('2026-11-21T10:00:00Z', [
          project({ level: 'none', requiresApproval: false, destroyCount: 2 }),
        ]),
      ],
    }),
  );
  expect(d.state).toBe('pending');
});

test('a destroy plan without approval is pending and names who can approve', () => {
  const d = decide(input());
  expect(d.state).toBe('pending');
  expect(d.projects[0]?.missing).toBe(1);
  // Last match wins: `/db/` overrides `*`, so the platform team owns nothing changed here.
  expect(d.eligible).toEqual(['@dba-dana', '@acme/dba']);
  expect(d.eligible).not.toContain('@writer'); // owns no changed file
});

test('a direct code owner approves', () => {
  const d = decide(input({ comments: [comment('dba-dana', '/approve-destroy', T1)] }));
  expect(d.state).toBe('approved');
  expect(d.projects[0]?.approvedBy).toEqual(['dba-dana']);
  expect(d.refused).toEqual([]);
});

test('an owner through a team counts', () => {
  expect(decide(input({ comments: [comment('tom', '/approve-destroy', T1)] })).state).toBe(
    'approved',
  );
});

test('a non-owner and the PR author are refused, with reasons', () => {
  const nonOwner = comment('mallory', '/approve-destroy', T1);
  const author = comment('alice', '/approve-destroy', T1);
  const d = decide(
    input({
      comments: [nonOwner, author],
      codeowners: parseCodeowners('/db/ @alice @dba-dana\n').rules,
    }),
  );
  expect(d.state).toBe('pending');
  expect(d.refused).toEqual([
    { commentId: nonOwner.id, login: 'mallory', reason: REFUSE.notOwner() },
    { commentId: author.id, login: 'alice', reason: REFUSE.author() },
  ]);
  expect(d.eligible).toEqual(['@dba-dana']);
});

test('allow_author lets the author approve', () => {
  const d = decide(
    input({
      config: config({ approval: { allow_author: true } }),
      codeowners: parseCodeowners('* @alice\n').rules,
      comments: [comment('alice', '/approve-destroy', T1)],
    }),
  );
  expect(d.state).toBe('approved');
});

test('an approval written before the current summary is stale', () => {
  const c = comment('dba-dana', '/approve-destroy', '2026-11-21T09:59:00Z');
  const d = decide(input({ comments: [c] }));
  expect(d.state).toBe('pending');
  expect(d.refused[0]?.reason).toBe(REFUSE.stale(HEAD));
});

test('an approval in the same second as the summary does not count (fail closed)', () => {
  expect(
    decide(input({ comments: [comment('dba-dana', '/approve-destroy', '2026-11-21T10:00:00Z')] }))
      .state,
  ).toBe('pending');
});

test('summaries for another head SHA are ignored: no summary for this head', () => {
  const d = decide(
    input({
      summaries: [summary('2026-11-21T10:00:00Z', [project()], OLD)],
      comments: [comment('dba-dana', '/approve-destroy', T1)],
    }),
  );
  expect(d.state).toBe('no-summary');
  expect(d.refused[0]?.reason).toBe(REFUSE.noSummary());
});

test('revoke withdraws, a later approval restores', () => {
  const approve = comment('dba-dana', '/approve-destroy', T1);
  const revoke = comment('dba-dana', '/revoke-destroy', T2);
  expect(decide(input({ comments: [approve, revoke] })).state).toBe('pending');
  expect(
    decide(
      input({
        comments: [
          approve,
          revoke,
          comment('dba-dana', '/approve-destroy', '2026-11-21T10:07:00Z'),
        ],
      }),
    ).state,
  ).toBe('approved');
});

test('a deleted approval (absent from the comments) no longer counts; an edited one never counts', () => {
  expect(decide(input({ comments: [] })).state).toBe('pending');
  const edited = comment('dba-dana', 'on second thought, no', T1, { updated_at: T2 });
  expect(decide(input({ comments: [edited] })).state).toBe('pending');
  // Edited into the command (by anyone): refused, never approved.
  const forged = comment('dba-dana', '/approve-destroy', T1, { updated_at: T2 });
  const d = decide(input({ comments: [forged] }));
  expect(d.state).toBe('pending');
  expect(d.refused.map((r) => r.reason)).toEqual([REFUSE.edited()]);
  // A webhook said it was edited, within the same second: the same.
  const quick = comment('dba-dana', '/approve-destroy', T1);
  expect(decide(input({ comments: [quick], editedIds: new Set([quick.id]) })).state).toBe(
    'pending',
  );
});

test('an edited later comment of an approver withdraws their approval (it may have been a revoke)', () => {
  const approve = comment('dba-dana', '/approve-destroy', T1);
  const wasRevoke = comment('dba-dana', 'fine', T2, { updated_at: '2026-11-21T10:09:00Z' });
  expect(decide(input({ comments: [approve] })).state).toBe('approved');
  expect(decide(input({ comments: [approve, wasRevoke] })).state).toBe('pending');
  // An approval written after the edited comment counts again.
  const again = comment('dba-dana', '/approve-destroy', '2026-11-21T10:10:00Z');
  expect(decide(input({ comments: [approve, wasRevoke, again] })).state).toBe('approved');
});

test('write access: an owner or approver without it does not count; through a team, the team needs it', () => {
  const none = { users: new Set<string>(), teams: new Set<string>() };
  const dana = comment('dba-dana', '/approve-destroy', T1);
  const d = decide(input({ comments: [dana], writeAccess: none }));
  expect(d.state).toBe('pending');
  expect(d.refused.map((r) => r.reason)).toEqual([REFUSE.noWriteAccess()]);
  const tom = comment('tom', '/approve-destroy', T1);
  expect(decide(input({ comments: [tom], writeAccess: none })).state).toBe('pending');
  expect(
    decide(
      input({ comments: [tom], writeAccess: { users: new Set(), teams: new Set(['acme/dba']) } }),
    ).state,
  ).toBe('approved');
  // What the adapter must ask: dana as herself, tom through acme/dba.
  expect(accessToCheck(input({ comments: [dana, tom] }))).toEqual({
    users: ['dba-dana'],
    teams: ['acme/dba'],
  });
});

test('owner_paths: only owners of changed files matching them count (README.md owners do not widen it)', () => {
  const scoped = config({ approval: { owner_paths: ['/db/'] } });
  const files = ['db/main.tf', 'README.md'];
  const pat = comment('pat', '/approve-destroy', T1); // @acme/platform owns README.md via *
  expect(decide(input({ changedFiles: files, comments: [pat] })).state).toBe('approved');
  expect(decide(input({ config: scoped, changedFiles: files, comments: [pat] })).state).toBe(
    'pending',
  );
  const dana = comment('dba-dana', '/approve-destroy', T1);
  expect(decide(input({ config: scoped, changedFiles: files, comments: [dana] })).state).toBe(
    'approved',
  );
});

test('required: 2 needs two distinct approvers', () => {
  const cfg = config({ approval: { required: 2 } });
  const once = decide(
    input({
      config: cfg,
      comments: [
        comment('dba-dana', '/approve-destroy', T1),
        comment('dba-dana', '/approve-destroy', T2),
      ],
    }),
  );
  expect(once.state).toBe('pending');
  expect(once.projects[0]?.missing).toBe(1);
  const twice = decide(
    input({
      config: cfg,
      comments: [
        comment('dba-dana', '/approve-destroy', T1),
        comment('tom', '/approve-destroy', T2),
      ],
    }),
  );
  expect(twice.state).toBe('approved');
});

test('digests: a wrong one is refused, the right one counts, confirm_digest requires one', () => {
  const short = shortDigest(DIGEST);
  expect(
    decide(input({ comments: [comment('dba-dana', '/approve-destroy 0123456789ab', T1)] }))
      .refused[0]?.reason,
  ).toMatch(/is not the current plan's digest/);
  expect(
    decide(input({ comments: [comment('dba-dana', `/approve-destroy ${short}`, T1)] })).state,
  ).toBe('approved');
  const strict = config({ approval: { confirm_digest: true } });
  const d = decide(
    input({ config: strict, comments: [comment('dba-dana', '/approve-destroy', T1)] }),
  );
  expect(d.state).toBe('pending');
  expect(d.refused[0]?.reason).toContain(`/approve-destroy ${short}`);
  expect(
    decide(
      input({
        config: strict,
        comments: [comment('dba-dana', `/approve-destroy sha256v2:${short}`, T1)],
      }),
    ).state,
  ).toBe('approved');
});

test('monorepo: an approval for another project does not count for this one', () => {
  const two = [
    summary('2026-11-21T10:00:00Z', [
      project({ name: 'network' }),
      project({ name: 'database', digest: `sha256v2:${'d'.repeat(64)}` }),
    ]),
  ];
  const d = decide(
    input({
      summaries: two,
      comments: [comment('dba-dana', '/approve-destroy project=network', T1)],
    }),
  );
  expect(d.state).toBe('pending');
  expect(d.projects.find((p) => p.name === 'network')?.approvedBy).toEqual(['dba-dana']);
  expect(d.projects.find((p) => p.name === 'database')?.approvedBy).toEqual([]);
  expect(
    decide(
      input({
        summaries: two,
        comments: [comment('dba-dana', '/approve-destroy project=nope', T1)],
      }),
    ).refused[0]?.reason,
  ).toMatch(/no project 'nope'/);
  expect(
    decide(input({ summaries: two, comments: [comment('dba-dana', '/approve-destroy', T1)] }))
      .state,
  ).toBe('approved');
});

test('bots never approve, and quoted or mid-sentence commands are not commands', () => {
  const d = decide(
    input({
      comments: [
        comment('renovate[bot]', '/approve-destroy', T1, {
          user: { login: 'renovate[bot]', type: 'Bot' },
        }),
        comment('dba-dana', '> /approve-destroy', T1),
        comment('dba-dana', 'I will /approve-destroy later', T1),
        comment('dba-dana', '```\n/approve-destroy\n```', T1),
      ],
    }),
  );
  expect(d.state).toBe('pending');
  expect(d.refused).toEqual([]);
});

test('a near miss gets a did-you-mean refusal and never counts', () => {
  const d = decide(input({ comments: [comment('dba-dana', '/approve-destory', T1)] }));
  expect(d.state).toBe('pending');
  expect(d.refused[0]?.reason).toMatch(/did you mean/i);
});

test('no CODEOWNERS: only configured approvers; more than 3,000 files: owners unknown, fail closed', () => {
  expect(
    decide(input({ codeowners: null, comments: [comment('dba-dana', '/approve-destroy', T1)] }))
      .refused[0]?.reason,
  ).toBe(REFUSE.noCodeowners());
  const truncated = decide(
    input({ changedFilesTruncated: true, comments: [comment('dba-dana', '/approve-destroy', T1)] }),
  );
  expect([truncated.state, truncated.refused[0]?.reason]).toEqual(['pending', REFUSE.truncated()]);
  const listed = config({ approval: { approvers: ['@acme/sre', 'Zed'] } });
  const teams = new Map([['acme/sre', new Set(['sam'])]]);
  expect(
    decide(
      input({
        config: listed,
        teamMembers: teams,
        changedFilesTruncated: true,
        comments: [comment('sam', '/approve-destroy', T1)],
      }),
    ).state,
  ).toBe('approved');
  expect(
    decide(
      input({
        config: listed,
        codeowners: null,
        comments: [comment('zed', '/approve-destroy', T1)],
      }),
    ).state,
  ).toBe('approved');
});

test('codeowners off and no list: anyone with write access now', () => {
  const open = config({ approval: { codeowners: false } });
  expect(
    decide(input({ config: open, comments: [comment('y', '/approve-destroy', T1)] })).state,
  ).toBe('pending');
  expect(
    decide(input({ config: open, comments: [comment('x', '/approve-destroy', T1)] })).state,
  ).toBe('approved');
});

test('teamsToResolve lists owning teams of changed files and approver teams', () => {
  expect(
    teamsToResolve({
      policy: approvalPolicy(config({ approval: { approvers: ['@acme/sre'] } })),
      codeowners: CODEOWNERS,
      changedFiles: ['db/x.tf'],
      changedFilesTruncated: false,
    }),
  ).toEqual(['acme/dba', 'acme/sre']);
  expect(
    teamsToResolve({
      policy: approvalPolicy(config()),
      codeowners: CODEOWNERS,
      changedFiles: ['README.md'],
      changedFilesTruncated: false,
    }),
  ).toEqual(['acme/platform']);
});

test('teamsToResolve: past 3,000 files no owner counts, so only approver teams are asked about', () => {
  const truncated = {
    policy: approvalPolicy(config({ approval: { approvers: ['@acme/sre'] } })),
    codeowners: CODEOWNERS,
    changedFiles: ['db/x.tf'],
    changedFilesTruncated: true,
  };
  expect(teamsToResolve(truncated)).toEqual(['acme/sre']);
  // and decide() agrees: a member of an owning team is refused as unverifiable, not asked about
  const dba = new Map([['acme/dba', new Set(['dba-dana'])]]);
  const d = decide(
    input({
      changedFiles: ['db/x.tf'],
      changedFilesTruncated: true,
      teamMembers: dba,
      comments: [comment('dba-dana', '/approve-destroy', T1)],
    }),
  );
  expect(d.refused.map((r) => r.reason)).toEqual([REFUSE.truncated()]);
});

test('approvals name the comment each counted approval comes from: the latest per login', () => {
  const first = comment('dba-dana', '/approve-destroy', T1);
  const again = comment('dba-dana', '/approve-destroy', T2);
  const d = decide(input({ comments: [again, first] }));
  expect(d.projects[0]?.approvedBy).toEqual(['dba-dana']);
  expect(d.projects[0]?.approvals).toEqual([{ login: 'dba-dana', commentId: again.id, at: T2 }]);
  const revoked = decide(input({ comments: [first, comment('dba-dana', '/revoke-destroy', T2)] }));
  expect(revoked.projects[0]?.approvals).toEqual([]);
});

test('approvalCandidates: authors of approve commands, only while a summary exists for the head', () => {
  const comments = [
    comment('Tom', '/approve-destroy', T1),
    comment('alice', '/approve-destroy', T1), // the PR author
    comment('pat', '/revoke-destroy', T1),
    comment('zed', 'looks good', T1),
    comment('dependabot[bot]', '/approve-destroy', T1, {
      user: { login: 'dependabot[bot]', type: 'Bot' },
    }),
    comment('tom', '/approve-destroy', T2),
  ];
  expect(approvalCandidates(input({ comments }))).toEqual(['tom']);
  expect(
    approvalCandidates(input({ comments, config: config({ approval: { allow_author: true } }) })),
  ).toEqual(['alice', 'tom']);
  expect(
    approvalCandidates(input({ comments, summaries: [summary(T1, [project()], OLD)] })),
  ).toEqual([]);
  // A configured command is read with the same rule.
  expect(
    approvalCandidates(
      input({
        comments: [comment('tom', '/approve-apply', T1), comment('pat', '/approve-destroy', T1)],
        config: config({ approval: { command: '/approve-apply' } }),
      }),
    ),
  ).toEqual(['tom']);
});
