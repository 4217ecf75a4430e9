/**
 * Linux capabilities as a container runtime computes them from a pod's securityContext.
 * Mirrors containerd's CRI plugin: the default set, then `add: [ALL]`, `drop: [ALL]`, individual adds, individual
 * drops (in that order), all capabilities (those the runtime itself holds) when privileged, and no effective/permitted set for a non-root uid
 * (containerd clears them "the way execve does"; ambient is always empty).
 */

/** Every capability by number (capability.h), CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40. */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** containerd's default capability set (oci.populateDefaultUnixSpec), in its order. */
export const CONTAINERD_DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

export interface OciCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  inheritable: string[];
  ambient: string[];
}

export interface CapabilityInput {
  add?: unknown;
  drop?: unknown;
}

export interface CapabilityProblem {
  /** Index in add/drop and the offending value. */
  field: 'add' | 'drop';
  index: number;
  value: unknown;
  reason: 'not_a_string' | 'has_cap_prefix' | 'unknown';
}

/** Capabilities the running kernel knows: 0..cap_last_cap. */
export function knownCapabilities(capLastCap = ALL_CAPABILITIES.length - 1): string[] {
  return ALL_CAPABILITIES.slice(0, Math.max(0, Math.min(capLastCap, ALL_CAPABILITIES.length - 1)) + 1);
}

/**
 * "All capabilities" as containerd means it for privileged and `add: [ALL]`: cap.Current(), the capabilities of
 * the runtime process itself (its CapEff, hex as in /proc/self/status), limited to the ones the kernel knows.
 */
export function allCapabilities(capLastCap?: number, runtimeCapMask?: string): string[] {
  const known = knownCapabilities(capLastCap);
  if (runtimeCapMask === undefined || !/^[0-9a-fA-F]{1,16}$/.test(runtimeCapMask)) return known;
  const mask = BigInt(`0x${runtimeCapMask}`);
  return known.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/**
 * The capability sets of the container process. `problems` lists entries a runtime would reject or mangle:
 * Kubernetes names carry no CAP_ prefix (containerd prepends one, so "CAP_NET_ADMIN" becomes an unknown
 * "CAP_CAP_NET_ADMIN" and runc refuses it).
 */
export function computeCapabilities(
  caps: CapabilityInput | undefined,
  privileged: boolean,
  uid: number,
  capLastCap?: number,
  runtimeCapMask?: string,
): { capabilities: OciCapabilities; problems: CapabilityProblem[] } {
  const known = allCapabilities(capLastCap, runtimeCapMask);
  const problems: CapabilityProblem[] = [];
  let set: string[] = [...CONTAINERD_DEFAULT_CAPABILITIES];
  if (privileged) {
    set = [...known];
  } else if (caps) {
    const add = namesOf(caps.add, 'add', problems);
    const drop = namesOf(caps.drop, 'drop', problems);
    if (add.includes('ALL')) set = [...known];
    if (drop.includes('ALL')) set = [];
    for (const c of add) if (c !== 'ALL' && !set.includes(`CAP_${c}`)) set.push(`CAP_${c}`);
    const dropped = new Set(drop.filter((c) => c !== 'ALL').map((c) => `CAP_${c}`));
    set = set.filter((c) => !dropped.has(c));
    for (const [field, list] of [['add', caps.add], ['drop', caps.drop]] as const) {
      if (!Array.isArray(list)) continue;
      list.forEach((v, index) => {
        if (typeof v !== 'string') return;
        const up = v.toUpperCase();
        if (up === 'ALL') return;
        if (up.startsWith('CAP_')) problems.push({ field, index, value: v, reason: 'has_cap_prefix' });
        else if (!ALL_CAPABILITIES.includes(`CAP_${up}`)) problems.push({ field, index, value: v, reason: 'unknown' });
      });
    }
  }
  const root = uid === 0;
  return {
    capabilities: {
      bounding: [...set],
      effective: root ? [...set] : [],
      permitted: root ? [...set] : [],
      inheritable: [],
      ambient: [],
    },
    problems,
  };
}

function namesOf(list: unknown, field: 'add' | 'drop', problems: CapabilityProblem[]): string[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    problems.push({ field, index: -1, value: list, reason: 'not_a_string' });
    return [];
  }
  const out: string[] = [];
  list.forEach((v, index) => {
    if (typeof v !== 'string') problems.push({ field, index, value: v, reason: 'not_a_string' });
    else out.push(v.toUpperCase());
  });
  return out;
}
