/**
 * Kyverno CEL policies: ValidatingPolicy (policies.kyverno.io) and ClusterPolicy/Policy (kyverno.io/v1) rules with
 * validate.cel, with Kyverno's matching and autogen. Other rule types are reported `unsupported`. See docs/kyverno.md.
 */
import type { Diagnostic } from '../../core/diagnostic.js';
import type { KObject, LoadedObject } from '../../k8s/object.js';
import type { CompiledPolicy, PolicyEngineModule } from '../../policy/engine.js';
import { RequestViews } from '../vap/activation.js';
import { createVapEnvironment, offlineAuthorizer, usesAuthorizer } from '../vap/index.js';
import { isKyvernoPolicy, KyvernoCompiledPolicy } from './clusterpolicy.js';
import { isValidatingPolicy, ValidatingPolicyCompiled } from './vpol.js';
import { isPolicyException, KyvernoExceptions } from './exceptions.js';

export { autogenControllers, autogenRules, AUTOGEN_ANNOTATION } from './autogen.js';
export { wildcardMatch, parseKind } from './match.js';

export function compileKyvernoDocuments(docs: LoadedObject[]): { policies: CompiledPolicy[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const env = createVapEnvironment();
  const views = new RequestViews(usesAuthorizer(docs) ? offlineAuthorizer : undefined);
  const policies: CompiledPolicy[] = [];
  const exceptions = new KyvernoExceptions(docs.filter((d) => isPolicyException(d.object)), env, diagnostics);
  for (const d of docs) {
    if (isValidatingPolicy(d.object)) policies.push(new ValidatingPolicyCompiled(d, env, views, diagnostics, exceptions));
    else if (isKyvernoPolicy(d.object)) policies.push(new KyvernoCompiledPolicy(d, env, views, diagnostics, exceptions));
  }
  return { policies, diagnostics };
}

export const kyvernoEngine: PolicyEngineModule = {
  engine: 'kyverno',
  accepts: (obj: KObject) => isValidatingPolicy(obj) || isKyvernoPolicy(obj) || isPolicyException(obj),
  compile: (docs: LoadedObject[]) => compileKyvernoDocuments(docs),
};
