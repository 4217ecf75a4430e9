import { CelDeadlineError, CostMeter, DEFAULT_COST_LIMIT } from '../cost.js';
import type { CelEvalOptions, CelResult } from '../types.js';
import { ConversionCache, fromCel, toCel } from '../values.js';
import { compileFast, type FastFn, type FastState } from './compile.js';

/** `RAMPART_CEL_FAST=0` turns the fast path off (every expression then runs on the interpreter). */
export function fastPathEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RAMPART_CEL_FAST !== '0';
}

/**
 * One expression compiled to closures. `evaluate` returns undefined whenever the interpreter must decide (an
 * error, a value type outside the subset, the cost limit reached): the caller then runs the interpreter, which
 * charges the budget itself. Only a successful evaluation, or a passed deadline, is charged here.
 */
export class FastProgram {
  readonly #fn: FastFn;
  readonly #slots: number;
  readonly #staticCost: number;
  readonly #meter = new CostMeter();
  /** Raw results handed to other expressions (VAP variables) are converted once per object, like activations. */
  readonly #converted = new ConversionCache(4);

  private constructor(fn: FastFn, slots: number, staticCost: number) {
    this.#fn = fn;
    this.#slots = slots;
    this.#staticCost = staticCost;
  }

  /** The fast program of a checked AST, or undefined when the expression is outside the subset. */
  static compile(ast: unknown, variables: readonly string[], staticCost: number): FastProgram | undefined {
    const r = compileFast(ast, variables);
    return 'fn' in r ? new FastProgram(r.fn, r.slots, staticCost) : undefined;
  }

  evaluate(activation: Record<string, unknown>, opts: CelEvalOptions | undefined): CelResult | undefined {
    if (opts?.celValues) return undefined;
    const meter = this.#meter;
    const perCall = opts?.costLimit ?? DEFAULT_COST_LIMIT;
    const budget = opts?.budget;
    const limit = budget !== undefined && budget.remaining < perCall ? Math.max(0, budget.remaining) : perCall;
    const saved = meter.enter(limit, opts?.deadline, opts?.now);
    let result: CelResult | undefined;
    try {
      meter.charge(this.#staticCost);
      const state: FastState = { act: activation, vars: this.#slots ? new Array(this.#slots) : EMPTY, meter };
      const value = this.#fn(state);
      result = { ok: true, value: opts?.rawResult ? toCel(value, this.#converted) : fromCel(value) };
    } catch (err) {
      if (err instanceof CelDeadlineError) result = { ok: false, error: { code: 'cel_timeout', message: err.message } };
      else result = undefined;
    } finally {
      if (budget && result) budget.remaining -= Math.min(meter.used, meter.limit);
      meter.leave(saved);
    }
    return result;
  }
}

const EMPTY: unknown[] = Object.freeze([]) as unknown as unknown[];
