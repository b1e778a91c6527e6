export * from './model.js';
export { parsePlan, parsePlanObject, planError, classifyActions } from './parse.js';
export type { PlanError, PlanResult } from './parse.js';
export { planDigest, canonicalJson } from './digest.js';
export { decodePlanBytes } from './decode.js';
