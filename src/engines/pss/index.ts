/** Pod Security Standards engine: upstream pod-security-admission checks, versions, messages and namespace labels. */
export {
  type PssLevel,
  type PssVersion,
  type LevelVersion,
  type ParseOutcome,
  PSS_LEVELS,
  LATEST,
  NEWEST_KNOWN_VERSION,
  LEVEL_ERROR,
  VERSION_ERROR,
  v1,
  parseLevel,
  parseVersion,
  formatVersion,
  formatLevelVersion,
  effectiveVersion,
  isOlder,
} from './version.js';
export {
  type PssCheckResult,
  type PsaMessageOptions,
  evaluatePod,
  toLevel,
  toVersion,
  formatCheckMessage,
  formatPsaMessage,
  formatForbiddenError,
  aggregateForbiddenDetail,
  aggregateForbiddenReason,
  UNKNOWN_FORBIDDEN_REASON,
} from './evaluate.js';
export { type CheckId, type CheckDefinition, type ActiveCheck, CHECKS, checksFor } from './registry.js';
export { type CheckInfo, CHECK_INFO } from './rules.js';
export {
  type NamespacePolicy,
  type ParsedNamespaceLabels,
  DEFAULT_NAMESPACE_POLICY,
  parseNamespacePolicyLabels,
  describeNamespacePolicy,
  ENFORCE_LEVEL_LABEL,
  ENFORCE_VERSION_LABEL,
  AUDIT_LEVEL_LABEL,
  AUDIT_VERSION_LABEL,
  WARN_LEVEL_LABEL,
  WARN_VERSION_LABEL,
} from './namespace.js';
export {
  type PssPolicyOptions,
  type PssPolicyResult,
  createPssPolicy,
  createPssPolicies,
  createNamespaceLabelPolicy,
  namespaceLabelDiagnostics,
  parseLevelVersion,
  podPathToObjectPath,
  NAMESPACE_LABEL_POLICY_ID,
} from './policy.js';
export { PSS_CODES } from './codes.js';
export { SAFE_SYSCTLS_1_0, SAFE_SYSCTLS_1_27, SAFE_SYSCTLS_1_29, SAFE_SYSCTLS_1_32, SAFE_SYSCTLS_1_37 } from './checks/sysctls.js';
export { type PsaAdmissionInput, type PsaAdmissionResult, simulatePodSecurityAdmission } from './admission.js';
