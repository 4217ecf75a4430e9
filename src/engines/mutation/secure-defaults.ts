import type { FieldPath } from '../../core/span.js';
import { isObject, type KObject } from '../../k8s/object.js';
import { podTemplateOf } from '../../k8s/podspec.js';
import { toPointer, type JsonPatchOp } from './json-patch.js';

/**
 * Which secure defaults the mutating webhook fills in where the object leaves them unset. It never overrides a
 * value the author wrote: an explicit `Unconfined` or `allowPrivilegeEscalation: true` stays and is for the
 * validating policies to judge.
 */
export interface SecureDefaults {
  /** Pod `securityContext.seccompProfile: {type: RuntimeDefault}` when the pod sets no profile. */
  seccompRuntimeDefault: boolean;
  /** Container `securityContext.capabilities.drop` gets `ALL` when it lacks it. */
  dropAllCapabilities: boolean;
  /** Container `securityContext.allowPrivilegeEscalation: false` when unset (not for privileged / CAP_SYS_ADMIN). */
  disallowPrivilegeEscalation: boolean;
  /** Pod `securityContext.runAsNonRoot: true` when neither the pod nor any container sets it. Off by default:
   * images that run as root then fail to start instead of being rejected with a clear message. */
  runAsNonRoot: boolean;
}

export const DEFAULT_SECURE_DEFAULTS: Readonly<SecureDefaults> = Object.freeze({
  seccompRuntimeDefault: true,
  dropAllCapabilities: true,
  disallowPrivilegeEscalation: true,
  runAsNonRoot: false,
});

export type SecureDefaultName = keyof SecureDefaults;

/** One default that was filled in, for audit annotations and logs. */
export interface AppliedMutation {
  mutation: SecureDefaultName;
  path: FieldPath;
}

export interface MutationResult {
  patch: JsonPatchOp[];
  applied: AppliedMutation[];
}

const CONTAINER_LISTS = ['initContainers', 'containers'] as const;

/**
 * JSONPatch that fills the enabled secure defaults into the pod (template) of a Pod or pod controller.
 * Pure and idempotent: applying the patch and computing again yields an empty patch. Ephemeral containers are left
 * alone (they are added through a subresource the webhook does not mutate); Windows pods get no Linux-only fields.
 */
export function secureDefaultsPatch(obj: KObject, settings: Readonly<SecureDefaults>): MutationResult {
  const out: MutationResult = { patch: [], applied: [] };
  const pod = podTemplateOf(obj);
  if (!pod) return out;
  const spec = pod.spec;
  const os = isObject(spec.os) ? spec.os.name : undefined;
  if (os === 'windows') return out;

  const podSc = isObject(spec.securityContext) ? spec.securityContext : undefined;
  const podScPath = [...pod.specPath, 'securityContext'];
  const podAdditions: Record<string, unknown> = {};
  const podApplied: AppliedMutation[] = [];

  if (settings.seccompRuntimeDefault && podSc?.seccompProfile === undefined && !hasLegacySeccompAnnotation(pod.metadata.annotations)) {
    podAdditions.seccompProfile = { type: 'RuntimeDefault' };
    podApplied.push({ mutation: 'seccompRuntimeDefault', path: [...podScPath, 'seccompProfile'] });
  }
  if (settings.runAsNonRoot && podSc?.runAsNonRoot === undefined && !anyContainerSets(spec, 'runAsNonRoot')) {
    podAdditions.runAsNonRoot = true;
    podApplied.push({ mutation: 'runAsNonRoot', path: [...podScPath, 'runAsNonRoot'] });
  }
  addFields(out, podScPath, podSc, podAdditions);
  out.applied.push(...podApplied);

  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c, i) => {
      if (!isObject(c)) return;
      mutateContainer(out, [...pod.specPath, list, i], c, settings);
    });
  }
  return out;
}

function mutateContainer(out: MutationResult, cPath: FieldPath, c: Record<string, unknown>, settings: Readonly<SecureDefaults>): void {
  const sc = isObject(c.securityContext) ? c.securityContext : undefined;
  const scPath = [...cPath, 'securityContext'];
  const additions: Record<string, unknown> = {};
  const caps = sc && isObject(sc.capabilities) ? sc.capabilities : undefined;
  const added = caps && Array.isArray(caps.add) ? caps.add.map(String) : [];
  // The API server rejects allowPrivilegeEscalation=false together with privileged or CAP_SYS_ADMIN.
  const mayEscalate = sc?.privileged === true || added.some((a) => a === 'SYS_ADMIN' || a === 'CAP_SYS_ADMIN');
  if (settings.disallowPrivilegeEscalation && sc?.allowPrivilegeEscalation === undefined && !mayEscalate) {
    additions.allowPrivilegeEscalation = false;
    out.applied.push({ mutation: 'disallowPrivilegeEscalation', path: [...scPath, 'allowPrivilegeEscalation'] });
  }
  if (settings.dropAllCapabilities) {
    const capsPath = [...scPath, 'capabilities'];
    if (!caps) {
      additions.capabilities = { drop: ['ALL'] };
      out.applied.push({ mutation: 'dropAllCapabilities', path: capsPath });
    } else if (!Array.isArray(caps.drop)) {
      out.patch.push({ op: 'add', path: toPointer([...capsPath, 'drop']), value: ['ALL'] });
      out.applied.push({ mutation: 'dropAllCapabilities', path: [...capsPath, 'drop'] });
    } else if (!caps.drop.includes('ALL')) {
      out.patch.push({ op: 'add', path: toPointer([...capsPath, 'drop', '-']), value: 'ALL' });
      out.applied.push({ mutation: 'dropAllCapabilities', path: [...capsPath, 'drop'] });
    }
  }
  addFields(out, scPath, sc, additions);
}

/** Adds fields to an object that may not exist yet: one `add` of the whole object, or one `add` per field. */
function addFields(out: MutationResult, path: FieldPath, existing: Record<string, unknown> | undefined, fields: Record<string, unknown>): void {
  const keys = Object.keys(fields);
  if (keys.length === 0) return;
  if (!existing) {
    out.patch.push({ op: 'add', path: toPointer(path), value: fields });
    return;
  }
  for (const k of keys) out.patch.push({ op: 'add', path: toPointer([...path, k]), value: fields[k] });
}

function anyContainerSets(spec: Record<string, unknown>, field: string): boolean {
  for (const list of CONTAINER_LISTS) {
    const cs = spec[list];
    if (!Array.isArray(cs)) continue;
    for (const c of cs) if (isObject(c) && isObject(c.securityContext) && c.securityContext[field] !== undefined) return true;
  }
  return false;
}

function hasLegacySeccompAnnotation(annotations: Record<string, string> | undefined): boolean {
  return isObject(annotations) && 'seccomp.security.alpha.kubernetes.io/pod' in annotations;
}
