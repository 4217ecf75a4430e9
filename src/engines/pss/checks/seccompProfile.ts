import { goQuote, joinQuote, pluralize, sortedSet } from '../go-format.js';
import { ALLOWED, forbidden, isWindowsPod, obj, podSecurityContext, securityContextOf, str, stringMap, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

const ANNOTATION_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const ANNOTATION_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function validType(t: string): boolean {
  return t === 'Localhost' || t === 'RuntimeDefault';
}

function validAnnotationValue(v: string): boolean {
  return v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
}

/**
 * check_seccompProfile_baseline.go seccompProfileBaseline_1_0 (v1.0–v1.18): only the alpha annotations are
 * checked (pod, and one per container name); the securityContext fields are not.
 */
export function seccompProfileBaseline_1_0(pod: PodView): CheckOutcome {
  const annotations = stringMap(pod.meta.annotations);
  const found: string[] = [];
  const paths: FieldPath[] = [];
  const check = (key: string): void => {
    if (!Object.prototype.hasOwnProperty.call(annotations, key)) return;
    const value = annotations[key];
    if (!validAnnotationValue(value)) {
      const entry = `${key}=${goQuote(value)}`;
      if (!found.includes(entry)) paths.push(['metadata', 'annotations', key]);
      found.push(entry);
    }
  };
  check(ANNOTATION_POD);
  for (const c of pod.containers) check(ANNOTATION_CONTAINER_PREFIX + c.name);
  if (found.length === 0) return ALLOWED;
  const unique = sortedSet(found);
  return forbidden(
    'seccompProfile',
    `forbidden ${pluralize('annotation', 'annotations', unique.length)} ${unique.join(', ')}`,
    paths,
  );
}

/** Shared by baseline 1.19+ and restricted: explicit bad seccompProfile.type values on the pod and containers. */
function scan(pod: PodView): {
  badSetters: string[];
  badValues: string[];
  explicitPaths: FieldPath[];
  podSet: boolean;
  implicit: { name: string; path: FieldPath }[];
} {
  const badSetters: string[] = [];
  const badValues: string[] = [];
  const explicitPaths: FieldPath[] = [];
  let podSet = false;
  const podProfile = obj(podSecurityContext(pod.spec)?.seccompProfile);
  if (podProfile) {
    if (!validType(str(podProfile.type))) {
      badSetters.push('pod');
      badValues.push(str(podProfile.type));
      explicitPaths.push(['spec', 'securityContext', 'seccompProfile', 'type']);
    } else {
      podSet = true;
    }
  }
  const explicitlyBad: string[] = [];
  const implicit: { name: string; path: FieldPath }[] = [];
  for (const c of pod.containers) {
    const profile = obj(securityContextOf(c)?.seccompProfile);
    if (profile) {
      if (!validType(str(profile.type))) {
        explicitlyBad.push(c.name);
        badValues.push(str(profile.type));
        explicitPaths.push([...c.path, 'securityContext', 'seccompProfile', 'type']);
      }
    } else {
      implicit.push({ name: c.name, path: [...c.path, 'securityContext', 'seccompProfile', 'type'] });
    }
  }
  if (explicitlyBad.length > 0) {
    badSetters.push(`${pluralize('container', 'containers', explicitlyBad.length)} ${joinQuote(explicitlyBad)}`);
  }
  return { badSetters, badValues, explicitPaths, podSet, implicit };
}

function explicitResult(s: ReturnType<typeof scan>): CheckOutcome {
  return forbidden(
    'seccompProfile',
    `${s.badSetters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(s.badValues))}`,
    s.explicitPaths,
  );
}

/** seccompProfileBaseline_1_19 (v1.19+): if set, seccompProfile.type must be RuntimeDefault or Localhost. */
export function seccompProfileBaseline_1_19(pod: PodView): CheckOutcome {
  const s = scan(pod);
  return s.badSetters.length > 0 ? explicitResult(s) : ALLOWED;
}

/**
 * check_seccompProfile_restricted.go seccompProfileRestricted_1_19: seccompProfile.type must be set to
 * RuntimeDefault or Localhost, on the pod or on every container.
 */
export function seccompProfileRestricted_1_19(pod: PodView): CheckOutcome {
  const s = scan(pod);
  if (s.badSetters.length > 0) return explicitResult(s);
  const implicit = s.podSet ? [] : s.implicit;
  if (implicit.length === 0) return ALLOWED;
  const names = implicit.map((x) => x.name);
  return forbidden(
    'seccompProfile',
    `pod or ${pluralize('container', 'containers', names.length)} ${joinQuote(names)} ` +
      'must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
    implicit.map((x) => x.path),
  );
}

/** 1.25+: Windows pods are exempt. */
export function seccompProfileRestricted_1_25(pod: PodView): CheckOutcome {
  if (isWindowsPod(pod.spec)) return ALLOWED;
  return seccompProfileRestricted_1_19(pod);
}
