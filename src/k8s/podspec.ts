import type { FieldPath } from '../core/span.js';
import { isObject, type KMetadata, type KObject } from './object.js';

/** The pod an object runs, with the path of the pod template inside the object. */
export interface PodTemplateRef {
  metadata: KMetadata;
  spec: Record<string, unknown>;
  /** Path of the pod's metadata in the object (e.g. ["spec","template","metadata"]). */
  metadataPath: FieldPath;
  /** Path of the pod spec in the object (e.g. ["spec","template","spec"]). */
  specPath: FieldPath;
}

/** Kinds that carry a pod template at spec.template (apps/v1, batch/v1, v1). */
const TEMPLATE_AT_SPEC_TEMPLATE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController']);

export const POD_BEARING_KINDS: readonly string[] = ['Pod', 'PodTemplate', 'CronJob', ...TEMPLATE_AT_SPEC_TEMPLATE];

/** Extracts the pod spec of a Pod or pod controller; undefined for other kinds or objects without one. */
export function podTemplateOf(obj: KObject): PodTemplateRef | undefined {
  const kind = obj.kind;
  let metaPath: FieldPath;
  let specPath: FieldPath;
  if (kind === 'Pod') {
    metaPath = ['metadata'];
    specPath = ['spec'];
  } else if (kind === 'PodTemplate') {
    metaPath = ['template', 'metadata'];
    specPath = ['template', 'spec'];
  } else if (kind === 'CronJob') {
    metaPath = ['spec', 'jobTemplate', 'spec', 'template', 'metadata'];
    specPath = ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  } else if (typeof kind === 'string' && TEMPLATE_AT_SPEC_TEMPLATE.has(kind)) {
    metaPath = ['spec', 'template', 'metadata'];
    specPath = ['spec', 'template', 'spec'];
  } else {
    return undefined;
  }
  const spec = getPath(obj, specPath);
  if (!isObject(spec)) return undefined;
  const m = getPath(obj, metaPath);
  return { metadata: isObject(m) ? (m as KMetadata) : {}, spec, metadataPath: metaPath, specPath };
}

export function getPath(obj: unknown, path: FieldPath): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
