import { evaluatePod, formatForbiddenError, formatPsaMessage, type PssCheckResult } from './evaluate.js';
import { DEFAULT_NAMESPACE_POLICY, parseNamespacePolicyLabels, type NamespacePolicy } from './namespace.js';
import { formatLevelVersion, type LevelVersion } from './version.js';

/** What PodSecurity admission is asked about: a pod, or a pod controller (Deployment, CronJob, ...). */
export interface PsaAdmissionInput {
  /** Labels of the pod's Namespace. */
  namespaceLabels: Readonly<Record<string, unknown>> | undefined;
  /** `pod` runs enforce, audit and warn (ValidatePod); `controller` only audit and warn (ValidatePodController). */
  target: 'pod' | 'controller';
  /** Group-qualified plural resource for the denial text, e.g. "pods". */
  resource: string;
  /** Object name for the denial text ('' when generated). */
  name: string;
  podMetadata: unknown;
  podSpec: unknown;
  /** The AdmissionConfiguration defaults; the API server's built-in ones (privileged:latest) when omitted. */
  defaults?: NamespacePolicy;
}

/** The parts of upstream's AdmissionResponse a user sees. */
export interface PsaAdmissionResult {
  allowed: boolean;
  /** The denial's status message, e.g. `pods "web" is forbidden: violates PodSecurity "baseline:latest": ...`. */
  message?: string;
  /** Warning headers, e.g. `would violate PodSecurity "restricted:latest": ...`. */
  warnings: string[];
  /**
   * Audit annotations as the response carries them (the API server prefixes them with
   * "pod-security.kubernetes.io/"): enforce-policy, audit-violations, error.
   */
  auditAnnotations: Record<string, string>;
}

/** field.ErrorList.ToAggregate().Error(): one message, or "[a, b]" after de-duplication. */
function aggregateErrors(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/**
 * Simulates upstream PodSecurity admission (admission.go ValidatePod / ValidatePodController / EvaluatePod) for a
 * CREATE request, without exemptions: the same short-cuts, the same per-mode evaluation and caching, the same
 * texts. Useful for the webhook and for showing users exactly what the API server would answer.
 */
export function simulatePodSecurityAdmission(input: PsaAdmissionInput): PsaAdmissionResult {
  const parsed = parseNamespacePolicyLabels(input.namespaceLabels, input.defaults ?? DEFAULT_NAMESPACE_POLICY);
  const p = parsed.policy;
  const hasErrors = parsed.diagnostics.length > 0;
  if (input.target === 'pod') {
    if (!hasErrors && p.enforce.level === 'privileged' && p.audit.level === 'privileged' && p.warn.level === 'privileged') {
      return { allowed: true, warnings: [], auditAnnotations: { 'enforce-policy': 'privileged:latest' } };
    }
  } else if (!hasErrors && p.warn.level === 'privileged' && p.audit.level === 'privileged') {
    return { allowed: true, warnings: [], auditAnnotations: {} };
  }

  const auditAnnotations: Record<string, string> = {};
  if (hasErrors) auditAnnotations.error = `Failed to parse policy: ${aggregateErrors(parsed.diagnostics.map((d) => d.message))}`;
  const cache = new Map<string, PssCheckResult[]>();
  const run = (lv: LevelVersion): PssCheckResult[] => {
    const key = formatLevelVersion(lv);
    let r = cache.get(key);
    if (!r) cache.set(key, (r = evaluatePod(lv.level, lv.version, input.podMetadata, input.podSpec)));
    return r;
  };

  const out: PsaAdmissionResult = { allowed: true, warnings: [], auditAnnotations };
  if (input.target === 'pod') {
    auditAnnotations['enforce-policy'] = formatLevelVersion(p.enforce);
    const msg = formatPsaMessage(p.enforce.level, p.enforce.version, run(p.enforce));
    if (msg !== undefined) {
      out.allowed = false;
      out.message = formatForbiddenError(input.resource, input.name, msg);
    }
  }
  const audit = formatPsaMessage(p.audit.level, p.audit.version, run(p.audit), { mode: 'audit' });
  if (audit !== undefined) auditAnnotations['audit-violations'] = audit;
  if (out.allowed) {
    const warn = formatPsaMessage(p.warn.level, p.warn.version, run(p.warn), { mode: 'warn' });
    if (warn !== undefined) out.warnings.push(warn);
  }
  return out;
}
