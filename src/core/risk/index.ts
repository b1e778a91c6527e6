export * from './types.js';
export {
  RULES,
  BACKUP_POLICIES,
  PROTECTION_ATTRS,
  DANGER_ATTRS,
  LOCK_TYPES,
  isIamType,
} from './rules.js';
export { openIngress, publicData, OPEN_SOURCES, WEB_PORTS } from './exposure.js';
export { hygieneFindings, HYGIENE_CHECKS, HYGIENE_IDS } from './hygiene.js';
export type { HygieneFinding, HygieneId } from './hygiene.js';
export type { Rule } from './rules.js';
export { assess, scoreFindings, levelOfScore, LEVEL_BANDS, POINTS } from './score.js';
export type { Assessment, ApprovalReason } from './score.js';
export { matchesAddress } from './address-pattern.js';
