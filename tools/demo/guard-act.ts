// The demo's third act: where the incident really happened. A coding agent on a laptop runs
// `terraform destroy -auto-approve` in infra/; Claude Code asks applygate's PreToolUse hook
// first. The hook is the built CLI as a real process (`applygate guard claude-hook`), the hook
// event is JSON on its stdin, and a stand-in terraform on PATH prints the incident's plan and
// records what it was asked to do.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installStandIn } from '../../testkit/guard/stand-in.js';
import { incidentDestroyPlan } from '../../testkit/plans/samples.js';
import { repoRoot } from '../../testkit/support/shared.js';

export interface ActIo {
  step(n: string, title: string): void;
  say(s?: string): void;
  quote(text: string, max?: number): void;
  red(s: string): string;
  green(s: string): string;
  dim(s: string): string;
}

const COMMAND = 'cd infra && terraform destroy -auto-approve';

/** True when the hook denied the destroy and terraform was never asked to destroy anything. */
export async function agentDestroyAct(io: ActIo, n: string, apiUrl: string): Promise<boolean> {
  const work = mkdtempSync(join(tmpdir(), 'applygate-demo-laptop-'));
  const repo = join(work, 'infra-repo');
  mkdirSync(join(repo, 'infra'), { recursive: true });
  const plan = join(work, 'destroy.json');
  writeFileSync(plan, JSON.stringify(incidentDestroyPlan()));
  const terraform = installStandIn(work, { destroy: plan });
  try {
    // A laptop checkout: a commit no pull request has approved.
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: repo,
        stdio: 'ignore',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'agent',
          GIT_AUTHOR_EMAIL: 'agent@example.com',
          GIT_COMMITTER_NAME: 'agent',
          GIT_COMMITTER_EMAIL: 'agent@example.com',
        },
      });
    // The repository's config names the team's applygate app: only its record can approve.
    mkdirSync(join(repo, '.github'));
    writeFileSync(join(repo, '.github/applygate.yml'), 'gate:\n  app: applygate\n');
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'clean up duplicates');
    git('remote', 'add', 'origin', 'https://github.com/acme/infra.git');
  } catch {
    // Without git the guard says it found no pull request; the act is the same.
  }

  io.step(n, `Meanwhile, on a laptop: a coding agent runs \`${COMMAND}\``);
  io.say(
    io.dim(
      '  Claude Code runs the PreToolUse hook `applygate guard claude-hook` before the Bash tool.',
    ),
  );
  const answer = await runHook(repo, terraform.path, apiUrl);
  const out = answer?.hookSpecificOutput;
  const asked = terraform.calls().map((c) =>
    c.args
      .filter((a) => !a.startsWith('-out='))
      .map((a) => (a.startsWith(tmpdir()) ? '<the plan>' : a))
      .join(' '),
  );
  io.say(
    `  terraform was asked for: ${asked.map((a) => `\`terraform ${a}\``).join(', ') || 'nothing'}`,
  );
  io.say(
    `  permissionDecision: ${out?.permissionDecision === 'deny' ? io.red('deny') : String(out?.permissionDecision)}`,
  );
  io.quote(out?.permissionDecisionReason ?? '(no answer)', 24);
  const destroyed = terraform
    .calls()
    .some((c) => c.args.includes('destroy') || c.args[0] === 'apply');
  const ok =
    out?.permissionDecision === 'deny' &&
    /backups-lost/.test(out.permissionDecisionReason) &&
    !destroyed;
  io.say(
    ok
      ? `  ${io.green('→')} The agent reads why, stops, and tells its user. The database and its backups stay.`
      : `  ${io.red('→')} The hook did not stop the destroy.`,
  );
  return ok;
}

interface HookAnswer {
  hookSpecificOutput?: { permissionDecision: string; permissionDecisionReason: string };
}

function runHook(cwd: string, path: string, apiUrl: string): Promise<HookAnswer | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'lib/cli/index.js'), 'guard', 'claude-hook'],
      {
        cwd,
        env: { PATH: path, HOME: cwd, GITHUB_TOKEN: 'ghp_laptop', GITHUB_API_URL: apiUrl },
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(stdout.trim() ? (JSON.parse(stdout) as HookAnswer) : undefined);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    child.stdin.end(
      JSON.stringify({
        session_id: 'demo',
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: COMMAND, description: 'Remove the duplicate stack' },
        cwd,
      }),
    );
  });
}
