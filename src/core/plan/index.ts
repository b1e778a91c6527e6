export * from './model.js';
export { parsePlan, parsePlanObject, planError, classifyActions } from './parse.js';
export type { PlanError, PlanResult } from './parse.js';
export { planDigest, canonicalJson } from './digest.js';
export { decodePlanBytes } from './decode.js';
export { readPlan, type ReadPlanOptions, type ReadResult } from './read.js';
export { streamThreshold, STREAM_THRESHOLD_BYTES } from './threshold.js';
export { MARKDOWN_FULL_DETAILS, type Detail, type ValueReads } from './slim.js';
export type { PlanSource } from './source.js';
