/**
 * The CEL engine with the Kubernetes environment (libraries of the API server: lists, regex, url, quantity,
 * ip/cidr, format, strings and sets extensions, optional types, two-variable comprehensions), cost limits and a
 * deadline. Built on @marcbachmann/cel-js (chosen by conformance and speed: see bench/RESULTS.md).
 *
 * Usage: create one CelEnvironment per set of declared variables, compile each expression once (cached by text),
 * evaluate many times. Activation values are plain JSON-like JS; numbers without a fraction are CEL ints.
 */
import { CelEnvironment } from './environment.js';
import type { CelCompileResult, CelEnvOptions } from './types.js';

export { CelEnvironment, MAX_EXPRESSION_LENGTH } from './environment.js';
export { DEFAULT_COST_LIMIT } from './cost.js';
export { CEL_CODES } from './codes.js';
export { ConversionCache, LazyMap, toCel, fromCel } from './values.js';
export { CelEvaluationFailure } from './types.js';
export {
  CelLibraryError,
  fail as celFail,
  overloads as celOverloads,
  type CelLibrary,
  type CelLibraryContext,
  type CelMacro,
  type CelOverload,
} from './library/library.js';
export type {
  CelCompileResult,
  CelCostBudget,
  CelEnvOptions,
  CelError,
  CelErrorCode,
  CelEvalOptions,
  CelProgram,
  CelResult,
  CelType,
} from './types.js';
export {
  CelAuthorizerValue,
  type CelAuthorizer,
  type CelAuthorizationDecision,
  type CelAuthorizationRequest,
} from './library/authz.js';

/**
 * Compiles one expression. Pass a CelEnvironment to share its cache and conversions (the fast path); passing
 * plain options builds a throwaway environment (fine for one-off checks, slow in loops).
 */
export function compileCel(expression: string, env: CelEnvOptions | CelEnvironment): CelCompileResult {
  const environment = env instanceof CelEnvironment ? env : new CelEnvironment(env);
  return environment.compile(expression);
}
