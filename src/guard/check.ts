import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { approvalPolicy, describeApprovers } from '../core/approval/policy.js';
import type { Config } from '../core/config.js';
import type { PolicyEngine } from '../core/policies/index.js';
import { parsePlan, shortDigest } from '../core/plan/index.js';
import { buildReport, type Report } from '../core/report.js';
import { atLeast } from '../core/risk/types.js';
import { localState, preflightWarning } from './preflight.js';
import { runChild } from './run.js';
import { guardSummary } from '../core/guard/summary.js';
import type { ToolCall } from '../core/guard/shell.js';
import { applyCheckedPlan, type CheckedApply } from '../core/guard/line.js';
import { classify, planDir, type Effect } from '../core/guard/terraform.js';

// One terraform-family call, judged: the plan it would apply is made (in its directory, with its
// environment and options), scored with the repository's config, and checked against the ledger
// when it needs approval. Anything that goes wrong on the way is a deny that says what went wrong.

export type Decision = 'allow' | 'ask' | 'deny';

export interface CallVerdict {
  call: ToolCall;
  effect: Effect;
  decision: Decision;
  /** One line: what applygate found. */
  reason: string;
  /** The text summary of the plan, when one was made. */
  summary?: string;
  report?: Report;
  /**
   * The plan needs approval and no ledger approves it: what a person can do. `who`: who may
   * approve under the config governing the command (the policy's one sentence, as verify says
   * it); `command`: the approve command there.
   */
  needsApproval?: { digest: string; short: string; who: string; command: string };
  preflight?: string;
  /** What applies exactly the plan checked (kept in CheckOptions.keepPlans): core/guard/line.ts. */
  rewrite?: CheckedApply;
}

export interface Approval {
  approved: boolean;
  /** Who approved and where, or why no approval was found. */
  detail: string;
}

export interface CheckOptions {
  config: Config;
  /** The engine for `config`'s policies (loaded only when it has any). */
  policies?: PolicyEngine;
  /** When the answer is due (ms since the epoch): plans are stopped before it. */
  deadline: number;
  env: NodeJS.ProcessEnv;
  /** Looks the digest up in the ledger of the pull request for this directory. */
  /** The app's record for this digest; `app` is config gate.app, `command` approval.command. */
  ledger: (
    dir: string,
    digest: string,
    gate: { app: string; command: string },
  ) => Promise<Approval>;
  /**
   * The config that governs a command's own directory (the nearest .github/applygate.yml at or
   * above it, after `cd` and -chdir); without it, `config` for every command.
   */
  configFor?: (
    dir: string,
  ) => Promise<
    { ok: true; config: Config; policies?: PolicyEngine } | { ok: false; errors: string[] }
  >;
  /**
   * A private directory (0700) where the plans checked are kept, so that what runs can be
   * `apply <that file>`; without it plans are made in a temporary directory and removed.
   */
  keepPlans?: () => string;
}

export async function checkCall(call: ToolCall, opts: CheckOptions): Promise<CallVerdict> {
  // TF_CLI_ARGS* from the environment the command inherits count like the line's own.
  const inherited = Object.fromEntries(
    Object.entries(opts.env).filter(
      ([k]) => k.startsWith('TF_CLI_ARGS') || k === 'TF_WORKSPACE' || k === 'TF_DATA_DIR',
    ),
  );
  const full: ToolCall = { ...call, env: { ...inherited, ...call.env } };
  const effect = classify(full);
  const verdict = (
    decision: Decision,
    reason: string,
    more: Partial<CallVerdict> = {},
  ): CallVerdict => ({
    call,
    effect,
    decision,
    reason,
    ...more,
  });
  switch (effect.kind) {
    case 'read-only':
      return verdict('allow', `\`${effect.subcommand || call.tool}\` changes no infrastructure`);
    case 'ask':
      return verdict('ask', effect.reason);
    case 'refuse':
      return verdict('deny', `applygate cannot check it: ${effect.reason}`);
  }
  if (call.cwd === undefined) {
    return verdict(
      'deny',
      'applygate cannot tell which directory it runs in (a `cd` to a computed or unknown place)',
    );
  }
  const undefinedEnv = Object.entries(full.env)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (undefinedEnv.length > 0) {
    return verdict(
      'deny',
      `applygate cannot check it: the value of ${undefinedEnv.join(', ')} is computed when the line runs`,
    );
  }
  // spawn reports a missing directory as ENOENT, as it does a missing program: say which.
  if (!existsSync(call.cwd)) {
    return verdict(
      'deny',
      `applygate cannot make its plan: the directory ${call.cwd} does not exist`,
    );
  }
  const dir = planDir(call.cwd, effect.globals);
  const own = opts.configFor
    ? await opts.configFor(dir)
    : { ok: true as const, config: opts.config, policies: opts.policies };
  if (!own.ok) {
    return verdict('deny', `the applygate config for ${dir} is broken: ${own.errors.join('; ')}`);
  }
  const config = own.config;
  const made = await makePlan(full, effect, opts);
  if (!made.ok) return verdict('deny', made.reason);
  const rewrite =
    opts.keepPlans === undefined ? undefined : applyCheckedPlan(call, effect, made.file);
  const report = buildReport([{ name: dir, plan: made.plan }], config, own.policies);
  const project = report.projects[0];
  const digest = made.plan.digest;
  const summary = project ? guardSummary(project) : '';
  const preflight =
    call.tool === 'terragrunt'
      ? undefined
      : preflightWarning(localState(dir, full.env), made.plan, config);
  const level = project?.assessment.level ?? 'none';
  const base = {
    summary,
    report,
    ...(preflight ? { preflight } : {}),
    ...(rewrite ? { rewrite } : {}),
  };
  if (report.requiresApproval || preflight) {
    const approval = await opts.ledger(dir, digest, {
      app: config.gate.app,
      command: config.approval.command,
    });
    if (approval.approved) {
      return verdict(
        'allow',
        `the plan (digest ${shortDigest(digest)}) is approved: ${approval.detail}`,
        base,
      );
    }
    const why = report.requiresApproval
      ? `the plan needs approval (${project?.assessment.approvalReasons.map((r) => r.message).join('; ')})`
      : 'the local state looks missing';
    return verdict(
      'deny',
      `${why}, and no approval of digest ${shortDigest(digest)} was found: ${approval.detail}`,
      {
        ...base,
        needsApproval: {
          digest,
          short: shortDigest(digest),
          who: describeApprovers(approvalPolicy(config), { quote: (t) => t }),
          command: config.approval.command,
        },
      },
    );
  }
  const askLevel = config.guard.ask_level;
  if (askLevel !== 'never' && level !== 'none' && atLeast(level, askLevel)) {
    return verdict(
      'ask',
      `the plan's risk level is ${level} (guard.ask_level is ${askLevel})`,
      base,
    );
  }
  return verdict(
    'allow',
    `the plan is within limits (level ${level}, digest ${shortDigest(digest)})`,
    base,
  );
}

type Made =
  | { ok: true; plan: import('../core/plan/index.js').Plan; file: string }
  | { ok: false; reason: string };

/** `plan -out` (with -destroy for destroy) then `show -json`, or `show -json` of a saved plan. */
async function makePlan(
  call: ToolCall,
  effect: Extract<Effect, { kind: 'plan' }>,
  opts: CheckOptions,
): Promise<Made> {
  const cwd = call.cwd as string;
  const env: NodeJS.ProcessEnv = { ...opts.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  for (const k of Object.keys(env)) if (k.startsWith('TF_CLI_ARGS')) delete env[k];
  for (const [k, v] of Object.entries(call.env))
    if (v !== undefined && !k.startsWith('TF_CLI_ARGS')) env[k] = v;
  // The program the line names (a path, or a name found on PATH): the plan, its show and the
  // apply of it (CheckedApply) run the same one.
  const tool = call.program;
  const tmp = opts.keepPlans?.() ?? mkdtempSync(join(tmpdir(), 'applygate-guard-'));
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    let planFile: string;
    if (effect.savedPlan !== undefined) {
      // The saved plan is copied first and the copy is what is shown and, rewritten, applied:
      // the file named in the line can change after the check, the copy cannot.
      planFile = join(tmp, `saved-${id}.tfplan`);
      try {
        copyFileSync(resolve(planDir(cwd, effect.globals), effect.savedPlan), planFile);
      } catch (e) {
        return {
          ok: false,
          reason: `applygate cannot read the saved plan: ${(e as Error).message}`,
        };
      }
    } else {
      planFile = join(tmp, `guard-${id}.tfplan`);
      const args = [
        ...effect.globals,
        'plan',
        '-input=false',
        `-out=${planFile}`,
        ...effect.planArgs,
      ];
      const planned = await runChild(tool, args, { cwd, env, deadline: opts.deadline });
      const failed = failure(tool, `${tool} ${args.join(' ')}`, planned, opts.deadline);
      if (failed) return { ok: false, reason: failed };
    }
    const showArgs = [...effect.globals, 'show', '-json', planFile];
    const shown = await runChild(tool, showArgs, { cwd, env, deadline: opts.deadline });
    const failed = failure(tool, `${tool} show -json`, shown, opts.deadline);
    if (failed) return { ok: false, reason: failed };
    const parsed = parsePlan(
      shown.stdout,
      `${tool} show -json ${effect.savedPlan ?? '(the plan of this command)'}`,
    );
    if (!parsed.ok)
      return { ok: false, reason: `applygate cannot read the plan: ${parsed.error.message}` };
    return { ok: true, plan: parsed.plan, file: planFile };
  } finally {
    if (opts.keepPlans === undefined) rmSync(tmp, { recursive: true, force: true });
  }
}

function failure(
  tool: string,
  what: string,
  ran: Awaited<ReturnType<typeof runChild>>,
  deadline: number,
): string | undefined {
  if (ran.missing)
    return `${tool} is not installed (not found${tool.includes('/') ? '' : ' on PATH'}), so applygate cannot make the plan`;
  if (ran.timedOut) {
    return `\`${what}\` did not finish in time (the guard must answer by ${new Date(deadline).toISOString()}); run the plan yourself and apply the saved plan`;
  }
  if (ran.code === 0) return undefined;
  const tail = ran.stderr.trim().split('\n').slice(-12).join('\n');
  return `\`${what}\` failed (${ran.signal ?? `exit ${ran.code}`}), so there is no plan to check:\n${tail}`;
}
