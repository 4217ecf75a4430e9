import { joinQuote, pluralize, sortedSet } from '../go-format.js';
import { ALLOWED, forbidden, inUserNamespace, securityContextOf, strPtr, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

/** check_procMount_baseline.go procMount_1_0: securityContext.procMount unset or "Default", unconditionally. */
export function procMount_1_0(pod: PodView): CheckOutcome {
  const bad: string[] = [];
  const types: string[] = [];
  const paths: FieldPath[] = [];
  for (const c of pod.containers) {
    const procMount = strPtr(securityContextOf(c)?.procMount);
    if (procMount !== undefined && procMount !== 'Default') {
      bad.push(c.name);
      types.push(procMount);
      paths.push([...c.path, 'securityContext', 'procMount']);
    }
  }
  if (bad.length === 0) return ALLOWED;
  return forbidden(
    'procMount',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.procMount to ` +
      joinQuote(sortedSet(types)),
    paths,
  );
}

/** Baseline 1.35+: any procMount is allowed in a user namespace (spec.hostUsers=false). */
export function procMount_1_35_baseline(pod: PodView): CheckOutcome {
  if (inUserNamespace(pod.spec)) return ALLOWED;
  return procMount_1_0(pod);
}
