import type { Mode, RuleStatus, Severity } from './policy-types.js';
import type { FieldPath, SourceSpan } from './span.js';

/** Identifies the object a finding is about. For controllers, `path` in the finding points inside the template. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * A rule result placed on a real object and a real line, with the effective mode after the pack's decisions.
 * Findings are what scan prints, the webhook answers with, and the store keeps.
 */
export interface Finding {
  policyId: string;
  policyTitle: string;
  rule: string;
  status: Exclude<RuleStatus, 'pass'>;
  /** Effective mode (pack override > policy default > enforce). */
  mode: Mode;
  severity: Severity;
  message: string;
  object: ObjectRef;
  path?: FieldPath;
  span?: SourceSpan;
  remediation?: string;
  /** Set when an exception matched; the finding is then reported but never blocks. */
  exception?: { reason: string; owner?: string; expires?: string };
  details?: Record<string, unknown>;
}

/** Deterministic order: file, line, column, policy, rule, message. */
export function compareFindings(a: Finding, b: Finding): number {
  const fa = a.span?.file ?? '';
  const fb = b.span?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.span?.line ?? 0;
  const lb = b.span?.line ?? 0;
  if (la !== lb) return la - lb;
  const ca = a.span?.column ?? 0;
  const cb = b.span?.column ?? 0;
  if (ca !== cb) return ca - cb;
  if (a.policyId !== b.policyId) return a.policyId < b.policyId ? -1 : 1;
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** A finding blocks (CI exit 1, admission deny) only when it failed in enforce mode without an exception. */
export function isBlocking(f: Finding): boolean {
  return f.mode === 'enforce' && !f.exception && (f.status === 'fail' || f.status === 'error');
}
