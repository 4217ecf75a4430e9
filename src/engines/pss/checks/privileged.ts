import { joinQuote, pluralize } from '../go-format.js';
import { ALLOWED, boolPtr, forbidden, securityContextOf, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

/** check_privileged.go privileged_1_0: no container may set securityContext.privileged=true. */
export function privileged_1_0(pod: PodView): CheckOutcome {
  const bad: string[] = [];
  const paths: FieldPath[] = [];
  for (const c of pod.containers) {
    if (boolPtr(securityContextOf(c)?.privileged) === true) {
      bad.push(c.name);
      paths.push([...c.path, 'securityContext', 'privileged']);
    }
  }
  if (bad.length === 0) return ALLOWED;
  return forbidden(
    'privileged',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.privileged=true`,
    paths,
  );
}
