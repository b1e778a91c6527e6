/**
 * A real `redis-server` for the tests of the lock across replicas (never a stand-in for Redis):
 * started on a free loopback port with nothing persisted, stopped by the test. CI installs
 * Debian's redis-server (.ci/run); where the binary is absent, the tests that need it skip and say
 * so (redisMissing).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from '../app/harness.js';

/** Why Redis tests cannot run here, or undefined when `redis-server` is on the PATH. */
export const redisMissing: string | undefined = (() => {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return found.status === 0
    ? undefined
    : 'redis-server is not installed (Debian: apt-get install redis-server; .ci/run does it)';
})();

export interface RedisServer {
  /** `redis://127.0.0.1:PORT`, as REDIS_URL. */
  url: string;
  port: number;
  /** Stop it (SIGTERM) and wait until it has exited. */
  stop(): Promise<void>;
  /** Whether it is running. */
  running(): boolean;
}

/** Start `redis-server` on a free port of 127.0.0.1; resolves once it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  if (redisMissing) throw new Error(redisMissing);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    running: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
