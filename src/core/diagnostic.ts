import type { FieldPath, SourceSpan } from './span.js';

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/**
 * A problem with user input (a manifest, a policy, a config, a request). Never thrown: collected and reported,
 * and the rest of the work goes on. `code` is stable snake_case and never renamed (see codes.ts).
 */
export interface Diagnostic {
  code: string;
  severity: DiagnosticSeverity;
  message: string;
  span?: SourceSpan;
  path?: FieldPath;
  help?: string;
}

export function diag(
  code: string,
  message: string,
  extra: Partial<Omit<Diagnostic, 'code' | 'message'>> = {},
): Diagnostic {
  return { code, severity: extra.severity ?? 'error', message, ...extra };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}
