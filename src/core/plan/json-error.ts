// Where and why a text is not JSON, for the error message.
//
// V8's JSON.parse messages quote up to ten characters either side of the error
// (`Unexpected token 'x', ..."ord":"hunt"... is not valid JSON`). A plan breaks right next to a
// sensitive value as easily as anywhere else, and the message goes to a log, so we never show
// V8's text: this scanner finds the first syntax error itself and reports its line and column
// and what was expected, quoting nothing from the file. It runs only after JSON.parse failed,
// is iterative (no recursion, whatever the nesting) and linear in the length of the text.

export interface JsonSyntaxError {
  /** Offset (UTF-16 units) of the first character that is not valid there. */
  offset: number;
  line: number;
  column: number;
  /** True when the text ends where more JSON was expected. */
  endsEarly: boolean;
  /** What is wrong, in words, without quoting the text. */
  problem: string;
}

type State = 'value' | 'first-value' | 'after' | 'key' | 'first-key' | 'colon';

const OBJECT = 0;
const ARRAY = 1;

/** The first syntax error in `text` by the JSON grammar (RFC 8259), or undefined if it is JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const n = text.length;
  const stack: number[] = [];
  let state: State = 'value';
  let i = 0;
  const fail = (offset: number, problem: string): JsonSyntaxError => {
    const { line, column } = lineAndColumn(text, offset);
    return { offset, line, column, endsEarly: offset >= n, problem };
  };
  const early = () => fail(n, 'the text ends in the middle of the JSON');

  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return state === 'after' && stack.length === 0 ? undefined : early();
    const c = text[i]!;
    switch (state) {
      case 'value':
      case 'first-value': {
        if (state === 'first-value' && c === ']') {
          stack.pop();
          i++;
          state = 'after';
          break;
        }
        if (c === '{' || c === '[') {
          stack.push(c === '{' ? OBJECT : ARRAY);
          i++;
          state = c === '{' ? 'first-key' : 'first-value';
          break;
        }
        const end =
          c === '"'
            ? scanString(text, i)
            : c === '-' || isDigit(c)
              ? scanNumber(text, i)
              : literal(text, i);
        if (typeof end !== 'number')
          return end.offset >= n ? early() : fail(end.offset, end.problem);
        i = end;
        state = 'after';
        break;
      }
      case 'after': {
        const top = stack[stack.length - 1];
        if (top === undefined) return fail(i, 'there is more text after the end of the JSON');
        const close = top === OBJECT ? '}' : ']';
        if (c === ',') {
          i++;
          state = top === OBJECT ? 'key' : 'value';
        } else if (c === close) {
          stack.pop();
          i++;
        } else {
          return fail(i, `expected ',' or '${close}'`);
        }
        break;
      }
      case 'key':
      case 'first-key': {
        if (state === 'first-key' && c === '}') {
          stack.pop();
          i++;
          state = 'after';
          break;
        }
        if (c !== '"') return fail(i, 'expected a property name in double quotes');
        const end = scanString(text, i);
        if (typeof end !== 'number')
          return end.offset >= n ? early() : fail(end.offset, end.problem);
        i = end;
        state = 'colon';
        break;
      }
      case 'colon':
        if (c !== ':') return fail(i, "expected ':' after a property name");
        i++;
        state = 'value';
        break;
    }
  }
}

interface Bad {
  offset: number;
  problem: string;
}

function scanString(text: string, start: number): number | Bad {
  let j = start + 1;
  for (;;) {
    if (j >= text.length) return { offset: j, problem: '' };
    const ch = text.charCodeAt(j);
    if (ch === 0x22) return j + 1;
    if (ch === 0x5c) {
      const e = text[j + 1];
      if (e === undefined) return { offset: j + 1, problem: '' };
      if ('"\\/bfnrt'.includes(e)) {
        j += 2;
      } else if (e === 'u') {
        for (let k = 2; k < 6; k++) {
          const h = text[j + k];
          if (h === undefined) return { offset: j + k, problem: '' };
          if (!/[0-9A-Fa-f]/.test(h)) {
            return { offset: j, problem: 'a \\u escape in a string needs four hex digits' };
          }
        }
        j += 6;
      } else {
        return {
          offset: j,
          problem:
            'a string holds an invalid escape (a backslash before a character that cannot be escaped)',
        };
      }
    } else if (ch < 0x20) {
      return {
        offset: j,
        problem:
          'a string holds a raw control character (such as a line break): JSON needs it escaped',
      };
    } else {
      j++;
    }
  }
}

function scanNumber(text: string, start: number): number | Bad {
  let j = start;
  const bad = (at: number): Bad => ({
    offset: at,
    problem: 'a number is malformed (JSON numbers look like -12, 3.5 or 1e9)',
  });
  const digits = () => {
    const from = j;
    while (j < text.length && isDigit(text[j]!)) j++;
    return j - from;
  };
  if (text[j] === '-') j++;
  if (j >= text.length) return { offset: j, problem: '' };
  if (text[j] === '0') j++;
  else if (digits() === 0) return bad(j);
  if (text[j] === '.') {
    j++;
    if (j >= text.length) return { offset: j, problem: '' };
    if (digits() === 0) return bad(j);
  }
  if (text[j] === 'e' || text[j] === 'E') {
    j++;
    if (text[j] === '+' || text[j] === '-') j++;
    if (j >= text.length) return { offset: j, problem: '' };
    if (digits() === 0) return bad(j);
  }
  return j;
}

function literal(text: string, start: number): number | Bad {
  for (const word of ['true', 'false', 'null']) {
    if (text.startsWith(word, start)) return start + word.length;
    const left = text.length - start;
    if (left < word.length && word.startsWith(text.slice(start))) {
      return { offset: text.length, problem: '' };
    }
  }
  return {
    offset: start,
    problem: 'expected a value (an object, array, string, number, true, false or null)',
  };
}

/** JSON whitespace (RFC 8259): space, tab, line feed, carriage return. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** 1-based line and column (in UTF-16 units) of `offset`; lines end at `\n`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The one refusal for a JSON syntax error, by the whole-file and the streaming reader alike. */
export function syntaxErrorReason(
  line: number,
  column: number,
  problem: string,
  endsEarly: boolean,
): string {
  return endsEarly
    ? `the JSON ends early (was the file truncated?): it stops at line ${line}, column ${column}`
    : `not valid JSON at line ${line}, column ${column}: ${problem}`;
}
