import { ALLOWED, forbidden, list, obj, podSecurityContext, str, type CheckOutcome, type Json, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

/** The "safe" sysctls (namespaced and isolated per pod), as each policy version lists them. */
export const SAFE_SYSCTLS_1_0: readonly string[] = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
export const SAFE_SYSCTLS_1_27: readonly string[] = [...SAFE_SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
export const SAFE_SYSCTLS_1_29: readonly string[] = [
  ...SAFE_SYSCTLS_1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
export const SAFE_SYSCTLS_1_32: readonly string[] = [...SAFE_SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
export const SAFE_SYSCTLS_1_37: readonly string[] = [
  ...SAFE_SYSCTLS_1_32,
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_notsent_lowat',
];

/** check_sysctls.go: every spec.securityContext.sysctls[*].name must be in the version's safe set. */
function sysctls(spec: Json, allowed: ReadonlySet<string>): CheckOutcome {
  const bad: string[] = [];
  const paths: FieldPath[] = [];
  const sc = podSecurityContext(spec);
  if (sc) {
    list(sc.sysctls).forEach((s, i) => {
      if (s !== null && !obj(s)) return;
      const name = str(obj(s)?.name);
      if (!allowed.has(name)) {
        bad.push(name);
        paths.push(['spec', 'securityContext', 'sysctls', i, 'name']);
      }
    });
  }
  if (bad.length === 0) return ALLOWED;
  return forbidden('forbidden sysctls', bad.join(', '), paths);
}

function sysctlsCheck(names: readonly string[]): (pod: PodView) => CheckOutcome {
  const allowed = new Set(names);
  return (pod) => sysctls(pod.spec, allowed);
}

export const sysctls_1_0 = sysctlsCheck(SAFE_SYSCTLS_1_0);
export const sysctls_1_27 = sysctlsCheck(SAFE_SYSCTLS_1_27);
export const sysctls_1_29 = sysctlsCheck(SAFE_SYSCTLS_1_29);
export const sysctls_1_32 = sysctlsCheck(SAFE_SYSCTLS_1_32);
export const sysctls_1_37 = sysctlsCheck(SAFE_SYSCTLS_1_37);
