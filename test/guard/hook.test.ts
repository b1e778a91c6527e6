import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { claudeHook } from '../../src/guard/hook.js';
import { guardSetup } from '../../src/guard/setup.js';
import { installStandIn, type StandIn, type StandInSpec } from '../../testkit/guard/stand-in.js';
import {
  createsOnlyPlan,
  incidentDestroyPlan,
  missingStatePlan,
} from '../../testkit/plans/samples.js';
import { corpusTest, plansDir, repoRoot, sharedDir } from '../../testkit/support/shared.js';

const realworldDir = join(sharedDir, 'fixtures/plans-realworld');

// `applygate guard claude-hook` as Claude Code runs it: the built CLI as a process, the hook event
// as JSON on stdin, a stand-in terraform on PATH that records its arguments and prints plans.

const built = join(repoRoot, 'lib/cli/index.js');

// Each case starts Node and terraform stand-ins as processes: slow on a busy machine.
jest.setTimeout(180_000);

interface Hooked {
  answer:
    | {
        hookSpecificOutput?: {
          permissionDecision: string;
          permissionDecisionReason: string;
          updatedInput?: unknown;
        };
      }
    | undefined;
  stdout: string;
  stderr: string;
  code: number | null;
  ms: number;
  calls: ReturnType<StandIn['calls']>;
}

function workspace(spec: StandInSpec) {
  const dir = mkdtempSync(join(tmpdir(), 'applygate-hook-'));
  mkdirSync(join(dir, 'repo/.git'), { recursive: true });
  mkdirSync(join(dir, 'repo/infra'), { recursive: true });
  const standIn = installStandIn(dir, spec);
  return { dir, repo: join(dir, 'repo'), standIn };
}

function planFile(dir: string, name: string, doc: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(doc));
  return f;
}

async function hook(
  ws: ReturnType<typeof workspace>,
  input: string,
  opts: { args?: string[]; env?: Record<string, string> } = {},
): Promise<Hooked> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [built, 'guard', 'claude-hook', ...(opts.args ?? [])], {
    cwd: ws.repo,
    env: {
      PATH: ws.standIn.path,
      HOME: ws.dir,
      // No token: the ledger lookup must fail closed, never reach the network.
      GITHUB_API_URL: 'http://127.0.0.1:9',
      ...opts.env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    answer: stdout.trim() ? JSON.parse(stdout) : undefined,
    stdout,
    stderr,
    code,
    ms: Date.now() - t0,
    calls: ws.standIn.calls(),
  };
}

const event = (command: unknown, cwd?: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    session_id: 'abc',
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command, description: 'x' },
    ...(cwd ? { cwd } : {}),
    ...extra,
  });

const decision = (h: Hooked) => h.answer?.hookSpecificOutput?.permissionDecision;
const reason = (h: Hooked) => h.answer?.hookSpecificOutput?.permissionDecisionReason ?? '';

describe('applygate guard claude-hook', () => {
  test('the incident: `terraform destroy -auto-approve` in infra/ is denied with the findings', async () => {
    const ws = workspace({});
    const destroy = planFile(ws.dir, 'destroy.json', incidentDestroyPlan());
    const ws2 = { ...ws, standIn: installStandIn(ws.dir, { destroy }) };
    const h = await hook(ws2, event('cd infra && terraform destroy -auto-approve', ws.repo));
    expect(h.code).toBe(0);
    expect(decision(h)).toBe('deny');
    const r = reason(h);
    expect(r).toMatch(/backups-lost/);
    expect(r).toMatch(/stateful-destroy/);
    expect(r).toMatch(/aws_db_instance/);
    expect(r).toMatch(/needs approval/);
    expect(r).toMatch(/\/approve-destroy/);
    expect(r).toMatch(/applygate guard exec/);
    // The plan was made where the command would run, as a destroy plan, and nothing was applied.
    expect(h.calls.map((c) => [c.args[0], c.cwd])).toEqual([
      ['plan', join(ws.repo, 'infra')],
      ['show', join(ws.repo, 'infra')],
    ]);
    expect(h.calls[0]?.args).toContain('-destroy');
    expect(h.calls[0]?.args).not.toContain('-auto-approve');
    expect(h.calls.some((c) => c.args[0] === 'destroy' || c.args[0] === 'apply')).toBe(false);
  });

  test('the deny names who may approve under the config governing the command, as verify does', async () => {
    const ws = workspace({});
    const destroy = planFile(ws.dir, 'destroy.json', incidentDestroyPlan());
    const ws2 = { ...ws, standIn: installStandIn(ws.dir, { destroy }) };
    // The repository's config keeps the defaults (code owners, /approve-destroy); infra/ has its
    // own, where named people and a team approve, not code owners, with another command.
    mkdirSync(join(ws.repo, '.github'));
    writeFileSync(join(ws.repo, '.github/applygate.yml'), 'gate:\n  app: applygate\n');
    mkdirSync(join(ws.repo, 'infra/.github'));
    writeFileSync(
      join(ws.repo, 'infra/.github/applygate.yml'),
      'gate:\n  app: applygate\napproval:\n  command: /approve-drop\n  codeowners: false\n  required: 2\n  approvers: ["dba-dana", "acme/sre"]\n',
    );
    const h = await hook(ws2, event('cd infra && terraform destroy -auto-approve', ws.repo));
    expect(decision(h)).toBe('deny');
    const r = reason(h);
    expect(r).toContain(
      'have `/approve-drop` commented on it (who may approve: @dba-dana, or members of @acme/sre, other than the author of the pull request, while they have write access to the repository; approvals needed: 2)',
    );
    expect(r).not.toMatch(/code owner/i);
    expect(r).not.toMatch(/approve-destroy/);
  });

  corpusTest('a real destroy plan from the corpus is denied too', async () => {
    const ws = workspace({ destroy: join(realworldDir, 'tfui__db-delete-tf1.7.json') });
    const h = await hook(ws, event('terraform destroy', ws.repo));
    expect(decision(h)).toBe('deny');
    expect(reason(h)).toMatch(/aws_db_instance/);
  });

  test('`terraform plan` and `terraform fmt` get no answer (the user decides), and no plan is made', async () => {
    const ws = workspace({});
    const h = await hook(
      ws,
      event('terraform fmt -recursive && terraform plan -out=tf.plan', ws.repo),
    );
    expect(h.code).toBe(0);
    expect(h.stdout).toBe('');
    expect(h.calls).toEqual([]);
  });

  test('a benign apply is asked (never allowed without the opt-in), rewritten to the plan checked', async () => {
    const ws = workspace({ apply: '' });
    const creates = planFile(ws.dir, 'creates.json', createsOnlyPlan());
    const ws2 = { ...ws, standIn: installStandIn(ws.dir, { apply: creates }) };
    const h = await hook(ws2, event('terraform apply -auto-approve -var env=dev', ws.repo));
    expect(decision(h)).toBe('ask');
    expect(reason(h)).toMatch(/within limits/);
    const kept = (h.calls[0]?.args[2] ?? '').slice('-out='.length);
    expect(h.answer?.hookSpecificOutput?.updatedInput).toEqual({
      command: `cd ${ws.repo} && TF_CLI_ARGS= TF_CLI_ARGS_apply= terraform apply -input=false ${kept}`,
      description: 'x',
    });
    expect(h.calls[0]?.args.slice(0, 3)).toEqual([
      'plan',
      '-input=false',
      expect.stringMatching(/^-out=/),
    ]);
    expect(h.calls[0]?.args).toContain('-var=env=dev');
  });

  corpusTest('an apply of a saved plan is judged by `show -json` of that file', async () => {
    const ws = workspace({});
    writeFileSync(
      join(ws.repo, 'infra/tf.plan'),
      `stand-in plan -> ${join(plansDir, 'tfplanformat__delete-tf1.7.json')}`,
    );
    const h = await hook(ws, event('terraform -chdir=infra apply tf.plan', ws.repo));
    // A copy of the file is shown (and would be applied): the file named can change afterwards.
    expect(h.calls.map((c) => c.args)).toEqual([
      ['-chdir=infra', 'show', '-json', expect.stringMatching(/\/saved-[\w-]+\.tfplan$/)],
    ]);
    expect(decision(h)).toBe('deny');
  });

  test('a line without terraform gets no opinion, and no plan is made', async () => {
    const ws = workspace({});
    const h = await hook(ws, event('ls -la && git status', ws.repo));
    expect(h.code).toBe(0);
    expect(h.stdout).toBe('');
    expect(h.calls).toEqual([]);
  });

  test('other tools than Bash are none of its business', async () => {
    const ws = workspace({});
    const h = await hook(
      ws,
      JSON.stringify({ tool_name: 'Write', tool_input: { file_path: '/x' } }),
    );
    expect(h.stdout).toBe('');
  });

  test.each([
    ['malformed JSON', '{"tool_name": "Bash", ', /not JSON/],
    ['a 1 MB command line', event(`echo ${'a'.repeat(1 << 20)}`), /characters long/],
  ])(
    'bad input as a process (%s): a clear deny, exit 0, no stack trace',
    async (_n, input, why) => {
      const ws = workspace({});
      const h = await hook(ws, input);
      expect(h.code).toBe(0);
      expect(decision(h)).toBe('deny');
      expect(reason(h)).toMatch(why);
      expect(h.stdout + h.stderr).not.toMatch(/\n\s+at /);
    },
  );

  test.each([
    ['not an object', '[1,2]', /not a JSON object/],
    ['no tool_input', JSON.stringify({ tool_name: 'Bash' }), /no `tool_input`/],
    [
      'command not a string',
      JSON.stringify({ tool_name: 'Bash', tool_input: { command: 42 } }),
      /not a string/,
    ],
    ['unbalanced quotes', event('terraform destroy "infra'), /cannot parse/],
    [
      'a state command',
      event('terraform state rm aws_db_instance.main'),
      /changes the state directly/,
    ],
    [
      'an unknown wrapper',
      event('with-aws-creds terraform destroy'),
      /does not know how `with-aws-creds` runs commands/,
    ],
  ])('bad input (%s) is a clear deny', async (_name, input, why) => {
    const setup = guardSetup({ cwd: tmpdir(), env: { PATH: '/nonexistent' }, timeoutMs: 20_000 });
    const answer = await claudeHook(input, setup);
    expect(answer?.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(answer?.hookSpecificOutput.permissionDecisionReason).toMatch(why);
  });

  test('terraform not installed: deny, saying so', async () => {
    const ws = workspace({});
    const h = await hook(ws, event('terraform apply', ws.repo), { env: { PATH: '/nonexistent' } });
    expect(decision(h)).toBe('deny');
    expect(reason(h)).toMatch(/terraform is not installed/);
  });

  test('a plan that errors: deny with its message', async () => {
    const ws = workspace({
      fail: { code: 1, message: 'Error: No valid credential sources found' },
    });
    const h = await hook(ws, event('terraform apply', ws.repo));
    expect(decision(h)).toBe('deny');
    expect(reason(h)).toMatch(/No valid credential sources found/);
  });

  test('a plan slower than the timeout: deny within the timeout, the plan stopped', async () => {
    const ws = workspace({ sleepMs: 60_000, apply: '/dev/null' });
    const h = await hook(ws, event('terraform apply', ws.repo), { args: ['--timeout', '5'] });
    expect(decision(h)).toBe('deny');
    expect(reason(h)).toMatch(/did not finish in time|could not decide within 5 s/);
    // The guard did not wait for the 60-second plan: it stopped it at its deadline. (Elapsed
    // time on a loaded machine also counts process start-up, so the bound is loose.)
    expect(h.ms).toBeLessThan(30_000);
  });

  test('the local-state preflight: an empty local state with many creates is said before anything runs', async () => {
    const ws = workspace({});
    const creates = planFile(ws.dir, 'missing.json', missingStatePlan());
    const ws2 = { ...ws, standIn: installStandIn(ws.dir, { apply: creates }) };
    const h = await hook(ws2, event('terraform apply -auto-approve', ws.repo));
    expect(decision(h)).toBe('deny');
    expect(reason(h)).toMatch(/Local state check: this directory has no remote backend/);
    expect(reason(h)).toMatch(/empty-state/);
    // With a remote backend recorded by `terraform init`, the state is not local: no warning.
    mkdirSync(join(ws.repo, '.terraform'), { recursive: true });
    writeFileSync(
      join(ws.repo, '.terraform/terraform.tfstate'),
      JSON.stringify({ version: 3, backend: { type: 's3', config: {} } }),
    );
    const remote = await hook(ws2, event('terraform apply -auto-approve', ws.repo));
    expect(reason(remote)).not.toMatch(/Local state check/);
  });

  test('a workspace select or an init earlier in the line: refused, run terraform on its own line', async () => {
    const ws = workspace({});
    const creates = planFile(ws.dir, 'creates.json', createsOnlyPlan());
    const ws2 = { ...ws, standIn: installStandIn(ws.dir, { apply: creates }) };
    const h = await hook(ws2, event('terraform workspace select prod && terraform apply', ws.repo));
    expect(decision(h)).toBe('deny');
    expect(reason(h)).toMatch(/run the terraform command on its own line/);
    expect(h.calls).toEqual([]);
    const init = await hook(ws2, event('terraform init -reconfigure && terraform apply', ws.repo));
    expect(decision(init)).toBe('deny');
    expect(reason(init)).toMatch(
      /another terraform-family command \(`terraform init -reconfigure`\)/,
    );
  });

  test('an alias from the config is followed', async () => {
    const ws = workspace({});
    const destroy = planFile(ws.dir, 'destroy.json', incidentDestroyPlan());
    const ws2 = { ...ws, standIn: installStandIn(ws.dir, { destroy }) };
    mkdirSync(join(ws.repo, '.github'), { recursive: true });
    writeFileSync(join(ws.repo, '.github/applygate.yml'), 'guard:\n  aliases: ["tf=terraform"]\n');
    const h = await hook(ws2, event('tf destroy', ws.repo));
    expect(decision(h)).toBe('deny');
    expect(reason(h)).toMatch(/via alias tf/);
  });
});
