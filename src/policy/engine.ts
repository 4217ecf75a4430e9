import type { Diagnostic } from '../core/diagnostic.js';
import type { PolicyMeta, RuleResult } from '../core/policy-types.js';
import type { KObject, LoadedObject } from '../k8s/object.js';

/** admission.k8s.io/v1 UserInfo */
export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** The admission attributes of an evaluation. For CI scans this is synthesised as a CREATE by the scanner. */
export interface AdmissionAttributes {
  uid: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  requestResource?: GroupVersionResource;
  name?: string;
  namespace?: string;
  userInfo: UserInfo;
  dryRun: boolean;
  options?: Record<string, unknown>;
}

/** Every object the evaluation can see besides the one under review: other files of the scan, or the webhook's cache. */
export interface Inventory {
  /** All objects of a kind (apiVersion optional: any version), optionally in one namespace ('' = cluster-scoped). */
  list(kind: string, apiVersion?: string, namespace?: string): readonly KObject[];
  get(kind: string, namespace: string | undefined, name: string, apiVersion?: string): KObject | undefined;
  all(): readonly KObject[];
}

/** Per-evaluation context: a value, never module state. Clock injected for deterministic tests. */
export interface EvalContext {
  /** The object under review (null for DELETE). */
  object: KObject | null;
  oldObject: KObject | null;
  request: AdmissionAttributes;
  /** The Namespace object of the request's namespace, when known. */
  namespaceObject?: KObject;
  inventory: Inventory;
  now: Date;
  /** Evaluation deadline (ms since epoch); engines stop and return status 'error' past it. */
  deadline?: number;
}

/** A policy compiled once and evaluated many times. Must never throw: problems are `error` results. */
export interface CompiledPolicy {
  meta: PolicyMeta;
  /**
   * Cheap pre-filter so the hot path skips policies that cannot apply. Return false only when sure.
   * Omit to be called for every object.
   */
  mayApply?(kind: string, apiGroup: string): boolean;
  /**
   * Kinds this policy looks up in ctx.inventory (VAP paramKind, RBAC for `authorizer`, '*' for Gatekeeper's
   * data.inventory). Scans index only these (and Namespaces) across files, so they must be declared.
   */
  readonly inventoryKinds?: readonly string[];
  /**
   * Evaluates the policy on ctx.object. Contract: [] (or only `skip` results) means the policy did not apply;
   * an applicable policy that passed returns at least one `pass` result, so reports can count it.
   */
  evaluate(ctx: EvalContext): RuleResult[];
}

/** An engine that recognises its policy documents among loaded objects and compiles them. */
export interface PolicyEngineModule {
  engine: string;
  /** True for documents this engine owns (e.g. admissionregistration.k8s.io ValidatingAdmissionPolicy). */
  accepts(obj: KObject): boolean;
  /**
   * Compiles every accepted document at once (so bindings can find policies, constraints their templates).
   * `all` gives the other loaded objects (e.g. VAP params). Diagnostics carry the policy file:line.
   */
  compile(docs: LoadedObject[], all: readonly LoadedObject[]): { policies: CompiledPolicy[]; diagnostics: Diagnostic[] };
}
