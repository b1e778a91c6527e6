import { posix } from 'node:path';

// Commands that run another command (sudo, env, nice, timeout, xargs, mise exec, git bisect run,
// find -exec, ...): one table of how each reads its own words, walked by one function. Options
// are read as getopt reads them: a short option that takes a value takes the rest of its word
// (`-uroot`) or else the next word (`-u root`), a long one `--user=root` or `--user root`, and
// `--` ends the options. Security-sensitive: reading a word as an option's value when the wrapper
// does not take one would hide the command it runs, so a value read from the next word that names
// a tool (terraform, tofu, terragrunt, an alias) is refused, never skipped.

/** A word of a command: its value when known before the line runs, and its known last path part. */
export interface Word {
  value: string | undefined;
  /** For `"$VENV/bin/python"`: `python`. The basename when only the directory is computed. */
  tail: string | undefined;
}

export type Unwrapped =
  | 'not-a-wrapper'
  | { refuse: string }
  | {
      label: string;
      inner: Word[];
      env?: Record<string, string | undefined>;
      /** null: the wrapper moves to a directory that cannot be known. */
      cwd?: string | null;
      moreArgs?: boolean;
    }
  | {
      label: string;
      script: string | undefined;
      env?: Record<string, string | undefined>;
      cwd?: string | null;
    }
  | { label: string; stdinScript: true };

/** How one wrapper reads its words. Options are spelled as written: `-u`, `--user`. */
export interface WrapperSpec {
  /** Options that take a value. */
  value?: readonly string[];
  /** Options whose optional value can only be attached (`xargs -i{}`, `--replace=X`). */
  attached?: readonly string[];
  /** Options whose value is the directory the command runs in (`sudo -D`, `env -C`). */
  chdir?: readonly string[];
  /** Options whose value makes that directory unknowable (`sudo -R` chroot, `git -C`). */
  unknownDir?: readonly string[];
  /** Options whose value, with the words after it, is a shell line it runs (`env -S`). */
  script?: readonly string[];
  /** Options after which the command's words are one shell line (`sudo -s`, `sudo -i`). */
  shellRest?: readonly string[];
  /** Options under which it runs nothing (`command -v`). */
  runsNothing?: readonly string[];
  /** Options refused, and why. */
  refuse?: Readonly<Record<string, string>>;
  /** NAME=VALUE words before the command set its environment (env, sudo). */
  assignments?: boolean;
  /** A lone `-` is an option, not the command (`env -`, the same as `env -i`). */
  dashIsOption?: boolean;
  /** Operands between the options and the command (`timeout DURATION`, `flock FILE`). */
  operands?: number;
  /** The command starts after the first `--`, which is required (`mise exec TOOL@V -- CMD`). */
  afterDashDash?: boolean;
  /** The command's words are one shell line (`watch`). */
  wordsAreScript?: boolean;
  /** More arguments are added when it runs (`xargs`). */
  moreArgs?: boolean;
  /**
   * Options, anywhere among its words, whose value is a shell line it runs (`su -c`, `git rebase
   * --exec`); with `only`, a command without one runs nothing it is given.
   */
  scriptAnywhere?: { options: readonly string[]; label: string; only: boolean };
  /** `find`: the command is the words between one of these and `;` or `+`. */
  execUntil?: readonly string[];
  /** Shown in `via` and messages; the command's name by default. */
  label?: string;
}

/** A tool manager or git: options before a subcommand, then the subcommands that run a command. */
export interface SubcommandWrapper {
  globals: WrapperSpec;
  /** By the words that name it: `exec`, `bisect run`. */
  subs: Readonly<Record<string, WrapperSpec>>;
}

/** Every wrapper the guard follows (shells, `eval` and aliases are read in shell.ts). */
export const WRAPPERS: Readonly<Record<string, WrapperSpec | SubcommandWrapper>> = {
  sudo: {
    value: [
      '-u',
      '--user',
      '-g',
      '--group',
      '-C',
      '--close-from',
      '-h',
      '--host',
      '-p',
      '--prompt',
      '-r',
      '--role',
      '-t',
      '--type',
      '-T',
      '--command-timeout',
      '-U',
      '--other-user',
      '-c',
      '--login-class',
      '-a',
      '--auth-type',
    ],
    chdir: ['-D', '--chdir'],
    unknownDir: ['-R', '--chroot'],
    shellRest: ['-s', '-i'],
    refuse: { '--shell': 'starts a shell', '--login': 'starts a shell' },
    assignments: true,
  },
  doas: { value: ['-u', '-C'] },
  env: {
    value: ['-u', '--unset'],
    chdir: ['-C', '--chdir'],
    script: ['-S', '--split-string'],
    assignments: true,
    dashIsOption: true,
  },
  time: { value: ['-f', '--format', '-o', '--output'] },
  nohup: {},
  nice: { value: ['-n', '--adjustment'] },
  ionice: {
    value: ['-c', '--class', '-n', '--classdata', '-p', '--pid', '-P', '--pgid', '-u', '--uid'],
  },
  stdbuf: { value: ['-i', '--input', '-o', '--output', '-e', '--error'] },
  setsid: {},
  chronic: {},
  unbuffer: {},
  caffeinate: { value: ['-w', '-t'] },
  command: { runsNothing: ['-v', '-V'] },
  builtin: {},
  exec: { value: ['-a'] },
  coproc: {},
  catchsegv: {},
  strace: {
    value: [
      '-e',
      '-o',
      '--output',
      '-O',
      '-p',
      '--attach',
      '-P',
      '--trace-path',
      '-s',
      '--string-limit',
      '-S',
      '--summary-sort-by',
      '-u',
      '--user',
      '-E',
      '--env',
      '-I',
      '-X',
      '--const-print-style',
      '-b',
      '--detach-on',
    ],
  },
  ltrace: {
    value: [
      '-e',
      '-o',
      '--output',
      '-a',
      '-A',
      '-D',
      '-l',
      '-n',
      '-p',
      '-s',
      '-u',
      '-w',
      '-x',
      '-X',
      '-F',
    ],
  },
  timeout: { value: ['-s', '--signal', '-k', '--kill-after'], operands: 1 },
  xargs: {
    value: [
      '-a',
      '--arg-file',
      '-d',
      '--delimiter',
      '-E',
      '-I',
      '-L',
      '-n',
      '--max-args',
      '-P',
      '--max-procs',
      '-s',
      '--max-chars',
      '--process-slot-var',
    ],
    attached: ['-e', '--eof', '-i', '--replace', '-l', '--max-lines'],
    moreArgs: true,
  },
  watch: {
    value: ['-n', '--interval', '-q', '--equexit'],
    attached: ['-d', '--differences'],
    wordsAreScript: true,
  },
  flock: {
    scriptAnywhere: { options: ['-c', '--command'], label: 'flock -c', only: false },
    value: ['-w', '--wait', '--timeout', '-E', '--conflict-exit-code'],
    operands: 1,
  },
  script: { scriptAnywhere: { options: ['-c', '--command'], label: 'script -c', only: true } },
  su: { scriptAnywhere: { options: ['-c', '--command'], label: 'su -c', only: true } },
  find: { execUntil: ['-exec', '-execdir', '-ok', '-okdir'], label: 'find -exec' },
  mise: {
    globals: {
      value: ['-E', '--env', '-j', '--jobs', '--log-level'],
      unknownDir: ['-C', '--cd'],
    },
    subs: { exec: { afterDashDash: true }, x: { afterDashDash: true } },
  },
  asdf: { globals: {}, subs: { exec: {} } },
  git: {
    globals: {
      value: [
        '-c',
        '--git-dir',
        '--work-tree',
        '--namespace',
        '--super-prefix',
        '--config-env',
        '--list-cmds',
      ],
      unknownDir: ['-C'],
    },
    subs: {
      'bisect run': {},
      rebase: {
        scriptAnywhere: { options: ['--exec', '-x'], label: 'git rebase --exec', only: true },
      },
    },
  },
};

export interface WrapperContext {
  /** The directory the wrapper runs in (undefined: unknown). */
  cwd: string | undefined;
  /** Whether a word names a tool (terraform, tofu, terragrunt, an alias), by its last path part. */
  isTool: (word: string) => boolean;
}

/** What `name ARGS...` runs, by its row of WRAPPERS; 'not-a-wrapper' when it has none. */
export function unwrap(name: string, args: Word[], at: WrapperContext): Unwrapped {
  const entry = Object.hasOwn(WRAPPERS, name) ? WRAPPERS[name] : undefined;
  if (entry === undefined) return 'not-a-wrapper';
  if (!('subs' in entry)) return walk(name, entry, args, at);
  // Options before the subcommand, then the subcommand's own row.
  const globals = readOptions(name, entry.globals, args, at);
  // An option computed at run time before the subcommand (`git -C "$DIR" status`) hides which
  // subcommand runs: refused when a tool word follows, else it is an ordinary command.
  if ('refuse' in globals)
    return args.some((w) => w.value !== undefined && at.isTool(w.value))
      ? globals
      : 'not-a-wrapper';
  if (!('next' in globals)) return 'not-a-wrapper';
  const rest = args.slice(globals.next).map((w) => w.value);
  for (const [sub, spec] of Object.entries(entry.subs)) {
    const words = sub.split(' ');
    if (!words.every((w, k) => rest[k] === w)) continue;
    const inner = walk(`${name} ${sub}`, spec, args.slice(globals.next + words.length), {
      ...at,
      cwd: globals.cwd === undefined ? at.cwd : (globals.cwd ?? undefined),
    });
    // A directory the global options made unknowable stays unknown for what runs.
    if (globals.cwd === null && typeof inner === 'object' && !('refuse' in inner))
      return { ...inner, cwd: null };
    return inner;
  }
  return 'not-a-wrapper';
}

/** One row, walked: where the command starts, and what the options change on the way. */
function walk(name: string, spec: WrapperSpec, args: Word[], at: WrapperContext): Unwrapped {
  const label = spec.label ?? name;
  const v = (i: number) => args[i]?.value;
  if (spec.execUntil) {
    const j = args.findIndex((w) => w.value !== undefined && spec.execUntil?.includes(w.value));
    if (j < 0) return 'not-a-wrapper';
    const end = args.findIndex((w, k) => k > j && (w.value === ';' || w.value === '+'));
    const inner = args.slice(j + 1, end < 0 ? undefined : end);
    return {
      label,
      inner,
      moreArgs: inner.some((w) => w.value?.includes('{}')) || args[end]?.value === '+',
    };
  }
  if (spec.scriptAnywhere) {
    const { options, label: scriptLabel } = spec.scriptAnywhere;
    for (let k = 0; k < args.length; k++) {
      const a = v(k);
      if (a === undefined) continue;
      if (options.includes(a)) {
        if (k + 1 < args.length && v(k + 1) === undefined)
          return { refuse: `the command \`${scriptLabel}\` runs is computed at run time` };
        return { label: scriptLabel, script: v(k + 1) };
      }
      const eq = a.indexOf('=');
      if (a.startsWith('--') && eq > 0 && options.includes(a.slice(0, eq)))
        return { label: scriptLabel, script: a.slice(eq + 1) };
    }
    if (spec.scriptAnywhere.only) return 'not-a-wrapper';
  }
  if (spec.afterDashDash) {
    const dash = args.findIndex((w) => w.value === '--');
    if (dash < 0)
      return {
        refuse: `\`${label}\` without \`--\`: applygate cannot tell where the command starts`,
      };
    return { label, inner: args.slice(dash + 1) };
  }
  const read = readOptions(label, spec, args, at);
  if (!('next' in read)) return read;
  if (read.runsNothing) return { label, inner: [] };
  const rest = args.slice(read.next + (spec.operands ?? 0));
  const env = read.env;
  const cwd = read.cwd;
  if (read.shell !== undefined || spec.wordsAreScript) {
    const words = rest.map((w) => w.value);
    const shown = read.shell === undefined ? label : `${label} ${read.shell}`;
    if (words.some((w) => w === undefined))
      return { refuse: `the command \`${shown}\` runs is computed at run time` };
    return { label: shown, script: words.join(' '), env, ...(cwd !== undefined ? { cwd } : {}) };
  }
  return {
    label,
    inner: rest,
    env,
    ...(cwd !== undefined ? { cwd } : {}),
    ...(spec.moreArgs ? { moreArgs: true } : {}),
  };
}

interface Options {
  /** The index of the first word after the options. */
  next: number;
  env: Record<string, string | undefined>;
  /** Set by a chdir option; null: unknowable. */
  cwd?: string | null;
  /** The shellRest option given (`-s`). */
  shell?: string;
  runsNothing?: boolean;
}

/** The wrapper's options, read as getopt reads them, up to the first word that is not one. */
function readOptions(
  label: string,
  spec: WrapperSpec,
  args: Word[],
  at: WrapperContext,
):
  | Options
  | { refuse: string }
  | {
      label: string;
      script: string | undefined;
      env: Record<string, string | undefined>;
      cwd?: string | null;
    } {
  const out: Options = { next: args.length, env: {} };
  const has = (list: readonly string[] | undefined, opt: string) => list?.includes(opt) === true;
  const takesValue = (opt: string) =>
    has(spec.value, opt) ||
    has(spec.chdir, opt) ||
    has(spec.unknownDir, opt) ||
    has(spec.script, opt);
  const computed = { refuse: `an option of \`${label}\` is computed at run time` };
  let i = 0;
  /** The option's value: `attached`, else the next word (consumed). */
  const valueOf = (
    opt: string,
    attached: string | undefined,
  ): string | undefined | { refuse: string } => {
    if (attached !== undefined) return attached;
    i++;
    if (i >= args.length) return undefined;
    const value = args[i]?.value;
    if (value === undefined) return computed;
    if (!has(spec.chdir, opt) && !has(spec.unknownDir, opt) && at.isTool(value)) {
      return {
        refuse: `\`${label}\` is read as taking ${value} as the value of its option ${opt}; if it does not, ${value} is what it runs: give the option's value attached (${opt.startsWith('--') ? `${opt}=VALUE` : `${opt}VALUE`}) or run the terraform command directly`,
      };
    }
    return value;
  };
  /** What a value-taking option changes; a result to return at once (a script, a refusal). */
  const apply = (opt: string, value: string | undefined) => {
    if (has(spec.chdir, opt)) {
      out.cwd = value === undefined || at.cwd === undefined ? null : posix.resolve(at.cwd, value);
    } else if (has(spec.unknownDir, opt)) {
      out.cwd = null;
    } else if (has(spec.script, opt)) {
      const more = args.slice(i + 1).map((w) => w.value);
      if (value === undefined || more.some((m) => m === undefined))
        return { refuse: `the command \`${label} ${opt}\` runs is computed at run time` };
      return {
        label: `${label} ${opt}`,
        script: [value, ...more].join(' '),
        env: out.env,
        ...(out.cwd !== undefined ? { cwd: out.cwd } : {}),
      };
    }
    return undefined;
  };
  for (; i < args.length; i++) {
    const a = args[i]?.value;
    if (a === undefined) return computed;
    if (a === '--') {
      out.next = i + 1;
      return out;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const opt = eq < 0 ? a : a.slice(0, eq);
      const reason = spec.refuse?.[opt];
      if (reason !== undefined) return { refuse: `\`${label} ${opt}\` ${reason}` };
      if (has(spec.runsNothing, opt)) return { ...out, next: i + 1, runsNothing: true };
      if (has(spec.shellRest, opt)) out.shell = opt;
      else if (takesValue(opt)) {
        const value = valueOf(opt, eq < 0 ? undefined : a.slice(eq + 1));
        if (typeof value === 'object') return value;
        const done = apply(opt, value);
        if (done) return done;
      }
      continue;
    }
    if (a.startsWith('-') && (a.length > 1 || spec.dashIsOption)) {
      for (let k = 1; k < a.length; k++) {
        const opt = `-${a[k]}`;
        const reason = spec.refuse?.[opt];
        if (reason !== undefined) return { refuse: `\`${label} ${opt}\` ${reason}` };
        if (has(spec.runsNothing, opt)) return { ...out, next: i + 1, runsNothing: true };
        if (has(spec.shellRest, opt)) out.shell = opt;
        else if (has(spec.attached, opt)) break;
        else if (takesValue(opt)) {
          const rest = a.slice(k + 1);
          const value = valueOf(opt, rest === '' ? undefined : rest);
          if (typeof value === 'object') return value;
          const done = apply(opt, value);
          if (done) return done;
          break;
        }
      }
      continue;
    }
    const assignment = spec.assignments ? /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a) : null;
    if (assignment) {
      out.env[assignment[1] as string] = assignment[2];
      continue;
    }
    out.next = i;
    return out;
  }
  out.next = args.length;
  return out;
}
