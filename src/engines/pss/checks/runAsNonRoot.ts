import { joinQuote, pluralize } from '../go-format.js';
import { ALLOWED, boolPtr, forbidden, inUserNamespace, podSecurityContext, securityContextOf, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

/**
 * check_runAsNonRoot.go runAsNonRoot1_0: runAsNonRoot=true on the pod or on every container; nobody may set
 * it to false. Explicit false settings are reported before containers that merely leave it unset.
 */
export function runAsNonRoot_1_0(pod: PodView): CheckOutcome {
  const badSetters: string[] = [];
  const explicitPaths: FieldPath[] = [];
  let podRunAsNonRoot = false;
  const podValue = boolPtr(podSecurityContext(pod.spec)?.runAsNonRoot);
  if (podValue === false) {
    badSetters.push('pod');
    explicitPaths.push(['spec', 'securityContext', 'runAsNonRoot']);
  } else if (podValue === true) {
    podRunAsNonRoot = true;
  }

  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  const implicitPaths: FieldPath[] = [];
  for (const c of pod.containers) {
    const value = boolPtr(securityContextOf(c)?.runAsNonRoot);
    const path = [...c.path, 'securityContext', 'runAsNonRoot'];
    if (value !== undefined) {
      if (!value) {
        explicitlyBad.push(c.name);
        explicitPaths.push(path);
      }
    } else if (!podRunAsNonRoot) {
      implicitlyBad.push(c.name);
      implicitPaths.push(path);
    }
  }
  if (explicitlyBad.length > 0) {
    badSetters.push(`${pluralize('container', 'containers', explicitlyBad.length)} ${joinQuote(explicitlyBad)}`);
  }
  if (badSetters.length > 0) {
    return forbidden(
      'runAsNonRoot != true',
      `${badSetters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
      explicitPaths,
    );
  }
  if (implicitlyBad.length > 0) {
    return forbidden(
      'runAsNonRoot != true',
      `pod or ${pluralize('container', 'containers', implicitlyBad.length)} ${joinQuote(implicitlyBad)} ` +
        'must set securityContext.runAsNonRoot=true',
      implicitPaths,
    );
  }
  return ALLOWED;
}

/** 1.35+: any value is allowed in a user namespace (spec.hostUsers=false). */
export function runAsNonRoot_1_35(pod: PodView): CheckOutcome {
  if (inUserNamespace(pod.spec)) return ALLOWED;
  return runAsNonRoot_1_0(pod);
}
