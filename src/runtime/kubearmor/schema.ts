import { SYSCALLS_X86_64 } from '../../compilers/seccomp/syscall-table.js';

/**
 * JSON Schemas of the three KubeArmor policy kinds (security.kubearmor.com/v1), written from the CRDs'
 * openAPIV3Schema: same types, enums, patterns and bounds. `additionalProperties: false` is ours: the API server
 * prunes unknown fields silently, Rampart reports them (as warnings) because a misspelt `fromSource` changes what a
 * rule means. The CRD conformance test checks that every real example gives the same verdict here and under the CRD.
 */
type Schema = Record<string, unknown>;

export type KubeArmorKind = 'KubeArmorPolicy' | 'KubeArmorClusterPolicy' | 'KubeArmorHostPolicy';

const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const action: Schema = { type: 'string', enum: ['Allow', 'Audit', 'Block'] };
const severity: Schema = { type: 'integer', minimum: 1, maximum: 10 };
const tags: Schema = { type: 'array', items: str };
const FILE_PATH = '^\\/+.*[^\\/]$';
const DIR_PATH = '^\\/$|^\\/.*\\/$';
const filePath: Schema = { type: 'string', maxLength: 200, pattern: FILE_PATH };
const common = { severity, tags, message: str, action };

/** KubeArmor's syscall enum is the x86_64 table up to rseq (334). */
export const KUBEARMOR_SYSCALLS: readonly string[] = Object.entries(SYSCALLS_X86_64)
  .filter(([, nr]) => nr <= 334)
  .sort((a, b) => a[1] - b[1])
  .map(([n]) => n);

const CAPABILITY_PATTERN =
  '(chown|dac_override|dac_read_search|fowner|fsetid|kill|setgid|setuid|setpcap|linux_immutable|net_bind_service|net_broadcast|net_admin|net_raw|ipc_lock|ipc_owner|sys_module|sys_rawio|sys_chroot|sys_ptrace|sys_pacct|sys_admin|sys_boot|sys_nice|sys_resource|sys_time|sys_tty_config|mknod|lease|audit_write|audit_control|setfcap|mac_override|mac_admin)$';
const PROTOCOL_PATTERN =
  '(tcp|TCP|udp|UDP|raw|RAW|icmp|ICMP|icmpv6|ICMPV6|sctp|SCTP|stream|STREAM|dgram|DGRAM|rdm|RDM|seqpacket|SEQPACKET|dccp|DCCP|packet|PACKET|all|ALL)$';

function obj(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: 'object', properties, additionalProperties: false, ...(required.length ? { required } : {}) };
}
const arr = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const fromSource = arr(obj({ path: filePath }));
const section = (props: Record<string, Schema>): Schema => obj({ ...props, ...common });

function processSection(): Schema {
  return section({
    matchPaths: arr(
      obj({ path: filePath, execname: { type: 'string', pattern: '^[^\\/]+$' }, allowedArgs: arr(str, { maxItems: 20 }), ownerOnly: bool, pts: bool, fromSource, ...common }),
    ),
    matchDirectories: arr(obj({ dir: { type: 'string', pattern: DIR_PATH }, recursive: bool, ownerOnly: bool, pts: bool, fromSource, ...common }, ['dir'])),
    matchPatterns: arr(obj({ pattern: str, ownerOnly: bool, ...common }, ['pattern'])),
  });
}

function fileSection(): Schema {
  return section({
    matchPaths: arr(obj({ path: filePath, readOnly: bool, ownerOnly: bool, pts: bool, fromSource, ...common }, ['path'])),
    matchDirectories: arr(obj({ dir: { type: 'string', pattern: DIR_PATH }, recursive: bool, readOnly: bool, ownerOnly: bool, pts: bool, fromSource, ...common }, ['dir'])),
    matchPatterns: arr(obj({ pattern: str, readOnly: bool, ownerOnly: bool, ...common }, ['pattern'])),
  });
}

function networkSection(host: boolean): Schema {
  const proto: Record<string, Schema> = { protocol: { type: 'string', pattern: PROTOCOL_PATTERN }, fromSource, ...common };
  if (!host) proto.pts = bool;
  return section({
    matchProtocols: arr(obj(proto, host ? ['protocol', 'fromSource'] : ['protocol'])),
    matchDNSQueries: arr(obj({ domain: str, fromSource, ...common }, ['domain'])),
  });
}

function capabilitiesSection(host: boolean): Schema {
  return section({
    matchCapabilities: arr(obj({ capability: { type: 'string', pattern: CAPABILITY_PATTERN }, fromSource, ...common }, host ? ['capability', 'fromSource'] : ['capability'])),
  });
}

function syscallsSection(): Schema {
  const syscall = arr({ type: 'string', enum: [...KUBEARMOR_SYSCALLS] });
  const src = arr(obj({ path: filePath, dir: str, recursive: bool }));
  return obj({
    matchSyscalls: arr(obj({ syscall, fromSource: src, ...common })),
    matchPaths: arr(obj({ path: { type: 'string', pattern: `(${FILE_PATH})|(${DIR_PATH})` }, recursive: bool, syscall, fromSource: src, ...common })),
    severity,
    tags,
    message: str,
  });
}

const matchLabels: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const expression = (keys: string[]): Schema => obj({ key: { type: 'string', enum: keys }, operator: { type: 'string', enum: ['In', 'NotIn'] }, values: arr(str) });

/** The schema of `spec` for a kind. */
export function specSchema(kind: KubeArmorKind): Schema {
  const host = kind === 'KubeArmorHostPolicy';
  const props: Record<string, Schema> = {
    process: processSection(),
    file: fileSection(),
    network: networkSection(host),
    capabilities: capabilitiesSection(host),
    syscalls: syscallsSection(),
    apparmor: str,
    ...common,
  };
  if (kind === 'KubeArmorPolicy') props.selector = obj({ matchLabels, matchExpressions: arr(expression(['label'])) });
  if (kind === 'KubeArmorClusterPolicy') props.selector = obj({ matchExpressions: arr(expression(['namespace', 'label'])) });
  if (kind !== 'KubeArmorHostPolicy') props.presets = arr(obj({ name: str, action }));
  if (host) {
    props.nodeSelector = obj({ matchLabels });
    props.device = section({
      matchDevice: arr(
        obj({ class: str, subClass: { type: 'integer' }, protocol: { type: 'integer' }, level: { type: 'integer', minimum: 1 }, ...common }, ['class']),
      ),
    });
  }
  return { ...obj(props, host ? ['nodeSelector'] : []) };
}
