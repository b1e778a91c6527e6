import { spawn, type ChildProcess } from 'node:child_process';

// Child processes of the guard (terraform plan, git, gh), each in a process group of its own so
// that a deadline stops the whole group (terraform runs providers as children), and every one
// still running is stopped before the guard answers: a timed-out hook leaves nothing behind.

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The program is not installed (not on PATH). */
  missing: boolean;
}

const running = new Set<ChildProcess>();

export function runChild(
  command: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; deadline: number },
): Promise<Ran> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: opts.cwd,
        env: opts.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
      });
    } catch (e) {
      resolve({
        code: null,
        signal: null,
        stdout: '',
        stderr: (e as Error).message,
        timedOut: false,
        missing: false,
      });
      return;
    }
    running.add(child);
    const timer = setTimeout(
      () => {
        timedOut = true;
        stop(child);
      },
      Math.max(0, opts.deadline - Date.now()),
    );
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({
        code: null,
        signal: null,
        stdout: '',
        stderr: e.message,
        timedOut,
        missing: e.code === 'ENOENT',
      });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        missing: false,
      });
    });
  });
}

function stop(child: ChildProcess) {
  try {
    if (child.pid !== undefined && process.platform !== 'win32')
      process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    // already gone
  }
}

/** Stop every child still running (the guard is about to answer and exit). */
export function stopAll() {
  for (const c of running) stop(c);
  running.clear();
}
