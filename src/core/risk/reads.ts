import { AZAPI_RESOURCE } from './catalog.js';
import { DATA_EXPOSURE_TYPES, NETWORK_TYPES } from './exposure.js';
import { HYGIENE_TYPES } from './hygiene.js';
import { BACKUP_POLICIES, DANGER_ATTRS, PROTECTION_ATTRS } from './rules.js';

// What the risk rules and hygiene checks read from resource values, in one place, so that a
// reader that keeps only part of each value (the streaming reader of plans too big for memory)
// keeps exactly what they need: a new rule that reads a new attribute adds it here.

/** Types whose values a rule reads in depth: these are kept whole. */
export const WHOLE_VALUE_TYPES: ReadonlySet<string> = new Set<string>([
  ...Object.keys(BACKUP_POLICIES),
  ...NETWORK_TYPES,
  ...DATA_EXPOSURE_TYPES,
  ...Object.keys(HYGIENE_TYPES),
]);

/**
 * Top-level attributes read on every type: the protection attributes, and `type`, which names
 * the Azure resource type of an `azapi_resource` (read as the type's only attribute there).
 */
export const READ_ATTRS: readonly string[] = [
  ...new Set<string>([...PROTECTION_ATTRS, ...DANGER_ATTRS]),
];

/** Attributes read on one type beyond READ_ATTRS. */
export const TYPE_ATTRS: Readonly<Record<string, readonly string[]>> = {
  [AZAPI_RESOURCE]: ['type'],
};
