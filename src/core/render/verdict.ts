import type { ChangeKind, ResourceChange } from '../plan/model.js';
import type { ProjectReport } from '../report.js';
import { statefulType } from '../risk/catalog.js';
import { BACKUP_POLICIES } from '../risk/rules.js';
import type { Finding } from '../risk/types.js';
import { destroysOf, plural, ruleTitle } from './common.js';

// The one sentence a reviewer reads first: what the plan does that matters most, built from the
// strongest findings (the factor layout's `top`). Words and addresses are kept apart so that each
// view formats an address its own way (a code span in markdown, escaped text in a terminal).

export type VerdictPart = string | { address: string };

/** The verdict of one project, as words and addresses; join them to read it. */
export function verdict(p: ProjectReport, top: readonly Finding[]): VerdictPart[] {
  const destroys = destroysOf(p);
  const errored = top.find((f) => f.id === 'plan-errored');
  const lead: VerdictPart[] = errored
    ? [
        p.plan.errored
          ? 'Terraform reported errors, so this plan is incomplete'
          : 'Terraform marked this plan as not applyable',
      ]
    : [];
  if (destroys.length > 0) {
    const clause = destroyClause(p, destroys, top);
    return errored ? [...lead, ', and it ', ...lowerFirst(clause)] : clause;
  }
  if (errored) return [...lead, '.'];
  const strongest = top[0];
  if (strongest) {
    const title = ruleTitle(strongest.id);
    const more = top.length - 1;
    return [
      title,
      ...(strongest.address !== undefined ? [': ', { address: strongest.address }] : []),
      more > 0 ? ` (and ${plural(more, 'other risk factor')})` : '',
      `; ${changeClause(p)}.`,
    ];
  }
  const clause = changeClause(p);
  return [`${clause[0]!.toUpperCase()}${clause.slice(1)}.`];
}

/** "Destroys the RDS database instance X with no backup left, and 15 other resources: all 16 in state." */
function destroyClause(
  p: ProjectReport,
  destroys: readonly ResourceChange[],
  top: readonly Finding[],
): VerdictPart[] {
  const kinds = new Set(destroys.map((c) => c.kind));
  const verb =
    kinds.size > 1 ? 'Destroys or replaces' : kinds.has('replace') ? 'Replaces' : 'Destroys';
  const byAddress = new Map(destroys.map((c) => [c.address, c]));
  // The resource to name: the first whose backups go with it, else the first holding data.
  const named =
    top.find((f) => f.id === 'backups-lost' && byAddress.has(f.address ?? '')) ??
    top.find((f) => f.id === 'stateful-destroy' && byAddress.has(f.address ?? ''));
  const parts: VerdictPart[] = [verb, ' '];
  if (named) {
    const c = byAddress.get(named.address!)!;
    const what = BACKUP_POLICIES[c.type]?.what ?? statefulType(c.type)?.what;
    parts.push(what ? `the ${what} ` : '', { address: c.address });
    parts.push(named.id === 'backups-lost' ? ' with no backup left' : ' and the data in it');
    const others = destroys.length - 1;
    if (others > 0) parts.push(`, and ${plural(others, 'other resource')}`);
  } else {
    parts.push(plural(destroys.length, 'resource'));
  }
  const inState = p.plan.priorStateResources;
  if (top.some((f) => f.id === 'mass-destroy') && inState > 0) {
    parts.push(
      destroys.length >= inState
        ? `: ${inState === 1 ? 'the only one' : `all ${inState}`} in state`
        : `: ${destroys.length} of the ${inState} in state`,
    );
  }
  parts.push('.');
  return parts;
}

const VERBS: readonly [ChangeKind, string][] = [
  ['create', 'creates'],
  ['update', 'updates'],
  ['import', 'imports'],
  ['move', 'moves'],
  ['forget', 'forgets'],
];

/** "creates 2 resources and updates 1, nothing is destroyed" */
function changeClause(p: ProjectReport): string {
  const done = VERBS.filter(([k]) => p.counts[k] > 0).map(([k, v], i) =>
    i === 0 ? `${v} ${plural(p.counts[k], 'resource')}` : `${v} ${p.counts[k]}`,
  );
  if (done.length === 0) return 'no resource changes';
  const list = done.length === 1 ? done[0]! : `${done.slice(0, -1).join(', ')} and ${done.at(-1)!}`;
  return `${list}, nothing is destroyed`;
}

function lowerFirst(parts: VerdictPart[]): VerdictPart[] {
  const [first, ...rest] = parts;
  return typeof first === 'string' ? [first[0]!.toLowerCase() + first.slice(1), ...rest] : parts;
}
