// Compare what `applygate summarize` prints (text, markdown, json) for every fixture plan between
// two revisions. Not a golden file: output changes on purpose, and this shows which files and
// formats a change touched, with the differences, so that a refactoring can prove it changed
// nothing and a feature can show exactly what it changed.
//
//   node tools/compare-summaries.mjs [BASE [HEAD]] [--stream] [--diff N]
//
// BASE defaults to main, HEAD to the working tree (uncommitted changes included). Each side's
// CLI is bundled from that revision's src/ (the command line is the stable interface, so any two
// revisions compare) and run on every plan in ../shared/fixtures/plans and plans-realworld, from
// an empty directory (no .github/applygate.yml). --stream reads every plan with the streaming
// reader (APPLYGATE_STREAM_THRESHOLD=0) on both sides. --diff N prints up to N lines of each
// difference (default 40; 0 for none). Exit 0 when all is identical, 1 when anything differs.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE_DIRS = ['plans', 'plans-realworld'].map((d) =>
  resolve(repo, '../shared/fixtures', d),
);
const FORMATS = ['text', 'markdown', 'json'];
// Inside node_modules, so that a revision's sources resolve the repository's dependencies.
const cache = join(repo, 'node_modules/.cache/applygate-compare');

function parseArgs(argv) {
  const opts = { revs: [], stream: false, diffLines: 40 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--stream') opts.stream = true;
    else if (a === '--diff') opts.diffLines = Number(argv[++i]);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else opts.revs.push(a);
  }
  if (opts.revs.length > 2 || !Number.isInteger(opts.diffLines) || opts.diffLines < 0) {
    throw new Error('usage: compare-summaries.mjs [BASE [HEAD]] [--stream] [--diff N]');
  }
  return { base: opts.revs[0] ?? 'main', head: opts.revs[1], ...opts };
}

/** Bundle the CLI of `rev` (undefined: the working tree); returns the bundle's path. */
async function bundleCli(rev) {
  let root = repo;
  let label = 'working tree';
  if (rev !== undefined) {
    const sha = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: repo })
      .toString()
      .trim();
    label = `${rev} (${sha.slice(0, 12)})`;
    root = join(cache, sha);
    if (!existsSync(join(root, 'src'))) {
      mkdirSync(root, { recursive: true });
      const tar = execFileSync('git', ['archive', sha, 'src'], { cwd: repo, maxBuffer: 1 << 30 });
      execFileSync('tar', ['-x', '-C', root], { input: tar });
    }
  }
  const outfile = join(rev === undefined ? join(cache, 'worktree') : root, 'cli.mjs');
  await build({
    entryPoints: [join(root, 'src/cli/index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    outfile,
    logLevel: 'error',
  });
  return { cli: outfile, label };
}

function fixturePlans() {
  const plans = [];
  for (const dir of FIXTURE_DIRS) {
    if (!existsSync(dir)) throw new Error(`${dir} not found: the fixtures live in ../shared`);
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.json')) plans.push(join(dir, f));
  }
  return plans;
}

/** stdout, stderr and exit code of one CLI run. */
function runCli(cli, plan, format, env, cwd) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, 'summarize', plan, '--format', format], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', fail);
    child.on('close', (code) =>
      done({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

function showDiff(a, b, maxLines, scratch) {
  const left = join(scratch, 'base');
  const right = join(scratch, 'head');
  writeFileSync(left, a);
  writeFileSync(right, b);
  let text = '';
  try {
    execFileSync('git', ['diff', '--no-index', '--no-color', '-U1', left, right]);
  } catch (e) {
    text = e.stdout.toString(); // git diff exits 1 when the files differ
  }
  const lines = text.split('\n').slice(4); // drop git's file headers
  const shown = lines.slice(0, maxLines).map((l) => `      ${l.slice(0, 300)}`);
  if (lines.length > maxLines) shown.push(`      ... (${lines.length - maxLines} more lines)`);
  return shown.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const [base, head] = await Promise.all([bundleCli(opts.base), bundleCli(opts.head)]);
  const plans = fixturePlans();
  const scratch = mkdtempSync(join(tmpdir(), 'applygate-compare-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('APPLYGATE_')),
  );
  if (opts.stream) env.APPLYGATE_STREAM_THRESHOLD = '0';
  delete env.FORCE_COLOR;

  const jobs = plans.flatMap((plan) => FORMATS.map((format) => ({ plan, format })));
  const differ = [];
  let next = 0;
  const worker = async () => {
    for (let j = jobs[next++]; j; j = jobs[next++]) {
      const [a, b] = await Promise.all([
        runCli(base.cli, j.plan, j.format, env, scratch),
        runCli(head.cli, j.plan, j.format, env, scratch),
      ]);
      const same = a.code === b.code && a.stdout === b.stdout && a.stderr === b.stderr;
      if (!same) differ.push({ ...j, a, b });
    }
  };
  await Promise.all([worker(), worker()]);

  console.log(
    `base: ${base.label}\nhead: ${head.label}${opts.stream ? '\n(streaming reader)' : ''}`,
  );
  console.log(
    `${plans.length} plans x ${FORMATS.length} formats: ${jobs.length - differ.length} identical, ${differ.length} differ`,
  );
  differ.sort((x, y) => (x.plan + x.format < y.plan + y.format ? -1 : 1));
  for (const d of differ) {
    const name = d.plan.slice(resolve(repo, '../shared/fixtures').length + 1);
    console.log(`  ${name} --format ${d.format}`);
    if (d.a.code !== d.b.code) console.log(`    exit code ${d.a.code} -> ${d.b.code}`);
    if (opts.diffLines > 0) {
      for (const stream of ['stdout', 'stderr']) {
        if (d.a[stream] !== d.b[stream]) {
          console.log(
            `    ${stream}:\n${showDiff(d.a[stream], d.b[stream], opts.diffLines, scratch)}`,
          );
        }
      }
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  process.exitCode = differ.length === 0 ? 0 : 1;
}

await main();
