import { parseArgs } from 'node:util';
import { commandHelp } from './help.js';
import { rootsMatrix } from '../core/projects/roots.js';
import { listChangedRoots } from '../git/changed-roots.js';

// `applygate projects --base REF --head REF`: the Terraform/OpenTofu roots and Terragrunt units
// a pull request touches, as the plan job's JSON matrix (src/git/changed-roots.ts asks git,
// src/core/projects/roots.ts decides). The Action's `projects` mode prints the same.

const PROJECTS_USAGE = commandHelp('projects')!;

export interface ProjectsIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

export function runProjects(argv: readonly string[], io: ProjectsIo): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        base: { type: 'string' },
        head: { type: 'string', default: 'HEAD' },
        dir: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.stderr(`applygate projects: ${(e as Error).message}\n${PROJECTS_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${PROJECTS_USAGE}\n`);
    return 0;
  }
  if (!values.base) {
    io.stderr(`applygate projects: --base is required\n${PROJECTS_USAGE}\n`);
    return 2;
  }
  try {
    const roots = listChangedRoots(values.dir ?? io.cwd, values.base, values.head);
    io.stdout(`${JSON.stringify(rootsMatrix(roots))}\n`);
    return 0;
  } catch (e) {
    io.stderr(`applygate projects: ${(e as Error).message}\n`);
    return 2;
  }
}
