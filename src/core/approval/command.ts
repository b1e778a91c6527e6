/**
 * Comment commands: `/approve-destroy` and `/revoke-destroy`.
 *
 * THE RULE (the only one that decides what is a command):
 *   After normalizing CRLF, a comment is a command only when its first non-blank line, with ASCII
 *   spaces and tabs trimmed, starts with the exact, case-sensitive ASCII token (the config's
 *   `approval.command`, default `/approve-destroy`, or its revoke token) followed by the end of the
 *   line or an ASCII space or tab.
 *
 * Consequences, with no extra rules: a token mid-sentence, in a blockquote (`> /approve-destroy`),
 * in a code fence (first line "```") or on a later line is never a command. Arguments are read
 * from that line only: an optional plan digest and an optional `project=NAME`; anything else gets
 * a usage reply. The rest of the comment is free text.
 *
 * Near misses on the first line (typos within edit distance 2, wrong case, a missing slash,
 * Unicode look-alikes and invisible characters) get a "did you mean" reply and are never
 * commands: they are detected on a folded copy (NFKC, invisible characters removed, lower case,
 * a small confusables map), while only the raw text can ever match the rule above. A cheap
 * pre-check lets ordinary comments through without that work.
 */

export const DEFAULT_APPROVE_COMMAND = '/approve-destroy';
export const DEFAULT_REVOKE_COMMAND = '/revoke-destroy';

/** The rule, for docs and replies. */
export const COMMAND_RULE =
  'A comment is a command only when its first non-blank line, with spaces and tabs trimmed, ' +
  'starts with exactly `/approve-destroy` or `/revoke-destroy` (plain ASCII, lower case; the ' +
  'approve token is configurable as `approval.command`) followed by the end of the line or a ' +
  'space and arguments: an optional plan digest and an optional `project=NAME`.';

export type CommandAction = 'approve' | 'revoke';

export type ParsedCommand =
  | { type: 'command'; action: CommandAction; digest?: string; project?: string }
  | { type: 'reply'; message: string }
  | { type: 'ignore' };

export interface CommandTokens {
  approve: string;
  revoke: string;
}

export interface CommandOptions {
  /** The config's `approval.command`; default `/approve-destroy`. */
  command?: string;
}

const TOKEN_RE = /^\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The approve and revoke tokens for a configured command. The revoke token replaces a leading
 * `/approve-` with `/revoke-` (`/approve-apply` -> `/revoke-apply`), or is `/revoke-destroy`.
 * Throws on a command that could never be typed as one token.
 */
export function commandTokens(command: string = DEFAULT_APPROVE_COMMAND): CommandTokens {
  if (!TOKEN_RE.test(command)) {
    throw new Error(
      `Invalid approval.command '${command}'. Expected a slash and ASCII letters, digits, ` +
        `'.', '_' or '-', e.g. ${DEFAULT_APPROVE_COMMAND}.`,
    );
  }
  const revoke = command.startsWith('/approve-')
    ? `/revoke-${command.slice('/approve-'.length)}`
    : DEFAULT_REVOKE_COMMAND;
  if (revoke === command) {
    throw new Error(
      `Invalid approval.command '${command}': it is the same as the revoke command ${revoke}.`,
    );
  }
  return { approve: command, revoke };
}

// ---------------------------------------------------------------------------------------------
// Messages

const DIGEST_HELP =
  'the plan digest from the summary comment: 12 to 64 lowercase hex characters, ' +
  'optionally prefixed with `sha256v2:`';

/** Show user text inside inline code safely: no backticks, no control characters, bounded. */
function quoteArgument(arg: string): string {
  const clean = arg.replace(/[`\p{Cc}]/gu, '');
  return '`' + (clean.length > 60 ? `${clean.slice(0, 60)}…` : clean) + '`';
}

export const commandMessages = {
  usage: (tokens: CommandTokens) =>
    `Usage, on the first line of a comment: \`${tokens.approve} [DIGEST] [project=NAME]\` ` +
    `to approve, \`${tokens.revoke} [DIGEST] [project=NAME]\` to withdraw. DIGEST is ${DIGEST_HELP}; ` +
    'NAME is the project name shown in the summary (1 to 100 of `A-Z a-z 0-9 . _ / -`).',
  invalidDigest: (arg: string) =>
    `${quoteArgument(arg)} is not a valid digest: use ${DIGEST_HELP}.`,
  invalidProject: (arg: string) =>
    `${quoteArgument(arg)} is not a valid project: use \`project=NAME\` with 1 to 100 of ` +
    '`A-Z a-z 0-9 . _ / -`.',
  unknownArgument: (arg: string) =>
    `${quoteArgument(arg)} is neither a plan digest nor \`project=NAME\`.`,
  duplicateDigest: () => 'Give at most one digest.',
  duplicateProject: () => 'Give at most one `project=NAME`.',
  /** A usage reply: what was wrong, then how to write it. */
  invalidArguments: (tokens: CommandTokens, problem: string) =>
    `${problem} This comment was not counted.\n\n${commandMessages.usage(tokens)}`,
  didYouMean: (token: string, lookalike: boolean) =>
    `Did you mean \`${token}\`? This comment was not counted: applygate only acts on a comment ` +
    `whose first line starts with exactly \`${token}\`` +
    (lookalike
      ? ', typed in plain ASCII (this one contains look-alike or invisible characters).'
      : '.'),
} as const;

// ---------------------------------------------------------------------------------------------
// Arguments

const DIGEST_RE = /^(?:sha256(?:v2)?:)?([0-9a-f]{12,64})$/;
const DIGEST_LIKE_RE = /^(?:sha256(?:v2)?:|[0-9a-f]{8,})/i;
const PROJECT_RE = /^project=([A-Za-z0-9._/-]{1,100})$/;

function parseArguments(
  action: CommandAction,
  args: string[],
  tokens: CommandTokens,
): ParsedCommand {
  const m = commandMessages;
  const reply = (problem: string): ParsedCommand => ({
    type: 'reply',
    message: m.invalidArguments(tokens, problem),
  });
  let digest: string | undefined;
  let project: string | undefined;
  for (const arg of args) {
    const d = DIGEST_RE.exec(arg);
    if (d) {
      if (digest !== undefined) return reply(m.duplicateDigest());
      digest = d[1]!;
      continue;
    }
    const p = PROJECT_RE.exec(arg);
    if (p) {
      if (project !== undefined) return reply(m.duplicateProject());
      project = p[1]!;
      continue;
    }
    if (arg.startsWith('project=')) return reply(m.invalidProject(arg));
    if (DIGEST_LIKE_RE.test(arg)) return reply(m.invalidDigest(arg));
    return reply(m.unknownArgument(arg));
  }
  return {
    type: 'command',
    action,
    ...(digest !== undefined && { digest }),
    ...(project !== undefined && { project }),
  };
}

// ---------------------------------------------------------------------------------------------
// Near misses

/** Look-alikes NFKC leaves alone, by the ASCII character they imitate (lower case only). */
const LOOKALIKES: Readonly<Record<string, string>> = {
  a: '\u0430\u03b1\u0251', // Cyrillic a, Greek alpha, Latin alpha
  c: '\u0441\u1d04',
  d: '\u0501',
  e: '\u0435\u03b5',
  g: '\u0261',
  h: '\u04bb',
  i: '\u0456\u03b9\u0131', // Cyrillic i, Greek iota, dotless i
  j: '\u0458',
  o: '\u043e\u03bf\u1d0f',
  p: '\u0440\u03c1',
  q: '\u051b',
  r: '\u0491',
  s: '\u0455',
  t: '\u0442\u03c4\u1d1b',
  v: '\u0475\u03bd',
  x: '\u0445',
  y: '\u0443\u03c5',
  // hyphens, dashes, minus signs (U+2011 non-breaking hyphen is U+2010 after NFKC)
  '-': '\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u02d7\u2e3a\u2e3b\ufe58\ufe63',
  // division slash, fraction slash, big solidus, box diagonal, ... (U+FF0F is '/' after NFKC)
  '/': '\u2215\u2044\u29f8\u2571\u3033\u1735',
};

const CONFUSABLES = new Map(
  Object.entries(LOOKALIKES).flatMap(([ascii, chars]) =>
    Array.from(chars, (ch) => [ch, ascii] as const),
  ),
);

const IGNORABLE_RE = /\p{Default_Ignorable_Code_Point}/gu;

/** NFKC, invisible characters removed, lower case, confusables mapped to ASCII. */
export function foldForComparison(text: string): string {
  const lower = text.normalize('NFKC').replace(IGNORABLE_RE, '').toLowerCase();
  return Array.from(lower, (ch) => CONFUSABLES.get(ch) ?? ch).join('');
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let prev2: number[] = [];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        d = Math.min(d, prev2[j - 2]! + 1);
      }
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[y.length]!;
}

/** Typos allowed: 2, fewer for short configured tokens so `/ok` does not catch `/no`. */
function maxDistance(token: string): number {
  return Math.min(2, Math.floor(token.length / 5));
}

/**
 * Cheap pre-check, true for every near miss (and more): a slash or any non-ASCII character
 * (look-alikes, invisible characters) means look closer. Otherwise, in plain ASCII without a
 * slash, one of the two allowed edits went on the slash, and the one left cannot break both
 * halves of the token's name (split around a middle character), so one of them is on the line.
 */
function worthACloserLook(line: string, tokens: CommandTokens): boolean {
  if (/[/\u0080-\u{10ffff}]/u.test(line)) return true;
  const lower = line.toLowerCase();
  return [tokens.approve, tokens.revoke].some((token) => {
    const name = token.slice(1).toLowerCase();
    const middle = Math.floor(name.length / 2);
    return lower.includes(name.slice(0, middle)) || lower.includes(name.slice(middle + 1));
  });
}

function nearMiss(line: string, tokens: CommandTokens): ParsedCommand {
  // Quoting someone's command (GitHub's "Quote reply") is not an attempt to give one.
  if (line.startsWith('>')) return { type: 'ignore' };
  const word = foldForComparison(line.slice(0, 256)).trim().split(/\s+/u)[0] ?? '';
  let best: { token: string; distance: number } | undefined;
  for (const token of [tokens.approve, tokens.revoke]) {
    const target = token.toLowerCase();
    // `/approve-destroy,` and `/approve-destroy-now` are attempts too.
    const glued = word.startsWith(target) && !/^[a-z0-9]/.test(word.slice(target.length));
    const distance = glued
      ? 0
      : Math.abs(Array.from(word).length - target.length) > 2
        ? Infinity
        : editDistance(word, target);
    if (distance <= maxDistance(token) && (best === undefined || distance < best.distance)) {
      best = { token, distance };
    }
  }
  if (best === undefined) return { type: 'ignore' };
  const rawWord = line.split(/[ \t]/)[0] ?? '';
  const lookalike = Array.from(rawWord).some((ch) => ch.codePointAt(0)! > 0x7f);
  return { type: 'reply', message: commandMessages.didYouMean(best.token, lookalike) };
}

// ---------------------------------------------------------------------------------------------

/**
 * Read a comment body: a command, a reply to post (usage or "did you mean"), or nothing to do.
 * `digest` is the hex part, without `sha256:`.
 */
export function parseCommand(
  body: string | null | undefined,
  options: CommandOptions = {},
): ParsedCommand {
  if (!body) return { type: 'ignore' };
  const tokens = commandTokens(options.command);
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const first = lines.find((l) => !/^[ \t]*$/.test(l));
  if (first === undefined) return { type: 'ignore' };
  const line = first.replace(/^[ \t]+|[ \t]+$/g, '');

  // The rule.
  const [word, ...args] = line.split(/[ \t]+/);
  if (word === tokens.approve) return parseArguments('approve', args, tokens);
  if (word === tokens.revoke) return parseArguments('revoke', args, tokens);

  // Ordinary comments stop here.
  if (!worthACloserLook(line, tokens)) return { type: 'ignore' };
  return nearMiss(line, tokens);
}

/**
 * The newest command among a pull request's comments (by when it was last written, then by id),
 * or null when there is none: what the ledger records it considered (Gate v3), and what verify
 * and the guard compare it with. Near misses and replies are not commands.
 */
export function newestCommand(
  comments: readonly {
    id: number;
    body?: string | null;
    created_at?: string;
    updated_at?: string;
  }[],
  command?: string,
): { commentId: number; at: string } | null {
  let newest: { commentId: number; at: string } | null = null;
  for (const c of comments) {
    if (parseCommand(c.body ?? '', { command }).type !== 'command') continue;
    const at = c.updated_at ?? c.created_at ?? '';
    if (!newest || at > newest.at || (at === newest.at && c.id > newest.commentId)) {
      newest = { commentId: c.id, at };
    }
  }
  return newest;
}
