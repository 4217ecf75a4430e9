import { joinQuote, pluralize, sortedSet } from '../go-format.js';
import { ALLOWED, forbidden, obj, podSecurityContext, securityContextOf, str, type CheckOutcome, type Json, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

const TYPES_1_0: ReadonlySet<string> = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const TYPES_1_31: ReadonlySet<string> = new Set([...TYPES_1_0, 'container_engine_t']);

function seLinuxOptions(pod: PodView, allowedTypes: ReadonlySet<string>): CheckOutcome {
  const badSetters: string[] = [];
  const badTypes: string[] = [];
  const paths: FieldPath[] = [];
  let setUser = false;
  let setRole = false;
  const valid = (opts: Json, base: FieldPath): boolean => {
    let ok = true;
    const type = str(opts.type);
    if (!allowedTypes.has(type)) {
      ok = false;
      badTypes.push(type);
      paths.push([...base, 'type']);
    }
    if (str(opts.user).length > 0) {
      ok = false;
      setUser = true;
      paths.push([...base, 'user']);
    }
    if (str(opts.role).length > 0) {
      ok = false;
      setRole = true;
      paths.push([...base, 'role']);
    }
    return ok;
  };

  const podOpts = obj(podSecurityContext(pod.spec)?.seLinuxOptions);
  if (podOpts && !valid(podOpts, ['spec', 'securityContext', 'seLinuxOptions'])) badSetters.push('pod');

  const bad: string[] = [];
  for (const c of pod.containers) {
    const opts = obj(securityContextOf(c)?.seLinuxOptions);
    if (opts && !valid(opts, [...c.path, 'securityContext', 'seLinuxOptions'])) bad.push(c.name);
  }
  if (bad.length > 0) badSetters.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)}`);
  if (badSetters.length === 0) return ALLOWED;

  const badData: string[] = [];
  const types = sortedSet(badTypes);
  if (types.length > 0) badData.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
  if (setUser) badData.push('user may not be set');
  if (setRole) badData.push('role may not be set');
  return forbidden(
    'seLinuxOptions',
    `${badSetters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${badData.join('; ')}`,
    paths,
  );
}

/** check_seLinuxOptions.go seLinuxOptions1_0: type from the allowed set; user and role unset. */
export function seLinuxOptions_1_0(pod: PodView): CheckOutcome {
  return seLinuxOptions(pod, TYPES_1_0);
}

/** 1.31+: container_engine_t is also allowed. */
export function seLinuxOptions_1_31(pod: PodView): CheckOutcome {
  return seLinuxOptions(pod, TYPES_1_31);
}
