import { CHECK, KEEP, type Node } from './scanner.js';

// What the streaming reader does with each part of a `terraform show -json` document: the
// elements of `resource_changes` and `resource_drift` are handed out one by one; the module
// trees of `prior_state`, `planned_values` and `configuration` are walked and only what the
// model needs is kept (outputs, counts of prior-state resources, versions, flags); everything
// else is checked as JSON and dropped, without being built.

const anyDepth = (levels: number): Node =>
  levels === 0 ? CHECK : { mode: 'any', child: () => anyDepth(levels - 1) };
const UNKNOWN_MEMBER = anyDepth(3);
const EMIT_RC: Node = { mode: 'emit', emit: 'resource_changes', bytes: true };
const EMIT_DRIFT: Node = { mode: 'emit', emit: 'resource_drift' };
/** prior_state modules: only each resource's `mode` is kept (to count managed resources). */
const STATE_RESOURCE: Node = { mode: 'pick', pick: ['mode'] };
const STATE_MODULE: Node = {
  mode: 'obj',
  build: true,
  child: (k) =>
    k === 'resources'
      ? { mode: 'arr', build: true, child: () => STATE_RESOURCE }
      : k === 'child_modules'
        ? { mode: 'arr', build: true, child: () => STATE_MODULE }
        : CHECK,
};
/** planned_values modules: checked, not kept. */
const CHECKED_MODULE: Node = {
  mode: 'any',
  child: (k) =>
    k === 'resources'
      ? { mode: 'any', child: () => CHECK }
      : k === 'child_modules'
        ? { mode: 'any', child: () => CHECKED_MODULE }
        : CHECK,
};
/** A module in `configuration`: its calls recurse; resources and the rest are only checked. */
const configChild = (k: string | number): Node =>
  k === 'module_calls'
    ? {
        mode: 'any',
        child: () => ({ mode: 'any', child: (c) => (c === 'module' ? CHECKED_CONFIG : CHECK) }),
      }
    : k === 'resources'
      ? { mode: 'any', child: () => CHECK }
      : CHECK;
/** The root module keeps its outputs (sensitive declarations); child modules are only checked. */
const CONFIG_MODULE: Node = {
  mode: 'obj',
  build: true,
  child: (k) => (k === 'outputs' ? KEEP : configChild(k)),
};
const CHECKED_CONFIG: Node = { mode: 'any', child: configChild };
/** The pruned document: what parsePlanObject reads, and nothing bigger. */
export const PLAN_LAYOUT: Node = {
  mode: 'obj',
  build: true,
  child: (k) => {
    switch (k) {
      case 'resource_changes':
        return { mode: 'arr', streamed: true, child: () => EMIT_RC };
      case 'resource_drift':
        return { mode: 'arr', streamed: true, child: () => EMIT_DRIFT };
      case 'format_version':
      case 'plan_format_version':
      case 'terraform_version':
      case 'errored':
      case 'applyable':
      case 'output_changes':
      case 'relevant_attributes':
      case 'checks':
      case 'complete': // with the next two, what digest v2 covers besides the changes
      case 'action_invocations':
      case 'deferred_changes':
        return KEEP;
      case 'prior_state':
        return {
          mode: 'obj',
          build: true,
          child: (p) =>
            p === 'values'
              ? {
                  mode: 'obj',
                  build: true,
                  child: (v) =>
                    v === 'outputs' ? KEEP : v === 'root_module' ? STATE_MODULE : CHECK,
                }
              : CHECK,
        };
      case 'planned_values':
        return {
          mode: 'obj',
          build: true,
          child: (p) => (p === 'outputs' ? KEEP : p === 'root_module' ? CHECKED_MODULE : CHECK),
        };
      case 'configuration':
        return {
          mode: 'obj',
          build: true,
          child: (p) => (p === 'root_module' ? CONFIG_MODULE : CHECK),
        };
      default:
        return UNKNOWN_MEMBER;
    }
  },
};
