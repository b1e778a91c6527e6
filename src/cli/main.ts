import { approvalPolicy } from '../core/approval/policy.js';
import { parseArgs } from 'node:util';
import { CONFIG_PATH, type Config } from '../core/config.js';
import { parseConfigLoadingPolicies, type LoadedConfig } from '../edge/config.js';
import {
  readPlan,
  streamThreshold,
  type DetailOptions,
  type Plan,
  type PlanSource,
} from '../core/plan/index.js';
import { renderMarkdown, renderText } from '../core/render/index.js';
import { defaultProjectName, parseProjectSpec } from '../core/project-spec.js';
import { buildReport, reportJson, type Report } from '../core/report.js';
import { planDetail } from '../core/policies/detail.js';
import { PolicyError } from '../core/policies/index.js';
import { atLeast, LEVELS, type Level } from '../core/risk/types.js';
import { commandHelp, isHelpFlag, mainHelp } from './help.js';

// `applygate summarize` and `applygate check`. Everything is read and parsed before anything is
// written, so bad input never leaves half an output behind.

export const EXIT = { ok: 0, usage: 2, badInput: 2, needsApproval: 3 } as const;

export interface CliIo {
  readFile(path: string): Promise<Uint8Array>;
  readStdin(): Promise<Uint8Array>;
  fileExists(path: string): boolean;
  stdout(text: string): void;
  stderr(text: string): void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** The package's version, for --version. */
  version?: string;
  /**
   * Size of a file in bytes, and its bytes from an offset in chunks. When both are given, files
   * bigger than the streaming threshold are read incrementally instead of whole (readPlan).
   */
  fileSize?(path: string): number | undefined;
  openFile?: (path: string, start: number) => AsyncIterable<Uint8Array>;
  /**
   * A plain UTF-8 file (no BOM, not UTF-16) as text, decoded without an intermediate buffer;
   * undefined for anything else, which is then read with readFile.
   */
  readText?(path: string): string | undefined;
}

type Format = 'text' | 'markdown' | 'json';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || isHelpFlag(command)) {
    // `applygate help check` is `applygate check --help`.
    const topic = command === undefined ? undefined : rest[0];
    const text = topic === undefined ? mainHelp() : commandHelp(topic);
    if (text === undefined) {
      io.stderr(`applygate: no command '${topic}'; the commands are in applygate --help\n`);
      return EXIT.usage;
    }
    if (command === undefined) io.stderr(`${text}\n`);
    else io.stdout(`${text}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-V') {
    io.stdout(`${io.version ?? 'unknown'}\n`);
    return EXIT.ok;
  }
  if (command !== 'summarize' && command !== 'check') {
    io.stderr(`applygate: unknown command '${command}'\n\n${mainHelp()}\n`);
    return EXIT.usage;
  }
  const usage = commandHelp(command)!;
  if (rest.some((a) => a === '--help' || a === '-h')) {
    io.stdout(`${usage}\n`);
    return EXIT.ok;
  }
  let args;
  try {
    args = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        config: { type: 'string' },
        'max-level': { type: 'string' },
        'allow-destroy': { type: 'boolean' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
      },
    });
  } catch (e) {
    io.stderr(`applygate: ${(e as Error).message}\n\n${usage}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = args;
  const format = (values.format ?? 'text') as Format;
  const allowed: Format[] = command === 'check' ? ['text', 'json'] : ['text', 'markdown', 'json'];
  if (!allowed.includes(format)) {
    io.stderr(`applygate: --format must be one of ${allowed.join(', ')}, not '${format}'\n`);
    return EXIT.usage;
  }
  if (command === 'summarize' && (values['max-level'] || values['allow-destroy'])) {
    io.stderr(`applygate: --max-level and --allow-destroy belong to 'applygate check'\n`);
    return EXIT.usage;
  }
  const maxLevel = values['max-level'];
  if (maxLevel !== undefined && !(LEVELS as readonly string[]).includes(maxLevel)) {
    io.stderr(`applygate: --max-level must be one of ${LEVELS.join(', ')}, not '${maxLevel}'\n`);
    return EXIT.usage;
  }
  if (positionals.length === 0) {
    io.stderr(`applygate: name at least one plan file (or - for stdin)\n\n${usage}\n`);
    return EXIT.usage;
  }

  const config = await loadConfig(values.config, io);
  if (!config.ok) {
    io.stderr(config.errors.map((e) => `applygate: ${e}\n`).join(''));
    return EXIT.badInput;
  }
  // Values are shown only in markdown details; the other views keep what the risk rules read.
  const plans = await loadPlans(
    positionals,
    io,
    planDetail(config.config, format === 'markdown' ? 'markdown' : 'risk'),
  );
  if (!plans.ok) {
    io.stderr(plans.errors.map((e) => `applygate: ${e}\n`).join(''));
    return EXIT.badInput;
  }
  let report: Report;
  try {
    report = buildReport(plans.inputs, config.config, config.policies);
  } catch (e) {
    // A policy of the config that fails on this plan: a config error, never a pass.
    if (!(e instanceof PolicyError)) throw e;
    io.stderr(`applygate: ${values.config ?? CONFIG_PATH}: ${e.message}\n`);
    return EXIT.badInput;
  }
  const color = values['no-color'] ? false : (values.color ?? (io.isTTY && !io.env.NO_COLOR));

  if (command === 'summarize') {
    io.stdout(render(report, format, color, config.config));
    return EXIT.ok;
  }
  const verdict = checkVerdict(report, {
    maxLevel: maxLevel as Level | undefined,
    allowDestroy: values['allow-destroy'] === true,
  });
  io.stdout(render(report, format, color, config.config));
  if (format === 'text') io.stdout(`\n${verdict.message}\n`);
  return verdict.pass ? EXIT.ok : EXIT.needsApproval;
}

function render(report: Report, format: Format, color: boolean, config: Config): string {
  if (format === 'json') return `${JSON.stringify(reportJson(report), null, 2)}\n`;
  if (format === 'markdown') {
    return `${renderMarkdown(report, { policy: approvalPolicy(config) })}\n`;
  }
  return renderText(report, { color, policy: approvalPolicy(config) });
}

export interface Verdict {
  pass: boolean;
  message: string;
}

/** The check's rule: destroys need approval unless allowed; the level must not pass the limit. */
export function checkVerdict(
  report: Report,
  opts: { maxLevel?: Level; allowDestroy: boolean },
): Verdict {
  const reasons: string[] = [];
  for (const p of report.projects) {
    const name = report.projects.length > 1 ? `${p.name}: ` : '';
    if (opts.maxLevel !== undefined) {
      if (!atLeast(opts.maxLevel, p.assessment.level)) {
        reasons.push(
          `${name}risk level ${p.assessment.level} is above --max-level ${opts.maxLevel}`,
        );
      }
      const destroys = p.counts.delete + p.counts.replace;
      if (!opts.allowDestroy && destroys > 0) {
        reasons.push(
          `${name}it destroys or replaces ${destroys} resource${destroys === 1 ? '' : 's'}`,
        );
      }
    } else {
      const kept = p.assessment.approvalReasons.filter(
        (r) => !(opts.allowDestroy && r.kind === 'destroys'),
      );
      reasons.push(...kept.map((r) => `${name}${r.message}`));
    }
  }
  return reasons.length === 0
    ? { pass: true, message: 'applygate: within limits.' }
    : { pass: false, message: `applygate: needs approval: ${reasons.join('; ')}.` };
}

async function loadConfig(path: string | undefined, io: CliIo): Promise<LoadedConfig> {
  const file = path ?? '.github/applygate.yml';
  if (path === undefined && !io.fileExists(file)) return parseConfigLoadingPolicies(undefined);
  let text: string;
  try {
    text = new TextDecoder().decode(await io.readFile(file));
  } catch (e) {
    return { ok: false, errors: [`${file}: cannot read the config: ${(e as Error).message}`] };
  }
  return parseConfigLoadingPolicies(text, file);
}

async function loadPlans(
  specs: readonly string[],
  io: CliIo,
  detail: DetailOptions,
): Promise<{ ok: true; inputs: { name: string; plan: Plan }[] } | { ok: false; errors: string[] }> {
  const errors: string[] = [];
  const inputs: { name: string; plan: Plan }[] = [];
  const names = new Set<string>();
  if (specs.filter((s) => parseProjectSpec(s).path === '-').length > 1) {
    return { ok: false, errors: ['stdin (-) can be read only once'] };
  }
  const threshold = streamThreshold(io.env);
  for (const spec of specs) {
    const { name, path } = parseProjectSpec(spec);
    const projectName = name ?? defaultProjectName(path, specs.length === 1);
    if (names.has(projectName)) {
      errors.push(`project '${projectName}' is named twice`);
      continue;
    }
    names.add(projectName);
    const file = path === '-' ? '<stdin>' : path;
    let result;
    try {
      result = await readPlan(planSource(path, io), { file, threshold, ...detail });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      errors.push(`${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
      continue;
    }
    if (result.ok) inputs.push({ name: projectName, plan: result.plan });
    else errors.push(result.error.message);
  }
  return errors.length ? { ok: false, errors } : { ok: true, inputs };
}

/** A plan file (or `-`, stdin) as far as `io` can read it: stdin has no size and no offsets. */
function planSource(path: string, io: CliIo): PlanSource {
  if (path === '-') return { read: () => io.readStdin() };
  const { openFile } = io;
  const readText = io.readText?.bind(io);
  return {
    size: io.fileSize?.(path),
    read: () => io.readFile(path),
    ...(openFile && { open: (start: number) => openFile(path, start) }),
    ...(readText && { readText: () => readText(path) }),
  };
}
