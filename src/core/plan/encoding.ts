import type { RangedBytes } from './source.js';

// Plans saved on Windows are real: PowerShell's `>` writes UTF-16LE with a byte-order mark.
// One set of rules for both readers: the encoding by BOM, else by the zero-byte pattern of
// UTF-16 (JSON starts with an ASCII character, so UTF-16 without a BOM has a zero byte beside
// it). The whole-file reader decodes the bytes to text at once; the streaming reader reads the
// document as UTF-8 bytes, decoding UTF-16 chunk by chunk into UTF-8 on the fly.

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** The plan's bytes as text, in the encoding the bytes say (BOM removed). */
export function decodePlanBytes(bytes: Uint8Array): string {
  const encoding = sniffEncoding(bytes);
  return new TextDecoder(encoding).decode(bytes.subarray(bomLength(bytes, encoding)));
}

function hasUtf8Bom(b: Uint8Array): boolean {
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

function hasUtf16Bom(b: Uint8Array): boolean {
  return (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
}

/** The encoding: by BOM, else by the zero-byte pattern of UTF-16. */
export function sniffEncoding(b: Uint8Array): Encoding {
  if (hasUtf8Bom(b)) return 'utf-8';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  if (b.length >= 2 && b[0] !== 0 && b[1] === 0) return 'utf-16le';
  if (b.length >= 2 && b[0] === 0 && b[1] !== 0) return 'utf-16be';
  return 'utf-8';
}

/** Bytes of byte-order mark at the start of `b` in `encoding`. */
export function bomLength(b: Uint8Array, encoding: Encoding): number {
  if (encoding === 'utf-8') return hasUtf8Bom(b) ? 3 : 0;
  return hasUtf16Bom(b) ? 2 : 0;
}

/** The document as UTF-8 bytes (BOM removed), openable at an offset into those bytes. */
export interface Utf8Source {
  open(start: number): AsyncIterable<Uint8Array>;
}

export function utf8Source(source: RangedBytes, encoding: Encoding, bom: number): Utf8Source {
  if (encoding === 'utf-8') return { open: (start) => source.open(bom + start) };
  return {
    async *open(start: number) {
      const decoder = new TextDecoder(encoding, { ignoreBOM: true });
      const encoder = new TextEncoder();
      let pos = 0;
      const skip = function* (bytes: Uint8Array) {
        if (pos + bytes.length <= start) {
          pos += bytes.length;
          return;
        }
        const from = Math.max(0, start - pos);
        pos += bytes.length;
        yield from > 0 ? bytes.subarray(from) : bytes;
      };
      for await (const chunk of source.open(bom)) {
        yield* skip(encoder.encode(decoder.decode(chunk, { stream: true })));
      }
      yield* skip(encoder.encode(decoder.decode()));
    },
  };
}

export async function readHead(source: RangedBytes, max: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of source.open(0)) {
    parts.push(chunk);
    n += chunk.length;
    if (n >= max) break;
  }
  return concat(parts);
}

/**
 * Bytes of whitespace before the opening `{`, or undefined when the document does not start
 * with one (after whitespace as String.prototype.trimStart counts it, as parsePlan does).
 */
export async function leadingSpace(text: Utf8Source): Promise<number | undefined> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let bytes = 0;
  let first = true;
  for await (const chunk of text.open(0)) {
    if (first) {
      // What every plan looks like: ASCII space, then `{`, in the first chunk. Counted on the
      // bytes: decoding the whole first chunk (8 MB for a file in memory) to trim it cost 2% of
      // reading a 185 MB plan. Anything else (other Unicode space, no `{`) is decoded as before.
      first = false;
      let i = 0;
      while (i < chunk.length && isAsciiSpace(chunk[i] as number)) i++;
      if (chunk[i] === 0x7b) return i;
    }
    const s = decoder.decode(chunk, { stream: true });
    const t = s.trimStart();
    if (t === '') {
      bytes += chunk.length;
      continue;
    }
    if (t[0] !== '{') return undefined;
    return bytes + new TextEncoder().encode(s.slice(0, s.length - t.length)).length;
  }
  return undefined;
}

/** The characters String.prototype.trimStart removes that are ASCII. */
function isAsciiSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** UTF-8 bytes in pieces (one value the scanner captured, one range re-read) as text. */
export function utf8Text(pieces: Uint8Array[]): string {
  return utf8Decoder.decode(pieces.length === 1 ? pieces[0] : concat(pieces));
}

export function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
