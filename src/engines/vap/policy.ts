import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { Mode, PolicyMeta, RuleResult } from '../../core/policy-types.js';
import { isObject, meta, type KObject, type LoadedObject } from '../../k8s/object.js';
import type { CompiledPolicy, EvalContext } from '../../policy/engine.js';
import type { CelEnvironment } from '../cel/index.js';
import type { RequestViews } from './activation.js';
import type { FieldPath } from '../../core/span.js';
import type { CompileSite } from './program.js';
import { compileMatchResources, type CompiledMatchResources } from './match.js';
import { ANNOTATIONS, policyMetaOf, resolveFindingPath } from './meta.js';
import { collectParams, readParamKind, readParamRef, type ParamKind, type ParamRef } from './params.js';
import { ActivationCopy, compileValidationSet, runValidationSet, type ValidationSet } from './validations.js';
import type { SharedVariables } from './variables.js';

export type ValidationAction = 'Deny' | 'Warn' | 'Audit';
const ACTIONS: readonly ValidationAction[] = ['Deny', 'Warn', 'Audit'];

/** Deny → enforce, else Warn → warn, else Audit → audit (Deny wins when several are listed). */
export function modeOfActions(actions: readonly ValidationAction[]): Mode {
  if (actions.includes('Deny')) return 'enforce';
  if (actions.includes('Warn')) return 'warn';
  return 'audit';
}

export interface CompiledBinding {
  name: string;
  policyName: string;
  actions: ValidationAction[];
  mode: Mode;
  paramRef?: ParamRef;
  match?: CompiledMatchResources;
  /** Result details shared by every result of this binding (treat as read-only). */
  details: Record<string, unknown>;
}

export function isVapPolicy(o: KObject): boolean {
  return o.kind === 'ValidatingAdmissionPolicy' && /^admissionregistration\.k8s\.io\/v1(beta1|alpha1)?$/.test(String(o.apiVersion));
}

export function isVapBinding(o: KObject): boolean {
  return o.kind === 'ValidatingAdmissionPolicyBinding' && /^admissionregistration\.k8s\.io\/v1(beta1|alpha1)?$/.test(String(o.apiVersion));
}

function nameOf(o: KObject): string {
  const n = meta(o).name;
  return typeof n === 'string' ? n : '';
}

export function compileBinding(doc: LoadedObject, diagnostics: Diagnostic[]): CompiledBinding | undefined {
  const o = doc.object;
  const name = nameOf(o);
  const spec = isObject(o.spec) ? o.spec : {};
  const bad = (msg: string, path: (string | number)[]): undefined => {
    diagnostics.push(diag('vap_invalid_binding', `ValidatingAdmissionPolicyBinding ${name}: ${msg}`, { span: doc.locate(path), path }));
    return undefined;
  };
  if (typeof spec.policyName !== 'string' || spec.policyName === '') return bad('spec.policyName is required', ['spec']);
  const rawActions = Array.isArray(spec.validationActions) ? spec.validationActions : [];
  if (rawActions.length === 0) return bad('spec.validationActions is required (Deny, Warn and/or Audit)', ['spec']);
  const actions: ValidationAction[] = [];
  for (const [i, a] of rawActions.entries()) {
    if (!ACTIONS.includes(a as ValidationAction)) return bad(`validationActions[${i}]: "${String(a)}" is not Deny, Warn or Audit`, ['spec', 'validationActions', i]);
    if (!actions.includes(a as ValidationAction)) actions.push(a as ValidationAction);
  }
  if (actions.includes('Deny') && actions.includes('Warn')) {
    diagnostics.push(
      diag('vap_invalid_binding', `ValidatingAdmissionPolicyBinding ${name}: Deny and Warn may not be used together (the API server rejects it); evaluated as Deny`, {
        severity: 'warning',
        span: doc.locate(['spec', 'validationActions']),
      }),
    );
  }
  const b: CompiledBinding = { name, policyName: spec.policyName, actions, mode: modeOfActions(actions), details: { binding: name, validationActions: actions } };
  const paramRef = readParamRef(spec.paramRef);
  if (paramRef) b.paramRef = paramRef;
  if (isObject(spec.matchResources)) b.match = compileMatchResources(spec.matchResources);
  return b;
}

interface PolicyParts {
  name: string;
  match: CompiledMatchResources;
  paramKind?: ParamKind;
  set: ValidationSet;
}

export function compilePolicyParts(doc: LoadedObject, env: CelEnvironment, diagnostics: Diagnostic[], intern?: CompileSite['intern']): PolicyParts | undefined {
  const o = doc.object;
  const name = nameOf(o);
  const spec = isObject(o.spec) ? o.spec : {};
  const label = `ValidatingAdmissionPolicy ${name}`;
  if (!isObject(spec.matchConstraints) || !Array.isArray(spec.matchConstraints.resourceRules) || spec.matchConstraints.resourceRules.length === 0) {
    diagnostics.push(diag('vap_invalid_policy', `${label}: spec.matchConstraints.resourceRules is required`, { span: doc.locate(['spec']), path: ['spec', 'matchConstraints'] }));
    return undefined;
  }
  const hasValidations = Array.isArray(spec.validations) && spec.validations.length > 0;
  const hasAnnotations = Array.isArray(spec.auditAnnotations) && spec.auditAnnotations.length > 0;
  if (!hasValidations && !hasAnnotations) {
    diagnostics.push(diag('vap_invalid_policy', `${label}: at least one of spec.validations or spec.auditAnnotations is required`, { span: doc.locate(['spec']) }));
    return undefined;
  }
  if (spec.failurePolicy !== undefined && spec.failurePolicy !== 'Fail' && spec.failurePolicy !== 'Ignore') {
    diagnostics.push(diag('vap_invalid_policy', `${label}: failurePolicy must be Fail or Ignore; using Fail`, { severity: 'warning', span: doc.locate(['spec', 'failurePolicy']) }));
  }
  const set = compileValidationSet(
    env,
    {
      failurePolicy: spec.failurePolicy,
      matchConditions: { value: spec.matchConditions, path: ['spec', 'matchConditions'] },
      variables: { value: spec.variables, path: ['spec', 'variables'] },
      validations: { value: spec.validations, path: ['spec', 'validations'] },
      auditAnnotations: { value: spec.auditAnnotations, path: ['spec', 'auditAnnotations'] },
    },
    { doc, label, diagnostics, intern },
  );
  const parts: PolicyParts = { name, match: compileMatchResources(spec.matchConstraints), set };
  const pk = readParamKind(spec.paramKind);
  if (pk) parts.paramKind = pk;
  return parts;
}

/** One ValidatingAdmissionPolicy with its bindings, evaluated the way the API server's dispatcher does. */
export class VapCompiledPolicy implements CompiledPolicy {
  readonly meta: PolicyMeta;
  readonly inventoryKinds: readonly string[];
  readonly #pathTemplate: string | undefined;
  /** The activation with params, reused from one evaluation to the next (evaluations never nest). */
  readonly #withParams = new ActivationCopy();
  /** Result details of each binding for its last param (params are stable inventory objects). */
  readonly #denyDetailsByBinding = new Map<CompiledBinding, Map<string | undefined, Record<string, unknown>>>();
  readonly #passes = new Map<CompiledBinding, RuleResult[]>();
  readonly #paramDetails = new Map<CompiledBinding, { param: KObject; details: Record<string, unknown> }>();

  constructor(
    doc: LoadedObject,
    private readonly parts: PolicyParts,
    private readonly bindings: CompiledBinding[],
    private readonly views: RequestViews,
    diagnostics: Diagnostic[],
  ) {
    this.meta = policyMetaOf(doc, 'vap', diagnostics);
    const p = meta(doc.object).annotations?.[ANNOTATIONS.path];
    if (typeof p === 'string' && p.trim() !== '') this.#pathTemplate = p.trim();
    const modes = bindings.map((b) => b.mode);
    this.meta.defaultMode = modes.includes('enforce') ? 'enforce' : modes.includes('warn') ? 'warn' : 'audit';
    // Params come from objects of the input; the authorizer answers from its RBAC objects.
    const kinds = parts.paramKind ? [parts.paramKind.kind] : [];
    if (views.usesAuthorizer) kinds.push('Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding');
    this.inventoryKinds = kinds;
  }

  mayApply(_kind: string, apiGroup: string): boolean {
    return this.parts.match.mayMatchGroup(apiGroup);
  }

  evaluate(ctx: EvalContext): RuleResult[] {
    const view = this.views.of(ctx);
    const { parts } = this;
    if (!parts.match.matches(view.facts)) return [];
    const results: RuleResult[] = [];
    const opts = view.opts;
    for (const binding of this.bindings) {
      if (binding.match && !binding.match.matches(view.facts)) continue;
      const collected = collectParams(parts.paramKind, binding.paramRef, view.namespace, ctx.inventory);
      if (!collected.ok) {
        this.#configError(results, binding, collected.message);
        continue;
      }
      if (collected.params.length === 0) {
        this.#allValidations(results, binding, 'skip', 'no params found for the binding (parameterNotFoundAction Allow)', binding.details);
        continue;
      }
      for (const param of collected.params) {
        if (param === null) this.#evaluateOne(results, binding, view.base, opts, view.variables, binding.details, ctx);
        else {
          const activation = this.#withParams.fill(view.base);
          activation.params = param;
          this.#evaluateOne(results, binding, activation, opts, undefined, this.#detailsWithParam(binding, param), ctx);
        }
      }
    }
    return results;
  }

  /** The pass result of a validation under a binding without params or annotations: constant, built once, frozen. */
  #passOf(binding: CompiledBinding, index: number, rule: string): RuleResult {
    let passes = this.#passes.get(binding);
    if (!passes) this.#passes.set(binding, (passes = []));
    return (passes[index] ??= Object.freeze({ policyId: this.meta.id, rule, status: 'pass', message: '', mode: binding.mode, details: binding.details }));
  }

  /** Details of a failure: the binding's details and the reason, built once per binding and reason. */
  #denyDetails(binding: CompiledBinding, d0: Record<string, unknown>, reason: string | undefined): Record<string, unknown> {
    if (d0 !== binding.details) return { ...d0, reason };
    let byReason = this.#denyDetailsByBinding.get(binding);
    if (!byReason) this.#denyDetailsByBinding.set(binding, (byReason = new Map()));
    let details = byReason.get(reason);
    if (!details) byReason.set(reason, (details = { ...d0, reason }));
    return details;
  }

  #detailsWithParam(binding: CompiledBinding, param: KObject): Record<string, unknown> {
    const last = this.#paramDetails.get(binding);
    if (last && last.param === param) return last.details;
    const details = { ...binding.details, param: paramName(param) };
    this.#paramDetails.set(binding, { param, details });
    return details;
  }

  #configError(results: RuleResult[], binding: CompiledBinding, message: string): void {
    const full = `failed to configure binding: ${message}`;
    const ignore = this.parts.set.failurePolicy === 'Ignore';
    results.push({
      policyId: this.meta.id,
      rule: 'binding',
      status: ignore ? 'skip' : 'error',
      message: ignore ? `ignored (failurePolicy Ignore): ${full}` : full,
      mode: binding.mode,
      details: binding.details,
    });
  }

  #allValidations(results: RuleResult[], binding: CompiledBinding, status: 'skip', message: string, details: Record<string, unknown>): void {
    const n = this.parts.set.validations.length;
    for (let i = 0; i < n; i++) results.push({ policyId: this.meta.id, rule: `validations[${i}]`, status, message, mode: binding.mode, details });
  }

  #evaluateOne(
    results: RuleResult[],
    binding: CompiledBinding,
    activation: Record<string, unknown>,
    opts: { deadline?: number },
    shared: SharedVariables | undefined,
    details: Record<string, unknown>,
    ctx: EvalContext,
  ): void {
    const { set, name } = this.parts;
    const id = this.meta.id;
    const mode = binding.mode;
    const outcome = runValidationSet(set, activation, opts, shared);
    if (outcome.kind === 'nomatch') {
      this.#allValidations(results, binding, 'skip', `matchCondition '${outcome.condition}' is false`, details);
      return;
    }
    if (outcome.kind === 'error') {
      if (set.failurePolicy === 'Ignore') this.#allValidations(results, binding, 'skip', `ignored (failurePolicy Ignore): ${outcome.message}`, details);
      else results.push({ policyId: id, rule: 'matchConditions', status: 'error', message: outcome.message, mode, details });
      return;
    }
    let published: Record<string, string> | undefined;
    for (const a of outcome.annotations) {
      if (a.value !== undefined) (published ??= {})[`${name}/${a.key}`] = a.value.slice(0, 10 * 1024);
      else if (a.error !== undefined && set.failurePolicy === 'Fail') {
        results.push({ policyId: id, rule: `auditAnnotations[${a.key}]`, status: 'error', message: a.error, mode, details });
      }
    }
    const d0 = published ? { ...details, auditAnnotations: published } : details;
    // Where failures point: resolved on the first failure of this evaluation, shared by its other failures.
    let path: FieldPath | null | undefined;
    for (const d of outcome.decisions) {
      const rule = RULE_NAMES[d.index] ?? `validations[${d.index}]`;
      if (d.evaluation === 'admit') {
        if (d0 === binding.details) results.push(this.#passOf(binding, d.index, rule));
        else results.push({ policyId: id, rule, status: 'pass', message: '', mode, details: d0 });
      }
      else if (d.evaluation === 'deny') {
        const r: RuleResult = { policyId: id, rule, status: 'fail', message: d.message, mode, details: this.#denyDetails(binding, d0, d.reason) };
        if (path === undefined) path = this.#pathTemplate ? (resolveFindingPath(this.#pathTemplate, ctx.object) ?? null) : null;
        if (path) r.path = path;
        results.push(r);
      }
      else if (set.failurePolicy === 'Ignore') results.push({ policyId: id, rule, status: 'skip', message: `ignored (failurePolicy Ignore): ${d.message}`, mode, details: d0 });
      else results.push({ policyId: id, rule, status: 'error', message: d.message, mode, details: d0 });
    }
    if (outcome.decisions.length === 0 && published) results.push({ policyId: id, rule: 'auditAnnotations', status: 'pass', message: '', mode, details: d0 });
  }
}

const RULE_NAMES = Array.from({ length: 32 }, (_, i) => `validations[${i}]`);

function paramName(p: KObject): string {
  const m = meta(p);
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : String(m.name ?? '');
}
