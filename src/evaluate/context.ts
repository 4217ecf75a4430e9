import { apiGroup, apiVersionOnly, meta, type KObject } from '../k8s/object.js';
import type { AdmissionAttributes, EvalContext, GroupVersionResource, Inventory, UserInfo } from '../policy/engine.js';

/** Irregular plurals of built-in kinds; everything else is lower-cased + "s" (Kubernetes' own default rule). */
const IRREGULAR_PLURALS: Record<string, string> = {
  Endpoints: 'endpoints',
  NetworkPolicy: 'networkpolicies',
  PodSecurityPolicy: 'podsecuritypolicies',
  Ingress: 'ingresses',
  IngressClass: 'ingressclasses',
  StorageClass: 'storageclasses',
  PriorityClass: 'priorityclasses',
  RuntimeClass: 'runtimeclasses',
  ValidatingAdmissionPolicy: 'validatingadmissionpolicies',
  MutatingAdmissionPolicy: 'mutatingadmissionpolicies',
  ClusterPolicy: 'clusterpolicies',
  Policy: 'policies',
  ResourceQuota: 'resourcequotas',
  ComponentStatus: 'componentstatuses',
};

/** Resource name for a kind, the way the API server's RESTMapper names built-in kinds. */
export function resourceForKind(kind: string): string {
  if (IRREGULAR_PLURALS[kind]) return IRREGULAR_PLURALS[kind];
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return lower + 'es';
  if (lower.endsWith('y') && !/[aeiou]y$/.test(lower)) return lower.slice(0, -1) + 'ies';
  return lower + 's';
}

export function gvrOf(obj: KObject): GroupVersionResource {
  const av = String(obj.apiVersion ?? '');
  return { group: apiGroup(av), version: apiVersionOnly(av), resource: resourceForKind(String(obj.kind ?? '')) };
}

export interface OfflineContextOptions {
  inventory: Inventory;
  now: Date;
  operation?: AdmissionAttributes['operation'];
  oldObject?: KObject | null;
  userInfo?: UserInfo;
  deadline?: number;
}

/**
 * The EvalContext for evaluating a manifest offline (CI scan, `rampart test`): a CREATE by an anonymous CI user,
 * with the object's Namespace taken from the inventory when the input holds it.
 */
export function offlineContext(obj: KObject, opts: OfflineContextOptions): EvalContext {
  const av = String(obj.apiVersion ?? '');
  const m = meta(obj);
  const ns = typeof m.namespace === 'string' && m.namespace !== '' ? m.namespace : undefined;
  const gvk = { group: apiGroup(av), version: apiVersionOnly(av), kind: String(obj.kind ?? '') };
  const gvr = gvrOf(obj);
  const operation = opts.operation ?? 'CREATE';
  const request: AdmissionAttributes = {
    uid: '00000000-0000-0000-0000-000000000000',
    operation,
    kind: gvk,
    resource: gvr,
    requestKind: gvk,
    requestResource: gvr,
    name: typeof m.name === 'string' ? m.name : undefined,
    namespace: ns,
    userInfo: opts.userInfo ?? { username: 'rampart:ci', groups: ['system:authenticated'] },
    dryRun: true,
  };
  const namespaceObject = ns ? opts.inventory.get('Namespace', undefined, ns) : undefined;
  return {
    object: operation === 'DELETE' ? null : obj,
    oldObject: opts.oldObject ?? (operation === 'DELETE' ? obj : null),
    request,
    namespaceObject,
    inventory: opts.inventory,
    now: opts.now,
    deadline: opts.deadline,
  };
}
