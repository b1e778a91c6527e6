// The app's production entry (`node lib/app/server.js`, the container's command): Probot's server,
// configured by Probot's environment variables as `probot run` is, plus a graceful stop. Each
// webhook is acknowledged before its evaluation runs (index.ts), so a process killed at once
// would drop evaluations GitHub already considers delivered: a deployment that asked would wait
// for the next event. On SIGTERM (what Docker and Kubernetes send) or SIGINT the server stops
// accepting webhooks, every evaluation already acknowledged finishes, then the process exits.
// Give it a stop grace period of 30 seconds or more (GitHub calls time out and retry).
import { run } from 'probot';
import { applygate, appOptionsFrom, probotEnv } from './index.js';

const app = applygate(appOptionsFrom(process.env));
const server = await run(app, { env: probotEnv(process.env) });

// Probot's own SIGINT handler exits without waiting for the queue: ours replaces it.
process.removeAllListeners('SIGINT');
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void stop(signal);
  });
}

async function stop(signal: string): Promise<void> {
  const started = Date.now();
  // The listener is closed in this turn, before the line says so (tests wait for the line).
  const closed = server.stop();
  log(30, `applygate: ${signal}: no new webhooks; finishing the evaluations under way`);
  let code = 0;
  try {
    await closed;
  } catch (err) {
    log(50, `applygate: could not stop the server cleanly: ${String(err)}`);
    code = 1;
  }
  await app.close();
  log(30, `applygate: stopped after ${Date.now() - started} ms`);
  process.exit(code);
}

/** A line in the format of Probot's logs (pino JSON with LOG_FORMAT=json, else plain). */
function log(level: 30 | 50, msg: string): void {
  const line =
    process.env.LOG_FORMAT === 'json' ? JSON.stringify({ level, time: Date.now(), msg }) : msg;
  (level >= 50 ? process.stderr : process.stdout).write(`${line}\n`);
}
