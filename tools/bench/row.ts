// What every benchmark reports: one row of the results table per target, and progress on stderr
// (stdout carries only the table, so `--markdown` output can be redirected as it is).

export interface Row {
  what: string;
  measured: string;
  target: string;
  /** undefined: no verdict (shown as —). */
  met: boolean | undefined;
}

export function log(s: string): void {
  process.stderr.write(`${s}\n`);
}
