/**
 * ValidatingAdmissionPolicy engine (admissionregistration.k8s.io/v1): policies + bindings + params, evaluated with
 * the API server's semantics (validating/dispatcher.go, validator.go, policy/matching). See docs/vap.md.
 */
import { diag, type Diagnostic } from '../../core/diagnostic.js';
import { meta, type KObject, type LoadedObject } from '../../k8s/object.js';
import type { CompiledPolicy, PolicyEngineModule } from '../../policy/engine.js';
import { CelAuthorizerValue, CelEnvironment, type CelType } from '../cel/index.js';
import type { EvalContext } from '../../policy/engine.js';
import { InventoryRbacAuthorizer } from './rbac.js';
import type { VariableDef } from './variables.js';
import { RequestViews } from './activation.js';
import { compileBinding, compilePolicyParts, isVapBinding, isVapPolicy, VapCompiledPolicy, type CompiledBinding } from './policy.js';

export { ANNOTATIONS as RAMPART_ANNOTATIONS, parseFrameworks, policyMetaOf } from './meta.js';
export { VAP_CODES } from './codes.js';
export { modeOfActions } from './policy.js';

/** Variables of the admission policy CEL environment. */
export const VAP_VARIABLES: Record<string, CelType> = {
  object: 'dyn',
  oldObject: 'dyn',
  request: 'dyn',
  params: 'dyn',
  namespaceObject: 'dyn',
  variables: 'dyn',
  authorizer: 'kubernetes.authorization.Authorizer',
};

export function createVapEnvironment(): CelEnvironment {
  return new CelEnvironment({ variables: VAP_VARIABLES });
}

function policyName(o: KObject): string {
  return String(meta(o).name ?? '');
}

/** The `authorizer` of an evaluation: RBAC objects of the input answer for the request's user. */
export function offlineAuthorizer(ctx: EvalContext): CelAuthorizerValue {
  return new CelAuthorizerValue(new InventoryRbacAuthorizer(ctx.inventory, ctx.request.userInfo));
}

/** True when any document mentions `authorizer` (a cheap over-approximation of "some expression reads it"). */
export function usesAuthorizer(docs: readonly LoadedObject[]): boolean {
  return docs.some((d) => JSON.stringify(d.object).includes('authorizer'));
}

export function compileVapDocuments(docs: LoadedObject[]): { policies: CompiledPolicy[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const env = createVapEnvironment();
  // Build the authorizer per request only when some expression can use it.
  const views = new RequestViews(usesAuthorizer(docs) ? offlineAuthorizer : undefined);
  const intern = new Map<string, ReadonlyMap<string, VariableDef>>();
  const policyDocs = docs.filter((d) => isVapPolicy(d.object));
  const bindingsByPolicy = new Map<string, CompiledBinding[]>();
  const bindingDocs = new Map<string, LoadedObject>();
  for (const d of docs) {
    if (!isVapBinding(d.object)) continue;
    const b = compileBinding(d, diagnostics);
    if (!b) continue;
    let arr = bindingsByPolicy.get(b.policyName);
    if (!arr) bindingsByPolicy.set(b.policyName, (arr = []));
    arr.push(b);
    bindingDocs.set(b.name, d);
  }
  const known = new Set(policyDocs.map((d) => policyName(d.object)));
  for (const [pn, bs] of bindingsByPolicy) {
    if (known.has(pn)) continue;
    for (const b of bs) {
      diagnostics.push(
        diag('vap_binding_unknown_policy', `ValidatingAdmissionPolicyBinding ${b.name} binds policy "${pn}", which is not among the loaded documents`, {
          severity: 'warning',
          span: bindingDocs.get(b.name)?.locate(['spec', 'policyName']),
        }),
      );
    }
  }
  const policies: CompiledPolicy[] = [];
  for (const d of policyDocs) {
    const name = policyName(d.object);
    const parts = compilePolicyParts(d, env, diagnostics, intern);
    const bindings = bindingsByPolicy.get(name) ?? [];
    if (bindings.length === 0) {
      diagnostics.push(
        diag('vap_policy_unbound', `ValidatingAdmissionPolicy ${name} has no ValidatingAdmissionPolicyBinding, so it applies to nothing`, {
          severity: 'info',
          span: d.span,
          help: 'add a ValidatingAdmissionPolicyBinding with spec.policyName: ' + name,
        }),
      );
      continue;
    }
    if (!parts) continue;
    policies.push(new VapCompiledPolicy(d, parts, [...bindings].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), views, diagnostics));
  }
  return { policies, diagnostics };
}

export const vapEngine: PolicyEngineModule = {
  engine: 'vap',
  accepts: (obj: KObject) => isVapPolicy(obj) || isVapBinding(obj),
  compile: (docs: LoadedObject[]) => compileVapDocuments(docs),
};
export { GUARDRAIL_IDS, GUARDRAIL_LIBRARY_NAME, guardrailFile, guardrailLibraryDir, guardrailPolicyFiles } from './library.js';
