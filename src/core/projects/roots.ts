// Which Terraform/OpenTofu roots and Terragrunt units a pull request touches (`applygate
// projects`, the Action's `projects` mode): the plan job's matrix. Pure: the adapter lists the
// files of the head tree, reads the configuration files it is asked for, and names the changed
// files (git diff base...head).
//
// - A folder with .tf/.tofu files is a module; a module that no other folder uses as a local
//   module (`source = "../modules/x"`) is a root.
// - A folder with a terragrunt.hcl that has a `terraform` or `include` block is a unit (the
//   repository's parent terragrunt.hcl/root.hcl, which units include, is not).
// - A changed .tf/.tofu/.tfvars/.hcl file touches the nearest folder at or above it that is a
//   module, root or unit; a changed module touches every folder that uses it, transitively; a
//   changed .hcl file that is no unit's own (a parent config, env.hcl) touches every unit below
//   its folder.

export type RootKind = 'terraform' | 'terragrunt';

export interface Root {
  /** The folder, relative to the repository root, `.` for the root folder. */
  path: string;
  kind: RootKind;
}

export interface TreeReader {
  /** Every file path of the head tree, `/`-separated, relative to the repository root. */
  files: readonly string[];
  /** The text of one of those files (only configuration files are asked for). */
  read(path: string): string;
}

const CONFIG_EXT = /\.(tf|tofu|tfvars|hcl)$|\.tf\.json$|\.tofu\.json$|\.tfvars\.json$/;
const MODULE_FILE = /\.(tf|tofu)$|\.tf\.json$|\.tofu\.json$/;
const UNIT_FILE = 'terragrunt.hcl';

/** The roots and units that `changed` (paths, deleted ones included) touch, sorted by path. */
export function changedRoots(tree: TreeReader, changed: readonly string[]): Root[] {
  const modules = new Set<string>();
  const units = new Set<string>();
  for (const f of tree.files) {
    if (MODULE_FILE.test(f)) modules.add(dirOf(f));
    if (baseOf(f) === UNIT_FILE && isUnit(tree.read(f))) units.add(dirOf(f));
  }
  // Who uses whom: for each folder, the local module folders its configuration names.
  const usedBy = new Map<string, Set<string>>();
  const use = (user: string, module: string) => {
    if (!usedBy.has(module)) usedBy.set(module, new Set());
    usedBy.get(module)!.add(user);
  };
  for (const f of tree.files) {
    const dir = dirOf(f);
    if (MODULE_FILE.test(f)) {
      for (const s of localSources(tree.read(f), dir)) use(dir, s);
    } else if (baseOf(f) === UNIT_FILE && units.has(dir)) {
      for (const s of localSources(tree.read(f), dir)) use(dir, s);
    }
  }
  const isRoot = (d: string) => units.has(d) || (modules.has(d) && !usedBy.has(d));
  const known = (d: string) => modules.has(d) || units.has(d);

  // The folders the changed files touch directly.
  const touched = new Set<string>();
  for (const f of changed) {
    if (!CONFIG_EXT.test(f)) continue;
    const dir = dirOf(f);
    if (f.endsWith('.hcl') && !units.has(dir)) {
      // A shared .hcl (parent config, env.hcl): every unit below its folder includes it.
      for (const u of units) if (isWithin(u, dir)) touched.add(u);
      continue;
    }
    const own = nearest(dir, known);
    if (own !== undefined) touched.add(own);
  }
  // A changed module touches whoever uses it, transitively.
  const queue = [...touched];
  while (queue.length > 0) {
    const m = queue.pop()!;
    for (const user of usedBy.get(m) ?? []) {
      if (!touched.has(user)) {
        touched.add(user);
        queue.push(user);
      }
    }
  }
  return [...touched]
    .filter(isRoot)
    .sort()
    .map((path) => ({ path, kind: units.has(path) ? 'terragrunt' : 'terraform' }));
}

/** The plan job's matrix: `{"include": [{"name", "path", "kind"}]}` (name: the path). */
export function rootsMatrix(roots: readonly Root[]): {
  include: { name: string; path: string; kind: RootKind }[];
} {
  return { include: roots.map((r) => ({ name: r.path, path: r.path, kind: r.kind })) };
}

/** A terragrunt.hcl that configures a unit (not only the parent config units include). */
function isUnit(text: string): boolean {
  const code = stripComments(text);
  return /^\s*(terraform|include(\s+"[^"]*")?)\s*\{/m.test(code);
}

/**
 * The local module folders a configuration file names, relative to the repository root:
 * `source = "./x"`, `"../modules/x"`, `"../modules//x"` (a subfolder of a package), and in
 * Terragrunt `"${get_repo_root()}/modules/x"` and `"${get_terragrunt_dir()}/../x"`. Registry,
 * git and other remote sources are not followed.
 */
export function localSources(text: string, dir: string): string[] {
  const out: string[] = [];
  for (const m of stripComments(text).matchAll(/\bsource\s*=\s*"([^"\n]+)"/g)) {
    let src = m[1]!;
    let base = dir;
    if (src.startsWith('${get_repo_root()}/')) {
      base = '.';
      src = `./${src.slice('${get_repo_root()}/'.length)}`;
    } else if (src.startsWith('${get_terragrunt_dir()}/')) {
      src = `./${src.slice('${get_terragrunt_dir()}/'.length)}`;
    }
    if (!src.startsWith('./') && !src.startsWith('../')) continue;
    // `a//b`: the package is `a`, the module its subfolder `b`.
    const path = joinPath(base, src.replace('//', '/').replace(/\?.*$/, ''));
    if (path !== undefined) out.push(path);
  }
  return out;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)(#|\/\/)[^\n]*/g, '$1');
}

function nearest(dir: string, known: (d: string) => boolean): string | undefined {
  let d: string | undefined = dir;
  while (d !== undefined) {
    if (known(d)) return d;
    d = d === '.' ? undefined : dirOf(d);
  }
  return undefined;
}

function isWithin(path: string, dir: string): boolean {
  return dir === '.' || path === dir || path.startsWith(`${dir}/`);
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `base` joined with a relative path; undefined when it climbs out of the repository. */
function joinPath(base: string, rel: string): string | undefined {
  const parts = base === '.' ? [] : base.split('/');
  for (const p of rel.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(p);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}
