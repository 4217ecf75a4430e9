import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { Mode, PolicyMeta, RuleResult } from '../../core/policy-types.js';
import { formatFieldPath, type FieldPath } from '../../core/span.js';
import { isObject, type KObject } from '../../k8s/object.js';
import { podTemplateOf, POD_BEARING_KINDS, type PodTemplateRef } from '../../k8s/podspec.js';
import type { CompiledPolicy, EvalContext } from '../../policy/engine.js';
import { evaluatePod, formatCheckMessage, formatPsaMessage, type PssCheckResult } from './evaluate.js';
import { parseNamespacePolicyLabels, type NamespacePolicy } from './namespace.js';
import { CHECK_INFO } from './rules.js';
import { effectiveVersion, formatLevelVersion, formatVersion, NEWEST_KNOWN_VERSION, parseLevel, parseVersion, type LevelVersion, type PssLevel, type PssVersion } from './version.js';

const POD_KINDS = new Set(POD_BEARING_KINDS);

/** Maps a pod-relative path ("metadata"/"spec" first) to the path inside the object that carries the pod. */
export function podPathToObjectPath(ref: Pick<PodTemplateRef, 'metadataPath' | 'specPath'>, podPath: FieldPath): FieldPath {
  if (podPath[0] === 'metadata') return [...ref.metadataPath, ...podPath.slice(1)];
  if (podPath[0] === 'spec') return [...ref.specPath, ...podPath.slice(1)];
  return podPath;
}

const LEVEL_TITLES: Record<PssLevel, string> = {
  privileged: 'Pod Security Standards: privileged (unrestricted)',
  baseline: 'Pod Security Standards: baseline',
  restricted: 'Pod Security Standards: restricted',
};

export interface PssPolicyOptions {
  level: PssLevel | string;
  /** "latest" (default), "v1.30", or a parsed version. */
  version?: PssVersion | string;
  /** Also return a `pass` result per check that ran and allowed the pod. Default false: failures only. */
  includePassing?: boolean;
}

export interface PssPolicyResult {
  /** Undefined when the level or version is invalid (see diagnostics). */
  policy?: CompiledPolicy;
  diagnostics: Diagnostic[];
}

/** Parses a level and version given as text (CLI flags, config) into diagnostics with pss_* codes. */
export function parseLevelVersion(level: string, version: string | PssVersion = 'latest'): { value?: LevelVersion; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const l = parseLevel(level);
  if (!l.ok) {
    const near = parseLevel(level.trim().toLowerCase());
    diagnostics.push(
      diag('pss_invalid_level', `invalid Pod Security level ${JSON.stringify(level)}: ${l.error}`, {
        help: near.ok ? `did you mean "${near.value}"?` : 'use privileged, baseline or restricted',
      }),
    );
  }
  let v: PssVersion;
  if (typeof version === 'string') {
    const pv = parseVersion(version);
    v = pv.value;
    if (!pv.ok) {
      diagnostics.push(
        diag('pss_invalid_version', `invalid Pod Security version ${JSON.stringify(version)}: ${pv.error}`, {
          help: versionHint(version),
        }),
      );
    }
  } else {
    v = version;
  }
  if (diagnostics.length > 0) return { diagnostics };
  return { value: { level: l.value, version: v }, diagnostics };
}

/** A fix-it for near-miss versions ("1.25", "V1.025", " latest") or the general rule. */
function versionHint(version: string): string {
  const m = /^\s*v?1\.0*([0-9]+)\s*$/i.exec(version);
  if (m) return `did you mean "v1.${Number(m[1])}"?`;
  if (version.trim().toLowerCase() === 'latest') return 'did you mean "latest"?';
  return `use "latest" or a version such as "v1.30" (checks are known up to ${formatVersion(NEWEST_KNOWN_VERSION)})`;
}

function metaFor(level: PssLevel): PolicyMeta {
  return {
    id: `pss.${level}.v1`,
    title: LEVEL_TITLES[level],
    severity: level === 'restricted' ? 'medium' : level === 'baseline' ? 'high' : 'info',
    engine: 'pss',
    remediation: 'Follow each check\'s remediation; see https://kubernetes.io/docs/concepts/security/pod-security-standards/',
    frameworks: { cis: ['5.2.1'], nist: ['AC-6', 'CM-7'], mitre: ['T1611'] },
  };
}

function mayApply(kind: string): boolean {
  return POD_KINDS.has(kind);
}

interface ResultContext {
  policyId: string;
  ref: PodTemplateRef;
  lv: LevelVersion;
  results: PssCheckResult[];
  mode?: Mode;
  includePassing: boolean;
}

/** One RuleResult per failing check (and per passing one when asked), with object paths and per-check metadata. */
function toRuleResults(c: ResultContext): RuleResult[] {
  const psaMessage = formatPsaMessage(c.lv.level, c.lv.version, c.results, { mode: c.mode ?? 'enforce' });
  const effective = effectiveVersion(c.lv.version);
  const out: RuleResult[] = [];
  for (const r of c.results) {
    if (r.allowed && !c.includePassing) continue;
    const info = CHECK_INFO[r.checkId];
    const paths = r.paths.map((p) => podPathToObjectPath(c.ref, p));
    const result: RuleResult = {
      policyId: c.policyId,
      rule: r.checkId,
      status: r.allowed ? 'pass' : 'fail',
      message: r.allowed ? `${r.checkId}: allowed` : formatCheckMessage(r),
      title: info.title,
      severity: info.severity,
      remediation: info.remediation,
      frameworks: info.frameworks,
      details: {
        level: c.lv.level,
        version: formatVersion(c.lv.version),
        effectiveVersion: `v${effective.major}.${effective.minor}`,
        checkLevel: r.checkLevel,
        ...(r.allowed
          ? {}
          : {
              forbiddenReason: r.forbiddenReason,
              forbiddenDetail: r.forbiddenDetail ?? '',
              paths: paths.map(formatFieldPath),
              psaMessage,
            }),
      },
    };
    if (!r.allowed && paths.length > 0) result.path = paths[0];
    else if (!r.allowed) result.path = c.ref.specPath;
    if (c.mode) result.mode = c.mode;
    out.push(result);
  }
  return out;
}

function errorResult(policyId: string, e: unknown): RuleResult {
  return {
    policyId,
    rule: 'pss',
    status: 'error',
    message: `Pod Security evaluation failed: ${e instanceof Error ? e.message : String(e)}`,
  };
}

/**
 * A CompiledPolicy that checks every pod-bearing object (Pod, PodTemplate, ReplicationController, Deployment,
 * ReplicaSet, StatefulSet, DaemonSet, Job, CronJob) against one level and version. Results: one `fail` per
 * failing check (rule = upstream check id), message = that check's PSA text, path inside the object.
 */
export function createPssPolicy(options: PssPolicyOptions): PssPolicyResult {
  const parsed = parseLevelVersion(options.level, options.version ?? 'latest');
  if (!parsed.value) return { diagnostics: parsed.diagnostics };
  const lv = parsed.value;
  const meta = metaFor(lv.level);
  const includePassing = options.includePassing ?? false;
  const policy: CompiledPolicy = {
    meta,
    mayApply,
    evaluate(ctx: EvalContext): RuleResult[] {
      try {
        const obj = ctx.object;
        if (!obj) return [];
        const ref = podTemplateOf(obj);
        if (!ref) return [];
        const results = evaluatePod(lv.level, lv.version, ref.metadata, ref.spec);
        return toRuleResults({ policyId: meta.id, ref, lv, results, includePassing });
      } catch (e) {
        return [errorResult(meta.id, e)];
      }
    },
  };
  return { policy, diagnostics: [] };
}

export const NAMESPACE_LABEL_POLICY_ID = 'pss.namespace-labels.v1';

const MODE_ORDER: readonly Mode[] = ['enforce', 'warn', 'audit'];

/** The namespace's labels when ctx.namespaceObject is a Namespace. */
function namespaceLabels(ns: KObject | undefined): Record<string, unknown> | undefined {
  if (!ns || ns.kind !== 'Namespace') return undefined;
  const m = ns.metadata;
  return isObject(m) && isObject(m.labels) ? m.labels : undefined;
}

/** Diagnostics for a Namespace object's invalid pod-security.kubernetes.io labels (call when loading objects). */
export function namespaceLabelDiagnostics(ns: KObject): Diagnostic[] {
  return parseNamespacePolicyLabels(namespaceLabels(ns)).diagnostics;
}

/**
 * A CompiledPolicy that applies the Pod Security labels of the object's Namespace (ctx.namespaceObject):
 * each mode with a non-privileged level evaluates the pod, and each failing check becomes a result with
 * RuleResult.mode = enforce | audit | warn. A check failing identically under several modes is reported once,
 * with the strongest mode (enforce > warn > audit) and every mode in details.modes. As upstream does for pods,
 * warn results are dropped when enforce already fails. Upstream admits controllers (Deployments...) with
 * warnings only and enforces on their pods; by default Rampart reports enforce on the controller, since its pods
 * would be rejected (enforceControllers: false restores upstream's behaviour). Invalid labels fall back as
 * upstream does and are listed in details.labelErrors.
 */
export function createNamespaceLabelPolicy(
  options: {
    includePassing?: boolean;
    /** AdmissionConfiguration defaults for unlabelled modes; the API server's privileged:latest when omitted. */
    defaults?: NamespacePolicy;
    /**
     * Default true: the enforce label also applies to pod controllers (their pods would be rejected).
     * false: upstream's admission semantics, where controllers are only audited and warned.
     */
    enforceControllers?: boolean;
  } = {},
): CompiledPolicy {
  const meta: PolicyMeta = {
    id: NAMESPACE_LABEL_POLICY_ID,
    title: 'Pod Security Standards from namespace labels',
    severity: 'high',
    engine: 'pss',
    remediation: 'Make the pod meet the level its namespace labels (pod-security.kubernetes.io/*) require.',
    frameworks: { cis: ['5.2.1'], nist: ['AC-6', 'CM-7'], mitre: ['T1611'] },
  };
  return {
    meta,
    mayApply,
    evaluate(ctx: EvalContext): RuleResult[] {
      try {
        if (!ctx.object || ctx.namespaceObject?.kind !== 'Namespace') return [];
        const parsed = parseNamespacePolicyLabels(namespaceLabels(ctx.namespaceObject), options.defaults);
        if (!parsed.enforce && !parsed.audit && !parsed.warn) return [];
        const ref = podTemplateOf(ctx.object);
        if (!ref) return [];
        const labelErrors = parsed.diagnostics.map((d) => d.message);
        const cache = new Map<string, PssCheckResult[]>();
        const byKey = new Map<string, RuleResult>();
        let enforceFailed = false;
        const isController = ctx.object.kind !== 'Pod';
        for (const mode of MODE_ORDER) {
          const lv = parsed[mode];
          if (!lv) continue;
          if (mode === 'enforce' && isController && options.enforceControllers === false) continue;
          const key = formatLevelVersion(lv);
          let results = cache.get(key);
          if (!results) cache.set(key, (results = evaluatePod(lv.level, lv.version, ref.metadata, ref.spec)));
          const failed = results.some((r) => !r.allowed);
          if (mode === 'enforce') enforceFailed = failed;
          if (mode === 'warn' && enforceFailed) continue;
          for (const rr of toRuleResults({ policyId: meta.id, ref, lv, results, mode, includePassing: options.includePassing ?? false })) {
            const dedupe = `${rr.rule}\u0000${rr.status}\u0000${rr.message}`;
            const seen = byKey.get(dedupe);
            if (seen) {
              (seen.details!.modes as Mode[]).push(mode);
              continue;
            }
            rr.details = { ...rr.details, modes: [mode], ...(labelErrors.length ? { labelErrors } : {}) };
            byKey.set(dedupe, rr);
          }
        }
        return [...byKey.values()];
      } catch (e) {
        return [errorResult(meta.id, e)];
      }
    },
  };
}

/** createPssPolicy in the shape the app layer uses: a list of policies (empty when the options are invalid). */
export function createPssPolicies(options: PssPolicyOptions): { policies: CompiledPolicy[]; diagnostics: Diagnostic[] } {
  const r = createPssPolicy(options);
  return { policies: r.policy ? [r.policy] : [], diagnostics: r.diagnostics };
}
