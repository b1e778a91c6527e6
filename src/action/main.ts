import { approvalPolicy, describeApprovers } from '../core/approval/policy.js';
import * as core from '@actions/core';
import * as github from '@actions/github';
import * as glob from '@actions/glob';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Config } from '../core/config.js';
import type { PolicyEngine } from '../core/policies/index.js';
import { parseConfigLoadingPolicies } from '../edge/config.js';
import {
  MARKDOWN_FULL_DETAILS,
  readPlan,
  shortDigest,
  streamThreshold,
  type Plan,
} from '../core/plan/index.js';
import { defaultProjectName } from '../core/project-spec.js';
import { renderMarkdown } from '../core/render/index.js';
import { planDetail } from '../core/policies/detail.js';
import { rootsMatrix } from '../core/projects/roots.js';
import { listChangedRoots } from '../git/changed-roots.js';
import {
  buildReport,
  destroyCount,
  projectReport,
  reportJson,
  type Report,
} from '../core/report.js';
import { LEDGER_CHECK_NAME, type Ledger } from '../core/ledger.js';
import type { MarkerProject } from '../core/marker.js';
import { bodiesEquivalent, findSticky, latestSummaryFor } from '../core/summaries.js';
import { pickLedger, verifyProject } from '../core/verify.js';
import { pullMergedAs } from '../core/approval/deployment.js';
import { newestCommand } from '../core/approval/command.js';
import * as gh from './github.js';
import { getInputs, type Settings } from './inputs.js';

// The Action, top to bottom: read inputs, read plans and config, then either summarize (outputs,
// job summary, summary JSON, sticky comment) or verify (recompute the report of the plan about
// to be applied with the default branch's config; when it needs approval, the app's ledger on
// the pull request's final head must approve it: DESIGN.md "Gate v2").

const JOB_SUMMARY_MAX = 1_000_000; // GitHub's job summary limit is 1 MiB per step

/** Where applying without a pull request is documented (the verify failure names it). */
const BREAK_GLASS_DOC =
  'https://github.com/applygate/applygate/blob/main/docs/action.md#break-glass';

export async function run(): Promise<void> {
  try {
    const settings = getInputs();
    const ctx = github.context;
    const pr = pullRequestOf(ctx.payload);
    if (settings.mode === 'projects') {
      listProjects(settings, pr, ctx.sha);
      return;
    }
    const octokit = settings.token ? gh.client(settings.token, core.info) : undefined;
    if (settings.mode === 'verify') {
      if (!octokit) {
        throw new Error(
          "Input 'github-token' is empty; verify needs it to read the config and the approval ledger.",
        );
      }
      const branch = defaultBranchOf(ctx.payload) ?? (await gh.defaultBranch(octokit, ctx.repo));
      const { config, policies } = await loadConfig(settings, octokit, {
        ref: branch,
        label: 'default branch',
      });
      const plans = await loadPlans(settings, config);
      await verify(buildReport(plans, config, policies), config, octokit, pr, branch);
      return;
    }
    const { config, policies } = await loadConfig(
      settings,
      octokit,
      pr && { ref: pr.baseSha, label: `base ${pr.baseSha.slice(0, 7)}` },
    );
    const plans = await loadPlans(settings, config);
    const report = buildReport(plans, config, policies);
    // A streamed plan keeps whole values for its first changes only: show no more details.
    const maxDetails = plans.some((p) => p.streamed) ? MARKDOWN_FULL_DETAILS : undefined;
    await summarize(settings, report, config, octokit, pr, maxDetails);
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

/**
 * `projects` mode: the roots and units the pull request (or `base`...`head`) touches, as the
 * `matrix` output for the plan job. Needs the history of both (actions/checkout fetch-depth: 0).
 */
function listProjects(settings: Settings, pr: PullRef | undefined, sha: string): void {
  const base = settings.base || pr?.baseSha;
  if (!base) {
    throw new Error(
      "Input 'base' is empty and this is not a pull request: name the ref to compare with (e.g. base: ${{ github.event.before }}).",
    );
  }
  const head = settings.head || pr?.headSha || sha;
  const roots = listChangedRoots(process.env.GITHUB_WORKSPACE || process.cwd(), base, head);
  core.info(
    roots.length === 0
      ? `applygate: no Terraform root or Terragrunt unit changed between ${base.slice(0, 12)} and ${head.slice(0, 12)}`
      : `applygate: changed roots: ${roots.map((r) => r.path).join(', ')}`,
  );
  core.setOutput('matrix', JSON.stringify(rootsMatrix(roots)));
  core.setOutput('count', roots.length);
}

function defaultBranchOf(payload: typeof github.context.payload): string | undefined {
  const b = (payload.repository as { default_branch?: unknown } | undefined)?.default_branch;
  return typeof b === 'string' && b ? b : undefined;
}

interface PullRef {
  number: number;
  headSha: string;
  baseSha: string;
}

function pullRequestOf(payload: typeof github.context.payload): PullRef | undefined {
  const p = payload.pull_request as
    { number: number; head: { sha: string }; base: { sha: string } } | undefined;
  return p ? { number: p.number, headSha: p.head.sha, baseSha: p.base.sha } : undefined;
}

/**
 * In a PR the config comes from the base commit, in verify from the default branch: never from
 * the PR's own head or the checkout.
 */
async function loadConfig(
  settings: Settings,
  octokit: gh.Octokit | undefined,
  at: { ref: string; label: string } | undefined,
): Promise<{ config: Config; policies?: PolicyEngine }> {
  let text: string | undefined;
  let where = settings.configPath;
  if (at) {
    if (!octokit)
      throw new Error(
        `Input 'github-token' is empty; it is needed to read the config from the ${at.label}.`,
      );
    text = await gh.fileAt(octokit, github.context.repo, settings.configPath, at.ref);
    where = `${settings.configPath} at ${at.label}`;
  } else if (existsSync(settings.configPath)) {
    text = await readFile(settings.configPath, 'utf8');
  }
  const result = await parseConfigLoadingPolicies(text, where);
  if (!result.ok) throw new Error(`The applygate config is invalid:\n${result.errors.join('\n')}`);
  return result;
}

async function loadPlans(
  settings: Settings,
  config: Config,
): Promise<{ name: string; plan: Plan; streamed: boolean }[]> {
  const errors: string[] = [];
  const found: { name?: string; file: string }[] = [];
  for (const spec of settings.plans) {
    const files = await (await glob.create(spec.path, { matchDirectories: false })).glob();
    if (files.length === 0) errors.push(`plan '${spec.path}' matched no file`);
    else if (spec.name && files.length > 1) {
      errors.push(
        `project '${spec.name}' matched ${files.length} files; a named project needs exactly one plan`,
      );
    } else
      for (const file of files.sort())
        found.push({ ...(spec.name ? { name: spec.name } : {}), file });
  }
  const out: { name: string; plan: Plan; streamed: boolean }[] = [];
  const names = new Set<string>();
  for (const { name, file } of found) {
    const rel = relative(process.cwd(), file) || file;
    const projectName = name ?? defaultProjectName(rel, found.length === 1);
    if (names.has(projectName)) {
      errors.push(`project '${projectName}' is named twice`);
      continue;
    }
    names.add(projectName);
    // Plans too big for one string are read incrementally, as the CLI reads them; the comment,
    // job summary and JSON are the same either way (the markdown's details are kept).
    const source = {
      size: (await stat(file)).size,
      open: (start: number) => createReadStream(file, { start, highWaterMark: 1 << 20 }),
      read: () => readFile(file),
    };
    const result = await readPlan(source, {
      file: rel,
      threshold: streamThreshold(process.env),
      ...planDetail(config, 'markdown'),
    });
    if (result.ok) out.push({ name: projectName, plan: result.plan, streamed: result.streamed });
    else errors.push(result.error.message);
  }
  if (errors.length) throw new Error(`Cannot read the plans:\n${errors.join('\n')}`);
  return out;
}

async function summarize(
  settings: Settings,
  report: Report,
  config: Config,
  octokit: gh.Octokit | undefined,
  pr: PullRef | undefined,
  maxDetails: number | undefined,
): Promise<void> {
  const json = reportJson(report);
  const jsonPath =
    settings.summaryJsonPath ?? join(process.env.RUNNER_TEMP || tmpdir(), 'applygate-summary.json');
  await writeFile(jsonPath, `${JSON.stringify(json, null, 2)}\n`);

  const renderOpts = {
    policy: approvalPolicy(config),
    marker: { ...(pr ? { headSha: pr.headSha } : {}), runId: github.context.runId },
    ...(maxDetails !== undefined && { maxDetails }),
  };
  await core.summary
    .addRaw(renderMarkdown(report, { ...renderOpts, maxChars: JOB_SUMMARY_MAX }), true)
    .write();

  core.setOutput('score', report.score);
  core.setOutput('level', report.level);
  core.setOutput('requires-approval', report.requiresApproval);
  core.setOutput('destroy-count', destroyCount(report));
  core.setOutput('summary-json', jsonPath);
  core.setOutput(
    'digest',
    report.projects.length === 1
      ? report.projects[0]!.plan.digest
      : JSON.stringify(Object.fromEntries(report.projects.map((p) => [p.name, p.plan.digest]))),
  );
  for (const p of report.projects) {
    core.info(
      `applygate: ${p.name}: ${p.assessment.level} (${p.assessment.score}/100), digest ${shortDigest(p.plan.digest)}${p.assessment.requiresApproval ? ', approval required' : ''}`,
    );
  }

  if (!pr) {
    core.info('applygate: not a pull request event; job summary and outputs only, no comment.');
    return;
  }
  if (settings.comment === 'never') return;
  if (!octokit)
    throw new Error("Input 'github-token' is empty; it is needed to comment on the pull request.");

  const bodies =
    settings.layout === 'combined'
      ? [{ projects: report.projects.map((p) => p.name), body: renderMarkdown(report, renderOpts) }]
      : report.projects.map((p) => ({
          projects: [p.name],
          body: renderMarkdown(projectReport(p), renderOpts),
        }));

  try {
    await writeComments(settings, config, octokit, pr.number, bodies);
  } catch (e) {
    // Fork and Dependabot pull requests get a read-only token: the summary still is in the job
    // summary and the outputs, and the step does not fail (docs/action.md).
    if (!gh.isForbidden(e)) throw e;
    core.warning(
      `applygate: the token may not comment on PR #${pr.number} (403: a fork or Dependabot pull request gets a read-only token); the summary is in the job summary and the outputs.`,
    );
  }
}

async function writeComments(
  settings: Settings,
  config: Config,
  octokit: gh.Octokit,
  pull: number,
  bodies: { projects: string[]; body: string }[],
): Promise<void> {
  const repo = github.context.repo;
  const comments = await gh.listComments(octokit, repo, pull);
  let firstUrl: string | undefined;
  for (const { projects, body } of bodies) {
    const { keep, duplicates } = findSticky(comments, config.bots, projects);
    let url: string;
    if (!keep) {
      url = (await gh.createComment(octokit, repo, pull, body)).html_url;
      core.info(`applygate: created the summary comment for ${projects.join(', ')}: ${url}`);
    } else if (
      settings.comment === 'on-change' &&
      bodiesEquivalent(keep.comment.body ?? '', body)
    ) {
      url = keep.comment.html_url ?? '';
      core.info(`applygate: summary for ${projects.join(', ')} unchanged; not rewritten.`);
    } else {
      url = (await gh.updateComment(octokit, repo, keep.comment.id, body)).html_url;
      core.info(`applygate: updated the summary comment for ${projects.join(', ')}: ${url}`);
    }
    for (const d of duplicates) await gh.deleteComment(octokit, repo, d.comment.id);
    firstUrl ??= url;
  }
  if (firstUrl) core.setOutput('comment-url', firstUrl);
}

async function verify(
  report: Report,
  config: Config,
  octokit: gh.Octokit,
  pr: PullRef | undefined,
  branch: string,
): Promise<void> {
  const repo = github.context.repo;
  const sha = github.context.sha;
  const needs = report.projects.filter((p) => p.assessment.requiresApproval);
  let target: { number: number; headSha: string } | undefined = pr;
  if (!target && needs.length > 0) {
    // A push to the default branch: the merged pull request whose merge commit this is.
    // The same rule as the app's for a run on the default branch (core/approval/deployment.ts):
    // exactly one such pull request, or none.
    const pulls = await gh.pullsForCommit(octokit, repo, sha);
    const merged = pullMergedAs(sha, pulls, branch);
    target = pulls.find((p) => p.number === merged.pull);
  }
  let ledger: Ledger | undefined;
  let noLedger: string | undefined;
  let summaries: MarkerProject[] = [];
  if (target && needs.length > 0) {
    const runs = await gh.checkRunsNamed(octokit, repo, target.headSha, LEDGER_CHECK_NAME);
    // Read before the ledger is judged: a ledger older than the newest command is refused.
    const comments = await gh.listComments(octokit, repo, target.number);
    const pick = pickLedger(runs, {
      headSha: target.headSha,
      pull: target.number,
      app: config.gate.app,
      newestCommand: newestCommand(comments, config.approval.command),
    });
    if (pick.ok) {
      ledger = pick.ledger;
      core.info(
        `applygate verify: ledger of ${pick.run.appSlug} on ${target.headSha.slice(0, 7)}: ${pick.run.url ?? pick.run.id}`,
      );
    } else noLedger = pick.message;
    // The summary only helps name what differs (its lists count when they hash to the ledger's).
    summaries = needs.flatMap((p) => {
      const s = latestSummaryFor(comments, config.bots, p.name, target.headSha);
      return s ? [s.project] : [];
    });
  }
  const failures: string[] = [];
  const who = describeApprovers(approvalPolicy(config), { quote: (t) => t });
  for (const p of report.projects) {
    let v: { ok: boolean; message: string };
    if (!p.assessment.requiresApproval) v = verifyProject(p, undefined, config.verify.match, who);
    else if (!target) {
      v = {
        ok: false,
        message: `project '${p.name}': needs approval (${p.assessment.approvalReasons.map((r) => r.message).join('; ')}), and commit ${sha.slice(0, 7)} is not the merge commit of a pull request into ${branch} (event: ${github.context.eventName}), so nobody approved it (who may approve: ${who}). Apply through a pull request, or use the break-glass workflow: ${BREAK_GLASS_DOC}`,
      };
    } else if (!ledger)
      v = { ok: false, message: `project '${p.name}': needs approval, and ${noLedger}` };
    else
      v = verifyProject(
        p,
        ledger,
        config.verify.match,
        who,
        summaries.find((s) => s.name === p.name),
      );
    if (v.ok) core.info(`applygate verify: ${v.message}`);
    else failures.push(v.message);
  }
  core.setOutput('digest', report.projects.length === 1 ? report.projects[0]!.plan.digest : '');
  core.setOutput('verified', failures.length === 0);
  if (failures.length) throw new Error(`applygate verify failed:\n${failures.join('\n')}`);
}
