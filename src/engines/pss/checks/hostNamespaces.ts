import { ALLOWED, forbidden, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

/** check_hostNamespaces.go hostNamespaces_1_0: hostNetwork, hostPID and hostIPC must not be true. */
export function hostNamespaces_1_0(pod: PodView): CheckOutcome {
  const set: string[] = [];
  const paths: FieldPath[] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod.spec[field] === true) {
      set.push(`${field}=true`);
      paths.push(['spec', field]);
    }
  }
  if (set.length === 0) return ALLOWED;
  return forbidden('host namespaces', set.join(', '), paths);
}
