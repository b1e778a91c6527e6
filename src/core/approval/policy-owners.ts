import { setDigest } from '../binding.js';
import type { MarkerProject } from '../marker.js';
import { isTeam, normalizePrincipal } from '../principal.js';
import { policyIdOf } from '../policies/index.js';

// Owners of the config's policies (`policies[].owners`): when a policy with owners fired in a
// project's plan, one of its owners must approve that project too, besides the usual approval.
// Which policies fired is read from the marker's risk lines (`policy:ID ADDRESS`), which every
// policy finding joins whatever its severity (binding.ts) and which `verify` recomputes. When
// the lines are cut or do not hash to the marker's riskSet, nothing can be told from them: then
// every policy with owners counts as fired (fail closed).

/** A policy with owners, as the decision uses it: owners normalized (no `@`, A-Z folded). */
export interface OwnedPolicy {
  id: string;
  owners: readonly string[];
}

/** The policies of the config that have owners. */
export function ownedPolicies(
  policies: readonly { id: string; owners: readonly string[] }[] | undefined,
): OwnedPolicy[] {
  return (policies ?? [])
    .filter((p) => p.owners.length > 0)
    .map((p) => ({ id: p.id, owners: p.owners.map(normalizePrincipal) }));
}

/** The policies with owners that fired in one project, by its marker. */
export function firedOwnedPolicies(
  project: Pick<MarkerProject, 'risks' | 'riskSet'>,
  owned: readonly OwnedPolicy[],
): OwnedPolicy[] {
  if (owned.length === 0) return [];
  if (setDigest(project.risks) !== project.riskSet) return [...owned];
  const fired = new Set(
    project.risks.flatMap((line) => {
      const id = policyIdOf(line.split(' ')[0] ?? '');
      return id === undefined ? [] : [id];
    }),
  );
  return owned.filter((p) => fired.has(p.id));
}

/** A way to approve for a policy: as a listed user, or through a listed team. */
export type PolicyRoute = { kind: 'user'; login: string } | { kind: 'team'; team: string };

/** How `login` may approve for `policy` (before write access is checked). */
export function policyRoutes(
  login: string,
  policy: OwnedPolicy,
  teamMembers: ReadonlyMap<string, ReadonlySet<string>>,
): PolicyRoute[] {
  return policy.owners.flatMap((o): PolicyRoute[] => {
    if (isTeam(o)) return teamMembers.get(o)?.has(login) ? [{ kind: 'team', team: o }] : [];
    return o === login ? [{ kind: 'user', login }] : [];
  });
}

/** The owners of a policy as the check and the replies name them: `@login`, `@org/team`. */
export function ownerNames(policy: OwnedPolicy): string[] {
  return policy.owners.map((o) => `@${o}`);
}
