// `npm run demo`: replays the incident plangate exists for, on built-in plans, offline.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type CliIo } from '../cli/main.js';
import { incidentDestroyPlan, missingStatePlan } from './plans.js';

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);

function io(cwd: string): CliIo {
  return {
    readFile: async (p) => readFileSync(join(cwd, p)),
    readStdin: async () => new Uint8Array(),
    fileExists: () => false,
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: color,
    env: process.env,
  };
}

async function step(title: string, story: string, argv: string[], cwd: string): Promise<number> {
  process.stdout.write(`\n${bold(`== ${title}`)}\n${dim(story)}\n\n$ plangate ${argv.join(' ')}\n`);
  const code = await run(argv, io(cwd));
  process.stdout.write(dim(`(exit code ${code})\n`));
  return code;
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'plangate-demo-'));
  try {
    writeFileSync(join(dir, 'missing-state.json'), JSON.stringify(missingStatePlan()));
    writeFileSync(join(dir, 'cleanup.json'), JSON.stringify(incidentDestroyPlan()));

    const first = await step(
      '1. A new laptop, no state',
      'The state file is missing, so `terraform plan` wants to create every resource again.',
      ['check', 'missing-state.json'],
      dir,
    );
    const second = await step(
      '2. "Clean up duplicates"',
      'The real state is back and an agent is about to run `terraform destroy`. plangate reads the plan first.',
      ['summarize', 'cleanup.json'],
      dir,
    );
    const third = await step(
      '3. The gate',
      'An agent (or a script) runs `plangate check` before `terraform apply`: exit 3 means stop and ask a human.',
      ['check', 'cleanup.json'],
      dir,
    );
    const ok = first === 3 && second === 0 && third === 3;
    process.stdout.write(
      `\n${bold(ok ? 'Outcome: both plans were stopped before apply; the database and its backups are still there.' : 'Outcome: unexpected exit codes.')}\n`,
    );
    return ok ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
