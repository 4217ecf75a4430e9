import { joinQuote, pluralize } from '../go-format.js';
import { ALLOWED, forbidden, inUserNamespace, intPtr, podSecurityContext, securityContextOf, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

/** check_runAsUser.go runAsUser1_23: neither the pod nor a container may set runAsUser=0. */
export function runAsUser_1_23(pod: PodView): CheckOutcome {
  const badSetters: string[] = [];
  const paths: FieldPath[] = [];
  if (intPtr(podSecurityContext(pod.spec)?.runAsUser) === 0) {
    badSetters.push('pod');
    paths.push(['spec', 'securityContext', 'runAsUser']);
  }
  const bad: string[] = [];
  for (const c of pod.containers) {
    if (intPtr(securityContextOf(c)?.runAsUser) === 0) {
      bad.push(c.name);
      paths.push([...c.path, 'securityContext', 'runAsUser']);
    }
  }
  if (bad.length > 0) badSetters.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)}`);
  if (badSetters.length === 0) return ALLOWED;
  return forbidden('runAsUser=0', `${badSetters.join(' and ')} must not set runAsUser=0`, paths);
}

/** 1.35+: any value is allowed in a user namespace (spec.hostUsers=false). */
export function runAsUser_1_35(pod: PodView): CheckOutcome {
  if (inUserNamespace(pod.spec)) return ALLOWED;
  return runAsUser_1_23(pod);
}
