import * as core from '@actions/core';
import { parseProjectSpec, type ProjectSpec } from '../core/project-spec.js';

// The only module that reads the Action's inputs. It returns typed settings or throws an error
// that says what was expected.

export type Mode = 'summarize' | 'verify' | 'projects';
export type CommentPolicy = 'always' | 'on-change' | 'never';
export type CommentLayout = 'per-project' | 'combined';

export interface Settings {
  mode: Mode;
  /** `path` may be a glob. */
  plans: ProjectSpec[];
  token: string;
  configPath: string;
  comment: CommentPolicy;
  layout: CommentLayout;
  summaryJsonPath?: string;
  /** `projects` mode: the refs whose changes are listed (empty: the pull request's). */
  base: string;
  head: string;
}

export function getInputs(): Settings {
  const mode = oneOf('mode', ['summarize', 'verify', 'projects'] as const, 'summarize');
  const plans = core
    .getMultilineInput('plan')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map(parseProjectSpec);
  if (plans.length === 0 && mode !== 'projects') {
    throw new Error(
      "Input 'plan' is empty. Expected one plan JSON path or glob per line, optionally name=path.",
    );
  }
  const token = core.getInput('github-token');
  if (token) core.setSecret(token);
  const summaryJsonPath = core.getInput('summary-json-path') || undefined;
  return {
    mode,
    plans,
    token,
    configPath: core.getInput('config') || '.github/applygate.yml',
    comment: oneOf('comment', ['always', 'on-change', 'never'] as const, 'on-change'),
    layout: oneOf('comment-layout', ['per-project', 'combined'] as const, 'per-project'),
    ...(summaryJsonPath ? { summaryJsonPath } : {}),
    base: core.getInput('base'),
    head: core.getInput('head'),
  };
}

function oneOf<T extends string>(name: string, allowed: readonly T[], dflt: T): T {
  const v = core.getInput(name) || dflt;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new Error(`Invalid input '${name}': '${v}'. Expected one of: ${allowed.join(', ')}.`);
  }
  return v as T;
}
