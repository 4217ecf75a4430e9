import type { Diagnostic } from '../../core/diagnostic.js';
import { diag } from '../../core/diagnostic.js';
import type { Mode, PolicyMeta, RuleResult } from '../../core/policy-types.js';
import { isObject, meta, type KObject, type LoadedObject } from '../../k8s/object.js';
import type { CompiledPolicy, EvalContext } from '../../policy/engine.js';
import type { CelEnvironment } from '../cel/index.js';
import type { RequestViews } from '../vap/activation.js';
import { compileMatchResources, type CompiledMatchResources } from '../vap/match.js';
import { policyMetaOf } from '../vap/meta.js';
import { modeOfActions, type ValidationAction } from '../vap/policy.js';
import { compileValidationSet, runValidationSet, type ValidationSet } from '../vap/validations.js';
import type { KyvernoExceptions } from './exceptions.js';
import { vpolCanAutogen, vpolMatchConstraints, vpolRewrite, vpolTargets } from './autogen.js';

type Obj = Record<string, unknown>;

export function isValidatingPolicy(o: KObject): boolean {
  return o.kind === 'ValidatingPolicy' && /^policies\.kyverno\.io\/v(1|1alpha1|1beta1)$/.test(String(o.apiVersion));
}

interface Variant {
  /** Rule name reported: the policy name, `autogen-<name>` or `autogen-cronjobs-<name>`. */
  rule: string;
  match: CompiledMatchResources;
  set: ValidationSet;
}

/** Kyverno ValidatingPolicy: a ValidatingAdmissionPolicy shape without binding, plus Kyverno's autogen. */
export class ValidatingPolicyCompiled implements CompiledPolicy {
  readonly meta: PolicyMeta;
  readonly #variants: Variant[] = [];
  readonly #mode: Mode;
  readonly #actions: ValidationAction[];
  readonly #name: string;

  constructor(
    doc: LoadedObject,
    env: CelEnvironment,
    private readonly views: RequestViews,
    diagnostics: Diagnostic[],
    private readonly exceptions?: KyvernoExceptions,
  ) {
    const o = doc.object;
    const name = String(meta(o).name ?? '');
    this.#name = name;
    const label = `ValidatingPolicy ${name}`;
    this.meta = policyMetaOf(doc, 'kyverno', diagnostics);
    const spec = isObject(o.spec) ? o.spec : {};
    const rawActions = Array.isArray(spec.validationActions) ? spec.validationActions : ['Deny'];
    this.#actions = rawActions.filter((a): a is ValidationAction => a === 'Deny' || a === 'Warn' || a === 'Audit');
    if (this.#actions.length === 0) this.#actions = ['Deny'];
    this.#mode = modeOfActions(this.#actions);
    this.meta.defaultMode = this.#mode;
    if (!isObject(spec.matchConstraints)) {
      diagnostics.push(diag('kyverno_invalid_policy', `${label}: spec.matchConstraints is required`, { span: doc.locate(['spec']) }));
      return;
    }
    const build = (s: Obj, report: boolean): ValidationSet =>
      compileValidationSet(
        env,
        {
          failurePolicy: s.failurePolicy,
          matchConditions: { value: s.matchConditions, path: ['spec', 'matchConditions'] },
          variables: { value: s.variables, path: ['spec', 'variables'] },
          validations: { value: s.validations, path: ['spec', 'validations'] },
          auditAnnotations: { value: s.auditAnnotations, path: ['spec', 'auditAnnotations'] },
        },
        { doc, label, diagnostics: report ? diagnostics : [] },
      );
    this.#variants.push({ rule: name, match: compileMatchResources(spec.matchConstraints), set: build(spec, true) });
    if (!vpolCanAutogen(spec.matchConstraints)) return;
    const targets = vpolTargets(spec);
    // vpolCanAutogen guarantees exactly one resource rule; the generated rules keep its operations.
    const firstRule = ((spec.matchConstraints as Obj).resourceRules as Obj[])[0];
    const operations = firstRule.operations ?? [];
    for (const cronjob of [false, true]) {
      const ts = targets.filter((t) => t.cronjob === cronjob);
      if (ts.length === 0) continue;
      const rewritten: Obj = vpolRewrite(
        { matchConditions: spec.matchConditions, variables: spec.variables, validations: spec.validations, auditAnnotations: spec.auditAnnotations, failurePolicy: spec.failurePolicy },
        cronjob,
      );
      // Kyverno renames the generated match conditions (and guards them by kind, which the match already does).
      const prefix = cronjob ? 'autogen-cronjobs' : 'autogen';
      if (Array.isArray(rewritten.matchConditions)) {
        rewritten.matchConditions = rewritten.matchConditions.map((m: unknown) => (isObject(m) ? { ...m, name: `${prefix}-${String(m.name ?? '')}` } : m));
      }
      this.#variants.push({
        rule: `${prefix}-${name}`,
        match: compileMatchResources(vpolMatchConstraints(ts, operations)),
        set: build(rewritten, false),
      });
    }
  }

  mayApply(_kind: string, apiGroup: string): boolean {
    return this.#variants.some((v) => v.match.mayMatchGroup(apiGroup));
  }

  evaluate(ctx: EvalContext): RuleResult[] {
    const view = this.views.of(ctx);
    const out: RuleResult[] = [];
    const opts = ctx.deadline !== undefined ? { deadline: ctx.deadline } : {};
    for (const v of this.#variants) {
      if (!v.match.matches(view.facts)) continue;
      const base = { policyId: this.meta.id, rule: v.rule, mode: this.#mode };
      const details = { validationActions: this.#actions };
      const excepted = this.exceptions?.size ? this.exceptions.forCelPolicy(this.#name, 'ValidatingPolicy', view.base) : undefined;
      if (excepted !== undefined) {
        out.push({ ...base, status: 'skip', message: `policy is excepted by PolicyException ${excepted}`, details: { ...details, exception: excepted } });
        continue;
      }
      const outcome = runValidationSet(v.set, view.base, opts, view.variables);
      if (outcome.kind === 'nomatch') {
        out.push({ ...base, status: 'skip', message: `matchCondition '${outcome.condition}' is false`, details });
        continue;
      }
      if (outcome.kind === 'error') {
        out.push(v.set.failurePolicy === 'Ignore' ? { ...base, status: 'skip', message: `ignored (failurePolicy Ignore): ${outcome.message}`, details } : { ...base, status: 'error', message: outcome.message, details });
        continue;
      }
      let result: RuleResult = { ...base, status: 'pass', message: '', details };
      for (const d of outcome.decisions) {
        if (d.evaluation === 'error') {
          if (v.set.failurePolicy === 'Ignore') continue;
          result = { ...base, status: 'error', message: d.message, details: { ...details, expressionIndex: d.index } };
          break;
        }
        if (d.evaluation === 'deny') {
          result = { ...base, status: 'fail', message: d.message, details: { ...details, expressionIndex: d.index, reason: d.reason } };
          break;
        }
      }
      out.push(result);
    }
    return out;
  }
}
