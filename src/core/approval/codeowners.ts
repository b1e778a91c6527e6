/**
 * CODEOWNERS: parse the file and find the owners of a path, with GitHub's semantics.
 *
 * Pure: the adapter reads the file (first of CODEOWNERS_LOCATIONS that exists, from the base
 * branch, ignored when CODEOWNERS_MAX_BYTES or larger) and passes its text in.
 *
 * Syntax (GitHub "About code owners"):
 * - `#` starts a comment line; blank lines are ignored; ` #` after the pattern starts an inline
 *   comment.
 * - Each rule is a pattern followed by zero or more owners: `@user`, `@org/team` or an email
 *   address. Emails are valid syntax but never count for approval (an email cannot comment).
 *   A pattern with no owners matches and wins, and means "nobody owns these paths".
 * - The last matching rule wins.
 * - gitignore syntax that does not work in CODEOWNERS: escaping a leading `#` with `\` and
 *   negation with `!` make the line invalid; `[ ]` is not a character range, brackets are literal
 *   characters.
 * - Invalid lines are skipped and reported with their line number; they do not void the file.
 *
 * Patterns are translated to a RegExp here rather than handed to picomatch: CODEOWNERS anchoring
 * (a one-segment pattern floats to any depth, `dir/` owns everything below, `name` also owns
 * what is under a directory `name`, but `dir/*` is one level only) is not glob semantics, and
 * picomatch would also need brackets, braces and extglobs switched off. The translation follows
 * hmarr/codeowners' matcher, whose pattern vectors the tests run.
 */

import { foldLogin } from '../principal.js';

/** Where GitHub looks for the file, in its search order; the first that exists is used. */
export const CODEOWNERS_LOCATIONS = [
  '.github/CODEOWNERS',
  'CODEOWNERS',
  'docs/CODEOWNERS',
] as const;

/** GitHub loads only CODEOWNERS files under 3 MB; a file this size or larger is ignored. */
export const CODEOWNERS_MAX_BYTES = 3 * 1024 * 1024;
/** CODEOWNERS_MAX_BYTES in words, for messages. */
export const CODEOWNERS_MAX_SIZE = `${CODEOWNERS_MAX_BYTES / (1024 * 1024)} MB`;

/**
 * GitHub lists at most 3,000 files of a pull request: past that, the owners of the rest are
 * unknown, and no code owner can be checked.
 */
export const MAX_LISTED_FILES = 3000;
/**
 * MAX_LISTED_FILES in words, for messages: "3,000", grouped by hand. toLocaleString would start
 * ICU's number formatting at import, 5 to 18 ms of every CLI start (docs/benchmarks.md).
 */
export const MAX_LISTED_FILES_TEXT = String(MAX_LISTED_FILES).replace(/\B(?=(\d{3})+$)/g, ',');

/** An owner who can act on GitHub. Logins, orgs and slugs are lowercased (case-insensitive). */
export type Owner = { kind: 'user'; login: string } | { kind: 'team'; org: string; slug: string };

/** Any owner token CODEOWNERS accepts, including email addresses. */
export type OwnerToken = Owner | { kind: 'email'; address: string };

export interface Rule {
  /** 1-based line number in the file. */
  readonly line: number;
  /** The pattern as written (escapes kept). */
  readonly pattern: string;
  /** Users and teams, deduplicated, lowercased. Empty: nobody owns the matched paths. */
  readonly owners: readonly Owner[];
  /** Email owners: valid, shown to people, never able to approve. */
  readonly emails: readonly string[];
  readonly regex: RegExp;
}

export interface CodeownersError {
  line: number;
  message: string;
}

export interface ParsedCodeowners {
  rules: Rule[];
  /** Lines skipped as invalid, as GitHub skips them. */
  errors: CodeownersError[];
}

// ---------------------------------------------------------------------------------------------
// Messages

export const codeownersMessages = {
  negation: (pattern: string) =>
    `invalid pattern \`${pattern}\`: negation with \`!\` does not work in CODEOWNERS`,
  escapedHash: (pattern: string) =>
    `invalid pattern \`${pattern}\`: escaping a leading \`#\` with \`\\\` does not work in CODEOWNERS`,
  tripleStar: (pattern: string) =>
    `invalid pattern \`${pattern}\`: three consecutive asterisks (use \`**\`)`,
  trailingBackslash: (pattern: string) =>
    `invalid pattern \`${pattern}\`: it ends with an unfinished \`\\\` escape`,
  emptySegment: (pattern: string) => `invalid pattern \`${pattern}\`: empty path segment (\`//\`)`,
  rootOnly: (pattern: string) => `invalid pattern \`${pattern}\`: it matches no file`,
  ownerWithoutPattern: (token: string) =>
    `\`${token}\` looks like an owner but the line has no pattern before it`,
  invalidOwner: (token: string) =>
    `invalid owner \`${token}\`: expected \`@user\`, \`@org/team\` or an email address`,
} as const;

// ---------------------------------------------------------------------------------------------
// Owners

const USER_RE = /^@([A-Za-z0-9](?:[A-Za-z0-9_-]*))$/;
const TEAM_RE = /^@([A-Za-z0-9](?:[A-Za-z0-9_-]*))\/([A-Za-z0-9_-]+)$/;
const EMAIL_RE = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

/** Parse one owner token (`@user`, `@org/team`, `user@example.com`); null when invalid. */
export function parseOwnerToken(token: string): OwnerToken | null {
  const team = TEAM_RE.exec(token);
  if (team) return { kind: 'team', org: foldLogin(team[1]!), slug: foldLogin(team[2]!) };
  const user = USER_RE.exec(token);
  if (user) return { kind: 'user', login: foldLogin(user[1]!) };
  if (EMAIL_RE.test(token)) return { kind: 'email', address: token.toLowerCase() };
  return null;
}

/** `@login` or `@org/slug`. */
export function formatOwner(owner: Owner): string {
  return owner.kind === 'user' ? `@${owner.login}` : `@${owner.org}/${owner.slug}`;
}

// ---------------------------------------------------------------------------------------------
// Patterns

type Part = { kind: 'literal'; char: string } | { kind: 'star' } | { kind: 'any' };
type Segment = Part[];

const REGEX_SYNTAX = /[\^$\\.*+?()[\]{}|/]/g;

function isDoubleStar(seg: Segment): boolean {
  return seg.length === 2 && seg[0]!.kind === 'star' && seg[1]!.kind === 'star';
}

function isLoneStar(seg: Segment): boolean {
  return seg.length === 1 && seg[0]!.kind === 'star';
}

/** Translate a CODEOWNERS pattern to a RegExp over repository-relative paths, or an error. */
export function compilePattern(pattern: string): { regex: RegExp } | { error: string } {
  const m = codeownersMessages;
  if (pattern.startsWith('!')) return { error: m.negation(pattern) };
  if (pattern.startsWith('\\#')) return { error: m.escapedHash(pattern) };
  if (pattern.includes('***')) return { error: m.tripleStar(pattern) };

  // Split into segments of parts; `\x` is the literal x, `[` and `]` are literal.
  let segs: Segment[] = [[]];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const seg = segs[segs.length - 1]!;
    if (ch === '\\') {
      const next = chars[++i];
      if (next === undefined) return { error: m.trailingBackslash(pattern) };
      seg.push({ kind: 'literal', char: next });
    } else if (ch === '/') segs.push([]);
    else if (ch === '*') seg.push({ kind: 'star' });
    else if (ch === '?') seg.push({ kind: 'any' });
    else seg.push({ kind: 'literal', char: ch });
  }

  const DOUBLE: Segment = [{ kind: 'star' }, { kind: 'star' }];
  if (segs[0]!.length === 0) {
    // Leading slash: anchored at the repository root.
    segs = segs.slice(1);
    if (segs.length === 1 && segs[0]!.length === 0) return { error: m.rootOnly(pattern) };
  } else if (segs.length === 1 || (segs.length === 2 && segs[1]!.length === 0)) {
    // One segment (optionally with a trailing slash) matches at any depth.
    if (!isDoubleStar(segs[0]!)) segs = [DOUBLE, ...segs];
  }
  if (segs.length > 1 && segs[segs.length - 1]!.length === 0) {
    // A trailing slash means everything below the directory.
    segs[segs.length - 1] = DOUBLE;
  }
  if (segs.some((s) => s.length === 0)) return { error: m.emptySegment(pattern) };
  // Consecutive `**` segments mean the same as one.
  segs = segs.filter((s, i) => !(i > 0 && isDoubleStar(s) && isDoubleStar(segs[i - 1]!)));

  const last = segs.length - 1;
  let re = '^';
  let needSlash = false;
  segs.forEach((seg, i) => {
    if (isDoubleStar(seg)) {
      if (i === 0 && i === last) re += '.+';
      else if (i === 0) re += '(?:.+/)?';
      else if (i === last) re += '/.*';
      else re += '(?:/.+)?';
      needSlash = i !== 0;
      return;
    }
    if (needSlash) re += '/';
    needSlash = true;
    if (isLoneStar(seg)) {
      // `dir/*` is one level: no descendants.
      re += '[^/]+';
      return;
    }
    for (const part of seg) {
      if (part.kind === 'star') re += '[^/]*';
      else if (part.kind === 'any') re += '[^/]';
      else re += part.char.replace(REGEX_SYNTAX, '\\$&');
    }
    // A name also owns everything under a directory of that name.
    if (i === last) re += '(?:/.*)?';
  });
  return { regex: new RegExp(re + '$', 'su') };
}

// ---------------------------------------------------------------------------------------------
// File

/** Split off the pattern: it ends at the first whitespace not escaped with `\`. */
function splitPattern(line: string): { pattern: string; rest: string } {
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch === '\\') i += 2;
    else if (ch === ' ' || ch === '\t') break;
    else i++;
  }
  return { pattern: line.slice(0, i), rest: line.slice(i) };
}

export function parseCodeowners(text: string): ParsedCodeowners {
  const rules: Rule[] = [];
  const errors: CodeownersError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);

  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.replace(/^[ \t]+/, '');
    if (line.replace(/[ \t]+$/, '') === '' || line.startsWith('#')) return;

    const { pattern, rest } = splitPattern(line);
    const tokens: string[] = [];
    for (const token of rest.split(/[ \t]+/)) {
      if (token.startsWith('#')) break; // inline comment
      if (token !== '') tokens.push(token);
    }

    const lone = tokens.length === 0 ? parseOwnerToken(pattern) : null;
    if (lone !== null && lone.kind !== 'email') {
      // `@org/team` alone on a line is a forgotten pattern, not a path named like a team.
      errors.push({ line: lineNo, message: codeownersMessages.ownerWithoutPattern(pattern) });
      return;
    }

    const compiled = compilePattern(pattern);
    if ('error' in compiled) {
      errors.push({ line: lineNo, message: compiled.error });
      return;
    }

    const owners: Owner[] = [];
    const emails: string[] = [];
    const seen = new Set<string>();
    for (const token of tokens) {
      const owner = parseOwnerToken(token);
      if (owner === null) {
        errors.push({ line: lineNo, message: codeownersMessages.invalidOwner(token) });
        return;
      }
      const key = owner.kind === 'email' ? owner.address : formatOwner(owner);
      if (seen.has(key)) continue;
      seen.add(key);
      if (owner.kind === 'email') emails.push(owner.address);
      else owners.push(owner);
    }
    rules.push({ line: lineNo, pattern, owners, emails, regex: compiled.regex });
  });

  return { rules, errors };
}

/**
 * The owners of a repository-relative path (`a/b.txt`; a leading `/` is ignored): the last
 * matching rule's users and teams. `[]` when that rule names no one who can approve (no owners,
 * or only emails); `null` when no rule matches.
 */
export function ownersFor(rules: readonly Rule[], path: string): Owner[] | null {
  const normalized = path.replace(/^\/+/, '');
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!;
    if (rule.regex.test(normalized)) return rule.owners.map((o) => ({ ...o }));
  }
  return null;
}
