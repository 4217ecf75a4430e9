import { joinQuote, pluralize, sortedSet } from '../go-format.js';
import { ALLOWED, forbidden, isWindowsPod, list, obj, securityContextOf, str, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

/** The container runtime's default capability set (baseline may add only these). */
const BASELINE_ALLOWED = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

/** Capability names are strings; a non-string item would fail Go decoding, so it is read as "". */
function capList(v: unknown): string[] {
  return list(v).map((x) => str(x));
}

/** check_capabilities_baseline.go capabilitiesBaseline_1_0: capabilities.add only from the default set. */
export function capabilitiesBaseline_1_0(pod: PodView): CheckOutcome {
  const bad: string[] = [];
  const nonDefault: string[] = [];
  const paths: FieldPath[] = [];
  for (const c of pod.containers) {
    const caps = obj(securityContextOf(c)?.capabilities);
    if (!caps) continue;
    let valid = true;
    capList(caps.add).forEach((cap, i) => {
      if (!BASELINE_ALLOWED.has(cap)) {
        valid = false;
        nonDefault.push(cap);
        paths.push([...c.path, 'securityContext', 'capabilities', 'add', i]);
      }
    });
    if (!valid) bad.push(c.name);
  }
  if (bad.length === 0) return ALLOWED;
  return forbidden(
    'non-default capabilities',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not include ` +
      `${joinQuote(sortedSet(nonDefault))} in securityContext.capabilities.add`,
    paths,
  );
}

/** check_capabilities_restricted.go capabilitiesRestricted_1_22: drop ALL; add at most NET_BIND_SERVICE. */
export function capabilitiesRestricted_1_22(pod: PodView): CheckOutcome {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbiddenCaps: string[] = [];
  const paths: FieldPath[] = [];
  for (const c of pod.containers) {
    const caps = obj(securityContextOf(c)?.capabilities);
    if (!caps) {
      missingDropAll.push(c.name);
      paths.push([...c.path, 'securityContext', 'capabilities', 'drop']);
      continue;
    }
    if (!capList(caps.drop).includes('ALL')) {
      missingDropAll.push(c.name);
      paths.push([...c.path, 'securityContext', 'capabilities', 'drop']);
    }
    let addedForbidden = false;
    capList(caps.add).forEach((cap, i) => {
      if (cap !== 'NET_BIND_SERVICE') {
        addedForbidden = true;
        forbiddenCaps.push(cap);
        paths.push([...c.path, 'securityContext', 'capabilities', 'add', i]);
      }
    });
    if (addedForbidden) addingForbidden.push(c.name);
  }
  const details: string[] = [];
  if (missingDropAll.length > 0) {
    details.push(
      `${pluralize('container', 'containers', missingDropAll.length)} ${joinQuote(missingDropAll)} ` +
        'must set securityContext.capabilities.drop=["ALL"]',
    );
  }
  if (addingForbidden.length > 0) {
    details.push(
      `${pluralize('container', 'containers', addingForbidden.length)} ${joinQuote(addingForbidden)} ` +
        `must not include ${joinQuote(sortedSet(forbiddenCaps))} in securityContext.capabilities.add`,
    );
  }
  if (details.length === 0) return ALLOWED;
  return forbidden('unrestricted capabilities', details.join('; '), paths);
}

/** 1.25+: Windows pods are exempt. */
export function capabilitiesRestricted_1_25(pod: PodView): CheckOutcome {
  if (isWindowsPod(pod.spec)) return ALLOWED;
  return capabilitiesRestricted_1_22(pod);
}
