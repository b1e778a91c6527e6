/**
 * The Dockerfile, carried out without Docker: its build context laid out as `docker build .`
 * sends it (.dockerignore honoured, with Docker's own matching rules), then each stage's
 * instructions in order, each stage in a folder of its own standing for the image's file system.
 * RUN steps run on this machine's Node and npm rather than the base image's, which is what a
 * machine without a Docker daemon can check; where a daemon exists the real `docker build` is
 * tested as well. An instruction this does not know fails the test, so the Dockerfile cannot
 * grow a step that goes unchecked.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';

// A CommonJS module whose types declare an ES default export: the factory is also its `.default`.
const dockerignore = dockerignoreModule.default;

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name?: string;
  from: string;
  instructions: Instruction[];
}

/** The stages of a Dockerfile: continuation lines joined, comments and blank lines dropped. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue; // comments inside a continued instruction are dropped
      line = line.replace(/\\\s*$/, ' ') + next.trim();
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start}: cannot read '${line}'`);
    const keyword = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${start}: cannot read FROM '${args}'`);
      stages.push({ from: from[1]!, ...(from[2] ? { name: from[2] } : {}), instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error(`Dockerfile line ${start}: ${keyword} before FROM`);
    stage.instructions.push({ keyword, args, line: start });
  }
  return stages;
}

/** The files of the build context, relative to `root`, as `docker build root` would send them. */
export function contextFiles(root: string): string[] {
  const ignoreFile = join(root, '.dockerignore');
  const patterns = existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8').split('\n') : [];
  const ig = dockerignore().add(patterns);
  // An excluded folder may hold re-included files only when some pattern starts with '!'.
  const canPrune = !patterns.some((p) => p.trim().startsWith('!'));
  const files: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? posix.join(rel, entry.name) : entry.name;
      if (entry.isDirectory()) {
        if (canPrune && ig.ignores(path)) continue;
        walk(path);
      } else if (!ig.ignores(path)) {
        files.push(path);
      }
    }
  };
  walk('');
  return files.sort();
}

/** Copy the build context of `root` into `dest`. */
export function layOutContext(root: string, dest: string): string[] {
  const files = contextFiles(root);
  for (const f of files) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    cpSync(join(root, f), join(dest, f));
  }
  return files;
}

/** What a stage's instructions say about the image, as opposed to its files. */
export interface ImageConfig {
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
  exposed: string[];
  /** The HEALTHCHECK's command, in shell form (its options dropped). */
  healthcheck?: string;
}

export interface BuiltStage extends ImageConfig {
  name?: string;
  /** The folder standing for the stage's file system root. */
  root: string;
}

/** The config a stage gives its image (WORKDIR, ENV, USER, EXPOSE, HEALTHCHECK, CMD), read only. */
export function imageConfig(stage: Stage): ImageConfig {
  const c: ImageConfig = { workdir: '/', env: {}, exposed: [] };
  for (const ins of stage.instructions) configure(c, ins, `Dockerfile line ${ins.line}`);
  return c;
}

/** Apply an instruction that only sets the image's config; false for any other. */
function configure(c: ImageConfig, ins: Instruction, where: string): boolean {
  switch (ins.keyword) {
    case 'WORKDIR':
      c.workdir = posix.resolve(c.workdir, ins.args);
      return true;
    case 'ENV':
      Object.assign(c.env, parseEnv(ins.args, where));
      return true;
    case 'USER':
      c.user = ins.args;
      return true;
    case 'EXPOSE':
      c.exposed.push(...ins.args.split(/\s+/));
      return true;
    case 'HEALTHCHECK': {
      const m = /^(?:--\S+\s+)*CMD\s+(?!\[)(.+)$/.exec(ins.args);
      if (!m) throw new Error(`${where}: only a HEALTHCHECK CMD in shell form is read`);
      c.healthcheck = m[1]!;
      return true;
    }
    case 'CMD':
      c.cmd = JSON.parse(ins.args) as string[];
      return true;
    default:
      return false;
  }
}

export interface BuildOptions {
  context: string;
  /** Where the stages' file systems go (one folder per stage). */
  into: string;
  /** Environment for RUN steps besides the stage's ENV (PATH, npm's cache settings). */
  runEnv: Record<string, string>;
}

/** Carry out every stage of `stages`; the last one is the image. */
export function build(stages: Stage[], opts: BuildOptions): BuiltStage[] {
  const built: BuiltStage[] = [];
  stages.forEach((stage, n) => {
    const root = join(opts.into, `stage-${n}`);
    mkdirSync(root, { recursive: true });
    const s: BuiltStage = {
      ...(stage.name ? { name: stage.name } : {}),
      root,
      workdir: '/',
      env: {},
      exposed: [],
    };
    const inImage = (p: string) => join(root, posix.resolve(s.workdir, p));
    for (const ins of stage.instructions) {
      const where = `Dockerfile line ${ins.line} (${ins.keyword})`;
      if (configure(s, ins, where)) {
        if (ins.keyword === 'WORKDIR') mkdirSync(join(root, s.workdir), { recursive: true });
        continue;
      }
      switch (ins.keyword) {
        case 'COPY': {
          const words = ins.args.split(/\s+/);
          const from = words[0]?.startsWith('--from=') ? words.shift()!.slice(7) : undefined;
          if (words.some((w) => w.startsWith('--')))
            throw new Error(`${where}: unsupported flag in '${ins.args}'`);
          const dest = words.pop();
          if (!dest || words.length === 0)
            throw new Error(`${where}: needs a source and a destination`);
          const source = from === undefined ? undefined : built.find((b) => b.name === from);
          if (from !== undefined && !source) throw new Error(`${where}: no stage named '${from}'`);
          for (const src of words) {
            if (/[*?[]/.test(src))
              throw new Error(`${where}: wildcards are not supported ('${src}')`);
            const path = source
              ? join(source.root, posix.resolve(source.workdir, src))
              : join(opts.context, src);
            if (!existsSync(path))
              throw new Error(
                `${where}: '${src}' is not in the ${source ? `stage '${from}'` : 'build context'}`,
              );
            const target = inImage(dest);
            const isDir = statSync(path).isDirectory();
            // Docker: a file copied to a destination ending in '/' keeps its name.
            const to = !isDir && dest.endsWith('/') ? join(target, posix.basename(src)) : target;
            mkdirSync(isDir ? to : dirname(to), { recursive: true });
            cpSync(path, to, { recursive: true });
          }
          break;
        }
        case 'RUN': {
          if (ins.args.startsWith('[')) throw new Error(`${where}: exec form is not supported`);
          try {
            execFileSync('sh', ['-c', ins.args], {
              cwd: join(root, s.workdir),
              env: { ...opts.runEnv, ...s.env },
              stdio: ['ignore', 'pipe', 'pipe'],
              encoding: 'utf8',
            });
          } catch (err) {
            const e = err as { stdout?: string; stderr?: string };
            throw new Error(`${where} failed: ${ins.args}\n${e.stdout ?? ''}${e.stderr ?? ''}`, {
              cause: err,
            });
          }
          break;
        }
        default:
          throw new Error(
            `${where}: not carried out by this test; teach test/install/dockerfile.ts`,
          );
      }
    }
    built.push(s);
  });
  return built;
}

/** `ENV A=1 B="two words"` (the legacy `ENV A 1` form too). */
function parseEnv(args: string, where: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!args.includes('=')) {
    const [k, ...v] = args.split(/\s+/);
    if (!k) throw new Error(`${where}: empty`);
    env[k] = v.join(' ');
    return env;
  }
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const m of args.matchAll(re)) {
    const raw = m[2] ?? '';
    env[m[1]!] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return env;
}
