import type { FieldPath } from '../../core/span.js';
import { goQuote } from './go-format.js';
import { obj, podView, type Json } from './pod.js';
import { checksFor, type CheckId } from './registry.js';
import { formatLevelVersion, parseLevel, parseVersion, type PssLevel, type PssVersion } from './version.js';

/**
 * A level or version given as text is parsed as upstream parses namespace labels: an invalid level means
 * restricted and an invalid version means latest. Use parseLevelVersion first to report bad input instead.
 */
export function toLevel(level: PssLevel | string): PssLevel {
  return parseLevel(level).value;
}
export function toVersion(version: PssVersion | string): PssVersion {
  return typeof version === 'string' ? parseVersion(version).value : version;
}

/** One upstream check's result on one pod (policy.CheckResult plus the check id and offending field paths). */
export interface PssCheckResult {
  checkId: CheckId;
  /** Level the check belongs to (a restricted evaluation also runs baseline checks). */
  checkLevel: 'baseline' | 'restricted';
  allowed: boolean;
  /** Set when not allowed, e.g. "privileged". */
  forbiddenReason?: string;
  /** Optional detail, e.g. `container "app" must not set securityContext.privileged=true`. */
  forbiddenDetail?: string;
  /**
   * Offending fields relative to the pod: they start with "metadata" (annotations) or "spec". A field that must
   * be set but is missing points where it belongs. Map them into a controller with podPathToObjectPath.
   */
  paths: FieldPath[];
}

/**
 * Evaluates a pod (or a pod template's metadata and spec) against a PSS level and version, exactly as upstream
 * policy.Evaluator.EvaluatePod: returns one result per check the level/version runs, in upstream order,
 * allowed ones included. Privileged returns no results. Inputs are plain JSON; anything that is not an object
 * counts as empty.
 */
export function evaluatePod(
  level: PssLevel | string,
  version: PssVersion | string,
  podMetadata: unknown,
  podSpec: unknown,
): PssCheckResult[] {
  const meta: Json = obj(podMetadata) ?? {};
  const spec: Json = obj(podSpec) ?? {};
  const checks = checksFor(toLevel(level), toVersion(version));
  if (checks.length === 0) return [];
  const pod = podView(meta, spec);
  return checks.map((c) => {
    const r = c.check(pod);
    const out: PssCheckResult = { checkId: c.id, checkLevel: c.level, allowed: r.allowed, paths: r.paths };
    if (!r.allowed) {
      out.forbiddenReason = r.forbiddenReason;
      if (r.forbiddenDetail) out.forbiddenDetail = r.forbiddenDetail;
    }
    return out;
  });
}

/** Placeholder upstream uses for a failing check without a reason (never produced by the built-in checks). */
export const UNKNOWN_FORBIDDEN_REASON = 'unknown forbidden reason';

/** One failing check as PSA prints it inside the aggregated message: `reason (detail)` or `reason`. */
export function formatCheckMessage(r: Pick<PssCheckResult, 'forbiddenReason' | 'forbiddenDetail'>): string {
  const reason = r.forbiddenReason || UNKNOWN_FORBIDDEN_REASON;
  return r.forbiddenDetail ? `${reason} (${r.forbiddenDetail})` : reason;
}

/** policy.AggregateCheckResult.ForbiddenDetail(): every failing check, comma-separated; '' when all pass. */
export function aggregateForbiddenDetail(results: readonly Pick<PssCheckResult, 'allowed' | 'forbiddenReason' | 'forbiddenDetail'>[]): string {
  return results.filter((r) => !r.allowed).map(formatCheckMessage).join(', ');
}

/** policy.AggregateCheckResult.ForbiddenReason(): the failing reasons only, comma-separated. */
export function aggregateForbiddenReason(results: readonly Pick<PssCheckResult, 'allowed' | 'forbiddenReason'>[]): string {
  return results
    .filter((r) => !r.allowed)
    .map((r) => r.forbiddenReason || UNKNOWN_FORBIDDEN_REASON)
    .join(', ');
}

export interface PsaMessageOptions {
  /**
   * enforce (default): `violates PodSecurity "restricted:latest": ...` (the denial's cause);
   * audit / warn: `would violate PodSecurity ...` (the audit annotation and the warning header).
   */
  mode?: 'enforce' | 'audit' | 'warn';
}

/**
 * PSA's aggregated message for a level/version and its results, e.g.
 * `violates PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true), ...`.
 * The version printed is the one requested (e.g. v1.99 or latest), as upstream prints it. Undefined when allowed.
 */
export function formatPsaMessage(
  level: PssLevel | string,
  version: PssVersion | string,
  results: readonly Pick<PssCheckResult, 'allowed' | 'forbiddenReason' | 'forbiddenDetail'>[],
  options: PsaMessageOptions = {},
): string | undefined {
  if (results.every((r) => r.allowed)) return undefined;
  const verb = (options.mode ?? 'enforce') === 'enforce' ? 'violates' : 'would violate';
  const lv = { level: toLevel(level), version: toVersion(version) };
  return `${verb} PodSecurity "${formatLevelVersion(lv)}": ${aggregateForbiddenDetail(results)}`;
}

/**
 * The full error message of a denied request as the API server returns it (apierrors.NewForbidden), e.g.
 * `pods "web" is forbidden: violates PodSecurity "baseline:latest": ...`; resource is the plural resource with
 * its group ("pods", "deployments.apps").
 */
export function formatForbiddenError(resource: string, name: string, psaMessage: string): string {
  if (resource === '') return `forbidden: ${psaMessage}`;
  if (name === '') return `${resource} is forbidden: ${psaMessage}`;
  return `${resource} ${goQuote(name)} is forbidden: ${psaMessage}`;
}
