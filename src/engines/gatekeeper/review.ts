import { apiVersionOnly, apiGroup, meta, type KObject } from '../../k8s/object.js';
import type { EvalContext, Inventory } from '../../policy/engine.js';
import { admissionRequestValue } from '../vap/facts.js';

/**
 * input.review for the admission target: the AdmissionRequest with the objects (oldObject only when present).
 * On DELETE the request's object is the oldObject, as Gatekeeper's webhook and gator set it before review
 * (util.SetObjectOnDelete), so templates reading input.review.object see the object being deleted.
 */
export function reviewValue(ctx: EvalContext): Record<string, unknown> {
  const namespace = ctx.request.namespace ?? '';
  const review = admissionRequestValue(ctx, namespace);
  if (ctx.object) review.object = ctx.object;
  else if (ctx.request.operation === 'DELETE' && ctx.oldObject) review.object = ctx.oldObject;
  if (ctx.oldObject) review.oldObject = ctx.oldObject;
  if (ctx.namespaceObject) review._unstable = { namespace: ctx.namespaceObject };
  return review;
}

/**
 * data.inventory as Gatekeeper's sync cache lays it out:
 * cluster[<apiVersion>][<kind>][<name>] and namespace[<ns>][<apiVersion>][<kind>][<name>].
 */
export function inventoryDocument(inv: Inventory): Record<string, unknown> {
  const cluster: Record<string, any> = {};
  const namespace: Record<string, any> = {};
  for (const o of inv.all()) {
    const m = meta(o);
    const name = String(m.name ?? '');
    const gv = String(o.apiVersion ?? '');
    const kind = String(o.kind ?? '');
    const ns = typeof m.namespace === 'string' && m.namespace !== '' ? m.namespace : undefined;
    const root = ns === undefined ? cluster : (namespace[ns] ??= {});
    ((root[gv] ??= {})[kind] ??= {})[name] = o;
  }
  return { cluster, namespace };
}

/** The (group, kind) a request is about: the request's kind, else the object's. */
export function requestGroupKind(ctx: EvalContext): { group: string; kind: string; version: string } {
  const k = ctx.request.kind;
  if (k && k.kind) return { group: k.group, kind: k.kind, version: k.version };
  const o = (ctx.object ?? ctx.oldObject) as KObject | null;
  const av = String(o?.apiVersion ?? '');
  return { group: apiGroup(av), kind: String(o?.kind ?? ''), version: apiVersionOnly(av) };
}

