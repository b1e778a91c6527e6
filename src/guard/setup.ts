import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CONFIG_PATH, type Config } from '../core/config.js';
import type { PolicyEngine } from '../core/policies/index.js';
import { parseConfigLoadingPolicies } from '../edge/config.js';
import type { CheckOptions } from './check.js';
import { findApproval } from './ledger.js';

// What every guard command needs: the repository's config (the nearest .github/applygate.yml at
// or above the directory, up to the repository root), the deadline, and the ledger lookup.

export interface GuardSetup {
  cwd: string;
  env: NodeJS.ProcessEnv;
  deadline: number;
  config(dir: string): Promise<
    | {
        ok: true;
        config: Config;
        policies?: PolicyEngine;
        aliases: Record<string, string>;
        file?: string;
      }
    | { ok: false; errors: string[] }
  >;
  ledger: CheckOptions['ledger'];
  /**
   * A new private directory (mkdtemp: mode 0700) for the plans this run checks; they stay there
   * because what runs is `apply <that plan>`.
   */
  keepPlans: () => string;
}

export function guardSetup(opts: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  pull?: number;
  configFile?: string;
}): GuardSetup {
  const deadline = Date.now() + opts.timeoutMs;
  let kept: string | undefined;
  return {
    cwd: opts.cwd,
    env: opts.env,
    deadline,
    keepPlans: () => (kept ??= mkdtempSync(join(tmpdir(), 'applygate-plans-'))),
    config: async (dir) => {
      const file = opts.configFile ?? findConfig(dir);
      let text: string | undefined;
      if (file !== undefined) {
        try {
          text = readFileSync(file, 'utf8');
        } catch (e) {
          return {
            ok: false,
            errors: [`${file}: cannot read the config: ${(e as Error).message}`],
          };
        }
      }
      const parsed = await parseConfigLoadingPolicies(text, file);
      if (!parsed.ok) return parsed;
      return {
        ok: true,
        config: parsed.config,
        ...(parsed.policies ? { policies: parsed.policies } : {}),
        aliases: aliasMap(parsed.config.guard.aliases),
        ...(file ? { file } : {}),
      };
    },
    ledger: (dir, digest, { app, command }) =>
      findApproval({
        dir,
        digest,
        env: opts.env,
        deadline,
        ...(opts.pull !== undefined ? { pull: opts.pull } : {}),
        app,
        command,
      }),
  };
}

/** `.github/applygate.yml` in the directory or the nearest parent, not above the repository root. */
export function findConfig(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, CONFIG_PATH);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(d, '.git')) || dirname(d) === d) return undefined;
  }
}

function aliasMap(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const i = e.indexOf('=');
    out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}
