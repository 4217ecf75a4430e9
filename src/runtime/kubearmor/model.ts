import type { FieldPath, SourceSpan } from '../../core/span.js';
import type { KubeArmorKind } from './schema.js';

export type KubeArmorAction = 'Allow' | 'Audit' | 'Block';

/** What every rule carries after KubeArmor's inheritance (rule > section > spec) of action, severity, tags, message. */
export interface RuleCommon {
  action: KubeArmorAction;
  severity: number;
  tags: string[];
  message: string;
  /** metadata.name of the policy the rule belongs to. */
  policyName: string;
  /** Where the rule is in the policy document. */
  at: FieldPath;
  span?: SourceSpan;
}

export interface ProcessPathRule extends RuleCommon {
  kind: 'processPath';
  /** Absolute path of the executable, or undefined when `execname` is used. */
  path?: string;
  /** Base name of the executable (matches any directory). */
  execname?: string;
  ownerOnly: boolean;
  fromSource: string[];
}
export interface ProcessDirRule extends RuleCommon {
  kind: 'processDir';
  dir: string;
  recursive: boolean;
  ownerOnly: boolean;
  fromSource: string[];
}
export interface ProcessPatternRule extends RuleCommon {
  kind: 'processPattern';
  pattern: string;
  ownerOnly: boolean;
}
export interface FilePathRule extends RuleCommon {
  kind: 'filePath';
  path: string;
  readOnly: boolean;
  ownerOnly: boolean;
  fromSource: string[];
}
export interface FileDirRule extends RuleCommon {
  kind: 'fileDir';
  dir: string;
  recursive: boolean;
  readOnly: boolean;
  ownerOnly: boolean;
  fromSource: string[];
}
export interface FilePatternRule extends RuleCommon {
  kind: 'filePattern';
  pattern: string;
  readOnly: boolean;
  ownerOnly: boolean;
}
export interface NetworkRule extends RuleCommon {
  kind: 'network';
  /** Lower-case: tcp, udp, icmp, icmpv6, raw, sctp, stream, dgram, rdm, seqpacket, dccp, packet, all. */
  protocol: string;
  fromSource: string[];
}
export interface CapabilityRule extends RuleCommon {
  kind: 'capability';
  /** Lower-case without the CAP_ prefix, e.g. net_raw. */
  capability: string;
  fromSource: string[];
}
export interface SyscallSource {
  path?: string;
  dir?: string;
  recursive?: boolean;
}
export interface SyscallRule extends RuleCommon {
  kind: 'syscall';
  syscalls: string[];
  fromSource: SyscallSource[];
}
export interface SyscallPathRule extends RuleCommon {
  kind: 'syscallPath';
  syscalls: string[];
  /** A file (no trailing slash) or a directory (trailing slash). */
  target: string;
  recursive: boolean;
  fromSource: SyscallSource[];
}

export type KubeArmorRule =
  | ProcessPathRule
  | ProcessDirRule
  | ProcessPatternRule
  | FilePathRule
  | FileDirRule
  | FilePatternRule
  | NetworkRule
  | CapabilityRule
  | SyscallRule
  | SyscallPathRule;

export type RuleKind = KubeArmorRule['kind'];

export interface SelectorExpression {
  key: 'label' | 'namespace';
  operator: 'In' | 'NotIn';
  values: string[];
}

/** A loaded, validated KubeArmor policy in the shape the decision engine and the compilers use. */
export interface KubeArmorPolicyModel {
  kind: KubeArmorKind;
  name: string;
  /** KubeArmorPolicy only ("default" when the document has none). */
  namespace?: string;
  /** Workload selector (KubeArmorPolicy, KubeArmorClusterPolicy). */
  matchLabels: Record<string, string>;
  matchExpressions: SelectorExpression[];
  /** KubeArmorHostPolicy node selector. */
  nodeSelector: Record<string, string>;
  /** Rules in KubeArmor's matching order: process paths, dirs, patterns; file paths, dirs, patterns; network; capabilities; syscalls. */
  rules: KubeArmorRule[];
  /** A raw AppArmor profile name in spec.apparmor: KubeArmor then ignores the rules for alerts. */
  apparmor?: string;
  span: SourceSpan;
  /** Position of the policy among the loaded ones (file order): KubeArmor applies policies in that order. */
  index: number;
}
