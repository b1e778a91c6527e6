// The release notes of a version, read from CHANGELOG.md (Keep a Changelog: `## [1.2.3] - DATE`
// sections, newest first). The release workflow drafts the GitHub release from them, after
// checking that the pushed tag is the version package.json declares.

export const CHANGELOG = 'CHANGELOG.md';

const TAG_RE = /^v\d+\.\d+\.\d+$/;

/** The version a release tag names; it must be `vMAJOR.MINOR.PATCH` and package.json's version. */
export function releaseVersion(tag: string, packageVersion: string): string {
  if (!TAG_RE.test(tag))
    throw new Error(`Tag '${tag}' is not a release tag: expected vMAJOR.MINOR.PATCH, e.g. v1.2.3.`);
  const version = tag.slice(1);
  if (version !== packageVersion) {
    throw new Error(
      `Tag '${tag}' does not match package.json's version '${packageVersion}': run ` +
        `\`npm version ${version} --no-git-tag-version\`, commit, and tag that commit.`,
    );
  }
  return version;
}

/** The body of the `## [version]` section, without its heading; throws when absent or empty. */
export function releaseNotes(changelog: string, version: string): string {
  const lines = changelog.split(/\r?\n/);
  const heading = new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\](?:\\s|$)`);
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) {
    throw new Error(
      `${CHANGELOG} has no section '## [${version}] - YYYY-MM-DD': move the [Unreleased] entries ` +
        `under that heading before tagging.`,
    );
  }
  // The section ends at the next version heading or at the link references at the bottom.
  let end = lines.findIndex((l, i) => i > start && (/^## /.test(l) || /^\[[^\]]+\]:\s/.test(l)));
  if (end < 0) end = lines.length;
  const body = lines
    .slice(start + 1, end)
    .join('\n')
    .trim();
  if (!body) throw new Error(`${CHANGELOG}: the section of ${version} is empty.`);
  return `${body}\n`;
}
