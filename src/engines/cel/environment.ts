import { Environment, ParseError } from '@marcbachmann/cel-js';
import { CelCostLimitError, CelDeadlineError, CostMeter, DEFAULT_COST_LIMIT } from './cost.js';
import { children, isAst, nodeCount, type AstLike } from './ast.js';
import { kubernetesLibraries } from './library/index.js';
import { rewriteObjectConstruction } from './object-construction.js';
import { REPLACED_METHODS } from './library/replaced.js';
import type { CelLibrary } from './library/library.js';
import { CelLibraryError } from './library/library.js';
import {
  CelEvaluationFailure,
  type CelCompileResult,
  type CelEnvOptions,
  type CelError,
  type CelErrorCode,
  type CelEvalOptions,
  type CelProgram,
  type CelResult,
} from './types.js';
import { ConversionCache, fromCel, toCel } from './values.js';
import { FastProgram, fastPathEnabled } from './fast/program.js';

/** Longest expression accepted (the API server bounds expressions by their CRD/VAP field size). */
export const MAX_EXPRESSION_LENGTH = 100_000;
/** Compiled programs kept per environment before the cache starts over. */
const MAX_CACHED_PROGRAMS = 10_000;

/**
 * A CEL environment with the Kubernetes libraries and a fixed set of declared variables. Create one per
 * variable set and reuse it: programs are cached by expression text, and activation values are converted to
 * CEL values once per object (by identity: treat activation objects as immutable).
 */
export class CelEnvironment {
  readonly #env: Environment;
  readonly #meter = new CostMeter();
  readonly #programs = new Map<string, CelCompileResult>();
  readonly #converted = new ConversionCache();
  readonly #functionNames: ReadonlySet<string>;
  readonly #View: new () => ActivationView;

  constructor(readonly options: CelEnvOptions) {
    const env = new Environment({
      enableOptionalTypes: true,
      // Kubernetes' base environment enables cel.HomogeneousAggregateLiterals: [1, 'a'] is a compile error.
      homogeneousAggregateLiterals: true,
      limits: { maxAstNodes: 20_000, maxDepth: 250, maxListElements: 10_000, maxMapEntries: 10_000, maxCallArguments: 32 },
    });
    const libCtx = { meter: this.#meter };
    const libs = [...kubernetesLibraries(libCtx, { mutation: options.mutation }), ...(options.libraries?.(libCtx) ?? [])];
    for (const lib of libs) registerLibrary(env, lib);
    for (const [name, type] of Object.entries(options.variables)) env.registerVariable(name, type);
    this.#env = env;
    this.#View = activationViewClass(Object.keys(options.variables), this.#converted);
    const names = new Set<string>();
    for (const fn of (env.getDefinitions() as { functions: Array<{ name: string }> }).functions) names.add(fn.name);
    this.#functionNames = names;
  }

  /** Compiles (parse + type check) once per expression text. */
  compile(expression: string): CelCompileResult {
    let hit = this.#programs.get(expression);
    if (!hit) {
      hit = this.#compile(expression);
      // Bounded: a long-running server that sees policy after policy must not grow without limit.
      if (this.#programs.size >= MAX_CACHED_PROGRAMS) this.#programs.clear();
      this.#programs.set(expression, hit);
    }
    return hit;
  }

  #compile(expression: string): CelCompileResult {
    if (expression.length > MAX_EXPRESSION_LENGTH) {
      return fail('cel_parse_error', `expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
    }
    const rewritten = this.options.mutation ? rewriteObjectConstruction(expression) : undefined;
    const source: SourceText = { expression, text: rewritten?.text ?? expression, toOriginal: rewritten?.toOriginal };
    let fn: ReturnType<Environment['parse']>;
    try {
      fn = this.#env.parse(source.text);
    } catch (err) {
      return { ok: false, error: toCelError(err, source, 'cel_parse_error') };
    }
    renameReplacedMethods(fn.ast);
    const checked = fn.check();
    if (!checked.valid) {
      return { ok: false, error: this.#typeError(checked.error, source) };
    }
    const staticCost = instrument(fn.ast, this.#meter);
    const program = new Program(source, String(checked.type), fn, staticCost, this, new this.#View());
    // Compile-to-closures fast path (src/engines/cel/fast): falls back to the interpreter outside its subset.
    if (!this.options.mutation && fastPathEnabled()) program.fast = FastProgram.compile(fn.ast, Object.keys(this.options.variables), staticCost);
    return { ok: true, program };
  }

  #typeError(err: unknown, source: SourceText): CelError {
    const e0 = toCelError(err, source, 'cel_type_error');
    let message = e0.message;
    for (const [name, internal] of REPLACED_METHODS) message = message.split(internal).join(name);
    const e = { ...e0, message };
    const code = (err as { code?: string }).code;
    if (code === 'no_matching_overload') {
      const m = /overload for '(?:.*?\.)?([A-Za-z_][A-Za-z0-9_]*)\(/.exec(e.message);
      if (m && !this.#functionNames.has(m[1])) {
        return { ...e, code: 'cel_unknown_function', message: `undeclared reference to function '${m[1]}'` };
      }
    }
    return e;
  }

  /** @internal evaluation entry used by programs. */
  run(program: Program, activation: Record<string, unknown>, opts: CelEvalOptions | undefined): CelResult {
    const meter = this.#meter;
    const perCall = opts?.costLimit ?? DEFAULT_COST_LIMIT;
    const budget = opts?.budget;
    const budgetBound = budget !== undefined && budget.remaining < perCall;
    const saved = meter.enter(budgetBound ? Math.max(0, budget.remaining) : perCall, opts?.deadline, opts?.now);
    try {
      meter.charge(program.staticCost);
      if (opts?.celValues) return { ok: true, value: program.fn(activation) };
      // The program's activation view converts each variable when the expression reads it (no per-call object).
      const view = program.view;
      const outer = view.current;
      view.current = activation;
      view.epoch++;
      let value: unknown;
      try {
        value = program.fn(view);
      } finally {
        view.current = outer;
        view.epoch++;
      }
      return { ok: true, value: opts?.rawResult ? value : fromCel(value) };
    } catch (err) {
      if (budgetBound && err instanceof CelCostLimitError) {
        return {
          ok: false,
          error: {
            code: 'cel_cost_limit_exceeded',
            message: 'validation failed due to running out of cost budget, no further validation rules will be run',
          },
        };
      }
      return { ok: false, error: toCelError(err, program.source, 'cel_eval_error') };
    } finally {
      if (budget) budget.remaining -= Math.min(meter.used, meter.limit);
      meter.leave(saved);
    }
  }
}

/** What the CEL runtime reads variables from: getters over the current activation, converting on read. */
export interface ActivationView {
  current: Record<string, unknown> | undefined;
  /** Bumped whenever `current` changes: values converted under an older epoch are stale. */
  epoch: number;
}

/**
 * A class whose prototype has one getter per declared variable (built once per environment): reading `object`
 * converts `current.object` through the environment's cache, once per evaluation (memoised by epoch). Cheaper
 * than building a converted context object per call.
 */
function activationViewClass(names: readonly string[], cache: ConversionCache): new () => ActivationView {
  class View implements ActivationView {
    current: Record<string, unknown> | undefined = undefined;
    epoch = 0;
    readonly values: unknown[] = new Array(names.length).fill(undefined);
    readonly stamps: number[] = new Array(names.length).fill(-1);
  }
  names.forEach((name, i) => {
    Object.defineProperty(View.prototype, name, {
      enumerable: true,
      get(this: View): unknown {
        if (this.stamps[i] === this.epoch) return this.values[i];
        const v = this.current?.[name];
        const c = v === undefined ? undefined : toCel(v, cache);
        this.values[i] = c;
        this.stamps[i] = this.epoch;
        return c;
      },
    });
  });
  return View;
}

/** The expression as written, the text actually parsed, and the offset mapping between them. */
export interface SourceText {
  expression: string;
  text: string;
  toOriginal?: (offset: number) => number;
}

class Program implements CelProgram {
  readonly expression: string;
  constructor(
    readonly source: SourceText,
    readonly outputType: string,
    readonly fn: ReturnType<Environment['parse']>,
    readonly staticCost: number,
    readonly env: CelEnvironment,
    readonly view: ActivationView,
  ) {
    this.expression = source.expression;
  }

  fast: FastProgram | undefined = undefined;

  evaluate(activation: Record<string, unknown>, opts?: CelEvalOptions): CelResult {
    return this.fast?.evaluate(activation, opts) ?? this.env.run(this, activation, opts);
  }
}

function registerLibrary(env: Environment, lib: CelLibrary): void {
  for (const t of lib.types ?? []) env.registerType(t.name, (t.fields ? { ctor: t.ctor, fields: t.fields } : t.ctor) as never);
  for (const c of lib.constants ?? []) env.registerConstant(c.name, c.type, c.value);
  for (const f of lib.functions) env.registerFunction(f.signature, f.impl as never);
  for (const o of lib.operators ?? []) env.registerOperator(o.signature, o.impl as never);
  for (const m of lib.macros ?? []) env.registerFunction(m.signature, m.expand as never);
}

function fail(code: CelErrorCode, message: string): CelCompileResult {
  return { ok: false, error: { code, message } };
}

/** Maps anything thrown by the parser, checker or evaluator to a CelError with a position in the expression. */
export function toCelError(err: unknown, source: SourceText | string, fallback: CelErrorCode): CelError {
  const src: SourceText = typeof source === 'string' ? { expression: source, text: source } : source;
  if (err instanceof CelCostLimitError) return { code: 'cel_cost_limit_exceeded', message: err.message };
  if (err instanceof CelDeadlineError) return { code: 'cel_timeout', message: err.message };
  if (err instanceof CelEvaluationFailure) return err.error;
  if (err instanceof CelLibraryError) return { code: 'cel_eval_error', message: err.message };
  const e = err as { summary?: string; message?: string; range?: { start: number }; cause?: unknown };
  if (e && e.cause && e.cause !== err && !(err instanceof ParseError)) {
    const inner = toCelError(e.cause, src, fallback);
    if (inner.code !== fallback || e.cause instanceof CelLibraryError) return withPosition(inner, src, e.range);
  }
  if (err instanceof RangeError && /call stack/i.test(err.message)) return { code: 'cel_eval_error', message: `expression too deep: ${err.message}` };
  const message = e?.summary ?? e?.message ?? String(err);
  return withPosition({ code: fallback, message }, src, e?.range);
}

function withPosition(error: CelError, src: SourceText, range: { start: number } | undefined): CelError {
  if (!range || error.line !== undefined) return error;
  const expression = src.expression;
  const start = src.toOriginal ? src.toOriginal(range.start) : range.start;
  let line = 1;
  let lineStart = 0;
  const end = Math.min(start, expression.length);
  for (let i = 0; i < end; i++) {
    if (expression.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { ...error, line, column: start - lineStart + 1 };
}

/**
 * Points base-library methods whose semantics differ from cel-go (`matches`, `lowerAscii`, `upperAscii`, `trim`)
 * at Rampart's implementations (see library/replaced.ts): the base library's overloads cannot be replaced.
 */
function renameReplacedMethods(root: unknown): void {
  const walk = (node: AstLike): void => {
    const args = node.args as unknown[];
    if (node.op === 'rcall' && Array.isArray(args) && typeof args[0] === 'string') {
      const internal = REPLACED_METHODS.get(args[0]);
      if (internal) args[0] = internal;
    }
    for (const c of children(node)) walk(c);
  };
  if (isAst(root)) walk(root);
}

/**
 * Charges comprehension bodies per iteration: wraps each comprehension's step node so every iteration costs the
 * step's node count. Returns the static cost of the whole expression.
 */
function instrument(root: unknown, meter: CostMeter): number {
  if (!isAst(root)) return 1;
  const walk = (node: AstLike): void => {
    if (node.op === 'comprehension') {
      const args = node.args as { step?: AstLike };
      const step = args.step;
      if (step && isAst(step)) wrapWithCharge(step, nodeCount(step), meter);
    }
    const name = (node.args as unknown[])?.[0];
    const sized = node.op === '+' || (node.op === 'rcall' && typeof name === 'string' && SIZE_CHARGED.has(name));
    // Numbers, durations... never grow: only wrap what may be a string or a list (or dyn).
    const type = (node as { checkedType?: { name?: string } }).checkedType?.name;
    if (sized && !(type !== undefined && NEVER_GROWS.has(type))) {
      wrapWithSizeCharge(node, meter);
    }
    for (const c of children(node)) walk(c);
  };
  walk(root);
  return nodeCount(root);
}

/** Base-library operations whose work grows with their result: charged by result size after they run. */
const SIZE_CHARGED: ReadonlySet<string> = new Set(['join', 'split', 'substring']);
const NEVER_GROWS: ReadonlySet<string> = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'google.protobuf.Duration',
  'google.protobuf.Timestamp',
]);
/** cel-go's cost factor for traversing strings: 0.1 unit per character. */
const STRING_COST_FACTOR = 0.1;

type Evaluate = (ev: unknown, ast: unknown, ctx: unknown) => unknown;

/** The function that evaluates a node now: a wrapper installed earlier, or what the library would dispatch to. */
function currentEvaluate(node: AstLike): Evaluate {
  if (Object.hasOwn(node, 'evaluate')) return node.evaluate;
  const meta = node.meta;
  const alt = meta.alternate;
  const macro = meta.macro as { evaluate: (ev: unknown, m: unknown, ctx: unknown) => unknown } | undefined;
  if (alt) return (ev, _a, ctx) => alt.evaluate(ev, alt, ctx);
  if (macro) return (ev, _a, ctx) => macro.evaluate(ev, macro, ctx);
  return meta.evaluate as Evaluate;
}

function wrapWithCharge(node: AstLike, units: number, meter: CostMeter): void {
  const target = currentEvaluate(node);
  node.evaluate = function chargedEvaluate(ev, ast, ctx) {
    meter.charge(units);
    return target.call(node, ev, ast, ctx);
  };
}

/** String and list results (concatenation, join, split...) cost their size: quadratic string growth is caught. */
function wrapWithSizeCharge(node: AstLike, meter: CostMeter): void {
  const target = currentEvaluate(node);
  node.evaluate = function sizeChargedEvaluate(ev, ast, ctx) {
    const r = target.call(node, ev, ast, ctx);
    if (typeof r === 'string') meter.charge(Math.ceil(r.length * STRING_COST_FACTOR));
    else if (Array.isArray(r)) meter.charge(r.length);
    return r;
  };
}
