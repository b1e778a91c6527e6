import { PlanDigest, type DigestHeader } from './digest.js';
import { utf8Text, type Utf8Source } from './encoding.js';
import { isPlainObject } from '../json.js';

// Pass 2 of the streaming reader: the digest. It hashes `output_changes` before
// `resource_changes`, and Terraform writes `output_changes` after them, so the digest cannot be
// hashed during pass 1. This pass re-reads the byte ranges of the actionable resource changes
// that pass 1 recorded, in digest order (Terraform's order already, sorted by address; if not,
// in batches of bounded size), and hashes them with the same canonical writer as planDigest.
// (Keeping each change's canonical text from pass 1 instead was measured slower and bigger: the
// held text makes the old generation grow and the collector work.)

/**
 * The digest of the resource changes at `ranges` (their sort keys `keys`, in file order; `sorted`
 * when the keys are already in order), with the document's `header`. `reorderBudget`: bytes of
 * resource changes held at once when they must be reordered.
 */
export async function streamDigest(
  text: Utf8Source,
  header: DigestHeader,
  keys: string[],
  ranges: RangeList,
  sorted: boolean,
  reorderBudget = 64 * 1024 * 1024,
): Promise<string> {
  const n = keys.length;
  const outputs = isPlainObject(header.output_changes) ? header.output_changes : {};
  const digest = new PlanDigest({ ...header, output_changes: outputs });
  // rank[i]: position of element i in digest order (a stable sort by key, as planDigest's).
  let order: number[] | undefined;
  if (!sorted) {
    order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => {
      const ka = keys[a] as string;
      const kb = keys[b] as string;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
  }
  const budget = reorderBudget;
  let done = 0;
  while (done < n) {
    // The next batch of ranks [done, upto): all of them when in order (nothing is held), else
    // as many as fit the reorder budget.
    let upto = done;
    let bytes = 0;
    if (!order) upto = n;
    else {
      while (upto < n) {
        const i = order[upto] as number;
        const len = ranges.end(i) - ranges.start(i);
        if (upto > done && bytes + len > budget) break;
        bytes += len;
        upto++;
      }
    }
    // Elements of the batch in file order, with their rank.
    const members: number[] = [];
    for (let r = done; r < upto; r++) members.push(order ? (order[r] as number) : r);
    if (order) members.sort((a, b) => a - b);
    const rankOf = new Map<number, number>();
    if (order) for (let r = done; r < upto; r++) rankOf.set(order[r] as number, r);

    const held = new Map<number, unknown>();
    let next = done;
    const emit = (rank: number, value: unknown) => {
      if (rank !== next) {
        held.set(rank, value);
        return;
      }
      digest.add(value);
      next++;
      for (let v = held.get(next); held.has(next); v = held.get(next)) {
        held.delete(next);
        digest.add(v);
        next++;
      }
    };
    const first = members[0] as number;
    let m = 0;
    let pieces: Uint8Array[] = [];
    let pos = ranges.start(first);
    for await (const chunk of text.open(pos)) {
      let at = 0;
      while (at < chunk.length && m < members.length) {
        const i = members[m] as number;
        const s = ranges.start(i);
        const e = ranges.end(i);
        if (pos + (chunk.length - at) <= s) {
          pos += chunk.length - at;
          break;
        }
        if (pos < s) {
          at += s - pos;
          pos = s;
        }
        const take = Math.min(chunk.length - at, e - pos);
        pieces.push(chunk.subarray(at, at + take));
        at += take;
        pos += take;
        if (pos === e) {
          const value: unknown = JSON.parse(utf8Text(pieces));
          pieces = [];
          emit(order ? (rankOf.get(i) as number) : i, value);
          m++;
        }
      }
      if (m >= members.length) break;
    }
    if (m < members.length) throw new Error('the plan changed while it was being read');
    done = upto;
  }
  return digest.finish();
}

/** Growable pairs of byte offsets (doubles: files beyond 2 GB are fine). */
export class RangeList {
  private buf = new Float64Array(1 << 12);
  private n = 0;
  push(start: number, end: number): void {
    if (2 * this.n + 2 > this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[2 * this.n] = start;
    this.buf[2 * this.n + 1] = end;
    this.n++;
  }
  start(i: number): number {
    return this.buf[2 * i] as number;
  }
  end(i: number): number {
    return this.buf[2 * i + 1] as number;
  }
  clear(): void {
    this.n = 0;
  }
}
