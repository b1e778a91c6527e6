import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/shared.js';

// Runs the bundled Action (dist/index.js) the way the runner does: a node process with inputs
// as INPUT_* variables and the GITHUB_* files and variables a job step gets.

export const DIST = join(repoRoot, 'dist/index.js');

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export interface RunOptions {
  inputs: Record<string, string>;
  apiUrl: string;
  event: { name: string; payload: unknown };
  repository: string;
  sha: string;
  runId?: number;
  cwd: string;
  /** More environment variables for the step. */
  env?: Record<string, string>;
}

export function runAction(o: RunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'applygate-runner-'));
  const files = {
    event: join(dir, 'event.json'),
    output: join(dir, 'output'),
    summary: join(dir, 'summary.md'),
  };
  writeFileSync(files.event, JSON.stringify(o.event.payload));
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: o.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_GRAPHQL_URL: `${o.apiUrl}/graphql`,
    GITHUB_EVENT_NAME: o.event.name,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: o.repository,
    GITHUB_SHA: o.sha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: String(o.runId ?? 1001),
    GITHUB_RUN_NUMBER: '7',
    GITHUB_WORKSPACE: o.cwd,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: dir,
    ...o.env,
  };
  for (const [k, v] of Object.entries(o.inputs))
    env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [DIST],
      { cwd: o.cwd, env, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({
          code: err ? ((err as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
          outputs: parseOutputs(readFileSync(files.output, 'utf8')),
          summary: readFileSync(files.summary, 'utf8'),
        });
      },
    );
  });
}

/** The GITHUB_OUTPUT file format: `name<<DELIM\nvalue\nDELIM`. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}
