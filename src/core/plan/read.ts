import type { Plan } from './model.js';
import { parsePlan, parsePlanObject, type PlanError, type PlanResult } from './parse.js';
import { bomLength, decodePlanBytes, sniffEncoding } from './encoding.js';
import type { DetailOptions, ValueReads } from './slim.js';
import { bytesSource, type PlanSource } from './source.js';
import { parsePlanStream } from './stream.js';

// The one place that decides how a plan is read: whole (faster for small plans) or as a stream
// of bytes (bounded memory, and beyond V8's ~512 M character string limit). The CLI and the
// Action call readPlan with what they can do with the file and the threshold they were given.

export type ReadPlanOptions = DetailOptions & {
  /** The name in error messages (and in the model's `file`). */
  file: string;
  /** Plans bigger than this many bytes are streamed (streamThreshold). */
  threshold: number;
  /** Bytes of resource changes held at once when the digest pass must reorder them. */
  reorderBudget?: number;
  /** At `risk` detail, files in memory from this many bytes are read by the scanner. */
  scanFrom?: number;
};

/**
 * Below this size the scanner costs more CPU than JSON.parse of the whole text (its byte loops
 * run before the JIT has compiled them: +20% of CPU at 4 and at 11 MB); from here it costs about
 * the same CPU, less wall time (10 to 15% at 35 to 43 MB: less for the collector to do) and far
 * less memory (160 MB instead of 200 at 35 MB). Measured interleaved, docs/benchmarks.md,
 * 2026-12-08 (the first measurement, 64 MB, was before values were cut before redaction).
 */
export const SCAN_FROM_BYTES = 32 * 1024 * 1024;

/**
 * The plan, read whole or streamed. `streamed`: the detail level applied (a streamed plan with
 * `markdown` detail keeps whole values for its first MARKDOWN_FULL_DETAILS changes only).
 * I/O errors of the source propagate; everything wrong with the plan is a PlanError.
 */
export type ReadResult =
  { ok: true; plan: Plan; streamed: boolean } | { ok: false; error: PlanError };

export async function readPlan(source: PlanSource, opts: ReadPlanOptions): Promise<ReadResult> {
  const { file, threshold } = opts;
  const open = source.open;
  if (source.size !== undefined && source.size > threshold && open) {
    return withStreamed(await parsePlanStream({ open }, file, opts), true);
  }
  // At `risk` detail no view shows values, so the byte scanner reads the file in memory too:
  // it never builds the values nobody reads (issue 25), which JSON.parse of the whole text must.
  const scanFrom = opts.scanFrom ?? SCAN_FROM_BYTES;
  const scan = opts.detail === 'risk' && (source.size === undefined || source.size >= scanFrom);
  const box: Whole = { text: scan ? undefined : source.readText?.() };
  if (box.text === undefined) await readInto(box, () => source.read());
  if (box.bytes && box.bytes.length > threshold) {
    return withStreamed(await parsePlanStream(bytesSource(box.bytes), file, opts), true);
  }
  if (box.bytes && scan && box.bytes.length >= scanFrom && startsLikeUtf8Object(box.bytes)) {
    const r = await parsePlanStream(bytesSource(box.bytes, SCAN_CHUNK), file, {
      ...opts,
      holdDigested: true,
    });
    // Anything wrong is told by the whole-file reader, in its words (its error path recognises
    // other kinds of files): only plans that read cleanly take the scanner's result.
    if (r.ok) return withStreamed(r, false);
  }
  return withStreamed(
    parseWhole(box, file, opts.detail === 'risk' ? opts.reads : undefined),
    false,
  );
}

/** Chunks the scanner reads a file in memory by: few enough values are split (and copied). */
const SCAN_CHUNK = 8 << 20;

/** UTF-8 (no UTF-16 BOM or zero bytes) with `{` as the first character after space. */
function startsLikeUtf8Object(b: Uint8Array): boolean {
  if (sniffEncoding(b) !== 'utf-8') return false;
  let i = bomLength(b, 'utf-8');
  while (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09) i++;
  return b[i] === 0x7b;
}

function withStreamed(r: PlanResult, streamed: boolean): ReadResult {
  return r.ok ? { ...r, streamed } : r;
}

interface Whole {
  bytes?: Uint8Array;
  text?: string | undefined;
}

/**
 * `box.bytes = await read()` in a frame of its own: an awaited value can stay referenced from
 * the awaiting function's saved registers, and these bytes must be free to go once decoded.
 */
async function readInto(box: Whole, read: () => Promise<Uint8Array>) {
  box.bytes = await read();
}

/**
 * parsePlan for a file read whole, letting go of the bytes once decoded and of the text once
 * parsed, so peak memory is about the parsed document rather than bytes + text + document.
 * Same result as parsePlan(bytes): anything JSON.parse refuses goes to parsePlan for its message.
 */
function parseWhole(box: Whole, file: string, reads: ValueReads | undefined): PlanResult {
  let text: string | undefined = box.text ?? decodePlanBytes(box.bytes as Uint8Array);
  delete box.bytes;
  delete box.text;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  if (text.trimStart().startsWith('{')) {
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
  }
  if (doc === undefined) return parsePlan(text, file);
  // Drop the only reference to the text: it can be collected while the model is built.
  // eslint-disable-next-line no-useless-assignment
  text = undefined;
  return parsePlanObject(doc, file, reads);
}
