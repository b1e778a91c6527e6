// `npm run demo`: the incident applygate exists for, replayed offline as two pull requests. The
// local GitHub emulator plays GitHub, the real Probot app listens on HTTP and gets signed
// webhooks, and the bundled Action (dist/index.js) runs as a child process the way a runner
// runs it. Nothing leaves this machine; no account, no secrets.
//
// Built by esbuild (scripts/build.mjs), not tsc: it reuses the end-to-end harness in test/.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../../testkit/action/runner.js';
import {
  AUTHOR,
  BASE,
  ENV,
  HEAD,
  HEAD2,
  Harness,
  OWNER,
  PR,
  REPO,
  planRun,
} from '../../testkit/app/harness.js';
import { issueCommentPayload } from '../../testkit/app/payloads.js';
import { runCli as cli, type CliIo } from '../../src/cli/main.js';
import { decodeMarker } from '../../src/core/marker.js';
import { shortDigest } from '../../src/core/plan/model.js';
import { agentDestroyAct } from './guard-act.js';
import { asShown } from './plain.js';
import { incidentDestroyPlan, missingStatePlan } from '../../testkit/plans/samples.js';

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint('1');
const dim = paint('2');
const red = paint('31');
const green = paint('32');
const yellow = paint('33');

// `npm run demo -- --show-comment`: print the whole summary comment of the destroy, not only its
// opening, as a reader sees it on the pull request.
const showComment = process.argv.includes('--show-comment');

const say = (s = '') => process.stdout.write(`${s}\n`);
const step = (n: string, title: string) => say(`\n${bold(`${n} ${title}`)}`);
const quote = (text: string, max = 28) => {
  const lines = text.split('\n').filter((l) => !l.startsWith('<!-- applygate'));
  for (const l of lines.slice(0, max)) say(dim(`  │ ${l}`));
  if (lines.length > max) say(dim(`  │ … ${lines.length - max} more lines `));
};

const TOKEN = 'ghs_demo_actions_token';
const FIRST_PR = 6;
const FIRST_HEAD = 'c0'.repeat(20);

async function main(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'applygate-demo-'));
  const h = await Harness.start();
  try {
    h.setup();
    const { gh } = h;
    gh.addToken(TOKEN, { login: 'github-actions[bot]', type: 'Bot', app: 'github-actions' });
    say(bold('applygate demo: one evening, two pull requests (GitHub is a local emulator)'));
    say(
      dim(
        `repository ${OWNER}/${REPO}; CODEOWNERS on main: db/ is owned by @dba-dana and @acme/dba`,
      ),
    );

    // ---------------------------------------------------------------- PR 1: missing state
    gh.addPull({
      owner: OWNER,
      repo: REPO,
      number: FIRST_PR,
      title: 'Add the second site',
      user: { login: AUTHOR },
      head: { sha: FIRST_HEAD, ref: 'second-site' },
      base: { sha: BASE, ref: 'main' },
      files: [{ filename: 'sites/academy.tf', status: 'added' }],
    });
    step('1.', `PR #${FIRST_PR} "Add the second site", planned on a new laptop without the state`);
    writeFileSync(join(work, 'plan.json'), JSON.stringify(missingStatePlan()));
    const first = await action({ plan: 'plan.json' }, FIRST_PR, FIRST_HEAD, work, h);
    say(
      `  The plan job runs terraform plan, then applygate. Outputs: level ${level(first.outputs.level)}, score ${first.outputs.score}, requires-approval ${first.outputs['requires-approval']}.`,
    );
    quote(asShown(latestSummary(h, FIRST_PR)), 14);
    say(`  ${yellow('→')} Nobody merges a plan that recreates everything: the state was missing.`);

    // ---------------------------------------------------------------- PR 2: the destroy
    step(
      '2.',
      `PR #${PR} "Clean up duplicates": the real state is back, and the plan destroys it all`,
    );
    writeFileSync(join(work, 'plan.json'), JSON.stringify(incidentDestroyPlan()));
    const second = await action({ plan: 'plan.json' }, PR, HEAD, work, h);
    say(
      `  Outputs: level ${level(second.outputs.level)}, score ${second.outputs.score}, destroy-count ${second.outputs['destroy-count']}.`,
    );
    // The comment leads with why: the verdict and the risk factors (backups-lost first) come
    // before the destroy table, so the quote stops where the table starts.
    const shown = asShown(latestSummary(h, PR));
    if (showComment) quote(shown, Infinity);
    else {
      const body = shown.split('\n');
      const table = body.findIndex((l) => l.startsWith('Address'));
      quote(body.slice(0, table < 0 ? body.length : table).join('\n'));
      say(
        dim(
          `  │ … then the table of the ${second.outputs['destroy-count']} destroys, each listed once with the rules that flag it, the approval block and the collapsed details (npm run demo -- --show-comment prints it all)`,
        ),
      );
    }

    step('3.', 'mallory (not a code owner) comments /approve-destroy');
    await h.comment('mallory', '/approve-destroy');
    replyTo(h, 'mallory');
    say(`  check: ${h.check()?.title}`);

    step('4.', 'dba-dana (code owner of db/) approves');
    await h.comment('dba-dana', '/approve-destroy');
    say(`  check: ${h.check()?.title}`);

    step('5.', 'Before anyone applies, a new push changes the plan: that approval is now stale');
    await h.push(HEAD2);
    const changed = incidentDestroyPlan() as {
      resource_changes: { change: { before: Record<string, unknown> } }[];
    };
    changed.resource_changes[0]!.change.before.tags = { Name: 'courses-vpc', CostCenter: 'edu' };
    writeFileSync(join(work, 'plan.json'), JSON.stringify(changed));
    await action({ plan: 'plan.json' }, PR, HEAD2, work, h);
    const staleAfterPush = h.check(HEAD2)?.title.startsWith('Waiting') === true;
    say(`  check on ${HEAD2.slice(0, 7)}: ${h.check(HEAD2)?.title}`);
    // The approval that counted is now stale. mallory's never counted: the app refused it as
    // not an owner (step 3), and a push does not change that.
    quote(
      asShown(h.check(HEAD2)?.summary ?? '')
        .split('\n')
        .filter((l) => l.includes('@dba-dana') && l.includes('written before'))
        .join('\n'),
      2,
    );

    step('6.', `The apply job starts and asks for the "${ENV}" environment: it waits`);
    h.waitingRun(9002, HEAD2);
    await h.gate(9002, { sha: HEAD2 });
    report(h, 9002);

    step('7.', 'dba-dana reads the new plan and approves it');
    const marker = decodeMarker(latestSummary(h, PR));
    const digest = marker.ok ? shortDigest(marker.marker.projects[0]!.digest) : '';
    await h.comment('dba-dana', `/approve-destroy ${digest}`);
    say(`  check on ${HEAD2.slice(0, 7)}: ${h.check(HEAD2)?.title}`);
    report(h, 9002);

    step('8.', 'And for an agent in a terminal: applygate check before terraform apply');
    const code = await cli(['check', 'plan.json'], cliIo(work));
    say(dim(`  (exit code ${code}: 3 means stop and ask a human)`));

    // Act three: the laptop, where the incident happened (tools/demo/guard-act.ts).
    gh.addToken('ghp_laptop', { login: 'dev-laptop' });
    const guarded = await agentDestroyAct({ step, say, quote, red, green, dim }, '9.', gh.url);

    const unlocked = h.runStatus(9002) === 'queued';
    const stale = staleAfterPush;
    say(
      `\n${bold(
        unlocked && stale && code === 3 && guarded
          ? green(
              'Outcome: nothing was destroyed without a code owner approving that exact plan. The backups would still be there.',
            )
          : red('Outcome: the story did not go as expected.'),
      )}`,
    );
    return unlocked && stale && code === 3 && guarded ? 0 : 1;
  } finally {
    await h.close();
  }
}

function level(l = ''): string {
  return l === 'critical' || l === 'high'
    ? red(l)
    : l === 'none' || l === 'low'
      ? green(l)
      : yellow(l);
}

/** Run the bundled Action for a PR, then deliver the comment webhook GitHub would send. */
async function action(
  inputs: Record<string, string>,
  pr: number,
  headSha: string,
  cwd: string,
  h: Harness,
) {
  const before = new Map(h.gh.comments(OWNER, REPO, pr).map((c) => [c['id'], c['updated_at']]));
  h.clock.tick();
  const payload = pullPayload(h, pr, headSha);
  // The plan job's workflow run, as GitHub lists it: the summary names it, and the app trusts a
  // summary only from a pull_request run on the same head.
  const pull = h.gh.pull(OWNER, REPO, pr) as { head: { ref: string } };
  const runId = planRun(h.gh, headSha, { ref: pull.head.ref });
  const result = await runAction({
    runId,
    inputs: { 'github-token': TOKEN, ...inputs },
    apiUrl: h.gh.url,
    event: { name: 'pull_request', payload },
    repository: `${OWNER}/${REPO}`,
    sha: headSha,
    cwd,
  });
  if (result.code !== 0) throw new Error(`the Action failed:\n${result.stdout}${result.stderr}`);
  for (const c of h.gh.comments(OWNER, REPO, pr)) {
    const was = before.get(c['id']);
    if (was === c['updated_at']) continue;
    const action = was === undefined ? 'created' : 'edited';
    await h.send(
      'issue_comment',
      issueCommentPayload(h, action, c, { pull: pr, ...(action === 'edited' ? { from: '' } : {}) }),
    );
  }
  return result;
}

function pullPayload(h: Harness, pr: number, headSha: string): Record<string, unknown> {
  const pull = h.gh.pull(OWNER, REPO, pr) as Record<string, unknown>;
  return {
    action: 'synchronize',
    number: pr,
    pull_request: { ...pull, head: { ...(pull['head'] as object), sha: headSha } },
    repository: h.gh.repository(OWNER, REPO),
    sender: h.gh.user(AUTHOR),
  };
}

function latestSummary(h: Harness, pr: number): string {
  const c = h.gh
    .comments(OWNER, REPO, pr)
    .filter((x) => String(x['body']).includes('applygate:v2'))
    .at(-1);
  return (c?.['body'] as string | undefined) ?? '';
}

function replyTo(h: Harness, login: string): void {
  const reply = h
    .appComments()
    .filter((b) => b.includes(`@${login}`))
    .at(-1);
  if (reply) quote(asShown(reply.replace(/\n*<!--.*-->\s*$/s, '')), 6);
}

function report(h: Harness, runId: number): void {
  const reviews = h.reviews(runId);
  const last = reviews.at(-1);
  const status = h.runStatus(runId);
  const state =
    status === 'queued'
      ? green('approved: the apply job runs')
      : status === 'waiting'
        ? yellow('waiting')
        : red(String(status));
  say(`  deployment of run ${runId}: ${state}`);
  if (last?.comment) quote(last.comment, 6);
}

function cliIo(cwd: string): CliIo {
  return {
    readFile: async (p) => (await import('node:fs/promises')).readFile(join(cwd, p)),
    readStdin: async () => new Uint8Array(),
    fileExists: () => false,
    stdout: (t) => quote(t.trimEnd(), 8),
    stderr: (t) => process.stderr.write(t),
    isTTY: false,
    env: {},
  };
}

process.exitCode = await main();
