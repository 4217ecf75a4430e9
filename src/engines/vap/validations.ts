import { isObject } from '../../k8s/object.js';
import type { FieldPath } from '../../core/span.js';
import type { CelEnvironment } from '../cel/index.js';
import { compileExpression, type CompileSite, type Compiled, type EvalOpts } from './program.js';
import { VariablesMap, type SharedVariables, type VariableDef } from './variables.js';

/** The largest message a messageExpression may produce (celconfig.MaxEvaluatedMessageExpressionSizeBytes). */
const MAX_MESSAGE_BYTES = 5 * 1024;

export type FailurePolicy = 'Fail' | 'Ignore';

interface NamedProgram {
  name: string;
  program: Compiled;
}

interface CompiledValidation {
  expression: string;
  program: Compiled;
  message?: string;
  messageProgram?: Compiled;
  reason?: string;
}

/**
 * The evaluable part shared by ValidatingAdmissionPolicy, Kyverno ValidatingPolicy and Kyverno `validate.cel`:
 * matchConditions, variables, validations and audit annotations, compiled once.
 */
export interface ValidationSet {
  failurePolicy: FailurePolicy;
  matchConditions: NamedProgram[];
  variables: NamedProgram[];
  /** Variable definitions by name, each with the signature of its definition prefix (for sharing values). */
  variableDefs: ReadonlyMap<string, VariableDef>;
  validations: CompiledValidation[];
  auditAnnotations: { key: string; program: Compiled }[];
  /** @internal what evaluations reuse (created on first use). */
  reuse?: Reuse;
}

/** Where each list lives in the policy document, for diagnostics. */
export interface ValidationSetSource {
  failurePolicy?: unknown;
  matchConditions?: { value: unknown; path: FieldPath };
  variables?: { value: unknown; path: FieldPath };
  validations: { value: unknown; path: FieldPath };
  auditAnnotations?: { value: unknown; path: FieldPath };
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function compileValidationSet(env: CelEnvironment, src: ValidationSetSource, site: CompileSite): ValidationSet {
  const named = (part: { value: unknown; path: FieldPath } | undefined, expect: 'bool' | 'any'): NamedProgram[] =>
    list(part?.value).map((raw, i) => {
      const o = isObject(raw) ? raw : {};
      return {
        name: typeof o.name === 'string' ? o.name : `#${i}`,
        program: compileExpression(env, o.expression, [...part!.path, i, 'expression'], site, expect),
      };
    });
  const validations = list(src.validations.value).map((raw, i): CompiledValidation => {
    const o = isObject(raw) ? raw : {};
    const base = [...src.validations.path, i];
    const v: CompiledValidation = {
      expression: typeof o.expression === 'string' ? o.expression : '',
      program: compileExpression(env, o.expression, [...base, 'expression'], site, 'bool'),
    };
    if (typeof o.message === 'string') v.message = o.message;
    if (typeof o.reason === 'string' && o.reason !== '') v.reason = o.reason;
    if (typeof o.messageExpression === 'string' && o.messageExpression.trim() !== '') {
      v.messageProgram = compileExpression(env, o.messageExpression, [...base, 'messageExpression'], site, 'string');
    }
    return v;
  });
  const auditAnnotations = list(src.auditAnnotations?.value).map((raw, i) => {
    const o = isObject(raw) ? raw : {};
    return {
      key: typeof o.key === 'string' ? o.key : `#${i}`,
      program: compileExpression(env, o.valueExpression, [...src.auditAnnotations!.path, i, 'valueExpression'], site, 'string-or-null'),
    };
  });
  const variables = named(src.variables, 'any');
  let variableDefs: ReadonlyMap<string, VariableDef> = new Map();
  let prefix = '';
  for (const v of variables) {
    prefix += `${JSON.stringify(v.name)}=${JSON.stringify(v.program.expression)};`;
    (variableDefs as Map<string, VariableDef>).set(v.name, { name: v.name, program: v.program, key: prefix });
  }
  if (site.intern && variableDefs.size > 0) {
    const seen = site.intern.get(prefix);
    if (seen) variableDefs = seen;
    else site.intern.set(prefix, variableDefs);
  }
  return {
    failurePolicy: src.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    matchConditions: named(src.matchConditions, 'bool'),
    variables,
    variableDefs,
    validations,
    auditAnnotations,
  };
}

export interface Decision {
  index: number;
  evaluation: 'admit' | 'deny' | 'error';
  message: string;
  reason?: string;
}

export interface AnnotationResult {
  key: string;
  value?: string;
  error?: string;
}

export type SetOutcome =
  | { kind: 'nomatch'; condition: string }
  | { kind: 'error'; message: string }
  | { kind: 'decisions'; decisions: Decision[]; annotations: readonly AnnotationResult[] };

/** Activation variables besides `variables`: object, oldObject, request, params, namespaceObject, authorizer. */
export type BaseActivation = Record<string, unknown>;

/**
 * A plain object reused as a copy of successive base activations (same keys, new values): cheaper than a fresh
 * object or a prototype link per evaluation. The CEL environment only reads the declared names from it.
 */
export class ActivationCopy {
  #keys: string[] = [];
  #target: Record<string, unknown> | undefined;

  /** The copy of `base` (own and inherited enumerable keys); a new object when the keys differ from last time. */
  fill(base: BaseActivation): Record<string, unknown> {
    let target = this.#target;
    if (!target || !sameKeys(base, this.#keys)) {
      target = this.#target = {};
      const keys: string[] = (this.#keys = []);
      for (const k in base) keys.push(k);
    }
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) target[keys[i]] = base[keys[i]];
    return target;
  }
}

/**
 * What one ValidationSet reuses from one evaluation to the next (evaluations are synchronous and never nest for
 * one set): activations and variables maps, and the options with a fresh budget.
 */
interface Reuse {
  /** The request the shared activation is bound to (its SharedVariables object), if any. */
  shared: SharedVariables | undefined;
  sharedActivation: Record<string, unknown> | undefined;
  sharedCopy: ActivationCopy;
  sharedMap: VariablesMap | undefined;
  privateCopy: ActivationCopy;
  privateMap: VariablesMap | undefined;
  optsOf: EvalOpts | undefined;
  opts: EvalOpts & { budget: { remaining: number } };
}

function reuseOf(set: ValidationSet): Reuse {
  return (set.reuse ??= {
    shared: undefined,
    sharedActivation: undefined,
    sharedCopy: new ActivationCopy(),
    sharedMap: undefined,
    privateCopy: new ActivationCopy(),
    privateMap: undefined,
    optsOf: undefined,
    opts: { budget: { remaining: 0 } },
  });
}

/** Whether `base` has exactly `keys` as enumerable keys, in that order. */
function sameKeys(base: BaseActivation, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in base) if (keys[i++] !== k) return false;
  return i === keys.length;
}

/**
 * Adds the lazily computed `variables` map. Pass `shared` (values keyed by definition prefix) only when the
 * activation is the same for every policy using it, i.e. the same request and no params.
 */
export function withVariables(set: ValidationSet, base: BaseActivation, opts: EvalOpts, shared?: SharedVariables): Record<string, unknown> {
  if (set.variableDefs.size === 0) return base;
  const reuse = reuseOf(set);
  if (shared) {
    // One activation per set, rebound per request, reading and filling the request's shared values.
    if (reuse.shared === shared && reuse.sharedActivation) return reuse.sharedActivation;
    const activation = reuse.sharedCopy.fill(base);
    const map = (reuse.sharedMap ??= new VariablesMap(set.variableDefs, shared.values));
    activation.variables = map;
    map.rebind(shared.values, activation, opts);
    reuse.sharedActivation = activation;
    reuse.shared = shared;
    return activation;
  }
  // Values private to this evaluation: a fresh cache, the rest reused.
  const activation = reuse.privateCopy.fill(base);
  const map = (reuse.privateMap ??= new VariablesMap(set.variableDefs, undefined));
  activation.variables = map;
  map.rebind(new Map(), activation, opts);
  return activation;
}

/** `opts` with the API server's per-call budget (RuntimeCELCostBudget), reset: one object per set and options. */
function budgeted(set: ValidationSet, opts: EvalOpts): EvalOpts {
  const reuse = reuseOf(set);
  if (reuse.optsOf !== opts) {
    reuse.opts = { ...opts, budget: { remaining: RUNTIME_COST_BUDGET } };
    reuse.optsOf = opts;
  }
  reuse.opts.budget.remaining = RUNTIME_COST_BUDGET;
  return reuse.opts;
}

/** validating/validator.go Validate: match conditions, then every validation, then audit annotations. */
export function runValidationSet(set: ValidationSet, base: BaseActivation, opts: EvalOpts, shared?: SharedVariables): SetOutcome {
  const activation = withVariables(set, base, opts, shared);
  let matchErrors: string[] | undefined;
  for (const mc of set.matchConditions) {
    const r = mc.program.evaluate(activation, opts);
    if (!r.ok) (matchErrors ??= []).push(`matchCondition '${mc.name}' failed: ${r.error.message}`);
    else if (r.value !== true) return { kind: 'nomatch', condition: mc.name };
  }
  if (matchErrors) return { kind: 'error', message: matchErrors.join('; ') };
  // The API server's per-call budget (RuntimeCELCostBudget) shared by the validations and their messages.
  opts = budgeted(set, opts);
  const decisions: Decision[] = [];
  for (let i = 0; i < set.validations.length; i++) {
    const v = set.validations[i];
    const r = v.program.evaluate(activation, opts);
    if (!r.ok) {
      decisions.push({ index: i, evaluation: 'error', message: `expression '${v.expression}' resulted in error: ${r.error.message}` });
      continue;
    }
    if (r.value === true) {
      decisions.push(ADMITS[i] ?? { index: i, evaluation: 'admit', message: '' });
      continue;
    }
    decisions.push({ index: i, evaluation: 'deny', message: denyMessage(v, activation, opts), reason: v.reason ?? 'Invalid' });
  }
  if (set.auditAnnotations.length === 0) return { kind: 'decisions', decisions, annotations: NO_ANNOTATIONS };
  const annotations: AnnotationResult[] = [];
  for (const a of set.auditAnnotations) {
    const r = a.program.evaluate(activation, opts);
    if (!r.ok) annotations.push({ key: a.key, error: `valueExpression resulted in error: ${r.error.message}` });
    else if (typeof r.value === 'string') {
      const value = r.value.trim();
      if (value !== '') annotations.push({ key: a.key, value });
    } else if (r.value !== null) {
      annotations.push({
        key: a.key,
        error: `valueExpression '${a.program.expression}' resulted in unsupported return type. Return type must be either string or null.`,
      });
    }
  }
  return { kind: 'decisions', decisions, annotations };
}

/** celconfig.RuntimeCELCostBudget: cost units all validations of one policy evaluation may use together. */
export const RUNTIME_COST_BUDGET = 10_000_000;

const NO_ANNOTATIONS: readonly AnnotationResult[] = Object.freeze([]);
/** Admit decisions carry nothing but their index: shared, frozen. */
const ADMITS: readonly Decision[] = Array.from({ length: 64 }, (_, index) => Object.freeze({ index, evaluation: 'admit' as const, message: '' }));

/** messageExpression (if it yields a usable string), else message, else `failed expression: <expression>`. */
function denyMessage(v: CompiledValidation, activation: Record<string, unknown>, opts: EvalOpts): string {
  let message = '';
  if (v.messageProgram) {
    const r = v.messageProgram.evaluate(activation, opts);
    if (r.ok && typeof r.value === 'string') {
      message = r.value.trim();
      if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES || message.includes('\n')) message = '';
    }
  }
  if (message === '' && v.message) message = v.message.trim();
  if (message === '') message = `failed expression: ${v.expression.trim()}`;
  return message;
}
