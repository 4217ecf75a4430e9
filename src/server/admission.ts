import type { Finding } from '../core/finding.js';
import { formatFieldPath } from '../core/span.js';
import { DEFAULT_SECURE_DEFAULTS, secureDefaultsPatch, type SecureDefaults } from '../engines/mutation/index.js';
import { decideAdmission, evaluateObjectDetailed, findExemption, type PolicySet } from '../evaluate/index.js';
import { MemoryInventory } from '../k8s/inventory.js';
import { looseObject, meta, type KObject } from '../k8s/object.js';
import { matchesLabelSelector, type LabelSelector } from '../k8s/selector.js';
import type { EvalContext } from '../policy/engine.js';
import type { Outcome, Webhook } from './metrics.js';
import type { ReviewRequest, ReviewResponse } from './review.js';

export type FailurePolicy = 'Fail' | 'Ignore';

/** Which requests the webhook evaluates at all (like a webhook configuration's selectors, checked server-side). */
export interface AdmissionScope {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

/** Audit sink: findings of audit mode (and warn) are recorded here, never for dry-run requests. */
export type FindingRecorder = (findings: Finding[], request: ReviewRequest) => void;

export interface AdmissionDeps {
  policies: () => PolicySet;
  now: () => Date;
  /** The pack's failure policy unless the command line overrides it. */
  failurePolicy?: FailurePolicy;
  scope?: AdmissionScope;
  /** Namespace labels when the server knows them; the well-known kubernetes.io/metadata.name label is always known. */
  namespaceLabels?: (namespace: string) => Record<string, string> | undefined;
  record?: FindingRecorder;
  onPolicy?: (policyId: string, status: string, seconds: number) => void;
}

/** What the handler decided, with what logs and metrics need. */
export interface AdmissionResult {
  webhook: Webhook;
  response: ReviewResponse;
  outcome: Outcome;
  /** Blocking / warn / audit findings, ids only in logs. */
  findings: Finding[];
  /** Mutations applied, for logs. */
  mutations?: string[];
  exemptReason?: string;
  /** Set when the failure policy decided (evaluation errors or the deadline). */
  failure?: { reason: 'deadline_exceeded' | 'policy_error' | 'internal'; policy: FailurePolicy };
}

/** Kubernetes truncates long warnings; keep them readable and the response bounded. */
const MAX_WARNINGS = 20;
const MAX_WARNING_CHARS = 512;
const MAX_DENY_CHARS = 8 * 1024;

/**
 * The admission logic of /validate and /mutate, apart from HTTP: exemptions → scope → evaluate → decision, and the
 * failure policy when the evaluation broke or ran out of time. Side effects (recording findings) never happen for
 * dry-run requests.
 */
export class AdmissionHandler {
  /** The inventory each set brings (objects shipped beside its policies, e.g. VAP params), built once per set. */
  private readonly inventories = new WeakMap<PolicySet, MemoryInventory>();

  constructor(private readonly deps: AdmissionDeps) {}

  validate(req: ReviewRequest, deadline: number): AdmissionResult {
    const set = this.deps.policies();
    const uid = req.attributes.uid;
    const pre = this.preCheck('validate', set, req);
    if (pre) return pre;
    const ctx = this.context(set, req, deadline);
    const evaluation = evaluateObjectDetailed(set, ctx, looseObject(ctx.object ?? ctx.oldObject ?? {}, '<admission>'));
    if (this.deps.onPolicy) for (const o of evaluation.outcomes) this.deps.onPolicy(o.policyId, o.status, o.durationMs / 1000);
    if (Date.now() > deadline) return this.failure('validate', set, uid, 'deadline_exceeded', evaluation.findings);
    const failurePolicy = this.failurePolicyOf(set);
    const findings = failurePolicy === 'Ignore' ? evaluation.findings.map(ignoreErrors) : evaluation.findings;
    const decision = decideAdmission(findings);
    const response: ReviewResponse = { uid, allowed: decision.allowed };
    if (!decision.allowed) {
      response.status = { code: 403, reason: 'Forbidden', message: truncate(decision.denyMessage ?? 'denied by Rampart', MAX_DENY_CHARS) };
    }
    if (decision.warnings.length > 0) response.warnings = boundedWarnings(decision.warnings);
    if (Object.keys(decision.auditAnnotations).length > 0) response.auditAnnotations = decision.auditAnnotations;
    if (!req.attributes.dryRun && findings.length > 0) this.deps.record?.(findings, req);
    const outcome = !decision.allowed ? 'deny' : decision.warnings.length > 0 ? 'warn' : response.auditAnnotations ? 'audit' : 'allow';
    const result: AdmissionResult = { webhook: 'validate', response, outcome, findings };
    if (findings.some((f) => f.status === 'error')) result.failure = { reason: 'policy_error', policy: failurePolicy };
    return result;
  }

  mutate(req: ReviewRequest, deadline: number): AdmissionResult {
    const set = this.deps.policies();
    const uid = req.attributes.uid;
    const pre = this.preCheck('mutate', set, req);
    if (pre) return pre;
    const a = req.attributes;
    // Pods are immutable past creation apart from a few fields; controllers may have their template defaulted on update.
    const mutable = req.object && !a.subResource && (a.operation === 'CREATE' || (a.operation === 'UPDATE' && a.kind.kind !== 'Pod'));
    if (!mutable) return { webhook: 'mutate', response: { uid, allowed: true }, outcome: 'nopatch', findings: [] };
    const settings: SecureDefaults = { ...DEFAULT_SECURE_DEFAULTS, ...set.pack.mutations };
    const result = secureDefaultsPatch(req.object as KObject, settings);
    if (Date.now() > deadline) return this.failure('mutate', set, uid, 'deadline_exceeded', []);
    if (result.patch.length === 0) return { webhook: 'mutate', response: { uid, allowed: true }, outcome: 'nopatch', findings: [] };
    const mutations = result.applied.map((m) => `${m.mutation}@${formatFieldPath(m.path)}`);
    return {
      webhook: 'mutate',
      response: {
        uid,
        allowed: true,
        patchType: 'JSONPatch',
        patch: Buffer.from(JSON.stringify(result.patch)).toString('base64'),
        auditAnnotations: { 'secure-defaults': truncate(mutations.join(', '), 1024) },
      },
      outcome: 'patch',
      findings: [],
      mutations,
    };
  }

  /** The failure policy's answer when evaluation could not complete (deadline, internal error). */
  failure(webhook: Webhook, set: PolicySet | undefined, uid: string, reason: 'deadline_exceeded' | 'internal', findings: Finding[] = []): AdmissionResult {
    const policy = this.failurePolicyOf(set);
    const what = reason === 'deadline_exceeded' ? 'policy evaluation exceeded its deadline' : 'internal error while evaluating the request';
    const response: ReviewResponse =
      policy === 'Fail'
        ? { uid, allowed: false, status: { code: 500, reason: 'InternalError', message: `Rampart: ${what}; denied by failurePolicy Fail` } }
        : { uid, allowed: true, warnings: [`Rampart: ${what}; allowed by failurePolicy Ignore`], auditAnnotations: { 'failure-policy': `Ignore: ${reason}` } };
    return { webhook, response, outcome: 'error', findings, failure: { reason, policy } };
  }

  private failurePolicyOf(set: PolicySet | undefined): FailurePolicy {
    return this.deps.failurePolicy ?? set?.pack.admission.failurePolicy ?? 'Fail';
  }

  private preCheck(webhook: Webhook, set: PolicySet, req: ReviewRequest): AdmissionResult | undefined {
    const uid = req.attributes.uid;
    const exemption = findExemption(set.pack, req.attributes);
    if (exemption) {
      return {
        webhook,
        response: { uid, allowed: true, auditAnnotations: { exempt: truncate(exemption.reason, 1024) } },
        outcome: 'exempt',
        findings: [],
        exemptReason: exemption.reason,
      };
    }
    const ns = req.attributes.namespace;
    const excluded = ns !== undefined && set.pack.excludedNamespaces.includes(ns);
    if (excluded || !this.inScope(req)) return { webhook, response: { uid, allowed: true }, outcome: 'unmatched', findings: [] };
    return undefined;
  }

  private inScope(req: ReviewRequest): boolean {
    const scope = this.deps.scope;
    if (!scope) return true;
    if (scope.objectSelector) {
      // like the API server: matches when either the new or the old object matches
      const objs = [req.object, req.oldObject].filter((o): o is KObject => o !== null);
      if (!objs.some((o) => matchesLabelSelector(scope.objectSelector, meta(o).labels))) return false;
    }
    if (scope.namespaceSelector) {
      const labels = this.namespaceLabelsOf(req);
      // cluster-scoped objects other than Namespaces are not namespace-selected (API server semantics)
      if (labels && !matchesLabelSelector(scope.namespaceSelector, labels)) return false;
    }
    return true;
  }

  private namespaceLabelsOf(req: ReviewRequest): Record<string, string> | undefined {
    const a = req.attributes;
    if (a.kind.group === '' && a.kind.kind === 'Namespace') {
      const o = req.object ?? req.oldObject;
      return { ...(o ? meta(o).labels : {}), 'kubernetes.io/metadata.name': a.name ?? '' };
    }
    if (!a.namespace) return undefined;
    return { ...(this.deps.namespaceLabels?.(a.namespace) ?? {}), 'kubernetes.io/metadata.name': a.namespace };
  }

  private context(set: PolicySet, req: ReviewRequest, deadline: number): EvalContext {
    const a = req.attributes;
    let inventory = this.inventories.get(set);
    if (!inventory) this.inventories.set(set, (inventory = new MemoryInventory(set.inventoryObjects)));
    const ctx: EvalContext = {
      object: a.operation === 'DELETE' ? null : req.object,
      oldObject: req.oldObject,
      request: a,
      inventory,
      now: this.deps.now(),
      deadline,
    };
    const ns = this.namespaceObject(req);
    if (ns) ctx.namespaceObject = ns;
    return ctx;
  }

  private namespaceObject(req: ReviewRequest): KObject | undefined {
    const ns = req.attributes.namespace;
    // Only a namespace whose labels are really known is shown to policies: absent means "unknown", not "no labels".
    if (!ns || !this.deps.namespaceLabels?.(ns)) return undefined;
    const labels = this.namespaceLabelsOf(req) ?? {};
    return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } };
  }
}

function boundedWarnings(ws: string[]): string[] {
  const out = ws.slice(0, MAX_WARNINGS).map((w) => truncate(w, MAX_WARNING_CHARS));
  if (ws.length > MAX_WARNINGS) out.push(`Rampart: ${ws.length - MAX_WARNINGS} more warnings not shown`);
  return out;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

/** For logs: policy/rule ids of findings, never their messages (which may quote object values). */
export function findingIds(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.policyId}/${f.rule}:${f.mode}${f.exception ? ':excepted' : ''}`);
}

/** failurePolicy Ignore: a policy that errored warns instead of denying. */
function ignoreErrors(f: Finding): Finding {
  return f.status === 'error' && f.mode === 'enforce' ? { ...f, mode: 'warn', message: `${f.message} (allowed by failurePolicy Ignore)` } : f;
}
