import { createHash, type Hash } from 'node:crypto';

// The digest binds an approval to what would be applied. It covers the raw resource and output
// changes (sensitive values included, so a changed password changes the digest), in a canonical
// form: object keys sorted, resource changes ordered by address, no timestamps or versions.
// The same plan therefore gives the same digest on every machine and every Terraform release
// that prints the same changes.

export interface DigestInput {
  resource_changes: unknown[];
  output_changes: Record<string, unknown>;
}

export function planDigest(input: DigestInput): string {
  const hash = createHash('sha256');
  const w = new ChunkedWriter(hash);
  const changes = [...input.resource_changes].sort(byAddress);
  w.write('{"output_changes":');
  writeCanonical(w, input.output_changes ?? {});
  w.write(',"resource_changes":[');
  changes.forEach((rc, i) => {
    if (i > 0) w.write(',');
    writeCanonical(w, rc);
  });
  w.write(']}');
  w.flush();
  return `sha256:${hash.digest('hex')}`;
}

/** Canonical JSON text (sorted keys); exported for tests and for tools that want to inspect it. */
export function canonicalJson(value: unknown): string {
  let out = '';
  const sink = { write: (s: string) => (out += s) };
  writeCanonical(sink, value);
  return out;
}

function byAddress(a: unknown, b: unknown): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function sortKey(rc: unknown): string {
  const r = (rc ?? {}) as { address?: unknown; deposed?: unknown };
  return `${String(r.address)}\u0000${r.deposed === undefined ? '' : String(r.deposed)}`;
}

interface Sink {
  write(s: string): void;
}

// Hashing piece by piece keeps memory flat on plans with hundreds of thousands of changes.
class ChunkedWriter implements Sink {
  private buf = '';
  constructor(private readonly hash: Hash) {}
  write(s: string): void {
    this.buf += s;
    if (this.buf.length > 1 << 16) this.flush();
  }
  flush(): void {
    if (this.buf) this.hash.update(this.buf, 'utf8');
    this.buf = '';
  }
}

function writeCanonical(w: Sink, v: unknown): void {
  if (v === null || v === undefined) {
    w.write('null');
  } else if (typeof v === 'string') {
    w.write(JSON.stringify(v));
  } else if (typeof v === 'number' || typeof v === 'boolean') {
    w.write(JSON.stringify(v));
  } else if (Array.isArray(v)) {
    w.write('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) w.write(',');
      writeCanonical(w, v[i]);
    }
    w.write(']');
  } else if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    w.write('{');
    keys.forEach((k, i) => {
      if (i > 0) w.write(',');
      w.write(JSON.stringify(k));
      w.write(':');
      writeCanonical(w, obj[k]);
    });
    w.write('}');
  } else {
    w.write('null');
  }
}
