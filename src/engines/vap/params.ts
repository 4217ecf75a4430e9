import { isObject, meta, type KObject } from '../../k8s/object.js';
import { matchesLabelSelector } from '../../k8s/selector.js';
import type { Inventory } from '../../policy/engine.js';
import { isClusterScopedKind } from './scope.js';

export interface ParamKind {
  apiVersion: string;
  kind: string;
}

export interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: Record<string, unknown>;
  parameterNotFoundAction?: 'Allow' | 'Deny';
}

export type ParamsOutcome = { ok: true; params: (KObject | null)[] } | { ok: false; message: string };

export function readParamKind(raw: unknown): ParamKind | undefined {
  if (!isObject(raw) || typeof raw.kind !== 'string') return undefined;
  return { apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : 'v1', kind: raw.kind };
}

export function readParamRef(raw: unknown): ParamRef | undefined {
  if (!isObject(raw)) return undefined;
  const ref: ParamRef = {};
  if (typeof raw.name === 'string' && raw.name !== '') ref.name = raw.name;
  if (typeof raw.namespace === 'string' && raw.namespace !== '') ref.namespace = raw.namespace;
  if (isObject(raw.selector)) ref.selector = raw.selector;
  if (raw.parameterNotFoundAction === 'Allow' || raw.parameterNotFoundAction === 'Deny') {
    ref.parameterNotFoundAction = raw.parameterNotFoundAction;
  }
  return ref;
}

/**
 * generic.CollectParams, offline: params are objects of the input (the inventory) instead of an informer.
 * A policy without paramKind gets one evaluation with `params` null, whatever the binding says.
 */
export function collectParams(
  paramKind: ParamKind | undefined,
  paramRef: ParamRef | undefined,
  requestNamespace: string,
  inventory: Inventory,
): ParamsOutcome {
  if (!paramKind) return { ok: true, params: [null] };
  if (!paramRef) {
    return { ok: false, message: `paramKind kind \`${paramKind.kind}\` is defined but paramRef is missing` };
  }
  const clusterScoped = isClusterScopedKind(paramKind.kind);
  let namespace: string | undefined;
  if (paramRef.namespace) namespace = paramRef.namespace;
  else if (!clusterScoped) {
    if (requestNamespace === '') {
      return { ok: false, message: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources' };
    }
    namespace = requestNamespace;
  }
  const candidates = inventory
    .list(paramKind.kind, paramKind.apiVersion)
    .filter((o) => (clusterScoped ? true : (meta(o).namespace ?? 'default') === namespace));
  let params: KObject[];
  if (paramRef.name) {
    params = candidates.filter((o) => meta(o).name === paramRef.name).slice(0, 1);
  } else if (paramRef.selector) {
    params = candidates.filter((o) => matchesLabelSelector(paramRef.selector, meta(o).labels));
  } else {
    return { ok: false, message: 'one of name or selector must be provided' };
  }
  if (params.length === 0 && paramRef.parameterNotFoundAction === 'Deny') {
    return { ok: false, message: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
  }
  return { ok: true, params };
}
