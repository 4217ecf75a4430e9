/**
 * Builtins are declared apart from their implementation: a declaration (name, operand types, result) is data;
 * implementations are registered into a BuiltinRegistry when a compiler is created. Operand types are checked
 * once, at the call boundary, so implementations can assume them.
 */
import { typeName, type Value } from '../value.js';

/** Operand type: 'any', one type name, or alternatives joined by '|' in OPA's message order. */
export type TypeSpec = string;

export interface BuiltinDecl {
  name: string;
  args: TypeSpec[];
  result: TypeSpec;
  /** Accepts any number of operands of args[0]'s type (e.g. print). */
  variadic?: boolean;
  /** Produces several outputs (walk): the implementation calls `emit`. */
  relation?: boolean;
  /** Depends on the environment (time, randomness): its results are cached per query. */
  nondeterministic?: boolean;
}

export interface BuiltinContext {
  now: Date;
  strict: boolean;
  print(line: string): void;
  /** Per-query cache for nondeterministic builtins (e.g. time.now_ns is stable within one query). */
  cache: Map<string, Value>;
  /** Random source (injected for deterministic tests). */
  random(): number;
}

export type BuiltinImpl = (args: Value[], bctx: BuiltinContext) => Value | undefined;
export type RelationImpl = (args: Value[], bctx: BuiltinContext, emit: (v: Value) => boolean) => boolean;

export class BuiltinError extends Error {
  constructor(
    readonly code: 'eval_type_error' | 'eval_builtin_error',
    message: string,
  ) {
    super(message);
  }
}

/** A builtin whose error must always halt evaluation, even without strict mode. */
export class HaltError extends BuiltinError {}

export function typeErr(pos: number, got: Value, ...expected: string[]): BuiltinError {
  const tn = typeName(got);
  return new BuiltinError(
    'eval_type_error',
    expected.length === 1 ? `operand ${pos} must be ${expected[0]} but got ${tn}` : `operand ${pos} must be one of {${expected.join(', ')}} but got ${tn}`,
  );
}

export function builtinErr(msg: string): BuiltinError {
  return new BuiltinError('eval_builtin_error', msg);
}

export function typeMatches(spec: TypeSpec, v: Value): boolean {
  if (spec === 'any') return true;
  const tn = typeName(v);
  if (spec === tn) return true;
  // alternatives: match a whole name between '|' separators without splitting (hot path)
  const i = spec.indexOf(tn);
  if (i < 0) return false;
  const end = i + tn.length;
  return (i === 0 || spec.charCodeAt(i - 1) === 124) && (end === spec.length || spec.charCodeAt(end) === 124);
}

export class BuiltinRegistry {
  readonly decls = new Map<string, BuiltinDecl>();
  readonly impls = new Map<string, BuiltinImpl>();
  readonly relations = new Map<string, RelationImpl>();
  declare(...decls: BuiltinDecl[]): void {
    for (const d of decls) this.decls.set(d.name, d);
  }
  register(name: string, impl: BuiltinImpl): void {
    this.impls.set(name, impl);
  }
  registerRelation(name: string, impl: RelationImpl): void {
    this.relations.set(name, impl);
  }
}
