import { joinQuote, pluralize, sortedSet } from '../go-format.js';
import { ALLOWED, forbidden, list, obj, str, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

/** Inline volume sources the restricted level allows. */
const ALLOWED_SOURCES = [
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret',
] as const;

/** Restricted sources in the order upstream's switch tests them (the first set one names the type). */
const RESTRICTED_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd',
  'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk',
  'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos',
] as const;

/**
 * check_restrictedVolumes.go restrictedVolumes_1_0: only the allowed inline sources; a volume with no known
 * source at all is reported as type "unknown".
 */
export function restrictedVolumes_1_0(pod: PodView): CheckOutcome {
  const bad: string[] = [];
  const types: string[] = [];
  const paths: FieldPath[] = [];
  list(pod.spec.volumes).forEach((v, i) => {
    if (v !== null && !obj(v)) return;
    const volume = obj(v) ?? {};
    if (ALLOWED_SOURCES.some((s) => obj(volume[s]))) return;
    bad.push(str(volume.name));
    const source = RESTRICTED_SOURCES.find((s) => obj(volume[s]));
    types.push(source ?? 'unknown');
    paths.push(source ? ['spec', 'volumes', i, source] : ['spec', 'volumes', i]);
  });
  if (bad.length === 0) return ALLOWED;
  const unique = sortedSet(types);
  return forbidden(
    'restricted volume types',
    `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ` +
      `${pluralize('restricted volume type', 'restricted volume types', unique.length)} ${joinQuote(unique)}`,
    paths,
  );
}
