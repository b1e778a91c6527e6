export * from './types.js';
export {
  RULES,
  BACKUP_POLICIES,
  PROTECTION_ATTRS,
  DANGER_ATTRS,
  openIngress,
  isIamType,
} from './rules.js';
export type { Rule } from './rules.js';
export { assess, scoreFindings, levelOfScore, LEVEL_BANDS, POINTS } from './score.js';
export type { Assessment, ApprovalReason } from './score.js';
export { matchesAddress } from './address-pattern.js';
