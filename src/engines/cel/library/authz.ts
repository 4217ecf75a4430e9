import { fail, overloads, type CelLibrary } from './library.js';

/** What an authorization check asks (SubjectAccessReview attributes). */
export interface CelAuthorizationRequest {
  /** Set by authorizer.serviceAccount(ns, name); otherwise the request's user. */
  user?: string;
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
  fieldSelector?: string;
  labelSelector?: string;
}

/** The resource of the admission request, behind `authorizer.requestResource`. */
export interface CelRequestResource {
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface CelAuthorizationDecision {
  decision: 'allow' | 'deny' | 'noopinion';
  reason?: string;
  error?: string;
}

/** The host's authorizer (e.g. a SubjectAccessReview client with a cache, or a static policy in CI). */
export interface CelAuthorizer {
  authorize(req: CelAuthorizationRequest): CelAuthorizationDecision;
}

/** The value to bind to the `authorizer` variable (type kubernetes.authorization.Authorizer). */
export class CelAuthorizerValue {
  readonly #authorizer: CelAuthorizer;
  readonly #user: string | undefined;
  readonly #request: CelRequestResource | undefined;

  constructor(authorizer: CelAuthorizer, user?: string, requestResource?: CelRequestResource) {
    this.#authorizer = authorizer;
    this.#user = user;
    this.#request = requestResource;
  }

  get authorizer(): CelAuthorizer {
    return this.#authorizer;
  }

  get user(): string | undefined {
    return this.#user;
  }

  get request(): CelRequestResource | undefined {
    return this.#request;
  }

  /** `authorizer.requestResource`: a check preset with the admission request's resource. */
  get requestResource(): ResourceCheck {
    return requestResource(this);
  }
}
class PathCheck {
  constructor(
    readonly auth: CelAuthorizerValue,
    readonly path: string,
  ) {}
}
class GroupCheck {
  constructor(
    readonly auth: CelAuthorizerValue,
    readonly group: string,
  ) {}
}
class ResourceCheck {
  constructor(
    readonly auth: CelAuthorizerValue,
    readonly attrs: Omit<CelAuthorizationRequest, 'verb' | 'user'>,
  ) {}
}

function requestResource(a: CelAuthorizerValue): ResourceCheck {
  const r = a.request;
  if (!r) return fail('authorizer.requestResource is not available: the evaluation has no admission request');
  const attrs: ResourceCheck['attrs'] = { group: r.group, resource: r.resource };
  if (r.subresource) attrs.subresource = r.subresource;
  if (r.namespace) attrs.namespace = r.namespace;
  if (r.name) attrs.name = r.name;
  return new ResourceCheck(a, attrs);
}
class Decision {
  constructor(readonly d: CelAuthorizationDecision) {}
}

const A = 'kubernetes.authorization.Authorizer';
const P = 'kubernetes.authorization.PathCheck';
const G = 'kubernetes.authorization.GroupCheck';
const R = 'kubernetes.authorization.ResourceCheck';
const D = 'kubernetes.authorization.Decision';

function decide(auth: CelAuthorizerValue, req: CelAuthorizationRequest): Decision {
  try {
    return new Decision(auth.authorizer.authorize(auth.user ? { ...req, user: auth.user } : req));
  } catch (err) {
    return new Decision({ decision: 'noopinion', error: (err as Error).message });
  }
}

/** Kubernetes authz library (library/authz.go): authorizer.group(g).resource(r)...check(verb).allowed(). */
export function authzLibrary(): CelLibrary {
  return {
    name: 'authz',
    types: [
      { name: A, ctor: CelAuthorizerValue, fields: { requestResource: R } },
      { name: P, ctor: PathCheck },
      { name: G, ctor: GroupCheck },
      { name: R, ctor: ResourceCheck },
      { name: D, ctor: Decision },
    ],
    functions: overloads({
      [`${A}.path(string): ${P}`]: (a: CelAuthorizerValue, p: string) => new PathCheck(a, p),
      [`${A}.group(string): ${G}`]: (a: CelAuthorizerValue, g: string) => new GroupCheck(a, g),
      [`${A}.serviceAccount(string, string): ${A}`]: (a: CelAuthorizerValue, ns: string, name: string) =>
        new CelAuthorizerValue(a.authorizer, `system:serviceaccount:${ns}:${name}`, a.request),
      [`${G}.resource(string): ${R}`]: (g: GroupCheck, r: string) => new ResourceCheck(g.auth, { group: g.group, resource: r }),
      [`${R}.subresource(string): ${R}`]: (r: ResourceCheck, s: string) => new ResourceCheck(r.auth, { ...r.attrs, subresource: s }),
      [`${R}.namespace(string): ${R}`]: (r: ResourceCheck, s: string) => new ResourceCheck(r.auth, { ...r.attrs, namespace: s }),
      [`${R}.name(string): ${R}`]: (r: ResourceCheck, s: string) => new ResourceCheck(r.auth, { ...r.attrs, name: s }),
      [`${R}.fieldSelector(string): ${R}`]: (r: ResourceCheck, s: string) => new ResourceCheck(r.auth, { ...r.attrs, fieldSelector: s }),
      [`${R}.labelSelector(string): ${R}`]: (r: ResourceCheck, s: string) => new ResourceCheck(r.auth, { ...r.attrs, labelSelector: s }),
      [`${R}.check(string): ${D}`]: (r: ResourceCheck, verb: string) => decide(r.auth, { ...r.attrs, verb }),
      [`${P}.check(string): ${D}`]: (p: PathCheck, verb: string) => decide(p.auth, { path: p.path, verb }),
      [`${D}.allowed(): bool`]: (d: Decision) => d.d.decision === 'allow',
      [`${D}.reason(): string`]: (d: Decision) => d.d.reason ?? '',
      [`${D}.errored(): bool`]: (d: Decision) => d.d.error !== undefined,
      [`${D}.error(): string`]: (d: Decision) => d.d.error ?? '',
    }),
  };
}
