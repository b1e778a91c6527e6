import type { Config } from '../config.js';
import type { Detail, DetailOptions } from '../plan/index.js';
import { RULE_READS } from '../risk/reads.js';

/**
 * What the plan reader must keep of each value. A reader that streams a big plan keeps only
 * what the built-in rules read (RULE_READS); a policy of the config may read any attribute, and
 * one that read a cut value would quietly not fire, so with policies every value is kept whole.
 */
export function planDetail(
  config: Pick<Config, 'policies'>,
  wanted: Exclude<Detail, 'all'>,
): DetailOptions {
  return config.policies.length > 0 ? { detail: 'all' } : { detail: wanted, reads: RULE_READS };
}
