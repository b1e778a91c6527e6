// `npm run bench`: applygate's performance numbers, measured in one run on this machine.
//
//   npm run bench -- [--sizes 1000,10000,50000,100000] [--quiet 1000,10000,50000,100000]
//                    [--secrets 10000] [--runs N]
//                    [--huge-mb 1024] [--dir DIR] [--keep] [--markdown] [--json FILE]
//                    [--no-action] [--guard-runs 15] [--guard-only]
//                    [--base DIR] [--plans-only]
//
// 1. Big plans: realistic generated plans (testkit/plans/generate.ts) at each size. For each, the
//    built CLI (`lib/cli/index.js summarize --format json`) and a bare `JSON.parse` of the same
//    file (the floor for any parser that reads everything) run as child processes, interleaved,
//    several times: median wall time, peak RSS (max over the runs), and their ratio.
//    Targets: ratio <= 1.2 (the `realistic` mix: about half the changes actionable); CLI peak
//    RSS <= 3 x file size + 100 MB.
//    --quiet adds plans of the `quiet` mix (95% no-ops, what big steady stacks plan): target
//    ratio <= 1.0, since what is never read need not be parsed (issue 25).
//    --secrets adds plans of the `secrets` mix at those sizes: every change a small secret-bearing
//    resource updated or created, so all of them are digested and redacted (the worst case for
//    the work the CLI does beyond parsing; the realistic plans are mostly no-ops).
// 2. A plan bigger than V8 can hold as one string (~1 GB, written by the streaming generator):
//    the CLI must summarize it with peak RSS under 1.5 GB (it takes the streaming path).
// 3. The Action's cold start: `node dist/index.js` from spawn to its first HTTP request (to a
//    local server standing in for the GitHub API), and the bundle's size.
//    Targets: <= 250 ms, <= 3 MB.
// 4. The app's API calls per event and webhook throughput: see tools/bench/app.ts.
// 5. How many destroys the summary comment lists in full: see tools/bench/capacity.ts.
//
// --base DIR: the lib/ of another build (a copy of `lib/` built at the commit to compare with; its
// package.json beside it). Its CLI runs interleaved with this one's and the bare parse, and each
// plan gets a row for both: before/after ratios from the same runs, on a loaded machine too.
// --plans-only: the plan rows alone (no huge plan, Action, guard, app or capacity rows).
//
// Plans are written to a temporary directory (never to the repo) and deleted afterwards unless
// --keep. Peak RSS comes from /usr/bin/time -f %M when it exists, else from
// process.resourceUsage().maxRSS reported by a preloaded wrapper.

import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { STREAM_THRESHOLD_BYTES } from '../../src/core/plan/threshold.js';
import { createsOnlyPlan } from '../../testkit/plans/samples.js';
import { capacityRows } from './capacity.js';
import { appBenchmarks } from './app.js';
import { guardBenchmarks } from './guard.js';
import { log, type Row } from './row.js';
import { writePlanFile, type GenerateOptions } from '../../testkit/plans/generate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIB = join(ROOT, 'lib');
const CLI = join(LIB, 'cli/index.js');
const DIST = join(ROOT, 'dist/index.js');
const MB = 1024 * 1024;
const TIME = '/usr/bin/time';

interface Sample {
  wall: number;
  rss: number;
  cpu: number;
  code: number;
  stderr: string;
}

interface SizeResult {
  resources: number;
  mix: Mix;
  fileBytes: number;
  path: 'whole' | 'stream';
  cli: { wall: number; rss: number; cpu: number };
  /** With --base: the other build's CLI, from the same interleaved runs. */
  base?: { wall: number; rss: number; cpu: number };
  bare: { wall: number; rss: number; cpu: number };
  ratio: number;
  rssBudget: number;
}

interface HugeResult {
  resources: number;
  fileBytes: number;
  ok: boolean;
  wall: number;
  rss: number;
  bare: string;
}

interface ColdStart {
  firstRequestMs: number[];
  median: number;
  bundleBytes: number;
}

// ---------------------------------------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Runs `node args...` with stdout discarded; wall time from spawn to exit, peak RSS, CPU time. */
function measure(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Sample> {
  const useTime = existsSync(TIME);
  const rssFile = join(dir, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const cmd = useTime ? TIME : process.execPath;
  const argv = useTime
    ? ['-f', '%M %U %S', '-o', rssFile, process.execPath, ...args]
    : ['--import', join(dir, 'rss-wrapper.mjs'), ...args];
  const devnull = openSync('/dev/null', 'w');
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, {
      stdio: ['ignore', devnull, 'pipe'],
      env: { ...process.env, ...env, APPLYGATE_BENCH_RSS_OUT: rssFile },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      closeSync(devnull);
      let rss = NaN;
      let cpu = NaN;
      try {
        const text = readFileSync(rssFile, 'utf8').trim().split('\n').pop() as string;
        const [kb, user, sys] = text.split(/\s+/).map(Number) as [number, number, number];
        rss = kb * 1024;
        cpu = (user ?? NaN) + (sys ?? NaN);
        rmSync(rssFile, { force: true });
      } catch {
        // the child died before reporting
      }
      resolve({ wall, rss, cpu, code: code ?? 1, stderr });
    });
  });
}

function writeHelpers(dir: string): void {
  writeFileSync(
    join(dir, 'bare-json-parse.mjs'),
    "import { readFileSync } from 'node:fs';\nJSON.parse(readFileSync(process.argv[2], 'utf8'));\n",
  );
  writeFileSync(
    join(dir, 'rss-wrapper.mjs'),
    "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.resourceUsage(); writeFileSync(process.env.APPLYGATE_BENCH_RSS_OUT, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}`); });\n",
  );
}

type Mix = NonNullable<GenerateOptions['mix']>;

async function benchSize(
  dir: string,
  resources: number,
  runs: number,
  threshold: number,
  mix: Mix,
  baseCli?: string,
): Promise<SizeResult> {
  const file = join(dir, `plan-${mix}-${resources}.json`);
  const t = Date.now();
  const gen = writePlanFile(file, { resources, seed: 42, mix });
  log(
    `  generated ${resources} resource changes, ${(gen.bytes / MB).toFixed(1)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  readFileSync(file); // warm the page cache before timing either side
  const cli: Sample[] = [];
  const bare: Sample[] = [];
  const base: Sample[] = [];
  for (let r = 0; r < runs; r++) {
    if (baseCli) {
      const o = await measure(dir, [baseCli, 'summarize', '--format', 'json', file]);
      if (o.code !== 0) throw new Error(`base CLI failed on ${file}:\n${o.stderr}`);
      base.push(o);
      log(`  run ${r + 1}/${runs}: base ${o.wall.toFixed(2)} s ${(o.rss / MB).toFixed(0)} MB`);
    }
    const c = await measure(dir, [CLI, 'summarize', '--format', 'json', file]);
    if (c.code !== 0) throw new Error(`CLI failed on ${file}:\n${c.stderr}`);
    cli.push(c);
    const b = await measure(dir, [join(dir, 'bare-json-parse.mjs'), file]);
    if (b.code !== 0) throw new Error(`bare JSON.parse failed on ${file}:\n${b.stderr}`);
    bare.push(b);
    log(
      `  run ${r + 1}/${runs}: cli ${c.wall.toFixed(2)} s ${(c.rss / MB).toFixed(0)} MB, bare ${b.wall.toFixed(2)} s ${(b.rss / MB).toFixed(0)} MB`,
    );
  }
  const agg = (xs: Sample[]) => ({
    wall: median(xs.map((x) => x.wall)),
    rss: Math.max(...xs.map((x) => x.rss)),
    cpu: median(xs.map((x) => x.cpu)),
  });
  const c = agg(cli);
  const b = agg(bare);
  const o = baseCli ? agg(base) : undefined;
  if (!process.argv.includes('--keep')) rmSync(file, { force: true });
  return {
    resources,
    mix,
    fileBytes: gen.bytes,
    path: gen.bytes > threshold ? 'stream' : 'whole',
    cli: c,
    ...(o ? { base: o } : {}),
    bare: b,
    ratio: c.wall / b.wall,
    rssBudget: 3 * gen.bytes + 100 * MB,
  };
}

async function benchHuge(
  dir: string,
  targetBytes: number,
  bytesPerResource: number,
): Promise<HugeResult> {
  const resources = Math.ceil((targetBytes * 1.02) / bytesPerResource);
  const file = join(dir, `plan-huge-${resources}.json`);
  const t = Date.now();
  const gen = writePlanFile(file, { resources, seed: 7 });
  log(
    `  generated ${resources} resource changes, ${(gen.bytes / MB).toFixed(0)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  const c = await measure(dir, [CLI, 'summarize', '--format', 'json', file]);
  log(
    `  cli: exit ${c.code}, ${c.wall.toFixed(1)} s, ${(c.rss / MB).toFixed(0)} MB${c.code ? `\n${c.stderr}` : ''}`,
  );
  const b = await measure(dir, [join(dir, 'bare-json-parse.mjs'), file]);
  const bareWhy =
    b.code === 0
      ? `ok in ${b.wall.toFixed(1)} s`
      : (/Cannot create a string longer than[^\n]*/.exec(b.stderr)?.[0] ?? `exit ${b.code}`);
  log(`  bare JSON.parse: ${bareWhy}`);
  if (!process.argv.includes('--keep')) rmSync(file, { force: true });
  return {
    resources,
    fileBytes: gen.bytes,
    ok: c.code === 0,
    wall: c.wall,
    rss: c.rss,
    bare: bareWhy,
  };
}

/** `node dist/index.js` from spawn to the first request it makes to the (local) GitHub API. */
async function benchColdStart(dir: string, runs: number): Promise<ColdStart> {
  const work = join(dir, 'action');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'plan.json'), JSON.stringify(createsOnlyPlan()));
  const event = join(work, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({
      action: 'synchronize',
      number: 7,
      pull_request: {
        number: 7,
        head: { sha: 'a'.repeat(40), ref: 'feature' },
        base: { sha: 'b'.repeat(40), ref: 'main' },
      },
      repository: { name: 'infra', owner: { login: 'acme' }, full_name: 'acme/infra' },
    }),
  );
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    let t0 = 0n;
    let first: bigint | undefined;
    const server = createServer((req, res) => {
      first ??= process.hrtime.bigint();
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url?.includes('/contents/')) {
        res.statusCode = 404;
        res.end(JSON.stringify({ message: 'Not Found' }));
      } else if (req.method === 'GET') {
        res.end('[]');
      } else {
        res.statusCode = 201;
        res.end(JSON.stringify({ id: 1, html_url: 'http://example.test/c/1' }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      GITHUB_ACTIONS: 'true',
      GITHUB_API_URL: `http://127.0.0.1:${port}`,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_GRAPHQL_URL: `http://127.0.0.1:${port}/graphql`,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/infra',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_REF: 'refs/pull/7/merge',
      GITHUB_RUN_ID: '1001',
      GITHUB_RUN_NUMBER: '1',
      GITHUB_WORKSPACE: work,
      GITHUB_OUTPUT: join(work, 'output'),
      GITHUB_STEP_SUMMARY: join(work, 'summary.md'),
      RUNNER_TEMP: work,
      INPUT_PLAN: 'plan.json',
      'INPUT_GITHUB-TOKEN': 'ghs_benchmarktoken',
    };
    writeFileSync(env.GITHUB_OUTPUT as string, '');
    writeFileSync(env.GITHUB_STEP_SUMMARY as string, '');
    await new Promise<void>((resolve) => {
      t0 = process.hrtime.bigint();
      const child = spawn(process.execPath, [DIST], { cwd: work, env, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill(), 15_000);
      child.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    server.close();
    if (first === undefined) throw new Error('the Action made no HTTP request');
    times.push(Number(first - t0) / 1e6);
  }
  return { firstRequestMs: times, median: median(times), bundleBytes: statSync(DIST).size };
}

// ---------------------------------------------------------------------------------------------

const mb = (b: number) => `${(b / MB).toFixed(0)} MB`;
const sec = (s: number) => `${s.toFixed(2)} s`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,10000,50000,100000' },
      secrets: { type: 'string', default: '10000' },
      quiet: { type: 'string', default: '1000,10000,50000,100000' },
      runs: { type: 'string' },
      'huge-mb': { type: 'string', default: '1024' },
      'cold-runs': { type: 'string', default: '7' },
      dir: { type: 'string' },
      keep: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
      json: { type: 'string' },
      'no-action': { type: 'boolean', default: false },
      'guard-runs': { type: 'string', default: '15' },
      'guard-only': { type: 'boolean', default: false },
      base: { type: 'string' },
      'plans-only': { type: 'boolean', default: false },
    },
  });
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'applygate-bench-'));
  mkdirSync(dir, { recursive: true });
  writeHelpers(dir);
  if (values['guard-only']) {
    const rows = await guardBenchmarks(LIB, dir, Number(values['guard-runs']));
    process.stdout.write(
      `${rows.map((r) => `| ${r.what} | ${r.measured} | ${r.target} |`).join('\n')}\n`,
    );
    return;
  }
  const threshold = STREAM_THRESHOLD_BYTES;
  const sizes = values.sizes.split(',').filter(Boolean).map(Number);
  const secretSizes = values.secrets.split(',').filter(Boolean).map(Number);
  const quietSizes = values.quiet.split(',').filter(Boolean).map(Number);
  const baseCli = values.base ? join(values.base, 'cli/index.js') : undefined;
  if (baseCli && !existsSync(baseCli)) throw new Error(`${baseCli} is missing`);
  const plansOnly = values['plans-only'];
  log(
    `applygate bench: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  log(
    `peak RSS from ${existsSync(TIME) ? '/usr/bin/time -f %M' : 'process.resourceUsage().maxRSS'}; plans in ${dir}`,
  );

  const results: SizeResult[] = [];
  const runsFor = (n: number) =>
    values.runs ? Number(values.runs) : n <= 10_000 ? 7 : n <= 50_000 ? 5 : 3;
  for (const n of [...new Set([...sizes, ...quietSizes])].sort((a, b) => a - b)) {
    if (sizes.includes(n)) {
      log(`plan with ${n} resource changes:`);
      results.push(await benchSize(dir, n, runsFor(n), threshold, 'realistic', baseCli));
    }
    if (quietSizes.includes(n)) {
      log(`plan with ${n} resource changes, 95% no-ops:`);
      results.push(await benchSize(dir, n, runsFor(n), threshold, 'quiet', baseCli));
    }
  }
  for (const n of secretSizes) {
    log(`plan with ${n} small changes carrying sensitive values:`);
    results.push(await benchSize(dir, n, runsFor(n), threshold, 'secrets', baseCli));
  }

  let huge: HugeResult | undefined;
  const hugeBytes = plansOnly ? 0 : Number(values['huge-mb']) * MB;
  if (hugeBytes > 0) {
    log(`plan of about ${values['huge-mb']} MB:`);
    const last = results.filter((r) => r.mix === 'realistic').pop();
    huge = await benchHuge(dir, hugeBytes, last ? last.fileBytes / last.resources : 3600);
  }

  let cold: ColdStart | undefined;
  if (!plansOnly && !values['no-action'] && existsSync(DIST)) {
    log('Action cold start:');
    cold = await benchColdStart(dir, Number(values['cold-runs']));
    log(`  first request after ${cold.firstRequestMs.map((x) => x.toFixed(0)).join(', ')} ms`);
  }

  const rows: Row[] = [];
  for (const r of results) {
    const what =
      r.mix === 'secrets'
        ? 'small changes with sensitive values'
        : r.mix === 'quiet'
          ? 'changes, 95% no-ops'
          : 'changes, mixed';
    const limit = r.mix === 'quiet' ? 1.0 : r.mix === 'secrets' ? 1.5 : 1.2;
    const label = `${r.resources.toLocaleString('en-US')} ${what} (${mb(r.fileBytes)}, ${r.path === 'stream' ? 'streaming' : 'whole-file'} path)`;
    rows.push({
      what: `${label}: CLI / bare JSON.parse wall`,
      measured: `${sec(r.cli.wall)} / ${sec(r.bare.wall)} = ${r.ratio.toFixed(2)}x (CPU ${(r.cli.cpu / r.bare.cpu).toFixed(2)}x)`,
      target: `<= ${limit.toFixed(1)}x`,
      met: r.ratio <= limit,
    });
    if (r.base) {
      rows.push({
        what: `${label}: --base CLI / bare JSON.parse wall (the same runs)`,
        measured: `${sec(r.base.wall)} / ${sec(r.bare.wall)} = ${(r.base.wall / r.bare.wall).toFixed(2)}x (CPU ${(r.base.cpu / r.bare.cpu).toFixed(2)}x), peak RSS ${mb(r.base.rss)}`,
        target: 'before',
        met: undefined,
      });
    }
    rows.push({
      what: `${label}: CLI peak RSS (bare: ${mb(r.bare.rss)})`,
      measured: mb(r.cli.rss),
      target: `<= 3 x file + 100 MB = ${mb(r.rssBudget)}`,
      met: r.cli.rss <= r.rssBudget,
    });
  }
  if (huge) {
    rows.push({
      what: `${huge.resources.toLocaleString('en-US')} changes (${mb(huge.fileBytes)}): CLI summarizes (bare JSON.parse: ${huge.bare})`,
      measured: huge.ok ? `ok, ${sec(huge.wall)}, peak RSS ${mb(huge.rss)}` : 'failed',
      target: 'no crash, peak RSS < 1.5 GB',
      met: huge.ok && huge.rss < 1.5e9,
    });
  }
  if (cold) {
    rows.push({
      what: `Action cold start, spawn to first HTTP request (median of ${cold.firstRequestMs.length})`,
      measured: `${cold.median.toFixed(0)} ms`,
      target: '<= 250 ms',
      met: cold.median <= 250,
    });
    rows.push({
      what: 'Action bundle (dist/index.js)',
      measured: `${(cold.bundleBytes / MB).toFixed(2)} MB`,
      target: '<= 3 MB',
      met: cold.bundleBytes <= 3 * MB,
    });
  }
  const app = plansOnly ? undefined : await otherBenchmarks(rows, dir, values['guard-runs']);
  if (app?.length === 0) {
    rows.push({
      what: 'App: API calls per event, webhook throughput',
      measured: 'not measured yet',
      target: 'see issue 6',
      met: undefined,
    });
  }

  const cpuNote = results
    .map(
      (r) =>
        `${r.resources}${r.mix === 'realistic' ? '' : ` ${r.mix}`}: cli ${r.cli.cpu.toFixed(2)} s cpu, bare ${r.bare.cpu.toFixed(2)} s cpu`,
    )
    .join('; ');
  const status = (m: boolean | undefined) => (m === undefined ? '—' : m ? 'met' : 'NOT met');
  if (values.markdown) {
    console.log('| Measure | Measured | Target | Status |\n|---|---|---|---|');
    for (const r of rows)
      console.log(`| ${r.what} | ${r.measured} | ${r.target} | ${status(r.met)} |`);
  } else {
    const w = Math.max(...rows.map((r) => r.what.length));
    const m = Math.max(...rows.map((r) => r.measured.length));
    const t = Math.max(...rows.map((r) => r.target.length));
    for (const r of rows)
      console.log(
        `${r.what.padEnd(w)}  ${r.measured.padEnd(m)}  ${r.target.padEnd(t)}  ${status(r.met)}`,
      );
  }
  log(`CPU time (median): ${cpuNote}`);
  if (values.json)
    writeFileSync(
      values.json,
      JSON.stringify(
        { node: process.version, cpus: cpus().length, results, huge, cold, rows },
        null,
        2,
      ),
    );
  if (!values.dir && !values.keep) rmSync(dir, { recursive: true, force: true });
}

/** The guard, app and comment-capacity rows (all but the plans); the app's rows. */
async function otherBenchmarks(rows: Row[], dir: string, guardRuns: string): Promise<Row[]> {
  rows.push(...(await guardBenchmarks(LIB, dir, Number(guardRuns))));
  const app = await appBenchmarks();
  rows.push(...app);
  log('Comment capacity:');
  rows.push(...capacityRows());
  return app;
}

await main();
