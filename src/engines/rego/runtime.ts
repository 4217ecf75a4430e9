/** Runtime structures shared by the code generator and the evaluator: frames, contexts, limits. */
import type { BuiltinContext } from './builtins/types.js';
import { RegoError } from './errors.js';
import type { Value } from './value.js';

/** Continuation: return true to stop the search. */
export type K = () => boolean;
/** A compiled literal chain. */
export type BodyFn = (fr: Frame, k: K) => boolean;

export interface Frame {
  s: (Value | undefined)[];
  ctx: Ctx;
  /** contexts saved by `with` literals */
  w: Ctx[];
}

export type Mock = { kind: 'value'; v: Value } | { kind: 'fn'; call: (args: Value[], fr: Frame) => Value | undefined };

export interface DataOverride {
  path: string[];
  value: Value;
}

export interface EvalEnv {
  steps: number;
  maxSteps: number;
  deadline: number;
  strict: boolean;
  depth: number;
  maxDepth: number;
  bctx: BuiltinContext;
}

/** Per query (and per `with` scope): input, overrides, mocks and the rule value cache. */
export interface Ctx {
  input: Value | undefined;
  data: Value;
  overrides?: DataOverride[];
  mocks?: Map<string, Mock>;
  cache: Map<object, Value | typeof UNDEF>;
  inProgress: Set<object>;
  env: EvalEnv;
  /** Object values produced by rule heads: other rules must not inject keys into them (eval_conflict_error). */
  leaves?: WeakSet<object>;
}

export const UNDEF: unique symbol = Symbol('undefined');

export function tick(env: EvalEnv): void {
  env.steps++;
  if (env.steps > env.maxSteps) throw new RegoError('eval_cancel_error', `evaluation exceeded the step limit (${env.maxSteps})`);
  if ((env.steps & 1023) === 0 && Date.now() > env.deadline) throw new RegoError('eval_cancel_error', 'evaluation timed out');
}

export function newFrame(n: number, ctx: Ctx): Frame {
  return { s: new Array<Value | undefined>(n), ctx, w: [] };
}
