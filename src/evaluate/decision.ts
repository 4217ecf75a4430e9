import { formatFieldPath } from '../core/span.js';
import { isBlocking, type Finding } from '../core/finding.js';
import type { AdmissionAttributes } from '../policy/engine.js';
import type { PackConfig } from '../policy/pack.js';

export interface AdmissionDecision {
  allowed: boolean;
  /** Set when denied: every blocking finding, each naming policy, rule, field and remediation. */
  denyMessage?: string;
  /** warn-mode findings (and unsupported rules), shown to the client by kubectl. */
  warnings: string[];
  /** audit-mode findings, keyed by policy id (≤ 63 chars), value = the findings' messages. */
  auditAnnotations: Record<string, string>;
  findings: Finding[];
}

/** One line per finding: `[policy/rule] message (field: path; fix: remediation)`. */
export function describeFinding(f: Finding, withRemediation = true): string {
  const where = f.path && f.path.length > 0 ? `field: ${formatFieldPath(f.path)}` : '';
  const fix = withRemediation && f.remediation ? `fix: ${f.remediation}` : '';
  const extra = [where, fix].filter(Boolean).join('; ');
  return `[${f.policyId}${f.rule ? `/${f.rule}` : ''}] ${f.message}${extra ? ` (${extra})` : ''}`;
}

/** Turns findings into the webhook's answer. Exceptions and non-enforce modes never deny. */
export function decideAdmission(findings: Finding[]): AdmissionDecision {
  const blocking = findings.filter(isBlocking);
  const warnings: string[] = [];
  const audit = new Map<string, string[]>();
  for (const f of findings) {
    if (isBlocking(f)) continue;
    if (f.exception) continue;
    if (f.mode === 'warn' || f.status === 'unsupported') warnings.push(describeFinding(f, false));
    else if (f.mode === 'audit') {
      const key = auditKey(f.policyId);
      const list = audit.get(key) ?? [];
      list.push(`${f.rule ? `${f.rule}: ` : ''}${f.message}`);
      audit.set(key, list);
    }
  }
  const decision: AdmissionDecision = {
    allowed: blocking.length === 0,
    warnings,
    auditAnnotations: Object.fromEntries([...audit].map(([k, v]) => [k, v.join('; ')])),
    findings,
  };
  if (blocking.length > 0) {
    decision.denyMessage = `denied by Rampart: ${blocking.map((f) => describeFinding(f)).join('; ')}`;
  }
  return decision;
}

/** Audit annotation keys must be valid qualified names (≤ 63 chars, alphanumerics, '-', '_', '.'). */
function auditKey(policyId: string): string {
  const cleaned = policyId.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return (cleaned || 'policy').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

/** The first admission exemption matching the request's namespace, username or groups. */
export function findExemption(pack: PackConfig, request: AdmissionAttributes): { reason: string } | undefined {
  for (const ex of pack.admission.exemptions) {
    if (ex.namespaces?.includes(request.namespace ?? '')) return { reason: ex.reason };
    if (request.userInfo.username !== undefined && ex.usernames?.includes(request.userInfo.username)) return { reason: ex.reason };
    if (ex.groups?.some((g) => request.userInfo.groups?.includes(g))) return { reason: ex.reason };
  }
  return undefined;
}
