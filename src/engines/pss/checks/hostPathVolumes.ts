import { joinQuote, pluralize } from '../go-format.js';
import { ALLOWED, forbidden, list, obj, str, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

/** check_hostPathVolumes.go hostPathVolumes_1_0: no volume may be a hostPath. */
export function hostPathVolumes_1_0(pod: PodView): CheckOutcome {
  const bad: string[] = [];
  const paths: FieldPath[] = [];
  list(pod.spec.volumes).forEach((v, i) => {
    const volume = obj(v);
    if (volume && obj(volume.hostPath)) {
      bad.push(str(volume.name));
      paths.push(['spec', 'volumes', i, 'hostPath']);
    }
  });
  if (bad.length === 0) return ALLOWED;
  return forbidden('hostPath volumes', `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`, paths);
}
