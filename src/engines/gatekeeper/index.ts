import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { RuleResult } from '../../core/policy-types.js';
import type { KObject, LoadedObject } from '../../k8s/object.js';
import type { CompiledPolicy, EvalContext, Inventory, PolicyEngineModule } from '../../policy/engine.js';
import { fromJS, type Value } from '../rego/index.js';
import { createVapEnvironment } from '../vap/index.js';
import { policyMetaOf } from '../vap/meta.js';
import { namespaceValue } from '../vap/facts.js';
import { evaluateCelTarget } from './cel-target.js';
import { compileConstraint, isConstraint, type CompiledConstraint } from './constraint.js';
import { matches } from './match.js';
import { inventoryDocument, requestGroupKind, reviewValue } from './review.js';
import { compileTemplate, isConstraintTemplate, type CompiledTemplate } from './template.js';

export { GATEKEEPER_CODES } from './codes.js';
export { compileTemplate, isConstraintTemplate, type CompiledTemplate } from './template.js';
export { compileConstraint, isConstraint, modeOf, type CompiledConstraint } from './constraint.js';
export { matches, globMatch, parseMatch } from './match.js';

/** Default Rego budget per constraint evaluation: a policy cannot hang the webhook. */
const REGO_LIMITS = { timeoutMs: 2000, maxSteps: 5_000_000, maxDepth: 500 };

export interface GatekeeperPolicy extends CompiledPolicy {
  /** '*' when the template reads data.inventory: scans keep every object for it. */
  inventoryKinds?: readonly string[];
  constraint: CompiledConstraint;
  template: CompiledTemplate;
}

/**
 * Compiles ConstraintTemplates and Constraints into one policy per constraint. Templates with both
 * K8sNativeValidation and Rego run the CEL code, as Gatekeeper does when its CEL driver is enabled (the default).
 */
export function compileGatekeeperDocuments(docs: LoadedObject[]): { policies: GatekeeperPolicy[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // K8sNativeValidation runs on the ValidatingAdmissionPolicy machinery: same CEL environment, one program cache
  // per compile shared by every template.
  const celEnv = createVapEnvironment();
  const templates = new Map<string, CompiledTemplate>();
  for (const d of docs.filter((x) => isConstraintTemplate(x.object))) {
    const t = compileTemplate(d, diagnostics, celEnv);
    if (t) templates.set(t.kind, t);
  }
  // `data` (with data.inventory) is rebuilt only when the inventory object changes (one per scan, or per webhook cache swap).
  const inventoryCache = new WeakMap<Inventory, Value>();
  const policies: GatekeeperPolicy[] = [];
  for (const d of docs.filter((x) => isConstraint(x.object))) {
    const c = compileConstraint(d, diagnostics);
    const t = templates.get(c.kind);
    if (!t) {
      diagnostics.push(diag('gatekeeper_unknown_template', `constraint ${c.kind}/${c.name}: no loaded ConstraintTemplate defines kind ${c.kind}`, { span: d.span }));
      continue;
    }
    policies.push(createConstraintPolicy(t, c, inventoryCache, diagnostics));
  }
  return { policies, diagnostics };
}

export function createConstraintPolicy(t: CompiledTemplate, c: CompiledConstraint, inventoryCache: WeakMap<Inventory, Value>, diagnostics: Diagnostic[]): GatekeeperPolicy {
  const meta = policyMetaOf(c.source, 'gatekeeper', diagnostics);
  meta.title = t.title ? `${t.title} (${c.name})` : meta.title;
  if (!meta.remediation && t.description) meta.remediation = t.description;
  meta.defaultMode = c.mode;
  const rule = t.kind;
  const useCel = t.cel !== undefined;
  const policy: GatekeeperPolicy = {
    meta,
    constraint: c,
    template: t,
    ...(t.rego?.usesInventory && !useCel ? { inventoryKinds: ['*'] } : {}),
    evaluate(ctx: EvalContext): RuleResult[] {
      const obj = (ctx.object ?? ctx.oldObject) as KObject | null;
      if (!obj) return [];
      const gk = requestGroupKind(ctx);
      const namespace = ctx.request.namespace ?? '';
      if (!matches(c.match, { group: gk.group, kind: gk.kind, object: obj, namespace, namespaceObject: ctx.namespaceObject })) return [];
      const base = { policyId: meta.id, rule, mode: c.mode };
      if (useCel) {
        const r = evaluateCelTarget(
          t.cel!,
          { object: ctx.object, oldObject: ctx.oldObject, request: reviewValue(ctx), params: c.object, namespaceObject: namespaceValue(ctx.namespaceObject) },
          { deadline: ctx.deadline },
        );
        if (!r.ok) return [{ ...base, status: 'error', message: r.message }];
        if (r.violations.length === 0) return [{ ...base, status: 'pass', message: '' }];
        return r.violations.map((v) => ({ ...base, status: 'fail' as const, message: v.message }));
      }
      const rego = t.rego!;
      let data: Value | undefined;
      if (rego.usesInventory) {
        data = inventoryCache.get(ctx.inventory);
        if (!data) {
          data = fromJS({ inventory: inventoryDocument(ctx.inventory) });
          inventoryCache.set(ctx.inventory, data);
        }
      }
      const timeoutMs = ctx.deadline !== undefined ? Math.max(1, Math.min(REGO_LIMITS.timeoutMs, ctx.deadline - Date.now())) : REGO_LIMITS.timeoutMs;
      const r = rego.compiled.evalRef([...rego.pkg, 'violation'], {
        input: { review: reviewValue(ctx), parameters: c.parameters ?? {} },
        data,
        limits: { ...REGO_LIMITS, timeoutMs },
        now: ctx.now,
      });
      if (!r.ok) return [{ ...base, status: 'error', message: `${r.error.code}: ${r.error.message}` }];
      const violations = r.defined && Array.isArray(r.value) ? r.value : [];
      if (violations.length === 0) return [{ ...base, status: 'pass', message: '' }];
      return violations.map((v) => {
        const vo = (typeof v === 'object' && v !== null ? v : {}) as { msg?: unknown; details?: unknown };
        const res: RuleResult = { ...base, status: 'fail', message: typeof vo.msg === 'string' ? vo.msg : JSON.stringify(v) };
        if (vo.details !== undefined) res.details = { details: vo.details };
        return res;
      });
    },
  };
  return policy;
}

export const gatekeeperEngine: PolicyEngineModule = {
  engine: 'gatekeeper',
  accepts: (obj) => isConstraintTemplate(obj) || isConstraint(obj),
  compile: (docs) => compileGatekeeperDocuments(docs),
};
