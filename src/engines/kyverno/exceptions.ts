import { diag, type Diagnostic } from '../../core/diagnostic.js';
import { isObject, meta, type KObject, type LoadedObject } from '../../k8s/object.js';
import type { CelEnvironment } from '../cel/index.js';
import { compileExpression, type Compiled } from '../vap/program.js';
import { compileKyvernoMatch, wildcardMatch, type CompiledKyvernoMatch, type KyvernoFacts } from './match.js';

/**
 * Kyverno PolicyExceptions: `kyverno.io/v2` (and v2beta1) for ClusterPolicy/Policy rules (policyName + ruleNames,
 * a match block), and `policies.kyverno.io` for CEL policies (policyRefs + CEL matchConditions). A matching
 * exception turns the rule's result into `skip`, as Kyverno reports it.
 */
export function isPolicyException(o: KObject): boolean {
  return o.kind === 'PolicyException' && (/^kyverno\.io\/v2(beta1)?$/.test(String(o.apiVersion)) || /^policies\.kyverno\.io\/v(1|1alpha1|1beta1)$/.test(String(o.apiVersion)));
}

interface RuleException {
  name: string;
  policyName: string;
  ruleNames: string[];
  match: CompiledKyvernoMatch;
}

interface CelException {
  name: string;
  policyRefs: { name: string; kind: string }[];
  conditions: Compiled[];
}

export class KyvernoExceptions {
  readonly #rules: RuleException[] = [];
  readonly #cel: CelException[] = [];

  constructor(docs: LoadedObject[], env: CelEnvironment, diagnostics: Diagnostic[]) {
    for (const d of docs) {
      const o = d.object;
      const m = meta(o);
      const name = `${m.namespace ? `${m.namespace}/` : ''}${String(m.name ?? '')}`;
      const spec = isObject(o.spec) ? o.spec : {};
      if (String(o.apiVersion).startsWith('kyverno.io/')) {
        const match = compileKyvernoMatch(spec.match);
        for (const e of Array.isArray(spec.exceptions) ? spec.exceptions : []) {
          if (!isObject(e) || typeof e.policyName !== 'string') continue;
          const ruleNames = Array.isArray(e.ruleNames) ? e.ruleNames.map(String) : [];
          this.#rules.push({ name, policyName: e.policyName, ruleNames, match });
        }
        if (spec.conditions !== undefined) {
          diagnostics.push(diag('kyverno_unsupported_rule', `PolicyException ${name}: JMESPath conditions are not evaluated; the exception applies on its match alone`, { severity: 'warning', span: d.locate(['spec', 'conditions']) }));
        }
      } else {
        const refs = (Array.isArray(spec.policyRefs) ? spec.policyRefs : []).filter(isObject).map((r) => ({ name: String(r.name ?? ''), kind: String(r.kind ?? '') }));
        const conditions = (Array.isArray(spec.matchConditions) ? spec.matchConditions : []).map((c, i) =>
          compileExpression(env, isObject(c) ? c.expression : undefined, ['spec', 'matchConditions', i, 'expression'], { doc: d, label: `PolicyException ${name}`, diagnostics }, 'bool'),
        );
        this.#cel.push({ name, policyRefs: refs, conditions });
      }
    }
  }

  get size(): number {
    return this.#rules.length + this.#cel.length;
  }

  /** The exception excusing a ClusterPolicy/Policy rule for this request, if any. */
  forRule(policyName: string, ruleName: string, facts: KyvernoFacts): string | undefined {
    for (const e of this.#rules) {
      if (e.policyName !== policyName) continue;
      if (!e.ruleNames.some((r) => wildcardMatch(r, ruleName))) continue;
      if (e.match.isEmpty || e.match.matches(facts)) return e.name;
    }
    return undefined;
  }

  /** The exception excusing a CEL policy (ValidatingPolicy...) for this activation, if any. */
  forCelPolicy(policyName: string, kind: string, activation: Record<string, unknown>): string | undefined {
    for (const e of this.#cel) {
      if (!e.policyRefs.some((r) => r.name === policyName && (r.kind === '' || r.kind === kind))) continue;
      const all = e.conditions.every((c) => {
        const r = c.evaluate(activation, {});
        return r.ok && r.value === true;
      });
      if (all) return e.name;
    }
    return undefined;
  }
}
