import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../core/config.js';
import type { Plan } from '../core/plan/index.js';

// The incident's first step: a laptop without the backend configuration plans against a local,
// empty state, and the plan recreates everything that already exists. When the working
// directory has no remote backend and its local state is empty while the plan creates at least
// `risk.empty_state.creates` resources, the guard says so before anything runs.

export interface LocalState {
  /** The backend recorded by `terraform init` (.terraform/terraform.tfstate), or local. */
  backend: string;
  /** The local state file the plan reads, when the backend is local. */
  stateFile?: string;
  /** Resources in that file (0 when it is missing). */
  resources?: number;
}

export function localState(dir: string, env: Record<string, string | undefined>): LocalState {
  const dataDir = join(dir, env.TF_DATA_DIR ?? '.terraform');
  const backendFile = readJson(join(dataDir, 'terraform.tfstate'));
  const backend =
    (backendFile?.backend as { type?: string; config?: { path?: string } } | undefined) ??
    undefined;
  const type = typeof backend?.type === 'string' ? backend.type : 'local';
  if (type !== 'local') return { backend: type };
  let workspace = env.TF_WORKSPACE;
  if (!workspace) {
    try {
      workspace = readFileSync(join(dataDir, 'environment'), 'utf8').trim() || 'default';
    } catch {
      workspace = 'default';
    }
  }
  const configured = typeof backend?.config?.path === 'string' ? backend.config.path : undefined;
  const stateFile =
    workspace === 'default'
      ? join(dir, configured ?? 'terraform.tfstate')
      : join(dir, 'terraform.tfstate.d', workspace, 'terraform.tfstate');
  const state = readJson(stateFile);
  const resources = Array.isArray(state?.resources) ? state.resources.length : 0;
  return { backend: 'local', stateFile, resources };
}

/** The warning, when this directory and plan look like the incident's first step. */
export function preflightWarning(
  local: LocalState,
  plan: Plan,
  config: Config,
): string | undefined {
  if (local.backend !== 'local' || (local.resources ?? 0) > 0) return undefined;
  const creates = plan.resourceChanges.filter(
    (c) => c.mode === 'managed' && c.kind === 'create',
  ).length;
  if (creates < config.risk.empty_state.creates) return undefined;
  return (
    `Local state check: this directory has no remote backend (terraform init recorded none) and its ` +
    `local state ${local.stateFile ?? ''} is empty, yet the plan creates ${creates} resources. ` +
    `That is how the incident began: a missing backend configuration makes everything look new. ` +
    `Configure the backend (terraform init with the team's backend settings) before applying.`
  );
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
