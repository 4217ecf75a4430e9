import type { KubeArmorRule } from '../runtime/kubearmor/model.js';

/**
 * Which layer enforces a KubeArmor rule on a target node, and which cannot. Rampart never reports a layer as
 * enforcing where the node cannot enforce it: an AppArmor rule on a node without the AppArmor LSM is "unavailable".
 */
export type Layer = 'apparmor' | 'bpf-lsm' | 'seccomp' | 'networkpolicy' | 'monitor';
export type Coverage = 'enforces' | 'partial' | 'audits' | 'cannot' | 'unavailable';

export interface NodeTarget {
  /** The node's LSM has AppArmor (kernel + apparmor_parser + profiles loaded). */
  apparmor: boolean;
  /** The node runs KubeArmor's BPF-LSM enforcer (kernel with lsm=bpf). */
  bpfLsm: boolean;
  /** The container runtime applies seccomp profiles (true on every current runtime). */
  seccomp: boolean;
}

export const DEFAULT_TARGET: NodeTarget = { apparmor: true, bpfLsm: false, seccomp: true };

export interface LayerVerdict {
  layer: Layer;
  coverage: Coverage;
  note: string;
}

/**
 * The layer map for one rule (docs/runtime.md prints the same table). An Allow rule is only enforced when its
 * family's default posture is `block` (`posture`, default audit as KubeArmor's): otherwise the LSMs keep their
 * catch-all and the allowlist is merely audited — reported as such, never as enforcing.
 */
export function ruleLayers(
  rule: KubeArmorRule,
  target: NodeTarget = DEFAULT_TARGET,
  posture: { file?: string; network?: string; capabilities?: string } = {},
): LayerVerdict[] {
  if (rule.action === 'Allow') {
    const fam = rule.kind === 'network' ? posture.network : rule.kind === 'capability' ? posture.capabilities : posture.file;
    if ((fam ?? 'audit') !== 'block' && rule.kind !== 'syscall' && rule.kind !== 'syscallPath') {
      return [{ layer: 'monitor', coverage: 'audits', note: `Allow rule under the ${fam ?? 'audit'} default posture: what it does not allow is only audited (set the posture to block to enforce)` }];
    }
  }
  const out: LayerVerdict[] = [];
  const lsm = (layer: 'apparmor' | 'bpf-lsm', coverage: Coverage, note: string): void => {
    const present = layer === 'apparmor' ? target.apparmor : target.bpfLsm;
    out.push({ layer, coverage: present ? coverage : 'unavailable', note: present ? note : `${note} (node has no ${layer === 'apparmor' ? 'AppArmor' : 'BPF-LSM'})` });
  };
  const audit = rule.action === 'Audit';
  if (audit) {
    out.push({ layer: 'monitor', coverage: 'audits', note: 'Audit rules are only observed (KubeArmor eBPF monitor / Rampart replay); nothing enforces them' });
    return out;
  }
  switch (rule.kind) {
    case 'processPath':
    case 'processDir':
    case 'processPattern':
      lsm('apparmor', rule.kind === 'processPath' && rule.execname ? 'partial' : 'enforces', rule.kind === 'processPath' && rule.execname ? 'execname becomes /**/name' : 'exec (x) permission');
      lsm('bpf-lsm', 'enforces', 'bprm_check_security hook');
      out.push({ layer: 'seccomp', coverage: 'cannot', note: 'seccomp sees syscall numbers and arguments, never paths' });
      break;
    case 'filePath':
    case 'fileDir':
    case 'filePattern':
      lsm('apparmor', rule.ownerOnly && rule.action === 'Block' ? 'partial' : 'enforces', rule.ownerOnly ? 'ownerOnly uses the owner/other qualifiers' : 'file permissions');
      lsm('bpf-lsm', 'enforces', 'file_open hook');
      out.push({ layer: 'seccomp', coverage: 'cannot', note: 'seccomp cannot see paths' });
      break;
    case 'network':
      lsm('apparmor', ['sctp', 'dccp', 'icmpv6'].includes(rule.protocol) ? (rule.protocol === 'icmpv6' ? 'partial' : 'cannot') : 'enforces', 'network rules by family/type/protocol');
      lsm('bpf-lsm', 'enforces', 'socket_create hook');
      out.push({ layer: 'seccomp', coverage: rule.fromSource.length > 0 ? 'cannot' : 'partial', note: 'socket(2) argument filter on domain/type/protocol; no per-binary scope' });
      out.push({ layer: 'networkpolicy', coverage: 'cannot', note: 'NetworkPolicy selects peers and ports, not protocols per process' });
      break;
    case 'capability':
      lsm('apparmor', 'enforces', 'capability rules');
      lsm('bpf-lsm', 'enforces', 'capable hook');
      out.push({ layer: 'seccomp', coverage: 'cannot', note: 'capabilities are checked in the kernel after seccomp; drop them in securityContext instead' });
      break;
    case 'syscall':
    case 'syscallPath':
      out.push({ layer: 'monitor', coverage: 'audits', note: 'KubeArmor syscall rules are audit-only' });
      out.push({ layer: 'seccomp', coverage: rule.kind === 'syscall' && rule.fromSource.length === 0 ? 'audits' : 'cannot', note: 'compiled to SCMP_ACT_LOG (no path or source scope in seccomp)' });
      break;
  }
  return out;
}
