// The guard's cost on every Bash call (issue 26): Claude Code runs the hook before each one, so a
// line without terraform must cost at most 1.5x a bare `node -e 0`. Measured as child processes,
// interleaved, median wall time of each:
//   - `node -e 0` (the floor);
//   - the hook's entry point (lib/guard/claude-hook.js, what `guard install` writes) with
//     `git status && ls -la`: it answers without loading the guard;
//   - the same line through the whole CLI (`lib/cli/index.js guard claude-hook`, what install
//     wrote before): the cost before this change;
//   - `terraform version` through the entry point: the shell parser loads (no plan is made).
// And in process: tree-sitter's start (loadParser) and the analysis of one line after it.

import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { analyzeLine } from '../../src/core/guard/shell.js';
import { loadParser } from '../../src/guard/parser.js';
import { log, type Row } from './row.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timed(args: string[], input: string, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - t0));
    child.stdin.end(input);
  });
}

const event = (command: string, cwd: string) =>
  JSON.stringify({ tool_name: 'Bash', tool_input: { command }, cwd });

export async function guardBenchmarks(lib: string, dir: string, runs: number): Promise<Row[]> {
  log('Guard hook latency:');
  const entry = join(lib, 'guard/claude-hook.js');
  const cli = join(lib, 'cli/index.js');
  const plain = event('git status && ls -la', dir);
  const tf = event('terraform version', dir);
  const samples = {
    bare: [] as number[],
    entry: [] as number[],
    cli: [] as number[],
    tf: [] as number[],
  };
  for (let i = 0; i < runs + 1; i++) {
    const bare = await timed(['-e', '0'], '', dir);
    const e = await timed([entry, '--timeout', '60'], plain, dir);
    const c = await timed([cli, 'guard', 'claude-hook', '--timeout', '60'], plain, dir);
    const t = await timed([entry, '--timeout', '60'], tf, dir);
    if (i === 0) continue; // warm the file cache
    samples.bare.push(bare);
    samples.entry.push(e);
    samples.cli.push(c);
    samples.tf.push(t);
  }
  const t0 = performance.now();
  const parser = await loadParser();
  const parserMs = performance.now() - t0;
  const ctx = { cwd: dir, home: dir, aliases: {}, parser };
  const line = 'cd infra && TF_WORKSPACE=dev terraform apply -auto-approve -var-file=dev.tfvars';
  for (let i = 0; i < 20; i++) await analyzeLine(line, ctx);
  const n = 500;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) await analyzeLine(line, ctx);
  const perLine = (performance.now() - t1) / n;
  const [bare, e, c, t] = [samples.bare, samples.entry, samples.cli, samples.tf].map(median) as [
    number,
    number,
    number,
    number,
  ];
  log(
    `  node -e 0 ${bare.toFixed(0)} ms, entry ${e.toFixed(0)} ms, whole CLI ${c.toFixed(0)} ms, terraform line ${t.toFixed(0)} ms`,
  );
  return [
    {
      what: `Guard hook, a line without a tool word (\`git status && ls -la\`) / bare \`node -e 0\` (median of ${runs})`,
      measured: `${e.toFixed(0)} / ${bare.toFixed(0)} ms = ${(e / bare).toFixed(2)}x`,
      target: '<= 1.5x',
      met: e / bare <= 1.5,
    },
    {
      what: 'The same line through the whole CLI (`applygate guard claude-hook`, as installed before)',
      measured: `${c.toFixed(0)} ms = ${(c / bare).toFixed(2)}x`,
      target: 'before, for comparison',
      met: undefined,
    },
    {
      what: 'Guard hook, `terraform version` (the shell parser loads; no plan)',
      measured: `${t.toFixed(0)} ms; in process: parser start ${parserMs.toFixed(0)} ms, ${(perLine * 1000).toFixed(0)} µs per line`,
      target: '—',
      met: undefined,
    },
  ];
}
