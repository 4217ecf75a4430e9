import { joinQuote, pluralize } from '../go-format.js';
import { ALLOWED, boolPtr, forbidden, obj, podSecurityContext, securityContextOf, type CheckOutcome, type Json, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

function hostProcess(sc: Json | undefined): boolean {
  return boolPtr(obj(sc?.windowsOptions)?.hostProcess) === true;
}

/** check_windowsHostProcess.go windowsHostProcess_1_0: windowsOptions.hostProcess must not be true. */
export function windowsHostProcess_1_0(pod: PodView): CheckOutcome {
  const bad: string[] = [];
  const paths: FieldPath[] = [];
  const podForbidden = hostProcess(podSecurityContext(pod.spec));
  if (podForbidden) paths.push(['spec', 'securityContext', 'windowsOptions', 'hostProcess']);
  for (const c of pod.containers) {
    if (hostProcess(securityContextOf(c))) {
      bad.push(c.name);
      paths.push([...c.path, 'securityContext', 'windowsOptions', 'hostProcess']);
    }
  }
  const setters: string[] = [];
  if (podForbidden) setters.push('pod');
  if (bad.length > 0) setters.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)}`);
  if (setters.length === 0) return ALLOWED;
  return forbidden(
    'hostProcess',
    `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
    paths,
  );
}
