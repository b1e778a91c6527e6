import type { ValueReads } from '../plan/slim.js';
import { AZAPI_RESOURCE, HELM_RELEASE } from './catalog.js';
import { ACCESS_READS } from './access.js';
import { CONTROL_PLANE_READS, DATA_EXPOSURE_TYPES, NETWORK_TYPES } from './exposure.js';
import { CONTROL_READS, DATA_LOSS_READS } from './safeguards.js';
import { HYGIENE_TYPES } from './hygiene.js';
import { BACKUP_POLICIES, DANGER_ATTRS, PROTECTION_ATTRS } from './rules.js';

// What the risk rules and hygiene checks read from resource values, in one place: the callers of
// the plan reader pass it in, so that a reader that keeps only part of each value (the streaming
// reader of plans too big for memory) keeps exactly what the rules need without knowing them.
// A new rule that reads a new attribute adds it here.

export const RULE_READS: ValueReads = {
  // Types whose values a rule reads in depth: kept whole.
  wholeTypes: new Set<string>([
    ...Object.keys(BACKUP_POLICIES),
    ...NETWORK_TYPES,
    ...DATA_EXPOSURE_TYPES,
    ...Object.keys(HYGIENE_TYPES),
  ]),
  // Read on every type: the protection attributes and the dangerous settings.
  attrs: [...new Set<string>([...PROTECTION_ATTRS, ...DANGER_ATTRS])],
  // Attributes read on one type: `type` names the Azure resource type of an `azapi_resource`,
  // `chart` the chart of a Helm release; access, data-loss, control and cluster API reads.
  typeAttrs: mergeReads(
    { [AZAPI_RESOURCE]: ['type'], [HELM_RELEASE]: ['chart'] },
    ACCESS_READS,
    DATA_LOSS_READS,
    CONTROL_READS,
    CONTROL_PLANE_READS,
  ),
};

function mergeReads(
  ...parts: Readonly<Record<string, readonly string[]>>[]
): Record<string, readonly string[]> {
  const out: Record<string, string[]> = {};
  for (const part of parts) {
    for (const [type, attrs] of Object.entries(part)) {
      out[type] = [...new Set([...(out[type] ?? []), ...attrs])];
    }
  }
  return out;
}
