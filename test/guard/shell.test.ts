import { analyzeLine, analyzeArgv, MAX_LINE } from '../../src/core/guard/shell.js';
import { classify } from '../../src/core/guard/terraform.js';
import { applyCheckedPlan, shellLine } from '../../src/core/guard/line.js';
import { loadParser } from '../../src/guard/parser.js';

// The shell-line analysis, form by form: which terraform-family commands a line runs, in which
// directory, through which wrappers, and what it refuses. `effect` is what the classifier makes
// of the call: the plan it needs (apply / destroy / saved), read-only, or a refusal.

const ctx = {
  cwd: '/repo',
  home: '/home/dev',
  aliases: { tf: 'terraform', tfa: 'terraform apply' },
  parser: await loadParser(),
};

interface Row {
  line: string;
  /** tool subcommand-and-args @ directory, one per call, in order. */
  calls?: string[];
  effects?: string[];
  refused?: RegExp;
}

const ROWS: Row[] = [
  // the incident, and the plain forms
  {
    line: 'terraform destroy -auto-approve',
    calls: ['terraform destroy -auto-approve @ /repo'],
    effects: ['destroy'],
  },
  {
    line: 'cd infra && terraform destroy -auto-approve',
    calls: ['terraform destroy -auto-approve @ /repo/infra'],
    effects: ['destroy'],
  },
  { line: 'terraform apply', calls: ['terraform apply @ /repo'], effects: ['apply'] },
  {
    line: 'terraform apply -destroy',
    calls: ['terraform apply -destroy @ /repo'],
    effects: ['destroy'],
  },
  {
    line: 'tofu apply -auto-approve plan.out',
    calls: ['tofu apply -auto-approve plan.out @ /repo'],
    effects: ['saved plan.out'],
  },
  {
    line: 'terraform -chdir=infra/prod destroy',
    calls: ['terraform -chdir=infra/prod destroy @ /repo'],
    effects: ['destroy'],
  },
  { line: 'terraform plan', calls: ['terraform plan @ /repo'], effects: ['read-only'] },
  {
    line: 'terraform fmt -recursive && terraform validate',
    calls: ['terraform fmt -recursive @ /repo', 'terraform validate @ /repo'],
    effects: ['read-only', 'read-only'],
  },
  {
    line: 'terraform init -upgrade',
    calls: ['terraform init -upgrade @ /repo'],
    effects: ['read-only'],
  },
  { line: 'terraform state list', calls: ['terraform state list @ /repo'], effects: ['read-only'] },
  {
    line: 'terraform workspace select prod',
    calls: ['terraform workspace select prod @ /repo'],
    effects: ['read-only'],
  },
  // commands no plan shows
  {
    line: 'terraform state rm aws_db_instance.main',
    calls: ['terraform state rm aws_db_instance.main @ /repo'],
    effects: ['refuse'],
  },
  {
    line: 'terraform state push old.tfstate',
    calls: ['terraform state push old.tfstate @ /repo'],
    effects: ['refuse'],
  },
  {
    line: 'terraform import aws_s3_bucket.b my-bucket',
    calls: ['terraform import aws_s3_bucket.b my-bucket @ /repo'],
    effects: ['refuse'],
  },
  {
    line: 'terraform workspace delete prod',
    calls: ['terraform workspace delete prod @ /repo'],
    effects: ['refuse'],
  },
  {
    line: 'terraform force-unlock -force 1234',
    calls: ['terraform force-unlock -force 1234 @ /repo'],
    effects: ['refuse'],
  },
  // separators, grouping, substitutions
  {
    line: 'terraform plan; terraform apply',
    calls: ['terraform plan @ /repo', 'terraform apply @ /repo'],
    effects: ['read-only', 'apply'],
  },
  {
    line: 'terraform validate || terraform destroy',
    calls: ['terraform validate @ /repo', 'terraform destroy @ /repo'],
  },
  { line: 'terraform apply | tee apply.log', calls: ['terraform apply @ /repo'] },
  {
    line: '(cd infra && terraform apply); terraform plan',
    calls: ['terraform apply @ /repo/infra', 'terraform plan @ /repo'],
  },
  { line: '{ cd infra; tofu destroy; }', calls: ['tofu destroy @ /repo/infra'] },
  {
    line: 'echo "$(terraform destroy -auto-approve)"',
    calls: ['terraform destroy -auto-approve @ /repo'],
  },
  { line: 'echo `tofu apply`', calls: ['tofu apply @ /repo'] },
  { line: 'diff <(terraform apply) x', calls: ['terraform apply @ /repo'] },
  { line: 'if true; then terraform apply; fi', calls: ['terraform apply @ /repo'] },
  { line: 'for d in a b; do (cd "$d" && terraform apply); done', calls: ['terraform apply @ ?'] },
  { line: 'f() { terraform destroy; }; f', calls: ['terraform destroy @ /repo'] },
  { line: 'cd infra || terraform apply', calls: ['terraform apply @ /repo'] },
  { line: 'cd ~/infra && terraform destroy', calls: ['terraform destroy @ /home/dev/infra'] },
  { line: 'pushd stacks/db; terraform apply; popd', calls: ['terraform apply @ /repo/stacks/db'] },
  { line: 'terraform destroy &', calls: ['terraform destroy @ /repo'] },
  { line: '! terraform apply', calls: ['terraform apply @ /repo'] },
  // environment
  {
    line: 'TF_WORKSPACE=prod terraform apply',
    calls: ['terraform apply @ /repo env TF_WORKSPACE=prod'],
  },
  {
    line: 'TF_CLI_ARGS_apply="-destroy" terraform apply',
    calls: ['terraform apply @ /repo env TF_CLI_ARGS_apply=-destroy'],
    effects: ['destroy'],
  },
  {
    line: 'export TF_CLI_ARGS="-destroy"; terraform apply',
    calls: ['terraform apply @ /repo env TF_CLI_ARGS=-destroy'],
    effects: ['destroy'],
  },
  {
    line: 'env TF_LOG=debug terraform destroy',
    calls: ['terraform destroy @ /repo env TF_LOG=debug'],
  },
  { line: 'env -C infra terraform destroy', calls: ['terraform destroy @ /repo/infra'] },
  // wrappers
  { line: 'sudo -u deploy terraform destroy', calls: ['terraform destroy @ /repo'] },
  {
    line: 'sudo -E env TF_LOG=1 bash -c "cd infra && terraform destroy"',
    calls: ['terraform destroy @ /repo/infra env TF_LOG=1'],
  },
  { line: 'time terraform apply', calls: ['terraform apply @ /repo'] },
  {
    line: 'nohup tofu destroy -auto-approve > out.log 2>&1 &',
    calls: ['tofu destroy -auto-approve @ /repo'],
  },
  { line: 'nice -n 10 terraform apply', calls: ['terraform apply @ /repo'] },
  { line: 'timeout 600 terraform apply', calls: ['terraform apply @ /repo'] },
  { line: 'exec terraform destroy', calls: ['terraform destroy @ /repo'] },
  { line: 'command terraform destroy', calls: ['terraform destroy @ /repo'] },
  { line: 'command -v terraform', calls: [] },
  {
    line: 'echo infra | xargs terraform destroy',
    calls: ['terraform destroy @ /repo (+args)'],
    effects: ['refuse'],
  },
  {
    line: 'ls | xargs -I{} terraform fmt {}',
    calls: ['terraform fmt {} @ /repo (+args)'],
    effects: ['read-only'],
  },
  {
    line: 'find . -name main.tf -execdir terraform destroy \\;',
    calls: ['terraform destroy @ /repo'],
  },
  { line: 'watch -n 60 terraform apply', calls: ['terraform apply @ /repo'] },
  { line: 'eval "terraform destroy"', calls: ['terraform destroy @ /repo'] },
  // shells
  { line: "sh -c 'terraform destroy'", calls: ['terraform destroy @ /repo'] },
  { line: "bash -lc 'cd infra; tofu apply'", calls: ['tofu apply @ /repo/infra'] },
  {
    line: 'bash -ec "terraform apply -auto-approve"',
    calls: ['terraform apply -auto-approve @ /repo'],
  },
  { line: 'zsh -c "sh -c \'terraform destroy\'"', calls: ['terraform destroy @ /repo'] },
  {
    line: 'bash <<EOF\ncd infra\nterraform destroy -auto-approve\nEOF',
    calls: ['terraform destroy -auto-approve @ /repo/infra'],
  },
  { line: "bash <<< 'tofu destroy'", calls: ['tofu destroy @ /repo'] },
  // quoting, variables, aliases, paths
  { line: 'ter\\raform "des"troy', calls: ['terraform destroy @ /repo'] },
  { line: "terraform $'\\x64estroy'", calls: ['terraform destroy @ /repo'] },
  { line: 'T=terraform; $T destroy', calls: ['terraform destroy @ /repo'] },
  { line: '/usr/local/bin/terraform destroy', calls: ['terraform destroy @ /repo'] },
  { line: '"$HOME/.tfenv/bin/terraform" apply', calls: ['terraform apply @ /repo'] },
  { line: 'tf destroy', calls: ['terraform destroy @ /repo'] },
  { line: 'tfa -auto-approve', calls: ['terraform apply -auto-approve @ /repo'] },
  {
    line: 'terraform apply -var "region=eu-west-1" -target module.db',
    calls: ['terraform apply -var region=eu-west-1 -target module.db @ /repo'],
  },
  // terragrunt
  {
    line: 'cd live/prod/db && terragrunt destroy',
    calls: ['terragrunt destroy @ /repo/live/prod/db'],
    effects: ['destroy'],
  },
  {
    line: 'terragrunt run-all apply',
    calls: ['terragrunt run-all apply @ /repo'],
    effects: ['refuse'],
  },
  {
    line: 'terragrunt run -- apply',
    calls: ['terragrunt run -- apply @ /repo'],
    effects: ['apply'],
  },
  // nothing to do with terraform
  { line: 'ls -la && git status', calls: [] },
  { line: 'git commit -m "terraform destroy the old stack"', calls: [] },
  { line: 'grep -r "terraform destroy" docs/', calls: [] },
  { line: 'brew install terraform', calls: [] },
  // refused: cannot be seen before the line runs
  // Wrapper options as getopt reads them: a value attached or in the next word, clusters,
  // the directory an option names (unknowable after a chroot or `git -C`).
  { line: 'sudo -uroot terraform destroy', calls: ['terraform destroy @ /repo'] },
  { line: 'sudo -Dinfra terraform destroy', calls: ['terraform destroy @ /repo/infra'] },
  { line: 'sudo --chdir=infra terraform destroy', calls: ['terraform destroy @ /repo/infra'] },
  { line: 'sudo --chdir infra terraform destroy', calls: ['terraform destroy @ /repo/infra'] },
  { line: 'env -Cinfra terraform destroy', calls: ['terraform destroy @ /repo/infra'] },
  { line: 'env -C terraform terraform destroy', calls: ['terraform destroy @ /repo/terraform'] },
  { line: 'sudo -R /srv terraform destroy', calls: ['terraform destroy @ ?'] },
  { line: 'sudo -iu root terraform destroy', calls: ['terraform destroy @ /repo'] },
  { line: 'sudo -a bsdauth terraform destroy', calls: ['terraform destroy @ /repo'] },
  { line: 'strace -fo trace.log terraform destroy', calls: ['terraform destroy @ /repo'] },
  { line: 'ionice -t terraform destroy', calls: ['terraform destroy @ /repo'] },
  { line: 'ltrace -S terraform destroy', calls: ['terraform destroy @ /repo'] },
  { line: 'watch --differences terraform destroy', calls: ['terraform destroy @ /repo'] },
  { line: 'xargs --max-args 1 terraform destroy', calls: ['terraform destroy @ /repo (+args)'] },
  { line: 'xargs -0n1 terraform destroy', calls: ['terraform destroy @ /repo (+args)'] },
  { line: 'git -C infra bisect run terraform destroy', calls: ['terraform destroy @ ?'] },
  { line: 'mise --cd infra exec -- terraform destroy', calls: ['terraform destroy @ ?'] },
  { line: 'git -C "$DIR" status && terraform plan', calls: ['terraform plan @ /repo'] },
  { line: 'git -C "$DIR" bisect run terraform destroy', refused: /an option of `git`/ },
  { line: 'sudo -u terraform terraform destroy', refused: /as the value of its option -u/ },
  { line: 'time -o terraform terraform destroy', refused: /as the value of its option -o/ },
  { line: '$CMD destroy', refused: /command name is computed/ },
  { line: '$(which terraform) destroy', refused: /command name is computed/ },
  { line: 'eval "$CMD"', refused: /eval/ },
  { line: 'bash -c "$SCRIPT"', refused: /script computed/ },
  { line: 'echo "terraform destroy" | bash', refused: /reads from a pipe/ },
  { line: 'ssh bastion terraform destroy', refused: /does not know how `ssh` runs commands/ },
  { line: 'echo "unbalanced', refused: /cannot parse/ },
  { line: 'terraform destroy (', refused: /cannot parse/ },
];

function show(c: Awaited<ReturnType<typeof analyzeLine>>['calls'][number]): string {
  const args = c.args.map((a) => a ?? '?').join(' ');
  const env = Object.entries(c.env)
    .map(([k, v]) => `${k}=${v ?? '?'}`)
    .join(' ');
  return `${c.tool} ${args} @ ${c.cwd ?? '?'}${env ? ` env ${env}` : ''}${c.moreArgs ? ' (+args)' : ''}`;
}

function effectOf(e: ReturnType<typeof classify>): string {
  if (e.kind === 'plan')
    return e.savedPlan ? `saved ${e.savedPlan}` : e.destroy ? 'destroy' : 'apply';
  return e.kind;
}

describe('shell-line analysis', () => {
  test('the table has 40+ forms', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  test.each(ROWS.map((r) => [r.line, r] as const))('%s', async (_line, row) => {
    const a = await analyzeLine(row.line, ctx);
    if (row.refused) {
      expect(a.refusals.map((r) => r.reason).join('\n')).toMatch(row.refused);
      expect(a.calls).toEqual([]);
      return;
    }
    expect(a.refusals).toEqual([]);
    expect(a.calls.map(show)).toEqual(row.calls);
    if (row.effects) expect(a.calls.map((c) => effectOf(classify(c)))).toEqual(row.effects);
  });

  test('a line past the limit is refused without parsing', async () => {
    const a = await analyzeLine(`echo ${'x'.repeat(MAX_LINE)}`, ctx);
    expect(a.refusals[0]?.reason).toMatch(/characters long; applygate analyses at most 100,000/);
  });

  test('a deep nest of shells is refused', async () => {
    let line = 'terraform destroy';
    for (let i = 0; i < 15; i++) line = `sh -c ${JSON.stringify(line)}`;
    const a = await analyzeLine(line, ctx);
    expect(a.calls).toEqual([]);
    expect(a.refusals.map((r) => r.reason)).toEqual(['commands nested more than 12 deep']);
  });

  test('argv (guard exec) goes through the same wrappers', async () => {
    const a = await analyzeArgv(['sudo', '-E', 'sh', '-c', 'cd infra && terraform destroy'], ctx);
    expect(a.calls.map(show)).toEqual(['terraform destroy @ /repo/infra']);
    expect(a.calls[0]?.via).toEqual(['sudo', 'sh -c']);
  });

  test('lines without terraform are counted as other commands, neutral builtins are not', async () => {
    const a = await analyzeLine('cd infra && export X=1 && terraform apply && make clean', ctx);
    expect(a.others).toEqual(['make']);
  });

  test('the apply of the plan checked: one rewrite, as words for exec and as a line for the hook', async () => {
    const [call] = (
      await analyzeLine(
        "cd infra && TF_CLI_ARGS_apply=-destroy NAME='a b' './bin/tf=x/terraform' -chdir=m apply",
        ctx,
      )
    ).calls;
    const effect = classify(call!);
    if (effect.kind !== 'plan') throw new Error(effect.kind);
    const checked = applyCheckedPlan(call!, effect, '/tmp/p/guard-1.tfplan');
    expect(checked).toEqual({
      cwd: '/repo/infra',
      env: { TF_CLI_ARGS: '', TF_CLI_ARGS_apply: '', NAME: 'a b' },
      argv: ['./bin/tf=x/terraform', '-chdir=m', 'apply', '-input=false', '/tmp/p/guard-1.tfplan'],
    });
    // The program word keeps its quotes: bare, `./bin/tf=x/terraform` would be an assignment.
    expect(shellLine(checked!)).toBe(
      "cd /repo/infra && TF_CLI_ARGS= TF_CLI_ARGS_apply= NAME='a b' './bin/tf=x/terraform' -chdir=m apply -input=false /tmp/p/guard-1.tfplan",
    );
  });

  test('the apply of the plan checked keeps where state goes, locking and output, not planning options', async () => {
    const [call] = (
      await analyzeLine(
        'terraform apply -auto-approve -var n=0 -target=aws_db_instance.main -backup old.tfstate -state-out=new.tfstate -lock-timeout 5s -parallelism=2 -no-color',
        ctx,
      )
    ).calls;
    const effect = classify(call!);
    if (effect.kind !== 'plan') throw new Error(effect.kind);
    // The plan is made with the planning options (and where state is read), ...
    expect(effect.planArgs).toEqual([
      '-var=n=0',
      '-target=aws_db_instance.main',
      '-lock-timeout=5s',
      '-parallelism=2',
    ]);
    // ... and its apply writes state where the line said, as terraform takes beside a saved plan.
    expect(applyCheckedPlan(call!, effect, '/tmp/p/guard-1.tfplan')?.argv).toEqual([
      'terraform',
      'apply',
      '-input=false',
      '-backup=old.tfstate',
      '-state-out=new.tfstate',
      '-lock-timeout=5s',
      '-parallelism=2',
      '-no-color',
      '/tmp/p/guard-1.tfplan',
    ]);
  });
});
