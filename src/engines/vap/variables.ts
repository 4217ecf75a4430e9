import { CelEvaluationFailure, type CelError } from '../cel/index.js';
import type { EvalOpts, VariableDef } from './program.js';

export type { VariableDef } from './program.js';

/** A computed variable: its CEL value (already converted) or the error it failed with. */
export type VariableOutcome = { ok: true; value: unknown } | { ok: false; error: CelError };

/**
 * Values of `variables` shared by every policy evaluating one request: two policies whose variable lists start
 * with the same definitions (the guardrails all begin with podSpec/podMeta/containers) compute them once.
 * Keyed by the definition prefix, so a name means the same thing only when everything it can see is identical.
 */
export type VariableCache = Map<string, VariableOutcome>;

/** Per-request sharing: variable values by definition prefix (one object per request: its identity names the request). */
export interface SharedVariables {
  values: VariableCache;
}


/**
 * The CEL `variables` map of one evaluation: entries computed on first read, at most once, errors replayed to
 * every reader. Reads as a plain Map to the CEL runtime (which recognises maps by constructor).
 */
export class VariablesMap extends Map<string, unknown> {
  static {
    Object.defineProperty(this.prototype, 'constructor', { value: Map, writable: false, enumerable: false });
  }
  readonly #defs: ReadonlyMap<string, VariableDef>;
  #outcomes: VariableCache;
  #activation: Record<string, unknown> = {};
  #opts: EvalOpts & { rawResult?: boolean } = {};
  #optsOf: EvalOpts | undefined;

  constructor(defs: ReadonlyMap<string, VariableDef>, cache: VariableCache | undefined) {
    super();
    this.#defs = defs;
    this.#outcomes = cache ?? new Map();
  }

  bind(activation: Record<string, unknown>, opts: EvalOpts): void {
    this.#activation = activation;
    // Variable values stay CEL runtime values: other expressions read them without a round trip through plain JS.
    if (this.#optsOf !== opts) {
      this.#opts = { ...opts, rawResult: true };
      this.#optsOf = opts;
    }
  }

  /** Reuses this map for another evaluation: values (and errors) then come from, and go to, `cache`. */
  rebind(cache: VariableCache, activation: Record<string, unknown>, opts: EvalOpts): void {
    this.#outcomes = cache;
    this.bind(activation, opts);
  }

  override has(key: string): boolean {
    return this.#defs.has(key);
  }

  override get(key: string): unknown {
    const def = this.#defs.get(key);
    if (!def) return undefined;
    let outcome = this.#outcomes.get(def.key);
    if (!outcome) {
      const r = def.program.evaluate(this.#activation, this.#opts);
      outcome = r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error };
      this.#outcomes.set(def.key, outcome);
    }
    if (!outcome.ok) throw new CelEvaluationFailure(outcome.error);
    return outcome.value;
  }

  override get size(): number {
    return this.#defs.size;
  }

  override *keys(): MapIterator<string> {
    yield* this.#defs.keys();
  }

  override *entries(): MapIterator<[string, unknown]> {
    for (const k of this.#defs.keys()) yield [k, this.get(k)];
  }

  override *values(): MapIterator<unknown> {
    for (const k of this.#defs.keys()) yield this.get(k);
  }

  override [Symbol.iterator](): MapIterator<[string, unknown]> {
    return this.entries();
  }

  override forEach(cb: (value: unknown, key: string, map: Map<string, unknown>) => void): void {
    for (const k of this.#defs.keys()) cb(this.get(k), k, this);
  }
}
