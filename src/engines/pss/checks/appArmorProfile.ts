import { goCompare, goQuote, joinQuote, pluralize, sortedSet } from '../go-format.js';
import { ALLOWED, forbidden, obj, podSecurityContext, securityContextOf, str, stringMap, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function allowedAnnotationValue(profile: string): boolean {
  return profile.length === 0 || profile === 'runtime/default' || profile.startsWith('localhost/');
}

function allowedProfileType(t: string): boolean {
  return t === 'RuntimeDefault' || t === 'Localhost';
}

/**
 * check_appArmorProfile.go appArmorProfile_1_0: the appArmorProfile.type fields (pod and containers) may only be
 * RuntimeDefault or Localhost, and the beta annotations only runtime/default, localhost/* or empty.
 * Both the fields and the annotations are checked at every version.
 */
export function appArmorProfile_1_0(pod: PodView): CheckOutcome {
  const badSetters: string[] = [];
  const badValues: string[] = [];
  const paths: FieldPath[] = [];

  const podProfile = obj(podSecurityContext(pod.spec)?.appArmorProfile);
  if (podProfile && !allowedProfileType(str(podProfile.type))) {
    badSetters.push('pod');
    badValues.push(str(podProfile.type));
    paths.push(['spec', 'securityContext', 'appArmorProfile', 'type']);
  }

  const badContainers: string[] = [];
  for (const c of pod.containers) {
    const profile = obj(securityContextOf(c)?.appArmorProfile);
    if (profile && !allowedProfileType(str(profile.type))) {
      badContainers.push(c.name);
      badValues.push(str(profile.type));
      paths.push([...c.path, 'securityContext', 'appArmorProfile', 'type']);
    }
  }
  if (badContainers.length > 0) {
    badSetters.push(`${pluralize('container', 'containers', badContainers.length)} ${joinQuote(badContainers)}`);
  }

  const forbiddenAnnotations: string[] = [];
  const annotationKeys: string[] = [];
  for (const [k, v] of Object.entries(stringMap(pod.meta.annotations))) {
    if (k.startsWith(ANNOTATION_PREFIX) && !allowedAnnotationValue(v)) {
      forbiddenAnnotations.push(`${k}=${goQuote(v)}`);
      annotationKeys.push(k);
    }
  }

  const badValueList = sortedSet(badValues);
  if (forbiddenAnnotations.length > 0) {
    forbiddenAnnotations.sort(goCompare);
    badValueList.push(...forbiddenAnnotations);
    badSetters.push(pluralize('annotation', 'annotations', forbiddenAnnotations.length));
    for (const k of annotationKeys.sort(goCompare)) paths.push(['metadata', 'annotations', k]);
  }

  if (badSetters.length === 0) return ALLOWED;
  return forbidden(
    pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', badValueList.length),
    `${badSetters.join(' and ')} must not set AppArmor profile type to ${joinQuote(badValueList)}`,
    paths,
  );
}
