import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { FieldPath } from '../../core/span.js';
import { isObject, type LoadedObject } from '../../k8s/object.js';
import { LazyMap, CelEvaluationFailure, type CelEnvironment, type CelProgram } from '../cel/index.js';

/** Gatekeeper's K8sNativeValidation code: VAP-style validations with `variables.params` and `variables.anyObject`. */
export interface CelTarget {
  variables: { name: string; program: CelProgram }[];
  matchConditions: { name: string; program: CelProgram }[];
  validations: { expression: string; program: CelProgram; message?: string; messageExpression?: CelProgram }[];
}

/** Variables Gatekeeper defines before the template's own (transform/cel_snippets.go). */
export const BUILTIN_VARIABLES = [
  { name: 'params', expression: '!has(params.spec) ? null : !has(params.spec.parameters) ? null : params.spec.parameters' },
  { name: 'anyObject', expression: 'has(request.operation) && request.operation == "DELETE" && object == null ? oldObject : object' },
];

export function compileCelTarget(source: Record<string, unknown>, doc: LoadedObject, base: FieldPath, diagnostics: Diagnostic[], env: CelEnvironment): CelTarget | undefined {
  const target: CelTarget = { variables: [], matchConditions: [], validations: [] };
  let ok = true;
  const compile = (expr: unknown, path: FieldPath): CelProgram | undefined => {
    if (typeof expr !== 'string') {
      diagnostics.push(diag('gatekeeper_template_invalid', 'expression must be a string', { span: doc.locate(path), path }));
      ok = false;
      return undefined;
    }
    const r = env.compile(expr);
    if (!r.ok) {
      diagnostics.push(diag(r.error.code, `${r.error.message} in "${expr}"`, { span: doc.locate(path), path }));
      ok = false;
      return undefined;
    }
    return r.program;
  };
  BUILTIN_VARIABLES.forEach((v) => {
    const p = compile(v.expression, base);
    if (p) target.variables.push({ name: v.name, program: p });
  });
  const list = (k: string) => (Array.isArray(source[k]) ? (source[k] as unknown[]) : []);
  list('variables').forEach((v, i) => {
    if (!isObject(v) || typeof v.name !== 'string') return;
    const p = compile(v.expression, [...base, 'variables', i, 'expression']);
    if (p) target.variables.push({ name: v.name, program: p });
  });
  list('matchConditions').forEach((m, i) => {
    if (!isObject(m)) return;
    const p = compile(m.expression, [...base, 'matchConditions', i, 'expression']);
    if (p) target.matchConditions.push({ name: String(m.name ?? i), program: p });
  });
  list('validations').forEach((v, i) => {
    if (!isObject(v)) return;
    const program = compile(v.expression, [...base, 'validations', i, 'expression']);
    const messageExpression = v.messageExpression !== undefined ? compile(v.messageExpression, [...base, 'validations', i, 'messageExpression']) : undefined;
    if (program) target.validations.push({ expression: String(v.expression), program, message: typeof v.message === 'string' ? v.message : undefined, messageExpression });
  });
  return ok ? target : undefined;
}

export interface CelViolation {
  message: string;
}

/**
 * Evaluates the validations; a false result is a violation with the message (messageExpression first, then
 * message, then "failed expression: <expr>"). An erroring expression is returned as an error.
 */
export function evaluateCelTarget(
  t: CelTarget,
  base: { object: unknown; oldObject: unknown; request: unknown; params: unknown; namespaceObject: unknown },
  opts: { deadline?: number },
): { ok: true; violations: CelViolation[] } | { ok: false; message: string } {
  const activation: Record<string, unknown> = { ...base };
  const byName = new Map(t.variables.map((v) => [v.name, v.program]));
  activation.variables = new LazyMap(byName.keys(), (name) => {
    const r = byName.get(name)!.evaluate(activation, { deadline: opts.deadline });
    if (!r.ok) throw new CelEvaluationFailure(r.error);
    return r.value;
  });
  for (const m of t.matchConditions) {
    const r = m.program.evaluate(activation, { deadline: opts.deadline });
    if (!r.ok) return { ok: false, message: `matchCondition ${m.name}: ${r.error.message}` };
    if (r.value !== true) return { ok: true, violations: [] };
  }
  const violations: CelViolation[] = [];
  for (const v of t.validations) {
    const r = v.program.evaluate(activation, { deadline: opts.deadline });
    if (!r.ok) return { ok: false, message: `${r.error.message} in "${v.expression}"` };
    if (r.value === true) continue;
    let message = v.message ?? `failed expression: ${v.expression}`;
    if (v.messageExpression) {
      const m = v.messageExpression.evaluate(activation, { deadline: opts.deadline });
      if (m.ok && typeof m.value === 'string' && m.value.trim() !== '') message = m.value;
    }
    violations.push({ message });
  }
  return { ok: true, violations };
}
