import { compilePattern } from '../approval/codeowners.js';

// `projects:` in `.github/applygate.yml`: in a monorepo, each project (a plan's name, as the
// Action's `plan` input names it) with its folders and its own approval settings. A project's
// destroy is approved by the owners of ITS changed files and its approvers only, never by an
// owner of another changed folder. The schema of `approval` here is the top-level one without
// `command` (one command for the whole repository) and without defaults: a key left out is the
// top-level value.

type ObjectSchema = { type: 'object'; properties: Record<string, unknown> };

/** The `projects` schema, its `approval` built from the top-level `approval` schema. */
export function projectsSchema<A extends ObjectSchema & { properties: { command: unknown } }>(
  approval: A,
) {
  const { command: _command, ...keys } = approval.properties;
  const inherited = Object.fromEntries(
    Object.entries(keys).map(([k, v]) => [k, withoutDefault(v)]),
  ) as Omit<A['properties'], 'command'>;
  return {
    type: 'array',
    description:
      "Monorepo projects, by the name their plan has in the Action's `plan` input (`name=path`). A project's destroy is approved by the code owners of its own changed files (those under `paths`) and its `approval.approvers` only; an owner of another project's folder cannot approve it. A plan whose name is not listed is approved by the owners of changed files outside every listed project's paths, under the top-level `approval`.",
    maxItems: 200,
    default: [],
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'paths'],
      properties: {
        name: {
          type: 'string',
          description: "The project's name: the `name` of its plan in the Action's `plan` input.",
          pattern: '^[A-Za-z0-9._/-]{1,100}$',
        },
        paths: {
          type: 'array',
          description:
            "The project's folders and files, as CODEOWNERS patterns (e.g. `infra/db/`, `infra/db/**`). Code owners of changed files matching them may approve this project.",
          items: { type: 'string', pattern: '^\\S+$' },
          maxItems: 100,
          uniqueItems: true,
        },
        approval: {
          type: 'object',
          description:
            "This project's approval settings: any key of the top-level `approval` but `command`; a key left out takes the top-level value.",
          additionalProperties: false,
          properties: inherited,
        },
      },
    },
  } as const;
}

function withoutDefault(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const { default: _default, ...rest } = v as Record<string, unknown>;
  if (rest['type'] === 'object' && rest['properties']) {
    rest['properties'] = Object.fromEntries(
      Object.entries(rest['properties'] as Record<string, unknown>).map(([k, x]) => [
        k,
        withoutDefault(x),
      ]),
    );
  }
  return rest;
}

/** What the schema cannot check: distinct names, and paths that are valid patterns. */
export function projectsConfigProblems(doc: unknown): string[] {
  const list = (doc as { projects?: unknown } | null)?.projects;
  if (!Array.isArray(list)) return [];
  const problems: string[] = [];
  const seen = new Set<string>();
  (list as { name: string; paths: string[] }[]).forEach((p, i) => {
    if (seen.has(p.name)) {
      problems.push(`\`projects[${i}].name\` ${JSON.stringify(p.name)} is used twice`);
    }
    seen.add(p.name);
    p.paths.forEach((pattern, j) => {
      const c = compilePattern(pattern);
      if ('error' in c) problems.push(`\`projects[${i}].paths[${j}]\`: ${c.error}`);
    });
  });
  return problems;
}
