import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { claudeHook, type HookAnswer } from '../../src/guard/hook.js';
import { guardSetup } from '../../src/guard/setup.js';
import { installStandIn, type StandIn } from '../../testkit/guard/stand-in.js';
import { createsOnlyPlan, incidentDestroyPlan } from '../../testkit/plans/samples.js';

// The guard, form by form, as an agent writes shell lines (issue 26): each row is a line and the
// answer the hook must give with the default config (`none`: no answer, the user's own rules
// decide). The stand-in terraform plans the incident's destroy whenever the line's inputs say so
// (an emptied main.tf, a tfvars that zeroes a count, the prod workspace, `destroy`) and a harmless
// create otherwise. For every line the guard leaves to the user, and for every apply it lets
// through (ask/allow, rewritten to apply the plan it checked), the line as it would then run is
// run under bash with the stand-in, and no destroy may have been applied.

jest.setTimeout(600_000);

type Answer = 'deny' | 'ask' | 'allow' | 'none';
type Row = [line: string, answer: Answer];

const ROWS: Row[] = [
  // The incident, plainly and through the wrappers the guard follows.
  ['terraform destroy -auto-approve', 'deny'],
  ['terraform destroy', 'deny'],
  ['tofu destroy -auto-approve', 'deny'],
  ['terraform apply -destroy -auto-approve', 'deny'],
  ['terraform apply -auto-approve -destroy=true', 'deny'],
  ['terraform destroy -auto-approve -target=aws_db_instance.main', 'deny'],
  ['cd .. && cd infra && terraform destroy -auto-approve', 'deny'],
  ['sudo terraform destroy -auto-approve', 'deny'],
  ['sudo -E terraform destroy -auto-approve', 'deny'],
  ['env TF_LOG=debug terraform destroy -auto-approve', 'deny'],
  ['TF_LOG=debug terraform destroy -auto-approve', 'deny'],
  ['sh -c "terraform destroy -auto-approve"', 'deny'],
  ["bash -c 'cd . && terraform destroy -auto-approve'", 'deny'],
  ["bash -lc 'terraform destroy -auto-approve'", 'deny'],
  ['command terraform destroy -auto-approve', 'deny'],
  ['time terraform destroy -auto-approve', 'deny'],
  ['nohup terraform destroy -auto-approve', 'deny'],
  ['timeout 600 terraform destroy -auto-approve', 'deny'],
  ['/usr/local/bin/terraform destroy -auto-approve', 'deny'],
  ['./terraform destroy -auto-approve', 'deny'],
  ['tf destroy -auto-approve', 'deny'],
  ['terragrunt destroy -auto-approve', 'deny'],
  ['terragrunt run-all destroy', 'deny'],
  ['(terraform destroy -auto-approve)', 'deny'],
  ['{ terraform destroy -auto-approve; }', 'deny'],
  ['echo $(terraform destroy -auto-approve)', 'deny'],
  ['watch terraform destroy -auto-approve', 'deny'],
  ['mise exec -- terraform destroy -auto-approve', 'deny'],
  ['mise x -- terraform destroy -auto-approve', 'deny'],
  ['asdf exec terraform destroy -auto-approve', 'deny'],
  ['git bisect run terraform destroy -auto-approve', 'deny'],
  ['git rebase --exec "terraform destroy -auto-approve" main', 'deny'],
  ['find . -maxdepth 0 -exec terraform destroy -auto-approve \\;', 'deny'],
  // Wrapper options read as getopt reads them (one table, src/core/guard/wrappers.ts): each of
  // these hid terraform as an option's value, or went unread, and got no answer.
  ['sudo -uroot terraform destroy -auto-approve', 'deny'],
  ['ionice -t terraform destroy -auto-approve', 'deny'],
  ['ltrace -S terraform destroy -auto-approve', 'deny'],
  ['watch --differences terraform destroy -auto-approve', 'deny'],
  ['git -C . bisect run terraform destroy -auto-approve', 'deny'],
  ['mise --cd . exec -- terraform destroy -auto-approve', 'deny'],
  // Applies of the harmless plan: asked (never allowed without the opt-in), rewritten.
  ['terraform apply -auto-approve', 'ask'],
  ['terraform apply', 'ask'],
  ['tofu apply -auto-approve', 'ask'],
  ['terraform apply tfplan', 'ask'],
  ['terraform apply -input=false tfplan', 'ask'],
  ['terraform -chdir=. apply -auto-approve', 'ask'],
  ['cd .. && terraform -chdir=infra apply -auto-approve', 'ask'],
  ['cd /tmp && cd - >/dev/null; terraform apply -auto-approve', 'deny'],
  ['TF_IN_AUTOMATION=1 terraform apply -auto-approve', 'ask'],
  ['export AWS_PROFILE=dev && terraform apply -auto-approve', 'ask'],
  ['terraform apply -auto-approve 2>&1', 'ask'],
  ['terraform apply -auto-approve > /dev/null', 'ask'],
  ['terraform apply -auto-approve -lock-timeout 60s', 'ask'],
  ['terraform apply -auto-approve -parallelism 2', 'ask'],
  // The value of -backup, -state-out, -state is not a saved plan (one table of options).
  ['terraform apply -auto-approve -backup tfplan', 'ask'],
  ['terraform apply -auto-approve -state-out tfplan', 'ask'],
  ['terraform apply -auto-approve -state terraform.tfstate', 'ask'],
  ['terraform apply -backup=tfplan -auto-approve', 'ask'],
  ['terraform apply -auto-approve -no-such-option x', 'deny'],
  ['terraform apply -input false', 'deny'],
  // Time of check vs time of use: something before terraform can change what it applies.
  ['terraform plan -destroy -out=tfplan && terraform apply tfplan', 'deny'],
  ['terraform plan -destroy -out tfplan; terraform apply tfplan', 'deny'],
  ['tofu plan -destroy -out=tfplan && tofu apply tfplan', 'deny'],
  [': > main.tf && terraform apply -auto-approve', 'deny'],
  ['> main.tf; terraform apply -auto-approve', 'deny'],
  ['truncate -s 0 main.tf; terraform apply -auto-approve', 'deny'],
  ['cp /dev/null main.tf && terraform apply -auto-approve', 'deny'],
  ["printf 'db_count = 0\\n' > terraform.tfvars && terraform apply -auto-approve", 'deny'],
  ["echo 'db_count = 0' >> terraform.tfvars; tofu apply -auto-approve", 'deny'],
  ["sed -i 's/= 2/= 0/' terraform.tfvars && terraform apply -auto-approve", 'deny'],
  ["tee terraform.tfvars <<< 'db_count = 0' && terraform apply -auto-approve", 'deny'],
  [
    'mkdir -p .terraform && echo prod > .terraform/environment && terraform destroy -auto-approve',
    'deny',
  ],
  ['echo prod > .terraform/environment; terraform apply -auto-approve', 'deny'],
  ['terraform workspace select prod && terraform apply -auto-approve', 'deny'],
  ['terraform workspace new prod; terraform apply -auto-approve', 'deny'],
  ['TF_WORKSPACE=prod terraform apply -auto-approve', 'deny'],
  ["terraform apply -auto-approve -var-file=/dev/stdin <<< 'db_count = 0'", 'deny'],
  ["terraform apply -auto-approve -var-file /dev/stdin <<< 'db_count = 0'", 'deny'],
  ['terraform apply -auto-approve -var-file=/dev/stdin <<EOF\ndb_count = 0\nEOF', 'deny'],
  ["echo 'db_count = 0' | terraform apply -auto-approve -var-file=/dev/stdin", 'deny'],
  ['terraform apply -auto-approve -var-file=/dev/fd/0', 'deny'],
  ['terraform apply -auto-approve -var-file=<(echo db_count=0)', 'deny'],
  ['echo yes | terraform apply', 'deny'],
  ['yes | terraform destroy', 'deny'],
  ['terraform init && terraform apply -auto-approve', 'deny'],
  ['terraform fmt && terraform apply -auto-approve', 'deny'],
  ['terraform apply -auto-approve > main.tf', 'deny'],
  ['terraform apply -auto-approve < answers.txt', 'deny'],
  ['terraform apply -auto-approve | tee apply.log', 'deny'],
  ['git checkout other-branch -- main.tf && terraform apply -auto-approve', 'deny'],
  ['terraform apply -auto-approve && echo done', 'deny'],
  ['terraform apply -auto-approve; terraform output', 'deny'],
  ['terraform -chdir=a -chdir=b apply -auto-approve', 'deny'],
  ['terraform -chdir ../infra apply -auto-approve', 'deny'],
  // xargs and shells reading standard input.
  ['echo destroy -auto-approve | xargs terraform', 'deny'],
  ["printf 'destroy\\n' | xargs -I{} terraform {} -auto-approve", 'deny'],
  ['echo -auto-approve | xargs terraform destroy', 'deny'],
  ['ls | xargs terraform', 'deny'],
  ['bash < destroy.sh; terraform version', 'deny'],
  ['sh < ./x.sh && terraform fmt', 'deny'],
  ['echo "terraform destroy -auto-approve" | bash', 'deny'],
  ['echo "terraform destroy -auto-approve" | sh -s', 'deny'],
  ['bash <<EOF\nterraform destroy -auto-approve\nEOF', 'deny'],
  // Where the guard cannot follow a tool word: refused or asked, never ignored.
  ["script -qc 'terraform destroy -auto-approve' /dev/null", 'deny'],
  ["su -c 'terraform destroy -auto-approve' deploy", 'deny'],
  ["su deploy -c 'tofu destroy -auto-approve'", 'deny'],
  ["ssh bastion 'terraform destroy -auto-approve'", 'deny'],
  ['ssh -t admin@host terraform destroy', 'deny'],
  ['docker run --rm -v "$PWD":/w -w /w hashicorp/terraform:1.9 destroy -auto-approve', 'deny'],
  ['docker run hashicorp/terraform:latest apply -auto-approve', 'deny'],
  ['podman run ghcr.io/opentofu/opentofu:1.8 destroy', 'deny'],
  ['if true; then T=terraform; fi; $T destroy -auto-approve', 'deny'],
  ['for t in terraform; do $t destroy -auto-approve; done', 'deny'],
  ['f() { x=terraform; $x destroy -auto-approve; }; f', 'deny'],
  ['while false; do T=tofu; done; $T destroy', 'deny'],
  ['T=terraform; $T destroy -auto-approve', 'deny'],
  ['"$TF_BIN" destroy -auto-approve', 'deny'],
  ['python3 -c \'import os; os.system("terraform destroy -auto-approve")\'', 'deny'],
  ['python -c \'import subprocess; subprocess.run(["tofu", "destroy"])\'', 'deny'],
  ['node -e \'require("child_process").execSync("tofu destroy -auto-approve")\'', 'deny'],
  ['perl -e \'system("terraform destroy -auto-approve")\'', 'deny'],
  ['ruby -e \'system("terraform destroy")\'', 'deny'],
  ['eval "terraform destroy -auto-approve"', 'deny'],
  ['tmux new -d "terraform destroy -auto-approve"', 'deny'],
  ['make destroy TF=terraform', 'ask'],
  ['npm run infra -- terraform', 'ask'],
  // Read-only terraform and everything else: no answer (the user's own rules).
  ['terraform plan', 'none'],
  ['terraform plan -destroy', 'none'],
  ['terraform fmt -check', 'none'],
  ['terraform validate', 'none'],
  ['terraform version', 'none'],
  ['terraform -version', 'none'],
  ['terraform show', 'none'],
  ['terraform output -json', 'none'],
  ['terraform state pull', 'none'],
  ['terraform state list', 'none'],
  ['terraform console', 'none'],
  ['terraform init', 'none'],
  ['terraform providers', 'none'],
  ['terraform workspace list', 'none'],
  ['tofu plan -out=tfplan', 'none'],
  ['cd .. && terraform -chdir=infra plan', 'none'],
  ['terraform fmt && terraform validate', 'none'],
  ['ls -la', 'none'],
  ['git status && ls -la', 'none'],
  ['grep -rn terraform .', 'none'],
  ['cat main.tf', 'none'],
  ['echo "terraform destroy is dangerous"', 'none'],
  ['git log --oneline -3', 'none'],
  ['which terraform', 'none'],
  // Other refusals: state surgery and unknown commands.
  ['terraform state rm aws_db_instance.main', 'deny'],
  ['terraform import aws_s3_bucket.b bucket', 'deny'],
  ['terraform force-unlock 1234', 'deny'],
  ['terraform workspace delete prod', 'deny'],
  ['terraform init -migrate-state', 'ask'],
  ['terraform test', 'ask'],
];

interface Ws {
  dir: string;
  infra: string;
  standIn: StandIn;
  env: Record<string, string>;
}

let destroyPlan: string;
let applyPlan: string;
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'applygate-forms-'));
  destroyPlan = join(root, 'destroy.json');
  applyPlan = join(root, 'apply.json');
  writeFileSync(destroyPlan, JSON.stringify(incidentDestroyPlan()));
  writeFileSync(applyPlan, JSON.stringify(createsOnlyPlan()));
});

/** A repository with infra/ (main.tf, terraform.tfvars, an old harmless tfplan), a config. */
function workspace(): Ws {
  const dir = mkdtempSync(join(root, 'ws-'));
  const repo = join(dir, 'repo');
  const infra = join(repo, 'infra');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(join(repo, '.github'));
  mkdirSync(infra);
  writeFileSync(join(infra, 'main.tf'), 'resource "null_resource" "x" {}\n');
  writeFileSync(join(infra, 'terraform.tfvars'), 'db_count = 2\n');
  writeFileSync(join(infra, 'tfplan'), `stand-in plan -> ${applyPlan}`);
  writeFileSync(join(infra, 'answers.txt'), 'yes\n');
  writeFileSync(join(infra, 'destroy.sh'), 'terraform destroy -auto-approve\n');
  const standIn = installStandIn(dir, { apply: applyPlan, destroy: destroyPlan });
  // tf: a configured alias; no token, so the ledger lookup fails closed without the network.
  writeFileSync(
    join(repo, '.github/applygate.yml'),
    'gate:\n  app: applygate\nguard:\n  aliases: ["tf=terraform"]\n',
  );
  return {
    dir,
    infra,
    standIn,
    env: { PATH: standIn.path, HOME: dir, GITHUB_API_URL: 'http://127.0.0.1:9' },
  };
}

async function ask(ws: Ws, line: string): Promise<HookAnswer | undefined> {
  const setup = guardSetup({ cwd: ws.infra, env: ws.env, timeoutMs: 120_000 });
  return claudeHook(
    JSON.stringify({
      tool_name: 'Bash',
      tool_input: { command: line, description: 'x' },
      cwd: ws.infra,
    }),
    setup,
  );
}

/** Run a line as Claude Code's Bash tool would, in the workspace, with the stand-in. */
function runLine(ws: Ws, line: string): void {
  try {
    execFileSync('bash', ['-c', line], {
      cwd: ws.infra,
      env: ws.env,
      stdio: 'ignore',
      timeout: 30_000,
    });
  } catch {
    // A failing line is fine: what matters is what it applied.
  }
}

const answerOf = (a: HookAnswer | undefined): Answer =>
  a?.hookSpecificOutput.permissionDecision ?? 'none';

describe('the guard answers every shell form as the table says', () => {
  test('the table has at least 120 forms, none twice', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(120);
    expect(new Set(ROWS.map((r) => r[0])).size).toBe(ROWS.length);
  });

  test.each(ROWS)('%j: %s', async (line, expected) => {
    const ws = workspace();
    const a = await ask(ws, line);
    const got = answerOf(a);
    if (got !== expected) {
      throw new Error(
        `${line}\nexpected ${expected}, got ${got}:\n${a?.hookSpecificOutput.permissionDecisionReason ?? ''}`,
      );
    }
    // The guard itself only planned and showed: nothing applied while checking.
    expect(ws.standIn.calls().filter((c) => c.applied)).toEqual([]);
    if (got === 'none') {
      runLine(ws, line);
      expect(ws.standIn.destroyed()).toBe(false);
    }
    const rewritten = a?.hookSpecificOutput.updatedInput?.command;
    if (got === 'ask' || got === 'allow') {
      if (typeof rewritten === 'string') {
        // What runs is the checked plan: never a destroy, whatever the line said.
        expect(rewritten).toMatch(/ apply -input=false (-\S+ )*\S+\.tfplan$/);
        expect(a?.hookSpecificOutput.updatedInput?.description).toBe('x');
        runLine(ws, rewritten);
        expect(ws.standIn.calls().filter((c) => c.applied)).toEqual([
          expect.objectContaining({ applied: 'apply' }),
        ]);
      }
    }
  });
});

describe('allow only on the opt-in', () => {
  test('guard.allow_within_limits: true turns a checked harmless apply into allow, still rewritten', async () => {
    const ws = workspace();
    writeFileSync(
      join(ws.infra, '../.github/applygate.yml'),
      'gate:\n  app: applygate\nguard:\n  allow_within_limits: true\n',
    );
    const a = await ask(ws, 'terraform apply -auto-approve');
    expect(answerOf(a)).toBe('allow');
    const cmd = a?.hookSpecificOutput.updatedInput?.command as string;
    expect(cmd).toMatch(/^cd \S+ && TF_CLI_ARGS= TF_CLI_ARGS_apply= terraform apply -input=false /);
    runLine(ws, cmd);
    expect(ws.standIn.destroyed()).toBe(false);
    // A destroy stays denied, and a read-only command gets no answer, opt-in or not.
    expect(answerOf(await ask(ws, 'terraform destroy -auto-approve'))).toBe('deny');
    expect(answerOf(await ask(ws, 'terraform state pull'))).toBe('none');
  });

  test('the old harmless tfplan replaced after the check: the copy checked is what runs', async () => {
    const ws = workspace();
    const a = await ask(ws, 'terraform apply tfplan');
    expect(answerOf(a)).toBe('ask');
    // Between the check and the run, the file named in the line becomes the destroy plan.
    writeFileSync(join(ws.infra, 'tfplan'), `stand-in plan -> ${destroyPlan}`);
    runLine(ws, a?.hookSpecificOutput.updatedInput?.command as string);
    expect(ws.standIn.destroyed()).toBe(false);
    // Run as written, it would have destroyed: the stand-in can tell.
    runLine(ws, 'terraform apply tfplan');
    expect(ws.standIn.destroyed()).toBe(true);
  });

  test("each command's own directory's config governs it, after cd and -chdir", async () => {
    const ws = workspace();
    // infra/ has a config of its own that is broken: a command run there is judged by it,
    // whichever directory the session is in.
    mkdirSync(join(ws.infra, '.github'));
    writeFileSync(join(ws.infra, '.github/applygate.yml'), 'guard:\n  ask_level: sometimes\n');
    const repo = join(ws.infra, '..');
    const setup = guardSetup({ cwd: repo, env: ws.env, timeoutMs: 120_000 });
    for (const line of [
      'cd infra && terraform apply -auto-approve',
      'terraform -chdir=infra apply',
    ]) {
      const a = await claudeHook(
        JSON.stringify({ tool_name: 'Bash', tool_input: { command: line }, cwd: repo }),
        setup,
      );
      expect(a?.hookSpecificOutput.permissionDecision).toBe('deny');
      expect(a?.hookSpecificOutput.permissionDecisionReason).toMatch(
        new RegExp(`the applygate config for ${ws.infra} is broken: .*ask_level`),
      );
    }
  });
});
