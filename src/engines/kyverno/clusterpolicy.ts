import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { Mode, PolicyMeta, RuleResult } from '../../core/policy-types.js';
import { isObject, meta, type LoadedObject } from '../../k8s/object.js';
import type { CompiledPolicy, EvalContext } from '../../policy/engine.js';
import type { CelEnvironment } from '../cel/index.js';
import type { RequestViews } from '../vap/activation.js';
import { policyMetaOf } from '../vap/meta.js';
import { collectParams, readParamKind, readParamRef, type ParamKind, type ParamRef } from '../vap/params.js';
import { compileValidationSet, runValidationSet, type ValidationSet } from '../vap/validations.js';
import type { SharedVariables } from '../vap/variables.js';
import { autogenControllers, autogenRules } from './autogen.js';
import { kyvernoFacts } from './facts.js';
import type { KyvernoExceptions } from './exceptions.js';
import { compileKyvernoMatch, type CompiledKyvernoMatch } from './match.js';
import { compilePreconditions, type PreconditionCheck } from './preconditions.js';

type Obj = Record<string, unknown>;

/** Enforce → enforce, anything else (Audit, the default) → audit; case-insensitive like Kyverno. */
export function modeOfFailureAction(v: unknown): Mode {
  return typeof v === 'string' && v.toLowerCase() === 'enforce' ? 'enforce' : 'audit';
}

interface CelRule {
  kind: 'cel';
  set: ValidationSet;
  paramKind?: ParamKind;
  paramRef?: ParamRef;
}

interface UnsupportedRule {
  kind: 'unsupported';
  what: string;
}

interface CompiledRule {
  name: string;
  match: CompiledKyvernoMatch;
  exclude?: CompiledKyvernoMatch;
  preconditions?: PreconditionCheck;
  mode: Mode;
  body: CelRule | UnsupportedRule;
}

/** The rule type Kyverno would run, for the `unsupported` message. */
function ruleType(rule: Obj): string {
  const v = isObject(rule.validate) ? rule.validate : undefined;
  if (v) {
    for (const k of ['pattern', 'anyPattern', 'deny', 'foreach', 'podSecurity', 'assert', 'manifests']) if (v[k] !== undefined) return `validate.${k}`;
    if (v.cel !== undefined) return 'validate.cel';
    return 'validate';
  }
  for (const k of ['mutate', 'generate', 'verifyImages']) if (rule[k] !== undefined) return k;
  return 'unknown';
}

export function isKyvernoPolicy(o: { apiVersion?: string; kind?: string }): boolean {
  return (o.kind === 'ClusterPolicy' || o.kind === 'Policy') && /^kyverno\.io\/v(1|2beta1|2)$/.test(String(o.apiVersion));
}

export class KyvernoCompiledPolicy implements CompiledPolicy {
  readonly meta: PolicyMeta;
  readonly #rules: CompiledRule[];
  readonly #namespace: string | undefined;
  readonly #name: string;

  constructor(
    doc: LoadedObject,
    env: CelEnvironment,
    private readonly views: RequestViews,
    diagnostics: Diagnostic[],
    private readonly exceptions?: KyvernoExceptions,
  ) {
    const o = doc.object;
    const m = meta(o);
    const name = String(m.name ?? '');
    this.#name = name;
    this.meta = policyMetaOf(doc, 'kyverno', diagnostics);
    this.#namespace = o.kind === 'Policy' ? (typeof m.namespace === 'string' && m.namespace !== '' ? m.namespace : 'default') : undefined;
    const spec = isObject(o.spec) ? o.spec : {};
    const policyMode = modeOfFailureAction(spec.validationFailureAction);
    this.meta.defaultMode = policyMode;
    const rules = (Array.isArray(spec.rules) ? spec.rules : []).filter(isObject);
    if (rules.length === 0) {
      diagnostics.push(diag('kyverno_invalid_policy', `${o.kind} ${name}: spec.rules is empty`, { span: doc.locate(['spec']) }));
    }
    const controllers = autogenControllers((m.annotations ?? {}) as Obj, rules);
    const generated = autogenRules(rules, controllers);
    const label = `${o.kind} ${name}`;
    this.#rules = [];
    rules.forEach((rule, i) => {
      const c = this.#compileRule(rule, ['spec', 'rules', i], doc, env, label, policyMode, diagnostics, true);
      if (c) this.#rules.push(c);
    });
    // Generated rules reuse the original rule's location; their diagnostics would repeat the original's.
    for (const rule of generated) {
      const i = rules.findIndex((r) => String(rule.name).endsWith(String(r.name)));
      const c = this.#compileRule(rule, ['spec', 'rules', Math.max(i, 0)], doc, env, label, policyMode, [], false);
      if (c) this.#rules.push(c);
    }
  }

  #compileRule(rule: Obj, path: (string | number)[], doc: LoadedObject, env: CelEnvironment, label: string, policyMode: Mode, diagnostics: Diagnostic[], report: boolean): CompiledRule | undefined {
    const name = typeof rule.name === 'string' ? rule.name : `rule-${String(path[path.length - 1])}`;
    const match = compileKyvernoMatch(rule.match);
    if (match.isEmpty) {
      diagnostics.push(diag('kyverno_invalid_policy', `${label}: rule ${name} has no match`, { span: doc.locate([...path]) }));
      return undefined;
    }
    const validate = isObject(rule.validate) ? rule.validate : undefined;
    const mode = validate && validate.failureAction !== undefined ? modeOfFailureAction(validate.failureAction) : policyMode;
    const compiled: CompiledRule = { name, match, mode, body: { kind: 'unsupported', what: ruleType(rule) } };
    if (isObject(rule.exclude)) {
      const ex = compileKyvernoMatch(rule.exclude);
      if (!ex.isEmpty) compiled.exclude = ex;
    }
    const type = ruleType(rule);
    const unsupported = (what: string): CompiledRule => {
      if (report) {
        diagnostics.push(
          diag('kyverno_unsupported_rule', `${label}: rule ${name} uses ${what}, which Rampart does not evaluate; its results are "unsupported"`, {
            severity: 'warning',
            span: doc.locate(path),
            help: 'rewrite the rule with validate.cel, or as a ValidatingPolicy',
          }),
        );
      }
      compiled.body = { kind: 'unsupported', what };
      return compiled;
    };
    if (type !== 'validate.cel') return unsupported(type);
    if (Array.isArray(rule.context) && rule.context.length > 0) return unsupported('context (external data)');
    if (rule.preconditions !== undefined) {
      const pre = compilePreconditions(rule.preconditions);
      if (!pre) return unsupported('JMESPath preconditions beyond literal/{{request.*}} comparisons');
      compiled.preconditions = pre;
    }
    const cel = isObject(validate!.cel) ? validate!.cel : {};
    const celPath = [...path, 'validate', 'cel'];
    const set = compileValidationSet(
      env,
      {
        failurePolicy: 'Fail',
        matchConditions: { value: rule.celPreconditions, path: [...path, 'celPreconditions'] },
        variables: { value: cel.variables, path: [...celPath, 'variables'] },
        validations: { value: cel.expressions, path: [...celPath, 'expressions'] },
        auditAnnotations: { value: cel.auditAnnotations, path: [...celPath, 'auditAnnotations'] },
      },
      { doc, label: `${label} rule ${name}`, diagnostics },
    );
    const body: CelRule = { kind: 'cel', set };
    const pk = readParamKind(cel.paramKind);
    if (pk) body.paramKind = pk;
    const pr = readParamRef(cel.paramRef);
    if (pr) body.paramRef = pr;
    compiled.body = body;
    return compiled;
  }

  evaluate(ctx: EvalContext): RuleResult[] {
    const view = this.views.of(ctx);
    const facts = kyvernoFacts(ctx, view.facts);
    if (this.#namespace !== undefined && facts.namespace !== this.#namespace) return [];
    const out: RuleResult[] = [];
    const id = this.meta.id;
    const opts = ctx.deadline !== undefined ? { deadline: ctx.deadline } : {};
    for (const rule of this.#rules) {
      if (!rule.match.matches(facts)) continue;
      if (rule.exclude && rule.exclude.matches(facts)) continue;
      const base = { policyId: id, rule: rule.name, mode: rule.mode };
      const excepted = this.exceptions?.size ? this.exceptions.forRule(this.#name, rule.name, facts) : undefined;
      if (excepted !== undefined) {
        out.push({ ...base, status: 'skip', message: `rule is excepted by PolicyException ${excepted}`, details: { exception: excepted } });
        continue;
      }
      if (rule.body.kind === 'unsupported') {
        out.push({ ...base, status: 'unsupported', message: `rule type ${rule.body.what} is not evaluated by Rampart` });
        continue;
      }
      if (rule.preconditions) {
        const request = { ...(view.base.request as Obj), object: ctx.object, oldObject: ctx.oldObject };
        if (!rule.preconditions(request)) {
          out.push({ ...base, status: 'skip', message: 'preconditions not met' });
          continue;
        }
      }
      const body = rule.body;
      const collected = collectParams(body.paramKind, body.paramRef, view.namespace, ctx.inventory);
      if (!collected.ok) {
        out.push({ ...base, status: 'error', message: `failed to configure binding: ${collected.message}` });
        continue;
      }
      if (collected.params.length === 0) {
        out.push({ ...base, status: 'skip', message: 'no params found' });
        continue;
      }
      out.push(this.#runCel(body, collected.params, view.base, opts, base, view.variables));
    }
    return out;
  }

  #runCel(body: CelRule, params: unknown[], activationBase: Obj, opts: { deadline?: number }, base: { policyId: string; rule: string; mode: Mode }, shared: SharedVariables): RuleResult {
    let skipped: string | undefined;
    for (const p of params) {
      const outcome = runValidationSet(body.set, p ? { ...activationBase, params: p } : activationBase, opts, p ? undefined : shared);
      if (outcome.kind === 'nomatch') {
        skipped = `cel preconditions not met: ${outcome.condition}`;
        continue;
      }
      if (outcome.kind === 'error') return { ...base, status: 'error', message: outcome.message };
      for (const d of outcome.decisions) {
        if (d.evaluation === 'error') return { ...base, status: 'error', message: d.message };
        if (d.evaluation === 'deny') return { ...base, status: 'fail', message: d.message, details: { expressionIndex: d.index } };
      }
    }
    if (skipped !== undefined) return { ...base, status: 'skip', message: skipped };
    return { ...base, status: 'pass', message: `Validation rule '${base.rule}' passed.` };
  }
}
