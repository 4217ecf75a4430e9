import type { CelLibrary, CelLibraryContext } from './library/library.js';

/** Stable error codes of the CEL engine (also the Diagnostic codes policy engines report). */
export type CelErrorCode =
  | 'cel_parse_error'
  | 'cel_type_error'
  | 'cel_unknown_function'
  | 'cel_eval_error'
  | 'cel_cost_limit_exceeded'
  | 'cel_timeout';

/** A CEL problem; line/column are 1-based positions inside the expression text. */
export interface CelError {
  code: CelErrorCode;
  message: string;
  line?: number;
  column?: number;
}

/**
 * A declared variable type: CEL type names as the checker spells them ('dyn', 'map', 'list<string>', 'map<string,
 * dyn>', ...), plus 'kubernetes.authorization.Authorizer' for the `authorizer` variable of admission policies.
 */
export type CelType =
  | 'dyn'
  | 'map'
  | 'list'
  | 'string'
  | 'int'
  | 'uint'
  | 'double'
  | 'bool'
  | 'bytes'
  | 'null_type'
  | 'timestamp'
  | 'duration'
  | 'kubernetes.authorization.Authorizer'
  | `list<${string}>`
  | `map<${string}>`;

export interface CelEnvOptions {
  /** Declared top-level variables, e.g. object, oldObject, request, params, namespaceObject, variables, authorizer. */
  variables: Record<string, CelType>;
  /**
   * MutatingAdmissionPolicy expressions: `Object{...}` / `JSONPatch{...}` construction (evaluates to plain
   * objects) and `jsonpatch.escapeKey`. Off by default, as in the API server's validating environments.
   */
  mutation?: boolean;
  /**
   * More functions for this environment (e.g. Kyverno's resource/image/json libraries): each library declares
   * signatures (checked at compile time) and implementations. Receives the metering context to charge costs.
   */
  libraries?: (ctx: CelLibraryContext) => CelLibrary[];
}

export interface CelEvalOptions {
  /** Cost units one evaluation may use (default 1,000,000 like the API server's per-expression limit). */
  costLimit?: number;
  /**
   * A budget shared by several evaluations (the API server's per-request budget, 10,000,000 units for all
   * expressions of one admission): each evaluation may use min(costLimit, remaining) and subtracts what it used.
   */
  budget?: CelCostBudget;
  /** Wall-clock deadline, ms since epoch. */
  deadline?: number;
  /** Clock for the deadline (default Date.now); injected by tests. */
  now?: () => number;
  /**
   * The activation already holds CEL runtime values (bigint ints, JS numbers are doubles, Map maps) and the
   * result is returned as a CEL runtime value too. For conformance runs and engines that convert themselves.
   */
  celValues?: boolean;
  /**
   * Convert the activation as usual but return the result as a CEL runtime value (e.g. a VAP variable's value,
   * to be read by other expressions without a round trip through plain JS).
   */
  rawResult?: boolean;
}

export interface CelCostBudget {
  remaining: number;
}

export type CelResult = { ok: true; value: unknown } | { ok: false; error: CelError };

export interface CelProgram {
  readonly expression: string;
  /** Type the checker inferred for the whole expression ('bool', 'string', 'dyn', ...). */
  readonly outputType: string;
  /** Never throws: every problem is an `{ ok: false }` result. */
  evaluate(activation: Record<string, unknown>, opts?: CelEvalOptions): CelResult;
}

export type CelCompileResult = { ok: true; program: CelProgram } | { ok: false; error: CelError };

/** Throw this from a LazyMap compute function to make the reading expression fail with the given error. */
export class CelEvaluationFailure extends Error {
  constructor(readonly error: CelError) {
    super(error.message);
  }
}
