#!/usr/bin/env node
import {
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { runCli } from './main.js';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** No BOM and not UTF-16 (the rules of decodePlanBytes): readFileSync(p, 'utf8') reads it the same. */
function isPlainUtf8(p: string): boolean {
  const fd = openSync(p, 'r');
  try {
    const b = Buffer.alloc(3);
    const n = readSync(fd, b, 0, 3, 0);
    if (n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return false;
    if (
      n >= 2 &&
      (b[0] === 0 ||
        b[1] === 0 ||
        (b[0] === 0xff && b[1] === 0xfe) ||
        (b[0] === 0xfe && b[1] === 0xff))
    ) {
      return false;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

// `applygate ... | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const given = process.argv.slice(2);
// `applygate help guard` is `applygate guard --help`, which the guard answers itself.
const argv = given[0] === 'help' && given[1] === 'guard' ? ['guard', '--help'] : given;
// `applygate guard ...` talks to the terminal, Claude Code and child processes itself; it is
// loaded only when asked for, so `summarize` and `check` start as fast as before.
const code =
  argv[0] === 'guard'
    ? await (await import('../guard/index.js')).runGuard(argv.slice(1))
    : argv[0] === 'projects'
      ? (await import('./projects.js')).runProjects(argv.slice(1), {
          stdout: (t) => process.stdout.write(t),
          stderr: (t) => process.stderr.write(t),
          cwd: process.cwd(),
        })
      : await runPlanCommand(argv);

/** The installed package's version: package.json sits two folders above lib/cli/index.js. */
function packageVersion(): string | undefined {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

function runPlanCommand(argv: string[]): Promise<number> {
  return runCli(argv, {
    // Synchronous: one read, no event-loop turns per 512 KB (the CLI has nothing else to do meanwhile).
    readFile: async (p) => readFileSync(p),
    readStdin,
    fileExists: existsSync,
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    version: packageVersion(),
    fileSize: (p) => {
      try {
        const st = statSync(p);
        return st.isFile() ? st.size : undefined;
      } catch {
        return undefined;
      }
    },
    openFile: (p, start) => createReadStream(p, { start, highWaterMark: 1 << 20 }),
    readText: (p) => (isPlainUtf8(p) ? readFileSync(p, 'utf8') : undefined),
  });
}

// Exit as soon as the output is flushed. Left to itself, Node tears down a heap that holds the
// whole plan (and lets the GC finish its work) before the process ends: 50 ms of wall time and
// 90 ms of CPU on a 35 MB plan, for nothing. The write callbacks make sure no output is lost on
// platforms where pipes are asynchronous.
process.exitCode = code;
await Promise.all(
  [process.stdout, process.stderr].map(
    (s) => new Promise<void>((done) => s.write('', () => done())),
  ),
);
process.exit(code);
