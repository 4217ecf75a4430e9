import { diag, type Diagnostic } from '../core/diagnostic.js';
import type { Finding } from '../core/finding.js';
import type { Mode, RuleResult, RuleStatus } from '../core/policy-types.js';
import type { SourceSpan } from '../core/span.js';
import { apiGroup, objectRef, type KObject, type LoadedObject } from '../k8s/object.js';
import type { CompiledPolicy, EvalContext } from '../policy/engine.js';
import { findException } from './exceptions.js';
import type { PolicySet } from './policy-set.js';

/** One policy's overall outcome on one object (for JUnit-style reports and metrics). */
export interface PolicyOutcome {
  policyId: string;
  status: RuleStatus;
  durationMs: number;
}

export interface ObjectEvaluation {
  /** Non-pass results placed on the object, with effective mode and exceptions applied. */
  findings: Finding[];
  /** Every policy that applied, with its worst status. */
  outcomes: PolicyOutcome[];
}

const STATUS_RANK: Record<RuleStatus, number> = { pass: 0, skip: 1, unsupported: 2, fail: 3, error: 4 };

/**
 * The one evaluation every entry point shares (scan, webhook, tests): match → engines → exceptions → effective mode.
 * Pure apart from the policies' own work; never throws: a policy that throws becomes an `error` finding.
 */
export function evaluateObjectDetailed(set: PolicySet, ctx: EvalContext, source?: LoadedObject): ObjectEvaluation {
  const obj = (ctx.object ?? ctx.oldObject) as KObject | null;
  const findings: Finding[] = [];
  const outcomes: PolicyOutcome[] = [];
  if (!obj) return { findings, outcomes };
  const namespace = ctx.request.namespace;
  if (namespace !== undefined && set.pack.excludedNamespaces.includes(namespace)) return { findings, outcomes };
  const kind = String(obj.kind ?? '');
  const group = apiGroup(String(obj.apiVersion ?? ''));
  for (const policy of set.policies) {
    const override = set.pack.policies[policy.meta.id];
    if (override?.disabled) continue;
    if (policy.mayApply && !policy.mayApply(kind, group)) continue;
    const started = performance.now();
    const results = runPolicy(policy, ctx);
    const durationMs = performance.now() - started;
    let worst: RuleStatus = results.length === 0 ? 'skip' : 'pass';
    for (const r of results) {
      if (STATUS_RANK[r.status] > STATUS_RANK[worst]) worst = r.status;
      if (r.status === 'pass' || r.status === 'skip') continue;
      findings.push(toFinding(set, policy, r, obj, namespace, ctx.now, source));
    }
    if (worst !== 'skip' || results.length > 0) outcomes.push({ policyId: policy.meta.id, status: worst, durationMs });
  }
  return { findings, outcomes };
}

export function evaluateObject(set: PolicySet, ctx: EvalContext, source?: LoadedObject): Finding[] {
  return evaluateObjectDetailed(set, ctx, source).findings;
}

function runPolicy(policy: CompiledPolicy, ctx: EvalContext): RuleResult[] {
  if (ctx.deadline !== undefined && Date.now() > ctx.deadline) {
    return [{ policyId: policy.meta.id, rule: '', status: 'error', message: 'evaluation deadline exceeded before the policy ran' }];
  }
  try {
    return policy.evaluate(ctx);
  } catch (e) {
    // Engines must not throw; if one does, the policy errors and the others go on.
    return [{ policyId: policy.meta.id, rule: '', status: 'error', message: `policy failed: ${(e as Error)?.message ?? String(e)}` }];
  }
}

/**
 * Pack per-policy override > the pack's policy-set mode > the policy's own action for this result (VAP
 * validationActions, Kyverno failure action, namespace PSS labels) > the policy's default > the pack default.
 */
export function effectiveMode(set: PolicySet, policy: CompiledPolicy, r: RuleResult): Mode {
  const id = policy.meta.id;
  return set.pack.policies[id]?.mode ?? set.setModes.get(id) ?? r.mode ?? policy.meta.defaultMode ?? set.pack.defaultMode;
}

function toFinding(
  set: PolicySet,
  policy: CompiledPolicy,
  r: RuleResult,
  obj: KObject,
  namespace: string | undefined,
  now: Date,
  source: LoadedObject | undefined,
): Finding {
  const o = set.pack.policies[policy.meta.id];
  const span: SourceSpan | undefined = source ? (r.path ? source.locate(r.path) : source.span) : undefined;
  const f: Finding = {
    policyId: policy.meta.id,
    policyTitle: o?.title ?? r.title ?? policy.meta.title,
    rule: r.rule,
    status: r.status as Finding['status'],
    mode: effectiveMode(set, policy, r),
    severity: o?.severity ?? r.severity ?? policy.meta.severity,
    message: r.message,
    object: objectRef(obj),
  };
  if (f.object.namespace === undefined && namespace) f.object.namespace = namespace;
  if (r.path) f.path = r.path;
  if (span) f.span = span;
  const remediation = o?.remediation ?? r.remediation ?? policy.meta.remediation;
  if (remediation) f.remediation = remediation;
  if (r.details) f.details = r.details;
  const ex = findException(set.pack.exceptions, policy.meta.id, r.rule, obj, namespace, now);
  if (ex) f.exception = { reason: ex.reason, owner: ex.owner, expires: ex.expires };
  return f;
}

/** Duplicate policy ids make overrides and exceptions ambiguous: reported once per duplicate. */
export function duplicateIdDiagnostics(policies: readonly CompiledPolicy[]): Diagnostic[] {
  const seen = new Map<string, CompiledPolicy>();
  const out: Diagnostic[] = [];
  for (const p of policies) {
    const first = seen.get(p.meta.id);
    if (first) {
      out.push(
        diag('policy_duplicate_id', `policy id "${p.meta.id}" is defined twice${first.meta.source ? ` (first at ${first.meta.source.file}:${first.meta.source.line})` : ''}`, {
          span: p.meta.source,
          severity: 'warning',
        }),
      );
    } else seen.set(p.meta.id, p);
  }
  return out;
}
