import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { KubeArmorPolicyModel, KubeArmorRule } from '../../runtime/kubearmor/model.js';
import { buildSeccompProfile, type SeccompArch, type SeccompArg, type SeccompBuild, type SeccompSyscallRule } from './profile.js';

const AF_INET = 2;
const AF_INET6 = 10;
const TYPE: Record<string, number> = { stream: 1, dgram: 2, raw: 3, rdm: 4, seqpacket: 5, dccp: 6, packet: 10 };
const PROTO: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58, sctp: 132 };

const typeIs = (t: number): SeccompArg => ({ index: 1, value: 0xf, valueTwo: t, op: 'SCMP_CMP_MASKED_EQ' });
const domainIs = (d: number): SeccompArg => ({ index: 0, value: d, op: 'SCMP_CMP_EQ' });
const protoIs = (p: number): SeccompArg => ({ index: 2, value: p, op: 'SCMP_CMP_EQ' });

/** socket(2) argument filters that select a KubeArmor protocol (OR of AND-ed comparisons). */
export function socketFilters(protocol: string): SeccompArg[][] | undefined {
  switch (protocol) {
    case 'tcp':
      return [AF_INET, AF_INET6].map((d) => [domainIs(d), typeIs(TYPE.stream)]);
    case 'udp':
      return [AF_INET, AF_INET6].map((d) => [domainIs(d), typeIs(TYPE.dgram)]);
    case 'icmp':
      return [[domainIs(AF_INET), protoIs(PROTO.icmp)]];
    case 'icmpv6':
      return [[domainIs(AF_INET6), protoIs(PROTO.icmpv6)]];
    case 'sctp':
      return [[protoIs(PROTO.sctp)]];
    case 'all':
      return [[domainIs(AF_INET)], [domainIs(AF_INET6)]];
    default:
      return TYPE[protocol] !== undefined ? [[typeIs(TYPE[protocol])]] : undefined;
  }
}

/**
 * KubeArmor policies → a seccomp profile that allows by default and:
 * - logs (SCMP_ACT_LOG) the syscalls of `syscalls.matchSyscalls` rules without fromSource (KubeArmor audits them);
 * - denies with EPERM the socket(2) calls of container-wide network Block rules (argument filters on domain, type
 *   and protocol).
 * Everything seccomp cannot see (paths, per-binary scope, capabilities) gets a `seccomp_cannot_express` diagnostic
 * naming the layer that can.
 */
export function compileKubeArmorToSeccomp(policies: readonly KubeArmorPolicyModel[], opts: { architectures?: SeccompArch[] } = {}): SeccompBuild {
  const rules: SeccompSyscallRule[] = [];
  const diagnostics: Diagnostic[] = [];
  const cannot = (r: KubeArmorRule, why: string): void => {
    diagnostics.push(diag('seccomp_cannot_express', `${r.policyName}: ${why}`, { severity: 'info', span: r.span, path: r.at }));
  };
  for (const p of policies) {
    for (const r of p.rules) {
      switch (r.kind) {
        case 'syscall':
          if (r.fromSource.length > 0) cannot(r, 'syscall rule with fromSource: seccomp has no per-binary scope (KubeArmor monitor only)');
          else rules.push({ names: r.syscalls, action: 'SCMP_ACT_LOG' });
          break;
        case 'syscallPath':
          cannot(r, 'syscall rule on a path: seccomp cannot compare path arguments (KubeArmor monitor only)');
          break;
        case 'network': {
          if (r.action !== 'Block') {
            if (r.action === 'Allow') cannot(r, 'network Allow rule: a seccomp allowlist of protocols is not generated (use --to apparmor with posture block)');
            break;
          }
          if (r.fromSource.length > 0) {
            cannot(r, `network ${r.protocol} from ${r.fromSource.join(', ')}: seccomp has no per-binary scope (AppArmor child profile enforces it)`);
            break;
          }
          const filters = socketFilters(r.protocol);
          if (!filters) {
            cannot(r, `network protocol ${r.protocol} has no socket(2) filter`);
            break;
          }
          for (const args of filters) rules.push({ names: ['socket'], action: 'SCMP_ACT_ERRNO', args });
          break;
        }
        case 'capability':
          cannot(r, `capability ${r.capability}: capabilities are checked after seccomp; drop it in securityContext.capabilities (AppArmor/BPF-LSM enforce the rule)`);
          break;
        default:
          cannot(r, `${r.kind} rule: seccomp cannot see paths (AppArmor/BPF-LSM enforce it)`);
      }
    }
  }
  const built = buildSeccompProfile({ defaultAction: 'SCMP_ACT_ALLOW', architectures: opts.architectures, rules });
  return { profile: built.profile, diagnostics: [...diagnostics, ...built.diagnostics] };
}
