import type { CostMeter } from '../cost.js';

/** What a library implementation may use at run time: the meter of the evaluation in progress. */
export interface CelLibraryContext {
  readonly meter: CostMeter;
}

/** A function overload: its CEL signature (checked at compile time) and the JS implementation called at run time. */
export interface CelOverload {
  signature: string;
  impl: (...args: any[]) => unknown;
}

/** A macro: expanded at parse time; see library/comprehensions.ts for the hooks it provides. */
export interface CelMacro {
  signature: string;
  expand: (opts: any) => unknown;
}

export interface CelLibrary {
  name: string;
  types?: Array<{ name: string; ctor: abstract new (...args: any[]) => unknown; fields?: Record<string, string> }>;
  constants?: Array<{ name: string; type: string; value: unknown }>;
  functions: CelOverload[];
  operators?: CelOverload[];
  macros?: CelMacro[];
}

/** An error a library function raises for bad input (CEL: an evaluation error, not a crash). */
export class CelLibraryError extends Error {}

export function fail(message: string): never {
  throw new CelLibraryError(message);
}

/** Builds the overload table of a library: signatures are declared in one list, implementations apart. */
export function overloads(decls: Record<string, (...args: any[]) => unknown>): CelOverload[] {
  return Object.entries(decls).map(([signature, impl]) => ({ signature, impl }));
}
