// Where a plan's bytes come from. The core does no I/O: the adapter (CLI, Action) says what it
// can do with the file, and readPlan picks the way to read it.

/** Bytes that can be read again from a byte offset, in chunks: what the streaming reader needs. */
export interface RangedBytes {
  open(start: number): AsyncIterable<Uint8Array>;
}

/** A plan as the adapter can provide it. */
export interface PlanSource {
  /** Size in bytes when known before reading (a regular file); undefined for stdin. */
  size?: number;
  /** The bytes from an offset, when they can be read again (a file): enables streaming. */
  open?: RangedBytes['open'];
  /** All the bytes at once. */
  read: () => Promise<Uint8Array>;
  /**
   * The file as text when it is plain UTF-8 (no BOM, not UTF-16), decoded without an
   * intermediate buffer; undefined for anything else, which is then read with `read`.
   */
  readText?: () => string | undefined;
}

/** RangedBytes over bytes already in memory (stdin), in chunks of `chunk` bytes. */
export function bytesSource(bytes: Uint8Array, chunk = 1 << 20): RangedBytes {
  return {
    async *open(start: number) {
      for (let at = start; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
    },
  };
}
