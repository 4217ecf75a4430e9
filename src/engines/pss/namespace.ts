import { diag, type Diagnostic } from '../../core/diagnostic.js';
import { goQuote } from './go-format.js';
import { stringMap } from './pod.js';
import {
  formatVersion,
  LATEST,
  parseLevel,
  parseVersion,
  type LevelVersion,
  type PssLevel,
} from './version.js';

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
export const ENFORCE_LEVEL_LABEL = `${LABEL_PREFIX}enforce`;
export const ENFORCE_VERSION_LABEL = `${LABEL_PREFIX}enforce-version`;
export const AUDIT_LEVEL_LABEL = `${LABEL_PREFIX}audit`;
export const AUDIT_VERSION_LABEL = `${LABEL_PREFIX}audit-version`;
export const WARN_LEVEL_LABEL = `${LABEL_PREFIX}warn`;
export const WARN_VERSION_LABEL = `${LABEL_PREFIX}warn-version`;

/** A namespace's effective policy per mode (upstream api.Policy). */
export interface NamespacePolicy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

/** The kube-apiserver's built-in defaults (no AdmissionConfiguration): privileged:latest for every mode. */
export const DEFAULT_NAMESPACE_POLICY: NamespacePolicy = Object.freeze({
  enforce: { level: 'privileged', version: LATEST },
  audit: { level: 'privileged', version: LATEST },
  warn: { level: 'privileged', version: LATEST },
}) as NamespacePolicy;

export interface ParsedNamespaceLabels {
  /** The effective policy for all three modes, defaults applied (always valid, like upstream). */
  policy: NamespacePolicy;
  /** Modes with a non-privileged level (the ones that can produce results). */
  enforce?: LevelVersion;
  audit?: LevelVersion;
  warn?: LevelVersion;
  /** One per invalid label (code pss_invalid_level / pss_invalid_version), message as upstream's field error. */
  diagnostics: Diagnostic[];
  /** True when at least one pod-security.kubernetes.io/ mode label is present. */
  hasLabels: boolean;
}

function compareLevels(a: PssLevel, b: PssLevel): number {
  const rank: Record<PssLevel, number> = { privileged: 0, baseline: 1, restricted: 2 };
  return Math.sign(rank[a] - rank[b]);
}

function labelError(code: string, label: string, value: string, detail: string): Diagnostic {
  return diag(code, `metadata.labels[${label}]: Invalid value: ${goQuote(value)}: ${detail}`, {
    path: ['metadata', 'labels', label],
    help:
      code === 'pss_invalid_level'
        ? 'use privileged, baseline or restricted'
        : 'use "latest" or a version such as "v1.30"',
  });
}

/**
 * Resolves pod-security.kubernetes.io/{enforce,audit,warn}[-version] labels the way upstream
 * api.PolicyToEvaluate does:
 * - a missing level label keeps the default (privileged); a missing version label means latest;
 * - an invalid enforce level fails closed to restricted; an invalid audit or warn level fails open to privileged;
 * - an invalid version means latest;
 * - when enforce is explicitly (and validly) set and warn is not, warn takes the enforce level if it is stricter,
 *   and the enforce version too unless warn-version is set.
 * `defaults` replaces the built-in privileged:latest defaults (an AdmissionConfiguration's defaults).
 */
export function parseNamespacePolicyLabels(
  labels: Readonly<Record<string, unknown>> | undefined,
  defaults: NamespacePolicy = DEFAULT_NAMESPACE_POLICY,
): ParsedNamespaceLabels {
  const p: NamespacePolicy = {
    enforce: { ...defaults.enforce },
    audit: { ...defaults.audit },
    warn: { ...defaults.warn },
  };
  const diagnostics: Diagnostic[] = [];
  const l = stringMap(labels);
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(l, k);
  let hasEnforceLevel = false;

  if (has(ENFORCE_LEVEL_LABEL)) {
    const r = parseLevel(l[ENFORCE_LEVEL_LABEL]);
    p.enforce.level = r.value;
    hasEnforceLevel = r.ok;
    if (!r.ok) diagnostics.push(labelError('pss_invalid_level', ENFORCE_LEVEL_LABEL, l[ENFORCE_LEVEL_LABEL], r.error));
  }
  if (has(ENFORCE_VERSION_LABEL)) {
    const r = parseVersion(l[ENFORCE_VERSION_LABEL]);
    p.enforce.version = r.value;
    if (!r.ok) diagnostics.push(labelError('pss_invalid_version', ENFORCE_VERSION_LABEL, l[ENFORCE_VERSION_LABEL], r.error));
  }
  if (has(AUDIT_LEVEL_LABEL)) {
    const r = parseLevel(l[AUDIT_LEVEL_LABEL]);
    p.audit.level = r.ok ? r.value : 'privileged'; // fail open for audit
    if (!r.ok) diagnostics.push(labelError('pss_invalid_level', AUDIT_LEVEL_LABEL, l[AUDIT_LEVEL_LABEL], r.error));
  }
  if (has(AUDIT_VERSION_LABEL)) {
    const r = parseVersion(l[AUDIT_VERSION_LABEL]);
    p.audit.version = r.value;
    if (!r.ok) diagnostics.push(labelError('pss_invalid_version', AUDIT_VERSION_LABEL, l[AUDIT_VERSION_LABEL], r.error));
  }
  const hasWarnLevel = has(WARN_LEVEL_LABEL);
  if (hasWarnLevel) {
    const r = parseLevel(l[WARN_LEVEL_LABEL]);
    p.warn.level = r.ok ? r.value : 'privileged'; // fail open for warn
    if (!r.ok) diagnostics.push(labelError('pss_invalid_level', WARN_LEVEL_LABEL, l[WARN_LEVEL_LABEL], r.error));
  }
  const hasWarnVersion = has(WARN_VERSION_LABEL);
  if (hasWarnVersion) {
    const r = parseVersion(l[WARN_VERSION_LABEL]);
    p.warn.version = r.value;
    if (!r.ok) diagnostics.push(labelError('pss_invalid_version', WARN_VERSION_LABEL, l[WARN_VERSION_LABEL], r.error));
  }
  if (!hasWarnLevel && hasEnforceLevel && compareLevels(p.enforce.level, p.warn.level) > 0) {
    p.warn.level = p.enforce.level;
    if (!hasWarnVersion) p.warn.version = p.enforce.version;
  }

  const out: ParsedNamespaceLabels = {
    policy: p,
    diagnostics,
    hasLabels: [ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL, AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL, WARN_LEVEL_LABEL, WARN_VERSION_LABEL].some(has),
  };
  if (p.enforce.level !== 'privileged') out.enforce = p.enforce;
  if (p.audit.level !== 'privileged') out.audit = p.audit;
  if (p.warn.level !== 'privileged') out.warn = p.warn;
  return out;
}

/** "enforce=restricted:latest, audit=..., warn=..." for logs and docs. */
export function describeNamespacePolicy(p: NamespacePolicy): string {
  const f = (lv: LevelVersion): string => `${lv.level}:${formatVersion(lv.version)}`;
  return `enforce=${f(p.enforce)}, audit=${f(p.audit)}, warn=${f(p.warn)}`;
}
