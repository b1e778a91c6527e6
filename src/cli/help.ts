// Every command's help in one place: the top-level list, `applygate <command> --help` and
// `applygate help <command>` all read this table, so a command cannot be listed without its
// usage and example, or documented in one place and missing from another.

export interface CommandHelp {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  usage: string;
  /** What a user needs to know beyond the usage line: inputs, defaults, exit codes. */
  details: string;
  example: string;
}

const EXIT_CODES = 'Exit codes: 0 within limits, 3 the plan needs approval, 2 bad input.';

export const COMMANDS: readonly CommandHelp[] = [
  {
    name: 'summarize',
    summary: 'Summarize plans: risk score and level, every factor explained, counts, destroys',
    usage:
      'applygate summarize <plan.json|->... [--format text|markdown|json] [--config FILE] [--color|--no-color]',
    details: `Plans are \`terraform show -json plan.out\` (or \`tofu show -json\`) output; \`-\` reads stdin.
Name projects with name=path. The config defaults to .github/applygate.yml when it exists.
--format json prints the stable summary contract (schemaVersion 1). Exit 2 on bad input.`,
    example:
      'terraform plan -out plan.out && terraform show -json plan.out > plan.json\n  applygate summarize plan.json --format markdown',
  },
  {
    name: 'check',
    summary: 'Exit 3 when a plan needs approval (destroys, or risk at the configured level)',
    usage:
      'applygate check <plan.json|->... [--max-level LEVEL] [--allow-destroy] [--format text|json] [--config FILE]',
    details: `The same reading as summarize, then a verdict: by default the config's approval rule
(approval.when); --max-level sets the highest level that passes instead, and --allow-destroy lets
destroys through. ${EXIT_CODES}`,
    example: 'terraform show -json plan.out | applygate check - && terraform apply plan.out',
  },
  {
    name: 'guard',
    summary: "Check an agent's or a terminal's terraform apply/destroy before it runs",
    usage: 'applygate guard <claude-hook|install|exec> ...',
    details: 'Run `applygate guard --help` for its commands (docs/guard.md explains the setup).',
    example: 'applygate guard exec -- terraform destroy',
  },
  {
    name: 'projects',
    summary: 'List the Terraform roots and Terragrunt units the changes touch, as a JSON matrix',
    usage: 'applygate projects --base REF [--head REF] [--dir DIR]',
    details: `Prints {"include":[{"name","path","kind"}]}: every root (a folder of .tf/.tofu files no
other folder uses as a module) and Terragrunt unit that the changes from the merge base of REF and
the head (default HEAD) touch, directly, through a local module they use, or through a parent
Terragrunt config. Exit 2 when a ref is not a commit.`,
    example: "applygate projects --base origin/main | jq -r '.include[].path'",
  },
];

/** The list of commands, for `applygate --help` and for a command line that names none. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `applygate: read Terraform/OpenTofu plans before they delete production.

usage: applygate <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options:
  -h, --help     this help; \`applygate <command> --help\` for one command
  -V, --version  print the version

Example:
  ${COMMANDS[0]!.example}
  applygate check plan.json`;
}

export function commandHelp(name: string): string | undefined {
  const c = COMMANDS.find((x) => x.name === name);
  if (!c) return undefined;
  return `usage: ${c.usage}

${c.summary}.
${c.details}

Example:
  ${c.example}`;
}

export const isHelpFlag = (arg: string | undefined): boolean =>
  arg === '--help' || arg === '-h' || arg === 'help';
