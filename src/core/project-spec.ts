// `name=path` names a project (monorepos); a plain path or glob does not. Shared by the CLI
// arguments and the Action's `plan` input so both read projects the same way.

export interface ProjectSpec {
  name?: string;
  path: string;
}

const NAMED = /^([A-Za-z0-9._-]{1,100})=(.+)$/;

export function parseProjectSpec(spec: string): ProjectSpec {
  const m = NAMED.exec(spec.trim());
  return m ? { name: m[1]!, path: m[2]!.trim() } : { path: spec.trim() };
}

/** The name a project gets when the user gave none: `default` for a lone plan, else its path. */
export function defaultProjectName(path: string, lone: boolean): string {
  return lone ? 'default' : path;
}
