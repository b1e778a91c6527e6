import { posix } from 'node:path';
import type { Node as SyntaxNode, Parser as TsParser } from 'web-tree-sitter';
import { toolWordPattern } from './words.js';
import { unwrap as unwrapWrapper, type Unwrapped, type Word } from './wrappers.js';

// Which terraform / tofu / terragrunt commands would a shell line run, where, and with what
// environment? The line is parsed by tree-sitter-bash (the grammar GitHub and editors use), then
// walked like a shell would run it: `cd` moves the directory of what follows, `export` and
// prefix assignments reach the environment, wrappers (sudo, env, xargs, sh -c, ...) are
// unwrapped, and command and process substitutions, subshells, functions, loops and
// here-documents fed to a shell are looked into. Whatever cannot be known before the line runs
// (a command name computed at run time, `eval` of a variable, a shell reading a pipe, a word
// that hides terraform behind an unknown wrapper) is a refusal with the reason: the guard never
// allows what it could not see.

export type Tool = 'terraform' | 'tofu' | 'terragrunt';
export const TOOLS: readonly Tool[] = ['terraform', 'tofu', 'terragrunt'];

/** One terraform-family command the line would run. */
export interface ToolCall {
  tool: Tool;
  /**
   * The program the command runs, as the line names it after aliases (`terraform`,
   * `/usr/local/bin/terraform`, `./tofu`); the tool's name when the path is computed at run time.
   * The guard's plan and the apply of the plan checked run this program.
   */
  program: string;
  /** The command as written in the line, for messages. */
  text: string;
  /** Words after the tool name, quotes removed; undefined where a word is computed at run time. */
  args: (string | undefined)[];
  /** More arguments are added at run time (xargs, find -exec {}). */
  moreArgs: boolean;
  /** Environment assignments in force for the command (prefixes, export, env NAME=V). */
  env: Record<string, string | undefined>;
  /** Absolute directory the command runs in; undefined when a `cd` went somewhere unknowable. */
  cwd: string | undefined;
  /** Wrappers the command was found inside, outermost first (sudo, sh -c, xargs, ...). */
  via: string[];
}

export interface Refusal {
  text: string;
  reason: string;
}

export interface LineAnalysis {
  calls: ToolCall[];
  refusals: Refusal[];
  /** Commands that are neither terraform-family calls nor neutral builtins (cd, export, echo). */
  others: string[];
  /**
   * Every command the line runs besides terraform-family calls and `cd`/`export` (echo and `:`
   * too: with a redirection they write files), in line order.
   */
  steps: string[];
  /** Redirections that read or write a file or feed standard input (not `2>&1`, `>/dev/null`). */
  redirects: string[];
  /** Tool words the guard cannot follow in commands that may not run them: asked, not ignored. */
  asks: Refusal[];
}

export interface LineContext {
  /** The directory the line starts in (the hook's `cwd`). */
  cwd: string;
  home: string | undefined;
  /** `tf=terraform`, `tfa=terraform apply`: names the user's shell expands (config guard.aliases). */
  aliases: Readonly<Record<string, string>>;
  /** tree-sitter-bash, loaded by the adapter (src/guard/parser.ts): core does no I/O. */
  parser: TsParser;
}

/** Longest line analysed; beyond it the guard refuses rather than spend the hook's time. */
export const MAX_LINE = 100_000;
const MAX_DEPTH = 12;

const NEUTRAL = new Set([
  'cd',
  'pushd',
  'popd',
  'export',
  'true',
  'false',
  ':',
  'echo',
  'printf',
  'pwd',
]);

/** Commands that take other commands' names as plain data, never running them. */
const NEVER_RUN_ARGS = new Set([
  'echo',
  'printf',
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'ag',
  'ack',
  'man',
  'info',
  'which',
  'whereis',
  'type',
  'hash',
  'cat',
  'bat',
  'less',
  'more',
  'head',
  'tail',
  'wc',
  'ls',
  'file',
  'stat',
  'git',
  'gh',
  'brew',
  'apt',
  'apt-get',
  'dnf',
  'yum',
  'apk',
  'pacman',
  'asdf',
  'mise',
  'tfenv',
  'tofuenv',
  'tgenv',
  'curl',
  'wget',
  'sed',
  'awk',
  'jq',
  'yq',
  'diff',
  'alias',
  'unalias',
]);

/**
 * Commands that run what they are given in a way the guard cannot follow: interpreters' program
 * strings, remote and container shells, other users' shells, terminal multiplexers.
 */
const RUNS_WHAT_IT_IS_GIVEN =
  /^(python[0-9.]*|node|nodejs|deno|bun|perl|ruby|php|lua|osascript|expect|ssh|mosh|su|runuser|doas|script|docker|podman|nerdctl|kubectl|oc|tmux|screen|parallel|at|batch|crontab|systemd-run|flock|setsid|chroot|nsenter|unshare|vagrant|gcloud|aws|az)$/;

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'busybox']);

interface Scope {
  cwd: string | undefined;
  vars: Map<string, string | undefined>;
  env: Record<string, string | undefined>;
  via: string[];
  depth: number;
  /** The command reads its standard input from a pipe (a shell there would run what it reads). */
  piped: boolean;
  /** A here-document or here-string given to the command. */
  stdinText?: string;
}

function emptyAnalysis(): LineAnalysis {
  return { calls: [], refusals: [], others: [], steps: [], redirects: [], asks: [] };
}

export async function analyzeLine(line: string, ctx: LineContext): Promise<LineAnalysis> {
  const out = emptyAnalysis();
  if (line.length > MAX_LINE) {
    out.refusals.push({
      text: `${line.slice(0, 60)}…`,
      reason: `the command is ${line.length.toLocaleString('en-US')} characters long; applygate analyses at most ${MAX_LINE.toLocaleString('en-US')}`,
    });
    return out;
  }
  const scope: Scope = { cwd: ctx.cwd, vars: new Map(), env: {}, via: [], depth: 0, piped: false };
  await new Walker(ctx.parser, ctx, out).script(line, scope);
  return out;
}

/** The same analysis for a command given as words (`applygate guard exec -- terraform apply`). */
export async function analyzeArgv(
  argv: readonly string[],
  ctx: LineContext,
): Promise<LineAnalysis> {
  const out = emptyAnalysis();
  const scope: Scope = { cwd: ctx.cwd, vars: new Map(), env: {}, via: [], depth: 0, piped: false };
  await new Walker(ctx.parser, ctx, out).words(
    argv.map((w) => ({ value: w, tail: w })),
    scope,
    argv.join(' '),
  );
  return out;
}

class Walker {
  constructor(
    private readonly parser: TsParser,
    private readonly ctx: LineContext,
    private readonly out: LineAnalysis,
  ) {}

  private refuse(text: string, reason: string) {
    this.out.refusals.push({ text: clip(text), reason });
  }

  /** Parse and walk a script (the line itself, `sh -c '…'`, a here-document fed to a shell). */
  async script(source: string, scope: Scope): Promise<void> {
    if (scope.depth > MAX_DEPTH) {
      this.refuse(source, `commands nested more than ${MAX_DEPTH} deep`);
      return;
    }
    const tree = this.parser.parse(source);
    if (!tree) {
      this.refuse(source, 'the shell parser gave no result');
      return;
    }
    try {
      const root = tree.rootNode;
      if (root.hasError) {
        this.refuse(source, `cannot parse it as a shell command: ${syntaxError(root)}`);
        return;
      }
      await this.sequence(root.namedChildren, scope);
    } finally {
      tree.delete();
    }
  }

  /** Statements run one after the other in the same shell: a `cd` moves what follows. */
  private async sequence(nodes: (SyntaxNode | null)[], scope: Scope): Promise<void> {
    for (const n of nodes) if (n) await this.node(n, scope);
  }

  private async node(n: SyntaxNode, scope: Scope): Promise<void> {
    switch (n.type) {
      case 'comment':
        return;
      case 'command':
        return this.command(n, scope);
      case 'list': {
        // a && b, a || b: b runs in the directory a left, except after a failed `cd` (a || b).
        const [a, b] = n.namedChildren;
        const op = n.children.find((c) => c && (c.type === '&&' || c.type === '||'))?.type;
        const before = scope.cwd;
        if (a) await this.node(a, scope);
        if (b && op === '||' && a && isCd(a)) {
          const after = scope.cwd;
          scope.cwd = before;
          await this.node(b, scope);
          scope.cwd = after;
        } else if (b) await this.node(b, scope);
        return;
      }
      case 'pipeline': {
        // Every part of a pipeline runs in a subshell of its own; all but the first read a pipe.
        const parts = n.namedChildren.filter((c): c is SyntaxNode => c !== null);
        for (const [i, c] of parts.entries()) await this.node(c, fork(scope, { piped: i > 0 }));
        return;
      }
      case 'subshell':
        return this.sequence(n.namedChildren, fork(scope));
      case 'redirected_statement': {
        const body = n.childForFieldName('body');
        let stdinText: string | undefined;
        for (const r of n.childrenForFieldName('redirect')) {
          if (r && movesData(r)) this.out.redirects.push(clip(r.text));
          if (r?.type === 'heredoc_redirect') {
            stdinText = r.namedChildren.find((c) => c?.type === 'heredoc_body')?.text ?? '';
          }
          if (r) await this.substitutions(r, scope);
        }
        if (body) await this.node(body, stdinText === undefined ? scope : { ...scope, stdinText });
        return;
      }
      case 'variable_assignment':
        return this.assignment(n, scope, scope);
      case 'declaration_command': {
        // export / declare / local / readonly NAME=VALUE: values become known variables; export
        // puts them in the environment of later commands.
        const exported = n.child(0)?.type === 'export';
        for (const c of n.namedChildren) {
          if (c?.type === 'variable_assignment') {
            await this.assignment(c, scope, scope);
            if (exported) scope.env[nameOf(c)] = scope.vars.get(nameOf(c));
          } else if (c?.type === 'variable_name' && exported) {
            scope.env[c.text] = scope.vars.get(c.text);
          } else if (c) await this.substitutions(c, scope);
        }
        return;
      }
      case 'function_definition':
      case 'if_statement':
      case 'while_statement':
      case 'for_statement':
      case 'c_style_for_statement':
      case 'case_statement':
      case 'compound_statement':
      case 'do_group':
      case 'else_clause':
      case 'elif_clause':
      case 'case_item':
      case 'negated_command':
      case 'test_command':
      case 'unset_command': {
        // Bodies that may run (a function may be called, a loop may iterate) are looked into as
        // if they ran; a `cd` inside leaves the directory after them unknown.
        const inner = { ...scope, vars: new Map(scope.vars), env: { ...scope.env } };
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (isStatement(c)) await this.node(c, inner);
          else await this.substitutions(c, inner);
        }
        if (inner.cwd !== scope.cwd) scope.cwd = undefined;
        return;
      }
      default:
        return this.substitutions(n, scope);
    }
  }

  /** Command and process substitutions anywhere inside a node run too, in a subshell. */
  private async substitutions(n: SyntaxNode, scope: Scope): Promise<void> {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'command_substitution' || c.type === 'process_substitution') {
        await this.sequence(c.namedChildren, fork(scope));
      } else if (isStatement(c)) {
        await this.node(c, scope);
      } else {
        await this.substitutions(c, scope);
      }
    }
  }

  private async assignment(n: SyntaxNode, scope: Scope, target: Scope): Promise<void> {
    const value = n.childForFieldName('value');
    if (value) await this.substitutions(n, scope);
    target.vars.set(nameOf(n), value ? this.word(value, scope).value : '');
  }

  private async command(n: SyntaxNode, scope: Scope): Promise<void> {
    await this.substitutions(n, scope);
    const local: Scope = { ...scope, env: { ...scope.env } };
    for (const c of n.namedChildren) {
      if (c?.type === 'variable_assignment') {
        const v = c.childForFieldName('value');
        local.env[nameOf(c)] = v ? this.word(v, scope).value : '';
      }
    }
    for (const r of n.childrenForFieldName('redirect')) {
      if (r && movesData(r)) this.out.redirects.push(clip(r.text));
      if (r?.type === 'herestring_redirect') {
        const w = r.namedChildren[0];
        local.stdinText = w ? (this.word(w, scope).value ?? '$(unknown)') : '';
      }
    }
    const name = n.childForFieldName('name')?.namedChildren[0];
    if (!name) return;
    const words = [name, ...n.childrenForFieldName('argument')]
      .filter((w): w is SyntaxNode => w !== null)
      .map((w) => this.word(w, scope));
    // A plain `cd` moves this shell (a prefix assignment does not change that).
    if (words[0]?.value === 'cd' || words[0]?.value === 'pushd' || words[0]?.value === 'popd') {
      scope.cwd = this.cd(words, scope.cwd);
      return;
    }
    await this.words(words, local, n.text);
  }

  /** The directory after `cd DIR` (undefined when it cannot be known). */
  private cd(words: Word[], from: string | undefined): string | undefined {
    if (words[0]?.value === 'popd') return undefined;
    const args = words.slice(1).filter((w) => !(w.value ?? '').match(/^-[LPe@]+$/));
    if (args.length === 0) return this.ctx.home;
    const dir = args[0]?.value;
    if (dir === undefined || dir === '-' || from === undefined) return undefined;
    return this.path(dir, from);
  }

  private path(dir: string, from: string): string | undefined {
    if (dir === '~' || dir.startsWith('~/')) {
      return this.ctx.home === undefined ? undefined : posix.join(this.ctx.home, dir.slice(1));
    }
    if (dir.startsWith('~')) return undefined;
    return posix.resolve(from, dir);
  }

  /** What a command made of these words runs: unwrap wrappers down to the command itself. */
  async words(words: Word[], scope: Scope, text: string): Promise<void> {
    let rest = words;
    const via = [...scope.via];
    const env = { ...scope.env };
    let cwd = scope.cwd;
    let moreArgs = false;
    for (let guard = 0; guard < 32; guard++) {
      const head = rest[0];
      if (!head) return;
      const name = head.value ?? head.tail;
      if (name === undefined || name === '') {
        this.refuse(
          text,
          `the command name is computed when the line runs, so applygate cannot see what it runs`,
        );
        return;
      }
      const base = posix.basename(name);
      const alias = this.ctx.aliases[base];
      if (alias !== undefined && head.value !== undefined && !via.includes(`alias ${base}`)) {
        via.push(`alias ${base}`);
        rest = [
          ...alias
            .split(/\s+/)
            .filter(Boolean)
            .map((w) => ({ value: w, tail: w })),
          ...rest.slice(1),
        ];
        continue;
      }
      const tool = TOOLS.find((t) => t === base || t === base.replace(/\.exe$/, ''));
      if (tool) {
        this.out.calls.push({
          tool,
          program: head.value ?? tool,
          text: clip(text),
          args: rest.slice(1).map((w) => w.value),
          moreArgs,
          env,
          cwd,
          via,
        });
        return;
      }
      const args = rest.slice(1);
      const unwrapped = this.unwrap(base, args, cwd);
      if (unwrapped === 'not-a-wrapper') {
        this.plainCommand(base, args, text, via);
        return;
      }
      if ('refuse' in unwrapped) {
        this.refuse(text, unwrapped.refuse);
        return;
      }
      if ('script' in unwrapped) {
        if (unwrapped.script === undefined) {
          this.refuse(text, `\`${base}\` runs a script computed when the line runs`);
          return;
        }
        via.push(unwrapped.label);
        await this.script(unwrapped.script, {
          cwd: unwrapped.cwd === null ? undefined : (unwrapped.cwd ?? cwd),
          vars: new Map(scope.vars),
          env: { ...env, ...unwrapped.env },
          via,
          depth: scope.depth + 1,
          piped: false,
        });
        return;
      }
      if ('stdinScript' in unwrapped) {
        via.push(unwrapped.label);
        if (scope.stdinText !== undefined) {
          await this.script(scope.stdinText, {
            ...scope,
            via,
            env,
            cwd,
            depth: scope.depth + 1,
            stdinText: undefined,
            piped: false,
          });
        } else if (scope.piped) {
          this.refuse(
            text,
            `\`${base}\` runs commands it reads from a pipe, which applygate cannot see`,
          );
        } else {
          // `bash < script.sh`, or a shell reading whatever its standard input holds: a script
          // applygate does not read.
          this.refuse(
            text,
            `\`${base}\` runs commands from its standard input (a file or the terminal), which applygate cannot see`,
          );
        }
        return;
      }
      via.push(unwrapped.label);
      Object.assign(env, unwrapped.env ?? {});
      if (unwrapped.cwd !== undefined) cwd = unwrapped.cwd === null ? undefined : unwrapped.cwd;
      moreArgs ||= unwrapped.moreArgs === true;
      rest = unwrapped.inner;
    }
    this.refuse(text, 'too many wrappers around one command');
  }

  /** A command applygate does not know: fine, unless terraform shows up in its arguments. */
  private plainCommand(base: string, args: Word[], text: string, _via: string[]) {
    this.out.steps.push(base);
    if (!NEUTRAL.has(base)) this.out.others.push(base);
    if (NEVER_RUN_ARGS.has(base)) return;
    const i = args.findIndex((w) => {
      const b = w.value === undefined ? undefined : posix.basename(w.value);
      return b !== undefined && (TOOLS.includes(b as Tool) || this.ctx.aliases[b] !== undefined);
    });
    if (i >= 0 && i < args.length - 1) {
      this.refuse(
        text,
        `\`${base}\` seems to run ${args[i]?.value} with arguments, and applygate does not know how \`${base}\` runs commands; run ${args[i]?.value} directly`,
      );
      return;
    }
    // A tool word anywhere in the arguments of a command the guard cannot follow (a program
    // string for an interpreter, a remote shell, a container image, a make variable) is never
    // ignored: refused where the command is known to run what it is given, asked otherwise.
    const word = args.find((w) => this.toolWordIn(w.value ?? w.tail ?? ''));
    if (word === undefined) return;
    const reason = `\`${base}\` is given ${clip(word.value ?? word.tail ?? '')}, which names terraform, tofu or terragrunt, and applygate cannot follow what \`${base}\` does with it; run the terraform command directly, on its own line`;
    if (RUNS_WHAT_IT_IS_GIVEN.test(base)) this.refuse(text, reason);
    else this.out.asks.push({ text: clip(text), reason });
  }

  /** Whether a string holds a tool word (or a configured alias) as a word of its own. */
  private toolWordIn(s: string): boolean {
    return toolWordPattern(Object.keys(this.ctx.aliases)).test(s);
  }

  /**
   * The command a wrapper runs: shells and `eval` here, every other wrapper by its row of the one
   * table (WRAPPERS in wrappers.ts).
   */
  private unwrap(base: string, args: Word[], cwd: string | undefined): Unwrapped {
    if (base === 'eval') {
      const words = args.map((w) => w.value);
      if (words.some((w) => w === undefined))
        return { refuse: '`eval` runs a string computed when the line runs' };
      return { label: 'eval', script: words.join(' ') };
    }
    if (SHELLS.has(base)) return shell(base, args);
    return unwrapWrapper(base, args, {
      cwd,
      isTool: (w) => {
        const b = posix.basename(w);
        return (
          TOOLS.includes(b as Tool) ||
          TOOLS.includes(b.replace(/\.exe$/, '') as Tool) ||
          this.ctx.aliases[b] !== undefined
        );
      },
    });
  }

  /** A word's value when it can be known before the line runs. */
  word(n: SyntaxNode, scope: Scope): Word {
    const value = this.value(n, scope);
    return { value, tail: value ?? this.tail(n, scope) };
  }

  /** The literal text after the last `/` of a word whose start is computed (`"$VENV/bin/x"`). */
  private tail(n: SyntaxNode, scope: Scope): string | undefined {
    if (n.type !== 'concatenation' && n.type !== 'string') return undefined;
    const parts = n.namedChildren.filter((c): c is SyntaxNode => c !== null);
    let text = '';
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i] as SyntaxNode;
      const v = p.type === 'string_content' ? unescapeDouble(p.text) : this.value(p, scope);
      if (v === undefined) return undefined;
      text = v + text;
      if (text.includes('/')) return text.slice(text.lastIndexOf('/') + 1);
    }
    return undefined;
  }

  private value(n: SyntaxNode, scope: Scope): string | undefined {
    switch (n.type) {
      case 'word':
      case 'number': {
        const t = unescapeWord(n.text);
        if (t.startsWith('~') && n.parent?.type !== 'concatenation') {
          const slash = t.indexOf('/');
          const user = slash < 0 ? t.slice(1) : t.slice(1, slash);
          if (user !== '' || this.ctx.home === undefined) return undefined;
          return this.ctx.home + (slash < 0 ? '' : t.slice(slash));
        }
        return t;
      }
      case 'raw_string':
        return n.text.slice(1, -1);
      case 'ansi_c_string':
        return ansiC(n.text.slice(2, -1));
      case 'string':
      case 'translated_string': {
        let s = '';
        const str = n.type === 'translated_string' ? n.namedChildren[0] : n;
        if (!str) return undefined;
        for (const c of str.children) {
          if (!c) continue;
          if (c.type === '"') continue;
          if (c.type === 'string_content') s += unescapeDouble(c.text);
          else if (c.type === '$') s += '$';
          else {
            const x = this.value(c, scope);
            if (x === undefined) return undefined;
            s += x;
          }
        }
        return s;
      }
      case 'concatenation': {
        let s = '';
        for (const c of n.children) {
          if (!c) continue;
          const x = c.isNamed ? this.value(c, scope) : c.text;
          if (x === undefined) return undefined;
          s += x;
        }
        return s;
      }
      case 'simple_expansion':
      case 'expansion': {
        const inner = n.namedChildren;
        if (inner.length !== 1 || inner[0]?.type !== 'variable_name') return undefined;
        if (n.type === 'expansion' && n.text !== `\${${inner[0].text}}`) return undefined;
        return scope.vars.get(inner[0].text);
      }
      default:
        return undefined;
    }
  }
}

/** `bash -lc 'script'`, `sh -c …`; a shell without -c and without a file reads its standard input. */
function shell(base: string, args: Word[]): Unwrapped {
  let command = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]?.value;
    if (a === undefined) {
      if (command) break;
      return { refuse: `an option of \`${base}\` is computed at run time` };
    }
    if (a === '--' || a === '-') {
      i++;
      break;
    }
    if (base === 'busybox' && i === 0 && a === 'sh') continue;
    if (/^--(rcfile|init-file)$/.test(a) || /^[-+]O$|^[-+]o$/.test(a)) {
      i++;
      continue;
    }
    if (a.startsWith('--')) continue;
    if (/^[-+][A-Za-z]+$/.test(a)) {
      if (a.startsWith('-') && a.includes('c')) command = true;
      if (a.startsWith('-') && a.includes('s')) return { label: base, stdinScript: true };
      continue;
    }
    break;
  }
  if (command) return { label: `${base} -c`, script: args[i]?.value };
  if (i >= args.length) return { label: base, stdinScript: true };
  // `bash deploy.sh`: the script file is not followed (docs/guard.md says so; the PATH shim
  // of `applygate guard exec` covers scripts).
  return 'not-a-wrapper';
}

function fork(scope: Scope, extra: Partial<Scope> = {}): Scope {
  return {
    ...scope,
    vars: new Map(scope.vars),
    env: { ...scope.env },
    stdinText: undefined,
    piped: false,
    ...extra,
  };
}

function isCd(n: SyntaxNode): boolean {
  const name = n.type === 'command' ? n.childForFieldName('name')?.text : undefined;
  return name === 'cd' || name === 'pushd';
}

function nameOf(assignment: SyntaxNode): string {
  return assignment.childForFieldName('name')?.text ?? '';
}

const STATEMENTS = new Set([
  'command',
  'list',
  'pipeline',
  'subshell',
  'redirected_statement',
  'variable_assignment',
  'declaration_command',
  'function_definition',
  'if_statement',
  'while_statement',
  'for_statement',
  'c_style_for_statement',
  'case_statement',
  'compound_statement',
  'negated_command',
  'test_command',
  'unset_command',
  'do_group',
  'else_clause',
  'elif_clause',
  'case_item',
]);

function isStatement(n: SyntaxNode): boolean {
  return STATEMENTS.has(n.type);
}

/** Where the parse failed, as the user's own text. */
function syntaxError(root: SyntaxNode): string {
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as SyntaxNode;
    if (n.isMissing) return `missing ${JSON.stringify(n.type)} at character ${n.startIndex + 1}`;
    if (n.isError)
      return `unexpected ${JSON.stringify(clip(n.text, 30))} at character ${n.startIndex + 1}`;
    for (const c of [...n.children].reverse()) if (c?.hasError || c?.isMissing) stack.push(c);
  }
  return 'unbalanced quotes or brackets';
}

function unescapeWord(s: string): string {
  return s.replace(/\\\n/g, '').replace(/\\(.)/gs, '$1');
}

function unescapeDouble(s: string): string {
  return s.replace(/\\\n/g, '').replace(/\\([$`"\\])/g, '$1');
}

const C_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** $'…' quoting: the escapes bash decodes. */
function ansiC(s: string): string {
  return s.replace(
    /\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.|.)/gs,
    (_, e: string) => {
      if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
      if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
      if (e.startsWith('c')) return String.fromCharCode((e.charCodeAt(1) ?? 64) & 31);
      return C_ESCAPES[e] ?? `\\${e}`;
    },
  );
}

function clip(s: string, max = 200): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/**
 * Whether a redirection moves data in or out of a file (or feeds standard input): anything but
 * duplicating a descriptor (`2>&1`, `>&-`) or writing to /dev/null. Such a redirection on a line
 * that applies can change what terraform reads before it runs.
 */
function movesData(r: SyntaxNode): boolean {
  if (r.type !== 'file_redirect') return true;
  const dest = r.childForFieldName('destination');
  if (!dest) return true;
  if (dest.type === 'number' || dest.text === '-') return false;
  return dest.text !== '/dev/null';
}
