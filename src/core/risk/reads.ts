import type { ValueReads } from '../plan/slim.js';
import { AZAPI_RESOURCE } from './catalog.js';
import { DATA_EXPOSURE_TYPES, NETWORK_TYPES } from './exposure.js';
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
  // `type` names the Azure resource type of an `azapi_resource` (read as its only attribute).
  typeAttrs: { [AZAPI_RESOURCE]: ['type'] },
};
