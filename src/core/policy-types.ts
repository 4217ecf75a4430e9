import type { FieldPath, SourceSpan } from './span.js';

/** What happens when a policy fails: enforce blocks (CI exit 1 / admission deny), warn and audit only report. */
export type Mode = 'enforce' | 'warn' | 'audit';
export const MODES: readonly Mode[] = ['enforce', 'warn', 'audit'];

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Framework ids a policy maps to, so enforcement doubles as audit evidence. */
export interface Frameworks {
  cis?: string[];
  nist?: string[];
  mitre?: string[];
}

/** Metadata every policy carries, whatever its language. */
export interface PolicyMeta {
  /** `<scope>.<intent>.v<N>`, e.g. `ns-payments.exec-deny.v2` or `pss.restricted.v1`. */
  id: string;
  title: string;
  owner?: string;
  severity: Severity;
  remediation?: string;
  frameworks?: Frameworks;
  /** Engine that evaluates it: pss | vap | kyverno | gatekeeper | rego | ... */
  engine: string;
  /** Where the policy was defined (policy file) when it came from a file. */
  source?: SourceSpan;
  /** The policy's own default mode (e.g. VAP validationActions, Gatekeeper enforcementAction); the pack may override. */
  defaultMode?: Mode;
}

/**
 * The outcome of one rule on one object. `skip` is not success: the rule did not apply.
 * `error` means the policy itself failed (bad expression, cost limit, timeout): the caller applies a failure policy.
 * `unsupported` means the rule uses a feature Rampart does not evaluate: never a silent pass.
 */
export type RuleStatus = 'pass' | 'fail' | 'skip' | 'error' | 'unsupported';

export interface RuleResult {
  policyId: string;
  /** Rule / check / validation name inside the policy (PSS check id, Kyverno rule name, VAP validation index...). */
  rule: string;
  status: RuleStatus;
  message: string;
  /** Field path inside the evaluated object that the result is about, when known. */
  path?: FieldPath;
  /**
   * The action the policy itself asks for when it fails, when the policy language carries one
   * (VAP validationActions, Kyverno validationFailureAction, Gatekeeper enforcementAction). The pack mode wins.
   */
  mode?: Mode;
  /** Extra structured detail (audit annotations, Gatekeeper details, Kyverno reason...). */
  details?: Record<string, unknown>;
  /** Per-rule metadata when a policy's rules differ (e.g. each PSS check); falls back to the policy's. */
  title?: string;
  severity?: Severity;
  remediation?: string;
  frameworks?: Frameworks;
}
