import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { FieldPath } from '../../core/span.js';
import type { LoadedObject } from '../../k8s/object.js';
import type { CelEnvironment, CelError, CelProgram, CelResult } from '../cel/index.js';

/**
 * An expression compiled once. A compile error is reported as a Diagnostic at the expression's file:line and the
 * expression then evaluates to an error, as the API server does for a policy that failed to compile
 * (the failure policy applies).
 */
export interface Compiled {
  readonly expression: string;
  evaluate(activation: Record<string, unknown>, opts: EvalOpts): CelResult;
}

export interface EvalOpts {
  costLimit?: number;
  deadline?: number;
  /** Shared by several evaluations; each subtracts what it used. */
  budget?: { remaining: number };
}

export interface VariableDef {
  name: string;
  program: Compiled;
  /** Signature of this definition and every one before it (what its value can depend on). */
  key: string;
}

export interface CompileSite {
  doc: LoadedObject;
  /** Human label of the policy for messages, e.g. `ValidatingAdmissionPolicy require-labels`. */
  label: string;
  diagnostics: Diagnostic[];
  /** Variable lists seen in this compile, by signature: identical lists share one definition map (and activation). */
  intern?: Map<string, ReadonlyMap<string, VariableDef>>;
}

class Broken implements Compiled {
  constructor(
    readonly expression: string,
    readonly error: CelError,
  ) {}
  evaluate(): CelResult {
    return { ok: false, error: { code: this.error.code, message: `compilation failed: ${this.error.message}` } };
  }
}

class Ok implements Compiled {
  constructor(readonly program: CelProgram) {}
  get expression(): string {
    return this.program.expression;
  }
  evaluate(activation: Record<string, unknown>, opts: EvalOpts): CelResult {
    return this.program.evaluate(activation, opts);
  }
}

/** Which CEL output types an expression field accepts (checked like the API server's type checker). */
export type Expect = 'bool' | 'string' | 'string-or-null' | 'any';

function typeAccepted(outputType: string, expect: Expect): boolean {
  if (expect === 'any' || outputType === 'dyn') return true;
  if (expect === 'bool') return outputType === 'bool';
  if (expect === 'string') return outputType === 'string';
  return outputType === 'string' || outputType === 'null_type' || outputType === 'null';
}

export function compileExpression(
  env: CelEnvironment,
  expression: unknown,
  path: FieldPath,
  site: CompileSite,
  expect: Expect,
): Compiled {
  const span = site.doc.locate(path);
  const where = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
  if (typeof expression !== 'string' || expression.trim() === '') {
    const error: CelError = { code: 'cel_parse_error', message: 'expression is empty or not a string' };
    site.diagnostics.push(diag(error.code, `${site.label}: ${where}: ${error.message}`, { span, path }));
    return new Broken(String(expression ?? ''), error);
  }
  const r = env.compile(expression);
  if (!r.ok) {
    const at = r.error.line !== undefined ? ` (expression line ${r.error.line}, column ${r.error.column ?? 1})` : '';
    site.diagnostics.push(diag(r.error.code, `${site.label}: ${where}: ${r.error.message}${at}`, { span, path }));
    return new Broken(expression, r.error);
  }
  if (!typeAccepted(r.program.outputType, expect)) {
    const want = expect === 'string-or-null' ? 'string or null' : expect;
    const error: CelError = { code: 'cel_type_error', message: `must evaluate to ${want}, not ${r.program.outputType}` };
    site.diagnostics.push(diag(error.code, `${site.label}: ${where}: ${error.message}`, { span, path }));
    return new Broken(expression, error);
  }
  return new Ok(r.program);
}
