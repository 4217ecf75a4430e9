import type { Attack, Blocker, Layer } from './attacks.js';
import type { Controls, HostFacts } from './pod-to-oci.js';
import { evaluateSeccomp, seccompDenies } from './seccomp-conditional.js';

/** A layer predicted to stop an attack, with the answer the kernel gives when it does. */
export interface LayerHit {
  layer: Layer;
  /** errno name (EPERM, EACCES, EROFS, ENOENT, ENOSYS), SIGSYS for a seccomp kill, or NO_ESCALATION. */
  errno: string;
  why: string;
}

/** A layer outside the sandbox (KubeArmor, AppArmor on a node without the LSM) that would stop the attack. */
export interface UnverifiableHit {
  layer: Layer;
  why: string;
}

export interface Expectation {
  expected: 'blocked' | 'allowed';
  /** Layers the sandbox enforces that should stop it, in the order the kernel checks them. */
  layers: LayerHit[];
  unverifiable: UnverifiableHit[];
  /** Set when the kernel lacks what the attack needs (it answers ENOSYS before the other layers are reached). */
  kernelMissing?: string;
  notes: string[];
}

/** Runtime-policy coverage of an attack (KubeArmor Block rules, AppArmor rules), computed by the caller. */
export type RuntimePolicyCoverage = (attack: Attack, controls: Controls) => UnverifiableHit[];

const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 13: 'EACCES', 38: 'ENOSYS', 95: 'EOPNOTSUPP' };

/** What the container's controls should do to an attack, layer by layer. */
export function expectAttack(attack: Attack, c: Controls, host: HostFacts, coverage?: RuntimePolicyCoverage): Expectation {
  const layers: LayerHit[] = [];
  const notes: string[] = [];
  let kernelMissing: string | undefined;
  const eff = new Set(c.capabilities.effective);
  const root = c.uid === 0;
  const noCaps = (cap: string) => (root ? `${cap} is not in the effective set` : `uid ${c.uid} has no effective capabilities`);
  for (const b of attack.blockers) {
    const hit = blockerHolds(b);
    if (hit) layers.push(hit);
  }
  if (attack.id === 'setuid-escalation' && root) notes.push('the container already runs as root: there is nothing to escalate');
  const unverifiable = coverage ? coverage(attack, c) : [];
  return { expected: layers.length > 0 || unverifiable.length > 0 ? 'blocked' : 'allowed', layers, unverifiable, kernelMissing, notes };

  function blockerHolds(b: Blocker): LayerHit | undefined {
    switch (b.kind) {
      case 'seccomp': {
        for (const s of b.syscalls) {
          const v = evaluateSeccomp(c.seccomp.profile, s.name, s.args ?? []);
          if (!seccompDenies(v)) continue;
          const errno = v.action === 'SCMP_ACT_ERRNO' ? (ERRNO_NAMES[v.errno ?? 1] ?? `errno ${v.errno}`) : 'SIGSYS';
          return { layer: 'seccomp', errno, why: `${c.seccomp.type} profile: ${s.name} → ${v.action}${v.rule ? '' : ' (default action)'}` };
        }
        return undefined;
      }
      case 'capability':
        return eff.has(b.cap) ? undefined : { layer: 'capabilities', errno: 'EPERM', why: `needs ${b.cap}; ${noCaps(b.cap)}` };
      case 'read-only-root':
        return c.readOnlyRootFilesystem && !underAny(b.path, c.writableMounts)
          ? { layer: 'read-only-rootfs', errno: 'EROFS', why: `${b.path} is on the read-only root filesystem` }
          : undefined;
      case 'read-only-proc': {
        const ro = c.readonlyPaths.find((p) => b.path === p || b.path.startsWith(`${p}/`));
        return ro ? { layer: 'read-only-proc', errno: 'EROFS', why: `the runtime mounts ${ro} read-only (not privileged)` } : undefined;
      }
      case 'dac': {
        if (root) return undefined;
        if (b.access === 'read' && b.group !== undefined && (c.gid === b.group || c.supplementalGroups.includes(b.group))) return undefined;
        if (eff.has('CAP_DAC_OVERRIDE') || (b.access === 'read' && eff.has('CAP_DAC_READ_SEARCH'))) return undefined;
        return { layer: 'non-root-user', errno: 'EACCES', why: `uid ${c.uid} may not ${b.access} a root-owned file` };
      }
      case 'not-owner':
        return root || eff.has('CAP_FOWNER')
          ? undefined
          : { layer: 'non-root-user', errno: 'EPERM', why: `uid ${c.uid} does not own the file and has no CAP_FOWNER` };
      case 'no-new-privs':
        return !root && c.noNewPrivileges
          ? { layer: 'no-new-privileges', errno: 'NO_ESCALATION', why: 'allowPrivilegeEscalation: false sets no_new_privs: setuid bits are ignored' }
          : undefined;
      case 'token-absent':
        return c.serviceAccountToken
          ? undefined
          : { layer: 'service-account-automount', errno: 'ENOENT', why: 'automountServiceAccountToken: false: no token is mounted' };
      case 'userns-disabled':
        return host.userNamespaces || eff.has('CAP_SYS_ADMIN')
          ? undefined
          : { layer: 'kernel', errno: 'EPERM', why: 'the node disables unprivileged user namespaces' };
      case 'kernel-feature':
        if (!host.kernelModules && layers.length === 0) kernelMissing = 'this kernel has no loadable-module support: init_module answers ENOSYS before any permission check';
        return undefined;
    }
  }
}

function underAny(path: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => path === d || path.startsWith(d.endsWith('/') ? d : `${d}/`));
}
