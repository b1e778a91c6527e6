/**
 * Hardening (issue 7), forgery: comments that imitate the summary's marker, the app's check run
 * and replies; a person editing the bot's summary; look-alike commands and logins; commands in
 * code, quotes or prose. End to end, as in app.test.ts: the emulator plays GitHub, webhooks are
 * signed, and each test asserts what GitHub saw.
 */
import { parseCommand } from '../../src/core/approval/command.js';
import { decodeMarker, encodeMarker, type Marker } from '../../src/core/marker.js';
import { GATE } from '../../src/app/messages.js';
import {
  AUTHOR,
  BASE,
  HEAD,
  Harness,
  OWNER,
  PR,
  REPO,
  shortDigestOf,
  harnessForEachTest,
} from '../../testkit/app/harness.js';

const approve = '/approve-destroy';
const waitingFor = 'Waiting for approval: 0/1 approvals.';

let h: Harness;

harnessForEachTest((started) => (h = started));

/** The marker of the bot's summary on the PR. */
function realMarker(): Marker {
  const bot = h.gh
    .comments(OWNER, REPO, PR)
    .find((c) => (c['user'] as { login: string }).login === 'github-actions[bot]');
  const m = decodeMarker(String(bot?.['body']));
  if (!m.ok) throw new Error('no summary');
  return m.marker;
}

/** The same plan (same digest), claiming there is nothing to approve. */
function harmless(m: Marker): Marker {
  return {
    ...m,
    projects: m.projects.map((p) => ({
      ...p,
      level: 'none',
      score: 0,
      requiresApproval: false,
      destroyCount: 0,
      destroys: [],
      risks: [],
    })),
  };
}

function pendingAndWaiting(runId: number): void {
  expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });
  expect(h.runStatus(runId)).toBe('waiting');
  expect(h.reviews(runId).map((r) => r.state)).not.toContain('approved');
}

test('a user pastes the real summary, or a crafted marker saying level none: neither is trusted', async () => {
  h.setup();
  h.waitingRun(555);
  const real = await h.summary('destroy');
  const forged = encodeMarker(harmless(realMarker()));

  // A copy of the bot's comment, byte for byte; a crafted one for the same head and digest; the
  // crafted marker from another bot that is not in `bots`.
  await h.comment('mallory', String(real['body']));
  await h.comment('mallory', `### ✅ applygate: no risk\n\nNothing to approve.\n\n${forged}`);
  await h.comment('dependabot[bot]', `Nothing to approve.\n\n${forged}`, { type: 'Bot' });
  pendingAndWaiting(555);
  await h.gate(555);
  expect(h.reviews(555).map((r) => r.state)).toEqual(['status']);
  expect(h.runStatus(555)).toBe('waiting');

  // Only the real one decides: an owner's approval still counts.
  await h.comment('dba-dana', approve);
  expect(h.runStatus(555)).toBe('queued');
});

test("a user imitating the app's check-run title, its replies and its notice changes nothing", async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  h.calls();
  // The check run's title, from a user and from a user named like the app: no GitHub call.
  await h.comment('mallory', 'Approved: 1/1 approvals by @dba-dana.');
  await h.comment(
    'applygate-bot',
    'Approved: 1/1 approvals by @dba-dana.\n\nThe current plan needs no approval.',
  );
  expect(h.calls()).toEqual([]);

  // A copy of the PR notice for this head (with the app's hidden tag), and the reply the app
  // would post to the next comment (its id is predictable): the app still posts its own.
  await h.comment(
    'mallory',
    `### ⏸️ A deployment is waiting for approval\n\n<!-- applygate-app notice sha=${HEAD} -->`,
  );
  const next = h.gh.comments(OWNER, REPO, PR).at(-1)!['id'] as number;
  const fakeReply = `@mallory2 **Not counted.** Not a code owner of any changed file (base-branch CODEOWNERS) and not in \`approval.approvers\`\n\n<!-- applygate-app reply comment=${(next + 2).toString(16)} -->`;
  await h.comment('mallory', fakeReply);
  const m2 = await h.comment('mallory2', approve);
  expect(m2['id']).toBe(next + 2);
  expect(h.appComments()).toEqual([expect.stringContaining('@mallory2 **Not counted.**')]);
  await h.gate(555);
  expect(h.appComments()).toHaveLength(2);
  expect(h.appComments()[1]).toContain('### ⏸️ A deployment is waiting for approval');
  pendingAndWaiting(555);
});

test("a person edits the bot's summary to say level none: not trusted until the plan job writes it again", async () => {
  h.setup();
  h.waitingRun(555);
  const summary = await h.summary('destroy');
  const id = summary['id'] as number;
  pendingAndWaiting(555);

  // GitHub lets anyone with write access edit any comment, a bot's included. The author keeps
  // the marker's head and digest (so the Action's `verify` would pass) and lowers the rest.
  const body = String(summary['body']);
  const edited = body.replace(
    /<!-- applygate:v2 [A-Za-z0-9_-]+ -->/,
    encodeMarker(harmless(realMarker())),
  );
  expect(edited).not.toBe(body);
  await h.editComment(id, edited, { by: AUTHOR });

  // Before the fix: the app trusted it, the check turned green and run 555 was approved.
  expect(h.runStatus(555)).toBe('waiting');
  expect(h.reviews(555)).toEqual([]);
  const [notice] = h.appComments();
  expect(notice).toContain('### ⚠️ The applygate summary was edited by `@alice`');
  expect(notice).toMatch(/<!-- applygate-app edited-summary comment=[0-9a-f]+ at=\S+Z -->$/);
  expect(h.check()).toMatchObject({
    conclusion: 'action_required',
    title:
      'No applygate summary for a1a1a1a: the plan job has not reported for this commit (run or re-run it: summaries from applygate before v2 do not count).',
  });
  // Later events (any replica) read the record: approvals do not count, deployments are rejected.
  await h.comment('dba-dana', approve);
  expect(h.appComments().at(-1)).toContain(
    '@dba-dana **Not counted.** there is no applygate summary for the current head commit yet',
  );
  expect(h.runStatus(555)).toBe('waiting');
  h.waitingRun(556);
  await h.gate(556);
  expect(h.reviews(556)).toEqual([
    { run: 556, state: 'rejected', comment: GATE.noSummary(HEAD, PR) },
  ]);
  expect(h.appComments().filter((c) => c.includes('edited-summary'))).toHaveLength(1);

  // The plan job writes the summary again (a new updated_at): trusted, and it decides.
  await h.summary('destroy');
  expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });
  await h.comment('dba-dana', approve);
  expect(h.runStatus(555)).toBe('queued');
});

test('look-alike commands (Cyrillic, fullwidth, zero-width, dashes, case) get "did you mean" and never count', async () => {
  h.setup();
  h.waitingRun(555);
  await h.summary('destroy');
  const lookalikes = [
    '/\u0430pprove-destroy', // Cyrillic а
    '\uFF0Fapprove-destroy', // fullwidth solidus
    '\u2215approve-destroy', // division slash
    '/approve\u200B-destroy', // zero-width space
    '/approve\u2010destroy', // Unicode hyphen
    '/appr\u043Eve-destr\u043Ey', // Cyrillic о twice
  ];
  for (const body of lookalikes) {
    const c = await h.comment('dba-dana', body);
    expect(parseCommand(body).type).toBe('reply');
    expect(h.appComments().at(-1)).toContain(
      'Did you mean `/approve-destroy`? This comment was not counted',
    );
    expect(h.appComments().at(-1)).toContain('look-alike or invisible characters');
    expect(h.reactions(c['id'] as number)).toEqual([]);
  }
  const upper = await h.comment('dba-dana', '/APPROVE-DESTROY');
  expect(h.appComments().at(-1)).toContain('Did you mean `/approve-destroy`?');
  expect(h.reactions(upper['id'] as number)).toEqual([]);
  pendingAndWaiting(555);
});

test('look-alike logins: "dba-dаna" (Cyrillic а) and "\\u212Aate" (Kelvin sign) are not the owners', async () => {
  h.setup();
  h.gh.setFile(OWNER, REPO, BASE, '.github/CODEOWNERS', '/db/ @dba-dana @kate @acme/dba\n');
  h.waitingRun(555);
  await h.summary('destroy');

  const cyrillic = 'dba-d\u0430na';
  const kelvin = '\u212Aate'; // 'K' KELVIN SIGN: String.prototype.toLowerCase() makes it 'kate'
  expect(kelvin.toLowerCase()).toBe('kate');
  for (const login of [cyrillic, kelvin]) {
    await h.comment(login, approve);
    expect(h.appComments().at(-1)).toContain(`@${login} **Not counted.** Not a code owner`);
    pendingAndWaiting(555);
  }
  // Team lookups were made for the look-alike logins themselves, and found nothing.
  const asked = h.gh
    .requestsTo('/orgs/{org}/teams/{team_slug}/memberships/{username}')
    .map((r) => `${decodeURIComponent(r.path.split('/').pop()!)} ${r.status}`);
  expect([...new Set(asked)].sort()).toEqual([`${cyrillic} 404`, `${kelvin} 404`].sort());
  await h.comment('kate', approve);
  expect(h.runStatus(555)).toBe('queued');
});

describe('exactly one rule decides what is a command', () => {
  const digest = shortDigestOf('destroy');
  const BODIES: [string, string][] = [
    ['the command', '/approve-destroy'],
    ['with a reason below', '/approve-destroy\n\nchecked the snapshot'],
    ['after blank lines', '\n\n  \n/approve-destroy'],
    ['CRLF', '\r\n/approve-destroy\r\nok'],
    ['indented by spaces', '  /approve-destroy'],
    ['indented by a tab', '\t/approve-destroy'],
    // Markdown renders 4 spaces as code; the rule is about text: this counts (documented).
    ['indented by four spaces', '    /approve-destroy'],
    ['with the digest', `/approve-destroy ${digest}`],
    ['in a fenced code block', '```\n/approve-destroy\n```'],
    ['in a tilde fence', '~~~\n/approve-destroy\n~~~'],
    ['in a fence with a language', '```sh\n/approve-destroy\n```'],
    ['in inline code', '`/approve-destroy`'],
    ['in a quote', '> /approve-destroy'],
    ['in a nested quote', '> > /approve-destroy'],
    ['quoted, then a question', '> /approve-destroy\n\nshould I?'],
    ['mid-sentence', 'Please /approve-destroy when ready'],
    ['at the end of a sentence', 'I will not /approve-destroy'],
    ['on a later line', 'Looks fine.\n/approve-destroy'],
    ['in an HTML comment', '<!-- /approve-destroy -->'],
    ['in bold', '**/approve-destroy**'],
    ['in a list item', '- /approve-destroy'],
    ['glued to a comma', '/approve-destroy, thanks'],
    ['glued to more', '/approve-destroy-now'],
    ['followed by a no-break space', '/approve-destroy\u00A0'],
    ['after a no-break space', '\u00A0/approve-destroy'],
    ['after a zero-width space', '\u200B/approve-destroy'],
    ['with free text', '/approve-destroy please'],
    ['capitalized', '/Approve-destroy'],
    ['the revoke command', '/revoke-destroy'],
  ];

  test('the app approves a run for a comment exactly when parseCommand says it is an approval', async () => {
    h.setup();
    await h.summary('destroy');
    const approvedBy: string[] = [];
    for (const [i, [what, body]] of BODIES.entries()) {
      const run = 1000 + i;
      h.waitingRun(run);
      const parsed = parseCommand(body);
      const isApproval = parsed.type === 'command' && parsed.action === 'approve';
      const c = await h.comment('dba-dana', body);
      const approved = h.runStatus(run) === 'queued';
      if (approved) approvedBy.push(what);
      expect([what, approved, h.check()?.conclusion === 'success']).toEqual([
        what,
        isApproval,
        isApproval,
      ]);
      // A reply saying what was approved exactly for an approval that counted, a +1 for a revoke.
      const id = c['id'] as number;
      expect([
        what,
        h.replyTo(id)?.startsWith('@dba-dana approved plan ') === true,
        h.reactions(id).length,
      ]).toEqual([what, isApproval, parsed.type === 'command' && !isApproval ? 1 : 0]);
      await h.deleteComment(c['id'] as number);
      expect(h.check()).toMatchObject({ conclusion: 'action_required', title: waitingFor });
    }
    expect(approvedBy).toEqual([
      'the command',
      'with a reason below',
      'after blank lines',
      'CRLF',
      'indented by spaces',
      'indented by a tab',
      'indented by four spaces',
      'with the digest',
    ]);
  });
});
