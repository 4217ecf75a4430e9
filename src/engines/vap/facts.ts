import { isObject, meta, type KObject } from '../../k8s/object.js';
import type { EvalContext } from '../../policy/engine.js';
import { labelsKeyOf, ruleKeyOf, type RequestFacts } from './match.js';
import { isClusterScopedKind } from './scope.js';

/** Namespace offline evaluation assumes for namespaced objects that name none (what `kubectl apply` would use). */
export const DEFAULT_NAMESPACE = 'default';

function labelsOf(o: KObject | null | undefined): Record<string, string> | undefined {
  if (!o) return undefined;
  const l = meta(o).labels;
  return isObject(l) ? (l as Record<string, string>) : {};
}

/** The request's namespace: '' for cluster-scoped kinds, `default` for namespaced objects that name none. */
export function requestNamespace(ctx: EvalContext): string {
  const kind = ctx.request.kind.kind;
  if (ctx.request.namespace) return ctx.request.namespace;
  const o = ctx.object ?? ctx.oldObject;
  const ns = o ? meta(o).namespace : undefined;
  if (typeof ns === 'string' && ns !== '') return ns;
  return isClusterScopedKind(kind) ? '' : DEFAULT_NAMESPACE;
}

/**
 * The Namespace object of the request: the one from the context, else the inventory's, else a minimal one with the
 * label the API server sets on every namespace (kubernetes.io/metadata.name). Undefined for cluster-scoped requests.
 */
export function namespaceObjectOf(ctx: EvalContext, namespace: string): KObject | undefined {
  if (namespace === '') return undefined;
  if (ctx.namespaceObject && meta(ctx.namespaceObject).name === namespace) return ctx.namespaceObject;
  const fromInventory = ctx.inventory.get('Namespace', undefined, namespace);
  if (fromInventory) return fromInventory;
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { 'kubernetes.io/metadata.name': namespace } },
  };
}

export function requestFacts(ctx: EvalContext, namespace: string, nsObject: KObject | undefined): RequestFacts {
  const r = ctx.request;
  const isNamespaceObject = r.kind.kind === 'Namespace' && r.kind.group === '' && r.kind.version === 'v1';
  let namespaceLabels: Record<string, string> | undefined;
  if (isNamespaceObject) namespaceLabels = labelsOf(ctx.object ?? ctx.oldObject);
  else if (nsObject) namespaceLabels = labelsOf(nsObject);
  const name = r.name ?? (ctx.object ? meta(ctx.object).name : undefined) ?? '';
  const facts: RequestFacts = {
    operation: r.operation,
    group: r.resource.group,
    version: r.resource.version,
    resource: r.resource.resource,
    subResource: r.subResource ?? '',
    kind: r.kind.kind,
    name: typeof name === 'string' ? name : '',
    namespace: isNamespaceObject ? '' : namespace,
    isNamespaceObject,
    objectLabels: labelsOf(ctx.object),
    oldObjectLabels: labelsOf(ctx.oldObject),
    namespaceLabels,
  };
  facts.ruleKey = ruleKeyOf(facts);
  const nsKey = labelsKeyOf(namespaceLabels);
  if (nsKey !== undefined) facts.namespaceLabelsKey = nsKey;
  return facts;
}

/** The CEL `request` variable (admission.k8s.io/v1 AdmissionRequest without the objects). */
export function admissionRequestValue(ctx: EvalContext, namespace: string): Record<string, unknown> {
  const r = ctx.request;
  const out: Record<string, unknown> = {
    uid: r.uid,
    kind: { group: r.kind.group, version: r.kind.version, kind: r.kind.kind },
    resource: { group: r.resource.group, version: r.resource.version, resource: r.resource.resource },
    requestKind: r.requestKind ?? r.kind,
    requestResource: r.requestResource ?? r.resource,
    name: r.name ?? '',
    namespace,
    operation: r.operation,
    userInfo: {
      username: r.userInfo.username ?? '',
      uid: r.userInfo.uid ?? '',
      groups: r.userInfo.groups ?? [],
      extra: r.userInfo.extra ?? {},
    },
    dryRun: r.dryRun,
    options: r.options ?? {},
  };
  if (r.subResource) {
    out.subResource = r.subResource;
    out.requestSubResource = r.subResource;
  }
  return out;
}

/** The CEL `namespaceObject`: the API server exposes only metadata, spec and status of the Namespace. */
export function namespaceValue(ns: KObject | undefined): Record<string, unknown> | null {
  if (!ns) return null;
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: 'Namespace', metadata: ns.metadata ?? {} };
  if (ns.spec !== undefined) out.spec = ns.spec;
  if (ns.status !== undefined) out.status = ns.status;
  return out;
}
