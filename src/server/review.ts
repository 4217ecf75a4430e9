import { isObject, type KObject } from '../k8s/object.js';
import type { AdmissionAttributes, GroupVersionKind, GroupVersionResource, UserInfo } from '../policy/engine.js';

/** The only AdmissionReview version served; the webhook configuration lists just this one. */
export const REVIEW_API_VERSION = 'admission.k8s.io/v1';

/** A validated AdmissionReview request: the attributes policies see plus the objects under review. */
export interface ReviewRequest {
  attributes: AdmissionAttributes;
  object: KObject | null;
  oldObject: KObject | null;
}

/** admission.k8s.io/v1 AdmissionResponse. */
export interface ReviewResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  patch?: string;
  patchType?: 'JSONPatch';
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export type ParseResult = { ok: true; review: ReviewRequest } | { ok: false; message: string };

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);
/** Bounds on fields that end up in logs, metrics labels or responses. */
const MAX_UID = 128;
const MAX_NAME = 512;
/** Deeper than any real object (CRD schemas included); stops stack exhaustion in engines that recurse. */
export const MAX_OBJECT_DEPTH = 100;

/**
 * Checks a parsed JSON body is an admission.k8s.io/v1 AdmissionReview with a usable request. Messages name the
 * offending field and never echo its value (request bodies may carry Secrets).
 */
export function parseAdmissionReview(body: unknown): ParseResult {
  if (!isObject(body)) return fail('body is not a JSON object');
  if (body.kind !== 'AdmissionReview') return fail('kind must be AdmissionReview');
  if (body.apiVersion !== REVIEW_API_VERSION) return fail(`apiVersion must be ${REVIEW_API_VERSION}`);
  const r = body.request;
  if (!isObject(r)) return fail('request is missing or not an object');
  if (typeof r.uid !== 'string' || r.uid === '' || r.uid.length > MAX_UID) return fail(`request.uid must be a non-empty string of at most ${MAX_UID} characters`);
  if (typeof r.operation !== 'string' || !OPERATIONS.has(r.operation)) return fail('request.operation must be CREATE, UPDATE, DELETE or CONNECT');
  const kind = gvk(r.kind);
  if (!kind) return fail('request.kind must have string group, version and kind');
  const resource = gvr(r.resource);
  if (!resource) return fail('request.resource must have string group, version and resource');
  for (const f of ['name', 'namespace', 'subResource'] as const) {
    if (r[f] !== undefined && (typeof r[f] !== 'string' || (r[f] as string).length > MAX_NAME)) return fail(`request.${f} must be a string of at most ${MAX_NAME} characters`);
  }
  if (r.dryRun !== undefined && typeof r.dryRun !== 'boolean') return fail('request.dryRun must be a boolean');
  const userInfo = user(r.userInfo);
  if (!userInfo) return fail('request.userInfo must be an object with a string username and string groups');
  const object = kobj(r.object);
  const oldObject = kobj(r.oldObject);
  if (object === undefined) return fail('request.object must be an object or null');
  if (oldObject === undefined) return fail('request.oldObject must be an object or null');
  if (object === null && oldObject === null && r.operation !== 'CONNECT') return fail('request.object and request.oldObject are both missing');
  if (tooDeep(object) || tooDeep(oldObject)) return fail(`request object nests deeper than ${MAX_OBJECT_DEPTH} levels`);
  const attributes: AdmissionAttributes = {
    uid: r.uid,
    operation: r.operation as AdmissionAttributes['operation'],
    kind,
    resource,
    userInfo,
    dryRun: r.dryRun === true,
  };
  if (r.subResource) attributes.subResource = r.subResource as string;
  if (r.name) attributes.name = r.name as string;
  if (r.namespace) attributes.namespace = r.namespace as string;
  const rk = gvk(r.requestKind);
  if (rk) attributes.requestKind = rk;
  const rr = gvr(r.requestResource);
  if (rr) attributes.requestResource = rr;
  if (isObject(r.options)) attributes.options = r.options;
  return { ok: true, review: { attributes, object, oldObject } };
}

/** Serialises the answer; the response must carry the request's uid and the request's apiVersion. */
export function reviewResponseJson(response: ReviewResponse): string {
  return JSON.stringify({ apiVersion: REVIEW_API_VERSION, kind: 'AdmissionReview', response });
}

/**
 * The uid of a body that failed validation, when it has a usable one, so even a rejected review can be answered
 * in the AdmissionReview shape.
 */
export function uidOf(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.request)) return undefined;
  const uid = body.request.uid;
  return typeof uid === 'string' && uid !== '' && uid.length <= MAX_UID ? uid : undefined;
}

function fail(message: string): ParseResult {
  return { ok: false, message };
}

function gvk(v: unknown): GroupVersionKind | undefined {
  if (!isObject(v) || typeof v.group !== 'string' || typeof v.version !== 'string' || typeof v.kind !== 'string' || v.kind === '') return undefined;
  return { group: v.group, version: v.version, kind: v.kind };
}

function gvr(v: unknown): GroupVersionResource | undefined {
  if (!isObject(v) || typeof v.group !== 'string' || typeof v.version !== 'string' || typeof v.resource !== 'string' || v.resource === '') return undefined;
  return { group: v.group, version: v.version, resource: v.resource };
}

function user(v: unknown): UserInfo | undefined {
  if (v === undefined) return {};
  if (!isObject(v)) return undefined;
  const u: UserInfo = {};
  if (v.username !== undefined) {
    if (typeof v.username !== 'string') return undefined;
    u.username = v.username;
  }
  if (v.uid !== undefined && typeof v.uid === 'string') u.uid = v.uid;
  if (v.groups !== undefined) {
    if (!Array.isArray(v.groups) || !v.groups.every((g) => typeof g === 'string')) return undefined;
    u.groups = v.groups as string[];
  }
  if (isObject(v.extra)) u.extra = v.extra as Record<string, string[]>;
  return u;
}

/** null for absent/null, undefined when present but not an object. */
function kobj(v: unknown): KObject | null | undefined {
  if (v === undefined || v === null) return null;
  return isObject(v) ? (v as KObject) : undefined;
}

/**
 * Depth check by bounded recursion: it stops at MAX_OBJECT_DEPTH, so the stack stays small whatever the input,
 * and it allocates nothing on the hot path.
 */
function tooDeep(v: unknown, depth = 1): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (depth > MAX_OBJECT_DEPTH) return true;
  if (Array.isArray(v)) {
    for (const c of v) if (c !== null && typeof c === 'object' && tooDeep(c, depth + 1)) return true;
    return false;
  }
  for (const k in v) {
    const c = (v as Record<string, unknown>)[k];
    if (c !== null && typeof c === 'object' && tooDeep(c, depth + 1)) return true;
  }
  return false;
}
