import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../testkit/support/shared.js';

// The product was renamed before its first release (CHANGELOG, "Renamed"). Nothing was
// published under the old name, so nothing keeps it: no shim, no alias, no stale doc. The old
// name is spelled in two halves here so that this file does not mention it either.
const OLD = 'plan' + 'gate';

test('no tracked file mentions the old name, except the CHANGELOG rename note', () => {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  expect(files.length).toBeGreaterThan(100);
  const offenders: string[] = [];
  for (const file of files) {
    if (file.toLowerCase().includes(OLD)) offenders.push(`${file} (its path)`);
    const text = readFileSync(join(repoRoot, file), 'latin1').toLowerCase();
    let at = text.indexOf(OLD);
    while (at >= 0) {
      const line = text.slice(text.lastIndexOf('\n', at) + 1, text.indexOf('\n', at));
      if (!(file === 'CHANGELOG.md' && line.includes('renamed'))) offenders.push(file);
      at = text.indexOf(OLD, at + OLD.length);
    }
  }
  expect([...new Set(offenders)]).toEqual([]);
});

test('the CHANGELOG says what the product was called before', () => {
  const changelog = readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8').toLowerCase();
  expect(changelog).toMatch(new RegExp(`renamed.*from \`${OLD}\``));
});
