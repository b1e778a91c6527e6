// The size above which a plan is read as a stream; readPlan applies it, the adapters pass it.

/**
 * Plans above this size are read as a stream; smaller ones whole. At 355 MB the stream measured
 * as fast or a little faster than the whole file, with a third of its memory
 * (docs/benchmarks.md).
 */
export const STREAM_THRESHOLD_BYTES = 256 * 1024 * 1024;

/** The threshold, or `APPLYGATE_STREAM_THRESHOLD` (bytes; 0 streams every file) when it is set. */
export function streamThreshold(env: Record<string, string | undefined>): number {
  const v = env.APPLYGATE_STREAM_THRESHOLD;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : STREAM_THRESHOLD_BYTES;
}
