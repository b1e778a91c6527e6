import {
  CelScalar,
  celEnv,
  celFunc,
  isCelError,
  parse,
  plan as planExpr,
  type CelInput,
} from '@bufbuild/cel';
import type { CelProblem, Position } from './index.js';

// CEL for `policies:` in the config, on @bufbuild/cel (Buf's evaluator, checked against the
// cel-spec conformance suite; pure ECMAScript: no I/O, no eval, RE2 semantics for `matches`, so
// a hostile pattern cannot backtrack for ever).
//
// The library has no cost limit of its own, so evaluation is bounded here by a STEP limit:
// every comprehension (`all`, `exists`, `exists_one`, `map`, `filter`) is rewritten so that its
// loop condition first calls a counting function, and every evaluation counts one step. Past
// the budget the counter fails the loop at once, and the caller fails the evaluation whatever
// value came out (an error inside `||` could otherwise be absorbed by CEL's commutative logic).
// Outside loops an expression costs at most its own size (MAX_EXPRESSION_CHARS) times the size
// of the values it reads, which the plan bounds.

/** Longest `when` expression accepted. */
export const MAX_EXPRESSION_CHARS = 4000;

/** The counting function the rewrite inserts; a policy may not call it itself. */
const STEP_FN = 'applygate_step';

/** A parsed and checked expression, ready to run with a step budget. */
export interface CompiledExpr {
  source: string;
  /** The parsed tree, comprehensions already wrapped by the step counter. */
  parsed: ReturnType<typeof parse>;
}

export type CompileResult = { ok: true; expr: CompiledExpr } | { ok: false; problem: CelProblem };

/**
 * Parse `source` and check it: known variables only (`variables`, plus the comprehension
 * variables in scope), no call to the step counter. Errors carry their position.
 */
export function compileCel(source: string, variables: readonly string[]): CompileResult {
  if (source.length > MAX_EXPRESSION_CHARS) {
    return {
      ok: false,
      problem: {
        message: `the expression is ${source.length} characters long; at most ${MAX_EXPRESSION_CHARS} are allowed`,
      },
    };
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (e) {
    return { ok: false, problem: parseProblem(e instanceof Error ? e.message : String(e)) };
  }
  const offsets = lineStarts(source);
  const positions = parsed.sourceInfo?.positions ?? {};
  const at = (id: bigint): Position | undefined => {
    const offset = positions[id.toString()];
    return offset === undefined ? undefined : positionOf(offset, offsets);
  };
  const problem = checkTree(parsed.expr, new Set(variables), variables, at);
  if (problem) return { ok: false, problem };
  return { ok: true, expr: { source, parsed } };
}

/** A step budget shared by every evaluation that draws on it (one policy over one plan). */
export class StepBudget {
  used = 0;
  constructor(readonly limit: number) {}
  get exhausted(): boolean {
    return this.used > this.limit;
  }
}

export type EvalResult = { ok: true; value: unknown } | { ok: false; problem: CelProblem };

/** A runner for one compiled expression, drawing its steps from `budget`. */
export function runner(
  expr: CompiledExpr,
  budget: StepBudget,
): (bindings: Record<string, CelInput>) => EvalResult {
  const step = celFunc(STEP_FN, [CelScalar.BOOL], CelScalar.BOOL, (cond) => {
    budget.used += 1;
    if (budget.exhausted) throw new Error('step limit');
    return cond;
  });
  const run = planExpr(celEnv({ funcs: [step] }), expr.parsed);
  const offsets = lineStarts(expr.source);
  const positions = expr.parsed.sourceInfo?.positions ?? {};
  return (bindings) => {
    budget.used += 1;
    const value = budget.exhausted ? undefined : run(bindings);
    if (budget.exhausted) {
      return {
        ok: false,
        problem: {
          message: `evaluation stopped: the policies took more than ${budget.limit.toLocaleString('en-US')} steps over this plan (each comprehension iteration and each evaluation is a step); loop over less (use change.findings rather than plan.findings in a per-change policy)`,
        },
      };
    }
    if (isCelError(value)) {
      const offset = value.exprId === undefined ? undefined : positions[value.exprId.toString()];
      return {
        ok: false,
        problem: {
          message: value.message,
          ...(offset === undefined ? {} : { position: positionOf(offset, offsets) }),
        },
      };
    }
    return { ok: true, value };
  };
}

type Expr = ReturnType<typeof parse>['expr'];

function checkTree(
  expr: Expr | undefined,
  scope: ReadonlySet<string>,
  variables: readonly string[],
  at: (id: bigint) => Position | undefined,
): CelProblem | undefined {
  if (!expr) return undefined;
  const k = expr.exprKind;
  const sub = (e: Expr | undefined, s: ReadonlySet<string> = scope) =>
    checkTree(e, s, variables, at);
  switch (k.case) {
    case 'identExpr':
      return scope.has(k.value.name)
        ? undefined
        : {
            message: `unknown variable '${k.value.name}' (known here: ${[...variables].join(', ')})`,
            position: at(expr.id),
          };
    case 'selectExpr':
      return sub(k.value.operand);
    case 'callExpr': {
      if (k.value.function === STEP_FN) {
        return { message: `'${STEP_FN}' is reserved`, position: at(expr.id) };
      }
      return [k.value.target, ...k.value.args].map((e) => sub(e)).find(Boolean);
    }
    case 'listExpr':
      return k.value.elements.map((e) => sub(e)).find(Boolean);
    case 'structExpr':
      return k.value.entries
        .flatMap((e) => [e.keyKind.case === 'mapKey' ? e.keyKind.value : undefined, e.value])
        .map((e) => sub(e))
        .find(Boolean);
    case 'comprehensionExpr': {
      const c = k.value;
      const inner = new Set([...scope, c.iterVar, c.accuVar, ...(c.iterVar2 ? [c.iterVar2] : [])]);
      const withAccu = new Set([...scope, c.accuVar]);
      const problem =
        sub(c.iterRange) ??
        sub(c.accuInit) ??
        sub(c.loopCondition, inner) ??
        sub(c.loopStep, inner) ??
        sub(c.result, withAccu);
      if (problem) return problem;
      wrapLoopCondition(c);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `cond` becomes `applygate_step(cond)`: one step per iteration, and a stop past the budget. */
function wrapLoopCondition(c: { loopCondition?: Expr }): void {
  const cond = c.loopCondition;
  if (!cond) return;
  const call = parse(`${STEP_FN}(true)`).expr;
  if (call.exprKind.case !== 'callExpr') return;
  call.id = cond.id;
  call.exprKind.value.args = [cond];
  c.loopCondition = call;
}

/** Where each line after the first starts (the parser's own `lineOffsets` stay empty). */
function lineStarts(source: string): number[] {
  const out: number[] = [];
  // Offsets count code points, as the parser's positions do.
  [...source].forEach((ch, i) => ch === '\n' && out.push(i + 1));
  return out;
}

function positionOf(offset: number, starts: readonly number[]): Position {
  let line = 1;
  let start = 0;
  for (const o of starts) {
    if (o > offset) break;
    line += 1;
    start = o;
  }
  return { line, column: offset - start + 1 };
}

/** The parser says `<input>:1:12: message`; keep the position apart from the message. */
function parseProblem(text: string): CelProblem {
  const first = text.split('\n')[0] ?? text;
  const m = /^<input>:(\d+):(\d+): ?(.*)$/.exec(first);
  if (!m) return { message: `does not parse: ${first}` };
  return {
    message: `does not parse: ${m[3]}`,
    position: { line: Number(m[1]), column: Number(m[2]) },
  };
}
