import { joinQuote, pluralize } from '../go-format.js';
import { ALLOWED, boolPtr, forbidden, isWindowsPod, securityContextOf, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

/** check_allowPrivilegeEscalation.go (1.8+): every container must set allowPrivilegeEscalation=false. */
export function allowPrivilegeEscalation_1_8(pod: PodView): CheckOutcome {
  const bad: string[] = [];
  const paths: FieldPath[] = [];
  for (const c of pod.containers) {
    if (boolPtr(securityContextOf(c)?.allowPrivilegeEscalation) !== false) {
      bad.push(c.name);
      paths.push([...c.path, 'securityContext', 'allowPrivilegeEscalation']);
    }
  }
  if (bad.length === 0) return ALLOWED;
  return forbidden(
    'allowPrivilegeEscalation != false',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must set securityContext.allowPrivilegeEscalation=false`,
    paths,
  );
}

/** 1.25+: Windows pods (spec.os.name=windows) are exempt. */
export function allowPrivilegeEscalation_1_25(pod: PodView): CheckOutcome {
  if (isWindowsPod(pod.spec)) return ALLOWED;
  return allowPrivilegeEscalation_1_8(pod);
}
