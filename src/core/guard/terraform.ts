import { posix } from 'node:path';
import type { Tool, ToolCall } from './shell.js';

// What a terraform / tofu / terragrunt command does to infrastructure, from its words alone:
// nothing (plan, fmt, validate, ...), something a plan shows (apply, destroy: the guard makes
// that plan), or something no plan shows (state rm, import, force-unlock, ...: refused, since
// applygate cannot preview it). Unknown subcommands are refused too.

export type Effect =
  | { kind: 'read-only'; subcommand: string }
  | {
      kind: 'plan';
      subcommand: string;
      /** Options before the subcommand that the plan needs too (-chdir=DIR). */
      globals: string[];
      /** Options for `plan` that reproduce what the command would apply. */
      planArgs: string[];
      destroy: boolean;
      /** `apply FILE`: the saved plan, shown with `show -json` instead of planned again. */
      savedPlan?: string;
      /** Options the apply of the checked plan keeps (APPLY_FLAGS `saved`), as `-name=value`. */
      applyArgs: string[];
    }
  | { kind: 'ask'; subcommand: string; reason: string }
  | { kind: 'refuse'; subcommand: string; reason: string };

const READ_ONLY = new Set([
  'plan',
  'fmt',
  'validate',
  'show',
  'output',
  'version',
  'providers',
  'graph',
  'get',
  'login',
  'logout',
  'console',
  'metadata',
  'modules',
  'help',
]);

/** Change state or infrastructure without a plan applygate could score. */
const NO_PLAN: Record<string, string> = {
  import: 'imports a resource into the state',
  taint: 'marks a resource for replacement in the state',
  untaint: 'changes the state directly',
  refresh: 'rewrites the state from what the provider reads',
  'force-unlock': 'removes the state lock another run may hold',
};

const STATE_READS = new Set(['list', 'show', 'pull']);
const WORKSPACE_READS = new Set(['list', 'show', 'select', 'new']);

/**
 * The options of `apply` and `destroy`, one table. terraform parses them with Go's flag package:
 * an option that takes a value (`value: true`) takes the next word when written without `=`
 * (`-backup tfplan`: `tfplan` is the backup path, not a saved plan), a boolean one never does.
 * `plan: false`: about applying, not planning, so the guard's `plan` leaves it out. `saved`:
 * kept on the apply of the plan the guard checked (line.ts): where state is read and written,
 * locking, parallelism and output, which terraform takes beside a saved plan and which change
 * nothing the plan applies; planning options are in the plan already (terraform refuses them
 * beside one). An option not in the table is refused: the guard does not guess whether it takes
 * a value.
 */
export const APPLY_FLAGS: Readonly<
  Record<string, { value: boolean; plan: boolean; saved: boolean }>
> = {
  '-auto-approve': { value: false, plan: false, saved: false },
  '-input': { value: false, plan: false, saved: false },
  '-compact-warnings': { value: false, plan: false, saved: true },
  '-json': { value: false, plan: false, saved: true },
  '-no-color': { value: false, plan: false, saved: true },
  '-show-sensitive': { value: false, plan: false, saved: true },
  '-backup': { value: true, plan: false, saved: true },
  '-state-out': { value: true, plan: false, saved: true },
  '-state': { value: true, plan: true, saved: true },
  '-lock': { value: false, plan: true, saved: true },
  '-lock-timeout': { value: true, plan: true, saved: true },
  '-parallelism': { value: true, plan: true, saved: true },
  '-refresh': { value: false, plan: true, saved: false },
  '-refresh-only': { value: false, plan: true, saved: false },
  '-destroy': { value: false, plan: true, saved: false },
  '-var': { value: true, plan: true, saved: false },
  '-var-file': { value: true, plan: true, saved: false },
  '-target': { value: true, plan: true, saved: false },
  '-replace': { value: true, plan: true, saved: false },
  '-exclude': { value: true, plan: true, saved: false },
};

/** Where a value is read from standard input or a descriptor the line may feed. */
const STDIN_PATH = /^(-|\/dev\/(stdin|fd\/\d+)|\/proc\/[^/]+\/fd\/\d+)$/;

export function classify(call: ToolCall): Effect {
  const envArgs = splitArgs(call.env.TF_CLI_ARGS);
  const words = call.args;
  if (words.some((w) => w === undefined)) {
    const sub = words.find((w) => w !== undefined && !w.startsWith('-')) ?? '';
    if (!READ_ONLY.has(sub) || words.indexOf(undefined) < words.indexOf(sub)) {
      return {
        kind: 'refuse',
        subcommand: sub,
        reason: `some of its arguments are computed when the line runs, so applygate cannot tell what it would apply`,
      };
    }
  }
  const args = words as string[];
  if (call.tool === 'terragrunt') return terragrunt(call, args);

  const globals: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith('-chdir=')) {
      // One -chdir, resolved one way (planDir): terraform takes only one.
      if (globals.length > 0) {
        return { kind: 'refuse', subcommand: '', reason: '-chdir is given more than once' };
      }
      globals.push(a);
    } else if (a === '-chdir' || a === '--chdir') {
      return { kind: 'refuse', subcommand: '', reason: 'write -chdir=DIR, with the `=`' };
    } else if (
      a === '-help' ||
      a === '-h' ||
      a === '--help' ||
      a === '-version' ||
      a === '-v' ||
      a === '--version'
    ) {
      return { kind: 'read-only', subcommand: a };
    } else break;
  }
  const sub = args[i];
  const rest = args.slice(i + 1);
  // xargs / find -exec add words at run time: with no visible subcommand they may add any.
  if (call.moreArgs && (sub === undefined || !READ_ONLY.has(sub))) {
    return {
      kind: 'refuse',
      subcommand: sub ?? '',
      reason: 'it gets more arguments at run time (xargs, find -exec), which applygate cannot see',
    };
  }
  if (sub === undefined) return { kind: 'read-only', subcommand: '' };
  if (rest.some((a) => a === '-help' || a === '-h' || a === '--help'))
    return { kind: 'read-only', subcommand: sub };
  if (READ_ONLY.has(sub)) return { kind: 'read-only', subcommand: sub };
  if (sub === 'init') {
    return rest.some((a) => /^-(migrate-state|force-copy)(=|$)/.test(a))
      ? { kind: 'ask', subcommand: sub, reason: 'it copies the state to another backend' }
      : { kind: 'read-only', subcommand: sub };
  }
  if (sub === 'test') {
    return {
      kind: 'ask',
      subcommand: sub,
      reason: '`test` creates and destroys real resources for its runs',
    };
  }
  if (sub === 'state') {
    const what = rest.find((a) => !a.startsWith('-'));
    if (what !== undefined && STATE_READS.has(what))
      return { kind: 'read-only', subcommand: `state ${what}` };
    return {
      kind: 'refuse',
      subcommand: `state ${what ?? ''}`.trim(),
      reason: 'it changes the state directly; no plan shows what it does',
    };
  }
  if (sub === 'workspace') {
    const what = rest.find((a) => !a.startsWith('-'));
    if (what !== undefined && WORKSPACE_READS.has(what))
      return { kind: 'read-only', subcommand: `workspace ${what}` };
    return {
      kind: 'refuse',
      subcommand: `workspace ${what ?? ''}`.trim(),
      reason: 'deleting a workspace can drop its state; no plan shows what it does',
    };
  }
  const noPlan = NO_PLAN[sub];
  if (noPlan)
    return { kind: 'refuse', subcommand: sub, reason: `it ${noPlan}; no plan shows what it does` };
  if (sub !== 'apply' && sub !== 'destroy') {
    return {
      kind: 'refuse',
      subcommand: sub,
      reason: `applygate does not know the \`${sub}\` command of ${call.tool}`,
    };
  }
  const extra = splitArgs(call.env[`TF_CLI_ARGS_${sub}`]);
  return applyEffect(call.tool, sub, globals, [...envArgs, ...extra, ...rest]);
}

function applyEffect(
  tool: Tool,
  sub: 'apply' | 'destroy',
  globals: string[],
  args: string[],
): Effect {
  const planArgs: string[] = [];
  const applyArgs: string[] = [];
  const positional: string[] = [];
  let destroy = sub === 'destroy';
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = (eq < 0 ? a : a.slice(0, eq)).replace(/^--/, '-');
    const flag = APPLY_FLAGS[name];
    if (!flag) {
      return {
        kind: 'refuse',
        subcommand: sub,
        reason: `applygate does not know the option \`${name}\` of \`${tool} ${sub}\``,
      };
    }
    let value = eq < 0 ? undefined : a.slice(eq + 1);
    if (flag.value && value === undefined) {
      value = args[++i];
      if (value === undefined)
        return { kind: 'refuse', subcommand: sub, reason: `${name} has no value` };
    }
    if (name === '-var-file' && value !== undefined && STDIN_PATH.test(value)) {
      return {
        kind: 'refuse',
        subcommand: sub,
        reason: `-var-file ${value} reads what the line feeds it when it runs, which applygate cannot see`,
      };
    }
    if (name === '-destroy') {
      if (value === undefined || value === 'true') destroy = true;
      continue;
    }
    const word = value === undefined ? name : `${name}=${value}`;
    if (flag.saved) applyArgs.push(word);
    if (flag.plan) planArgs.push(word);
  }
  if (positional.length > 1) {
    return {
      kind: 'refuse',
      subcommand: sub,
      reason: `${tool} ${sub} takes at most one plan file, not ${positional.length} arguments`,
    };
  }
  const savedPlan = positional[0];
  if (savedPlan !== undefined) {
    if (sub === 'destroy')
      return { kind: 'refuse', subcommand: sub, reason: `\`${tool} destroy\` takes no plan file` };
    return {
      kind: 'plan',
      subcommand: sub,
      globals,
      planArgs: [],
      destroy: false,
      savedPlan,
      applyArgs,
    };
  }
  return {
    kind: 'plan',
    subcommand: sub,
    globals,
    planArgs: destroy ? ['-destroy', ...planArgs] : planArgs,
    destroy,
    applyArgs,
  };
}

/**
 * terragrunt passes most commands through to terraform in one module's directory. `run-all`,
 * `run --all` and `--all` reach many modules at once: each would need its own plan, so they are
 * refused.
 */
function terragrunt(call: ToolCall, args: string[]): Effect {
  let words = args.filter(
    (a) => !/^--(terragrunt-)?(non-interactive|log-level=.*|no-color)$/.test(a),
  );
  if (
    words.some((a) => /^--(all|graph|terragrunt-include-external-dependencies)$/.test(a)) ||
    words[0] === 'run-all' ||
    words[0] === 'stack'
  ) {
    return {
      kind: 'refuse',
      subcommand: words[0] ?? '',
      reason: 'it runs in many modules at once; run it per module so each plan can be checked',
    };
  }
  const dir = words.findIndex((a) => /^--(terragrunt-)?working-dir$/.test(a));
  if (dir >= 0) {
    return {
      kind: 'refuse',
      subcommand: words[0] ?? '',
      reason: 'use `cd DIR &&` instead of --working-dir, so applygate plans in the same directory',
    };
  }
  if (words[0] === 'run') words = words.slice(words[1] === '--' ? 2 : 1);
  return classify({ ...call, tool: 'terraform', args: words });
}

/** TF_CLI_ARGS values are split like shell words (terraform uses the same rule). */
export function splitArgs(s: string | undefined): string[] {
  if (!s) return [];
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** The directory a call's plan is made in: its cwd, moved by -chdir. */
export function planDir(cwd: string, globals: readonly string[]): string {
  const chdir = globals.filter((g) => g.startsWith('-chdir=')).pop();
  return chdir ? posix.resolve(cwd, chdir.slice('-chdir='.length)) : cwd;
}
