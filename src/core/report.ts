import { bindingOf, type Binding } from './binding.js';
import type { Config } from './config.js';
import type { PolicyEngine } from './policies/index.js';
import { countByKind, isDestructive, type Counts, type Plan } from './plan/model.js';
import { assess, type Assessment } from './risk/score.js';
import type { HygieneFinding } from './risk/hygiene.js';
import { levelRank, type Finding, type Level } from './risk/types.js';

// One report over one or more plans (projects). Every view, the JSON contract and the marker
// are made from it, so they cannot disagree.

export const SCHEMA_VERSION = 1;

export interface ProjectReport {
  name: string;
  file: string;
  plan: Plan;
  assessment: Assessment;
  counts: Counts;
  /** What an approval of this project binds to besides the digest (Gate v2). */
  binding: Binding;
}

export interface Report {
  level: Level;
  score: number;
  requiresApproval: boolean;
  projects: ProjectReport[];
}

export interface PlanInput {
  name: string;
  plan: Plan;
}

/** `policies`: the engine that runs the config's policies (required when it has any). */
export function buildReport(
  inputs: readonly PlanInput[],
  config: Config,
  policies?: PolicyEngine,
): Report {
  const projects = inputs.map(({ name, plan }) => {
    const assessment = assess(plan, config, name, policies);
    return {
      name,
      file: plan.file,
      plan,
      assessment,
      counts: countByKind(plan.resourceChanges),
      binding: bindingOf(plan, assessment.findings),
    };
  });
  const worst = projects.reduce<ProjectReport | undefined>(
    (w, p) =>
      !w ||
      levelRank(p.assessment.level) > levelRank(w.assessment.level) ||
      (p.assessment.level === w.assessment.level && p.assessment.score > w.assessment.score)
        ? p
        : w,
    undefined,
  );
  return {
    level: worst?.assessment.level ?? 'none',
    score: worst?.assessment.score ?? 0,
    requiresApproval: projects.some((p) => p.assessment.requiresApproval),
    projects,
  };
}

/** Destroys and replaces of managed resources first, then everything else, each in plan order. */
export function orderedChanges(plan: Plan) {
  const changes = plan.resourceChanges.filter((c) => c.kind !== 'no-op');
  const first = changes.filter((c) => c.mode === 'managed' && isDestructive(c.kind));
  const rest = changes.filter((c) => !(c.mode === 'managed' && isDestructive(c.kind)));
  return { destructive: first, other: rest };
}

export interface ReportJson {
  schemaVersion: number;
  level: Level;
  score: number;
  requiresApproval: boolean;
  projects: {
    name: string;
    file: string;
    digest: string;
    destroySet: string;
    riskSet: string;
    level: Level;
    score: number;
    requiresApproval: boolean;
    approvalReasons: string[];
    counts: {
      create: number;
      update: number;
      delete: number;
      replace: number;
      read: number;
      noop: number;
      forget: number;
      import: number;
      move: number;
    };
    changes: {
      address: string;
      kind: string;
      type: string;
      previousAddress?: string;
      actionReason?: string;
    }[];
    drift: { address: string; kind: string }[];
    risks: Finding[];
    /** "Before this bites": settings that would lose data in a later destroy (0 points). */
    hygiene: HygieneFinding[];
  }[];
}

/** The stable JSON contract (CLI `--format json`, the Action's `summary-json`). */
export function reportJson(report: Report): ReportJson {
  return {
    schemaVersion: SCHEMA_VERSION,
    level: report.level,
    score: report.score,
    requiresApproval: report.requiresApproval,
    projects: report.projects.map((p) => {
      const { destructive, other } = orderedChanges(p.plan);
      const { 'no-op': noop, ...counts } = p.counts;
      return {
        name: p.name,
        file: p.file,
        digest: p.plan.digest,
        destroySet: p.binding.destroySet,
        riskSet: p.binding.riskSet,
        level: p.assessment.level,
        score: p.assessment.score,
        requiresApproval: p.assessment.requiresApproval,
        approvalReasons: p.assessment.approvalReasons.map((r) => r.message),
        counts: { ...counts, noop },
        changes: [...destructive, ...other].map((c) => ({
          address: c.address,
          kind: c.kind,
          type: c.type,
          ...(c.previousAddress ? { previousAddress: c.previousAddress } : {}),
          ...(c.actionReason ? { actionReason: c.actionReason } : {}),
        })),
        drift: p.plan.drift.map((d) => ({ address: d.address, kind: d.kind })),
        risks: p.assessment.findings,
        hygiene: p.assessment.hygiene,
      };
    }),
  };
}

/** A report over one project of a larger report, for per-project comments. */
export function projectReport(project: ProjectReport): Report {
  return {
    level: project.assessment.level,
    score: project.assessment.score,
    requiresApproval: project.assessment.requiresApproval,
    projects: [project],
  };
}

export function destroyCount(report: Report): number {
  return report.projects.reduce((n, p) => n + p.counts.delete + p.counts.replace, 0);
}
