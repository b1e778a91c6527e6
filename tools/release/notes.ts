// `node --import tsx tools/release/notes.ts TAG`: print the release notes of TAG from
// CHANGELOG.md, after checking that TAG is package.json's version (release.yml's first job).
// Fails with the reason on stderr and exit 1, so that nothing is published.
import { readFileSync } from 'node:fs';
import { CHANGELOG, releaseNotes, releaseVersion } from './changelog.js';

try {
  const tag = process.argv[2] ?? '';
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const notes = releaseNotes(readFileSync(CHANGELOG, 'utf8'), releaseVersion(tag, version));
  process.stdout.write(notes);
} catch (err) {
  process.stderr.write(`release: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
