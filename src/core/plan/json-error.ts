// Where and why a text is not JSON, for the error message: the one JSON grammar of the plan
// readers, for the whole file and the stream alike.
//
// V8's JSON.parse messages quote up to ten characters either side of the error
// (`Unexpected token 'x', ..."ord":"hunt"... is not valid JSON`). A plan breaks right next to a
// sensitive value as easily as anywhere else, and the message goes to a log, so we never show
// V8's text: this grammar finds the first syntax error itself and reports its line and column
// and what was expected, quoting nothing from the file. It runs only after a parse failed. It
// is fed the text in pieces (the streaming reader decodes a file bigger than one string chunk by
// chunk), keeps no text, is iterative (no recursion, whatever the nesting) and linear.

export interface JsonSyntaxError {
  /** Offset (UTF-16 units) of the first character that is not valid there. */
  offset: number;
  line: number;
  column: number;
  /** True when the text ends where more JSON was expected. */
  endsEarly: boolean;
  /** What is wrong, in words, without quoting the text. */
  problem: string;
  /**
   * When more text follows a whole JSON value: the top-level keys of that first value (up to
   * FIRST_KEYS_MAX, each up to FIRST_KEY_MAX characters), to tell what the file is. Never shown.
   */
  firstKeys?: readonly string[];
}

const FIRST_KEYS_MAX = 64;
const FIRST_KEY_MAX = 40;

/** The first syntax error in `text` from `from` on (RFC 8259), or undefined if it is JSON. */
export function findJsonSyntaxError(text: string, from = 0): JsonSyntaxError | undefined {
  const g = new JsonGrammar();
  g.skip(text, 0, from);
  g.feed(text, from);
  return g.end();
}

/**
 * The one refusal for a JSON syntax error, by the whole-file and the streaming reader alike.
 * Several JSON documents in one file are what `terragrunt run-all show -json` and `terraform
 * plan -json` print: those are named, with what to run instead.
 */
export function syntaxErrorReason(e: JsonSyntaxError): string {
  const what = e.firstKeys ? severalDocuments(e.firstKeys) : undefined;
  if (what) return what;
  return e.endsEarly
    ? `the JSON ends early (was the file truncated?): it stops at line ${e.line}, column ${e.column}`
    : `not valid JSON at line ${e.line}, column ${e.column}: ${e.problem}`;
}

/** Keys that only a plan's top level has. */
const PLAN_KEYS = ['resource_changes', 'planned_values', 'output_changes', 'resource_drift'];

/** What a file of several JSON documents is, from the first one's top-level keys. */
function severalDocuments(keys: readonly string[]): string | undefined {
  if (keys.includes('@level') || keys.includes('@message')) {
    return 'this is the log of `terraform plan -json` (one JSON message per line), not a plan: save the plan with `terraform plan -out plan.out`, then give applygate the output of `terraform show -json plan.out`';
  }
  if (keys.includes('format_version') && keys.some((k) => PLAN_KEYS.includes(k))) {
    return 'this file holds several plans one after another, as `terragrunt run-all show -json` prints them, with nothing saying which unit each belongs to: write one plan per unit with `terragrunt run-all plan --terragrunt-json-out-dir plans` (`terragrunt run --all plan --json-out-dir plans` in Terragrunt 0.73 and later), then pass each as a project: `applygate check vpc=plans/vpc/tfplan.json app=plans/app/tfplan.json`';
  }
  if (keys.includes('format_version') || (keys.includes('lineage') && keys.includes('serial'))) {
    return 'this file holds several JSON documents one after another, the first of them not a plan (a state?): applygate reads one plan per file, the output of `terraform show -json plan.out`';
  }
  return undefined;
}

/** JSON whitespace (RFC 8259): space, tab, line feed, carriage return. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

const EXPECTED_VALUE = 'expected a value (an object, array, string, number, true, false or null)';
const BAD_NUMBER = 'a number is malformed (JSON numbers look like -12, 3.5 or 1e9)';
const BAD_ESCAPE =
  'a string holds an invalid escape (a backslash before a character that cannot be escaped)';
const BAD_UNICODE = 'a \\u escape in a string needs four hex digits';
const RAW_CONTROL =
  'a string holds a raw control character (such as a line break): JSON needs it escaped';

// Where we are between tokens.
const enum P {
  Value,
  FirstValue,
  After,
  Key,
  FirstKey,
  Colon,
}

// Inside a token.
const enum T {
  None,
  Str,
  StrEscape,
  StrHex,
  /** Numbers: after `-`, a leading 0, integer digits, `.`, fraction digits, `e`, its sign, exponent digits. */
  NumMinus,
  NumZero,
  NumInt,
  NumDot,
  NumFrac,
  NumE,
  NumSign,
  NumExp,
  Literal,
}

const OBJECT = 0;
const ARRAY = 1;
const LITERALS = ['true', 'false', 'null'];

/** A position: offset, and the line and the offset where that line starts. */
interface Mark {
  offset: number;
  line: number;
  lineStart: number;
}

/** The grammar as a push parser over pieces of text. */
export class JsonGrammar {
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  private readonly stack: number[] = [];
  private place = P.Value;
  private tok = T.None;
  private strIsKey = false;
  /** Offset where the current key's text starts, when it is a key of the first top-level value. */
  private keyAt = -1;
  private readonly firstKeys: string[] = [];
  private hex = 0;
  private word = '';
  private wordAt = 0;
  /** Where the current escape or literal began: errors in them are reported there. */
  private mark: Mark = { offset: 0, line: 1, lineStart: 0 };
  private error: JsonSyntaxError | undefined;

  /** Count `text[from, to)` for line and column, without checking it (text before the JSON). */
  skip(text: string, from: number, to: number): void {
    for (let k = text.indexOf('\n', from); k !== -1 && k < to; k = text.indexOf('\n', k + 1)) {
      this.line++;
      this.lineStart = this.offset + (k - from) + 1;
    }
    this.offset += to - from;
  }

  /** Check `text[from..]`; false once an error is found (feeding more changes nothing). */
  feed(text: string, from = 0): boolean {
    if (this.error) return false;
    const n = text.length;
    const base = this.offset - from;
    let i = from;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (this.tok !== T.None) {
        const r = this.inToken(text, i, base);
        if (r < 0) return false;
        if (r > i) {
          i = r;
          continue;
        }
        // The token ended before `c`, which is read below as what follows it.
      }
      if (c === 0x0a) {
        this.line++;
        this.lineStart = base + i + 1;
        i++;
        continue;
      }
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (!this.between(c, base + i)) return false;
      i++;
    }
    this.offset = base + n;
    return true;
  }

  /** The first error, or undefined when the text fed is one whole JSON value. */
  end(): JsonSyntaxError | undefined {
    if (this.error) return this.error;
    const t = this.tok;
    const complete =
      t === T.None || t === T.NumZero || t === T.NumInt || t === T.NumFrac || t === T.NumExp;
    if (complete && this.place === P.After && this.stack.length === 0) return undefined;
    // A number that ends the text is complete, but the JSON around it may not be.
    return this.failAt(this.here(this.offset), 'the text ends in the middle of the JSON', true);
  }

  /** The first error found so far (for a prefix of the text), if any. */
  get found(): JsonSyntaxError | undefined {
    return this.error;
  }

  private here(offset: number): Mark {
    return { offset, line: this.line, lineStart: this.lineStart };
  }

  private failAt(m: Mark, problem: string, endsEarly = false): JsonSyntaxError {
    this.error = {
      offset: m.offset,
      line: m.line,
      column: m.offset - m.lineStart + 1,
      endsEarly,
      problem,
    };
    return this.error;
  }

  /** A character between tokens at `at`; false on an error. */
  private between(c: number, at: number): boolean {
    switch (this.place) {
      case P.Value:
      case P.FirstValue:
        if (this.place === P.FirstValue && c === 0x5d) {
          this.stack.pop();
          this.place = P.After;
          return true;
        }
        if (c === 0x7b || c === 0x5b) {
          this.stack.push(c === 0x7b ? OBJECT : ARRAY);
          this.place = c === 0x7b ? P.FirstKey : P.FirstValue;
          return true;
        }
        this.place = P.After;
        if (c === 0x22) {
          this.tok = T.Str;
          this.strIsKey = false;
        } else if (c === 0x2d) this.tok = T.NumMinus;
        else if (c === 0x30) this.tok = T.NumZero;
        else if (c >= 0x31 && c <= 0x39) this.tok = T.NumInt;
        else {
          const word = LITERALS.find((w) => w.charCodeAt(0) === c);
          if (word === undefined) return !this.failAt(this.here(at), EXPECTED_VALUE);
          this.tok = T.Literal;
          this.word = word;
          this.wordAt = 1;
          this.mark = this.here(at);
        }
        return true;
      case P.After: {
        const top = this.stack[this.stack.length - 1];
        if (top === undefined) {
          const e = this.failAt(this.here(at), 'there is more text after the end of the JSON');
          // Another object follows: several documents in one file, not stray text.
          if (c === 0x7b) e.firstKeys = this.firstKeys;
          return false;
        }
        const close = top === OBJECT ? 0x7d : 0x5d;
        if (c === 0x2c) this.place = top === OBJECT ? P.Key : P.Value;
        else if (c === close) this.stack.pop();
        else return !this.failAt(this.here(at), `expected ',' or '${top === OBJECT ? '}' : ']'}'`);
        return true;
      }
      case P.Key:
      case P.FirstKey:
        if (this.place === P.FirstKey && c === 0x7d) {
          this.stack.pop();
          this.place = P.After;
          return true;
        }
        if (c !== 0x22) {
          return !this.failAt(this.here(at), 'expected a property name in double quotes');
        }
        this.tok = T.Str;
        this.strIsKey = true;
        this.place = P.Colon;
        // Keys of the first value's top level: what the file is when more JSON follows it.
        this.keyAt =
          this.stack.length === 1 && this.firstKeys.length < FIRST_KEYS_MAX ? at + 1 : -1;
        return true;
      case P.Colon:
        if (c !== 0x3a) return !this.failAt(this.here(at), "expected ':' after a property name");
        this.place = P.Value;
        return true;
    }
  }

  /**
   * Continue the current token from `text[i]`: the index after what it consumed (the token may
   * have ended: tok is None), or -1 on an error. Returns `i` itself when the token ended just
   * before `text[i]` without consuming it.
   */
  private inToken(text: string, i: number, base: number): number {
    const n = text.length;
    switch (this.tok) {
      case T.Str:
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === 0x22) {
            this.tok = T.None;
            if (this.strIsKey && this.keyAt >= 0) this.noteKey(text, this.keyAt - base, i);
            return i + 1;
          }
          if (c === 0x5c) {
            this.tok = T.StrEscape;
            this.mark = this.here(base + i);
            return i + 1;
          }
          if (c < 0x20) return this.fail(this.here(base + i), RAW_CONTROL);
          i++;
        }
        return i;
      case T.StrEscape: {
        const c = text.charCodeAt(i);
        if (c === 0x75) {
          this.tok = T.StrHex;
          this.hex = 0;
        } else if (
          c === 0x22 ||
          c === 0x5c ||
          c === 0x2f ||
          c === 0x62 ||
          c === 0x66 ||
          c === 0x6e ||
          c === 0x72 ||
          c === 0x74
        ) {
          this.tok = T.Str;
        } else return this.fail(this.mark, BAD_ESCAPE);
        return i + 1;
      }
      case T.StrHex: {
        const c = text.charCodeAt(i);
        const isHex =
          (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
        if (!isHex) return this.fail(this.mark, BAD_UNICODE);
        if (++this.hex === 4) this.tok = T.Str;
        return i + 1;
      }
      case T.Literal: {
        if (text.charCodeAt(i) !== this.word.charCodeAt(this.wordAt)) {
          return this.fail(this.mark, EXPECTED_VALUE);
        }
        if (++this.wordAt === this.word.length) this.tok = T.None;
        return i + 1;
      }
      default:
        return this.inNumber(text.charCodeAt(i), i, base);
    }
  }

  private inNumber(c: number, i: number, base: number): number {
    const digit = c >= 0x30 && c <= 0x39;
    const exp = c === 0x65 || c === 0x45;
    switch (this.tok) {
      case T.NumMinus:
        if (c === 0x30) this.tok = T.NumZero;
        else if (digit) this.tok = T.NumInt;
        else return this.fail(this.here(base + i), BAD_NUMBER);
        return i + 1;
      case T.NumZero:
      case T.NumInt:
      case T.NumFrac:
        if (digit && this.tok !== T.NumZero) return i + 1;
        if (c === 0x2e && this.tok !== T.NumFrac) this.tok = T.NumDot;
        else if (exp) this.tok = T.NumE;
        else {
          this.tok = T.None;
          return i;
        }
        return i + 1;
      case T.NumDot:
        if (!digit) return this.fail(this.here(base + i), BAD_NUMBER);
        this.tok = T.NumFrac;
        return i + 1;
      case T.NumE:
        if (c === 0x2b || c === 0x2d) this.tok = T.NumSign;
        else if (digit) this.tok = T.NumExp;
        else return this.fail(this.here(base + i), BAD_NUMBER);
        return i + 1;
      case T.NumSign:
        if (!digit) return this.fail(this.here(base + i), BAD_NUMBER);
        this.tok = T.NumExp;
        return i + 1;
      case T.NumExp:
        if (digit) return i + 1;
        this.tok = T.None;
        return i;
      default:
        return i;
    }
  }

  /** Keep `text[from, to)` as a top-level key, when it lies in this piece of text. */
  private noteKey(text: string, from: number, to: number): void {
    if (from >= 0 && to - from <= FIRST_KEY_MAX) this.firstKeys.push(text.slice(from, to));
    this.keyAt = -1;
  }

  private fail(m: Mark, problem: string): number {
    this.failAt(m, problem);
    return -1;
  }
}

/**
 * The first syntax error in UTF-8 bytes read in chunks (the streaming reader's document), the
 * first `lead` bytes being space before the JSON (counted for lines, not checked). With `limit`,
 * only the bytes before it are checked, and the text ending there is no error.
 */
export async function findJsonSyntaxErrorInBytes(
  chunks: AsyncIterable<Uint8Array>,
  lead: number,
  limit = Infinity,
): Promise<JsonSyntaxError | undefined> {
  const g = new JsonGrammar();
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let pos = 0;
  for await (const chunk of chunks) {
    const part = pos + chunk.length > limit ? chunk.subarray(0, limit - pos) : chunk;
    const space = Math.max(0, Math.min(part.length, lead - pos));
    if (space > 0) {
      const s = decoder.decode(part.subarray(0, space), { stream: true });
      g.skip(s, 0, s.length);
    }
    pos += part.length;
    if (!g.feed(decoder.decode(part.subarray(space), { stream: true })) || pos >= limit) {
      return g.found;
    }
  }
  g.feed(decoder.decode());
  return g.end();
}
