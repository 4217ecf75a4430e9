import type { Loc } from './ast.js';

/** OPA's error codes, kept verbatim so users can search them. */
export type RegoErrorCode =
  | 'rego_parse_error'
  | 'rego_compile_error'
  | 'rego_type_error'
  | 'rego_unsafe_var_error'
  | 'rego_recursion_error'
  | 'eval_conflict_error'
  | 'eval_type_error'
  | 'eval_builtin_error'
  | 'eval_cancel_error'
  | 'eval_recursion_error'
  | 'eval_step_limit_error';

/** An evaluation or compile error carrying an OPA code; thrown inside the engine, returned as data at the API. */
export class RegoError extends Error {
  constructor(
    readonly code: RegoErrorCode,
    message: string,
    readonly loc?: Loc,
  ) {
    super(message);
  }
}
