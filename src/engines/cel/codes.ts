import type { CelErrorCode } from './types.js';

/**
 * The CEL engine's diagnostic codes (stable, never renamed). Policy engines report them as Diagnostic codes
 * (compile problems, with the policy file and line) or in `error` rule results (run-time problems).
 */
export const CEL_CODES = {
  cel_parse_error: 'A CEL expression has a syntax error (or is longer than 100,000 characters).',
  cel_type_error: 'A CEL expression has a static type error (wrong operand or argument types, undeclared variable, mixed list literal).',
  cel_unknown_function: 'A CEL expression calls a function or method no library declares.',
  cel_eval_error: 'A CEL expression failed while evaluating (missing field, division by zero, invalid argument...).',
  cel_cost_limit_exceeded: 'A CEL expression used more than its cost limit (or the shared cost budget ran out).',
  cel_timeout: 'A CEL expression ran past its evaluation deadline.',
} as const satisfies Record<CelErrorCode, string>;
