import type { KObject } from '../../k8s/object.js';
import type { EvalContext } from '../../policy/engine.js';
import { admissionRequestValue, namespaceObjectOf, namespaceValue, requestFacts, requestNamespace } from './facts.js';
import type { RequestFacts } from './match.js';
import type { SharedVariables } from './variables.js';

/** Everything about one EvalContext that every policy needs: computed once and shared by all policies. */
export interface RequestView {
  namespace: string;
  namespaceObject: KObject | undefined;
  facts: RequestFacts;
  /** CEL activation without params/variables (object, oldObject, request, namespaceObject, authorizer). */
  base: Record<string, unknown>;
  /** Variable values shared by the policies evaluating this request without params. */
  variables: SharedVariables;
  /** CEL evaluation options of this request (one object, so per-policy caches can key on its identity). */
  opts: { deadline?: number };
}

const NO_OPTS: { deadline?: number } = Object.freeze({});

/**
 * Per-compile cache of request views keyed by EvalContext identity, so N policies evaluating one object build the
 * activation once and the CEL environment converts each object once. Lives in the compiled engine, not the module.
 */
export class RequestViews {
  readonly #views = new WeakMap<EvalContext, RequestView>();

  constructor(private readonly authorizerFor?: (ctx: EvalContext) => unknown) {}

  /** Whether evaluations build an `authorizer` (some document reads it). */
  get usesAuthorizer(): boolean {
    return this.authorizerFor !== undefined;
  }

  of(ctx: EvalContext): RequestView {
    let v = this.#views.get(ctx);
    if (!v) {
      v = this.#build(ctx);
      this.#views.set(ctx, v);
    }
    return v;
  }

  #build(ctx: EvalContext): RequestView {
    const namespace = requestNamespace(ctx);
    const namespaceObject = namespaceObjectOf(ctx, namespace);
    const facts = requestFacts(ctx, namespace, namespaceObject);
    const base: Record<string, unknown> = {
      object: ctx.object,
      oldObject: ctx.oldObject,
      request: admissionRequestValue(ctx, facts.isNamespaceObject ? '' : namespace),
      namespaceObject: namespaceValue(facts.isNamespaceObject ? undefined : namespaceObject),
      params: null,
    };
    if (this.authorizerFor) base.authorizer = this.authorizerFor(ctx);
    const opts = ctx.deadline !== undefined ? { deadline: ctx.deadline } : NO_OPTS;
    return { namespace, namespaceObject, facts, base, variables: { values: new Map() }, opts };
  }
}
