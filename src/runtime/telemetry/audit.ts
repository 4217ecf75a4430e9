import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from '../../compilers/seccomp/syscall-table.js';
import { createRuntimeEvent, type RuntimeEvent } from './event.js';

/**
 * Kernel audit lines (auditd's audit.log, dmesg or journald copies): AppArmor (type=1400, apparmor="DENIED" /
 * "AUDIT" / "ALLOWED") and SECCOMP (type=1326). Audit lines name no pod: the events are host-scoped unless the
 * AppArmor profile name is KubeArmor's ("kubearmor-<namespace>-..."), which gives the namespace.
 */
export function isAuditLine(line: string): boolean {
  return /type=(1400|1326|AVC|SECCOMP)\b/.test(line) || /\bapparmor="/.test(line);
}

function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z_]+)=("([^"]*)"|'([^']*)'|(\S+))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out[m[1]] ??= m[3] ?? m[4] ?? m[5];
  return out;
}

const byNumber = (table: Readonly<Record<string, number>>): Map<number, string> => new Map(Object.entries(table).map(([n, nr]) => [nr, n]));

const SOCK_TYPES: Record<string, string> = { stream: 'SOCK_STREAM', dgram: 'SOCK_DGRAM', raw: 'SOCK_RAW', seqpacket: 'SOCK_SEQPACKET', rdm: 'SOCK_RDM', packet: 'SOCK_PACKET' };
const PROTOCOLS: Record<string, string> = { '1': 'ICMP', '6': 'TCP', '17': 'UDP', '58': 'ICMPv6', '132': 'SCTP' };

/** Parses one audit line; undefined when it is not an AppArmor or SECCOMP record. */
export function auditLineToEvent(line: string): RuntimeEvent | undefined {
  const ev = auditLineToEventLoose(line);
  return ev ? createRuntimeEvent(ev) : undefined;
}

function auditLineToEventLoose(line: string): RuntimeEvent | undefined {
  if (!isAuditLine(line)) return undefined;
  const f = fields(line);
  const ts = /audit\((\d+)(?:\.\d+)?:\d+\)/.exec(line);
  const base = {
    workload: { labels: {} as Record<string, string> },
    origin: 'audit' as const,
    raw: { line } as Record<string, unknown>,
    ...(ts ? { timestamp: Number(ts[1]) } : {}),
    ...(f.pid ? { pid: Number(f.pid) } : {}),
  };
  const uid = f.fsuid ?? f.uid;
  if (f.type === '1326' || f.type === 'SECCOMP' || (f.syscall && f.code && !f.apparmor)) {
    const arch = (f.arch ?? '').toLowerCase();
    const table = arch === 'c00000b7' ? byNumber(SYSCALLS_AARCH64) : byNumber(SYSCALLS_X86_64);
    const name = table.get(Number(f.syscall)) ?? `syscall_${f.syscall}`;
    const code = parseInt(f.code ?? '0', 16);
    const action = code & 0xffff0000;
    // SECCOMP_RET_LOG / ALLOW pass; ERRNO, TRAP, KILL deny.
    const result = action === 0x7ffc0000 || action === 0x7fff0000 ? 'Passed' : 'Operation not permitted';
    return {
      ...base,
      operation: 'Syscall',
      process: f.exe ?? f.comm ?? '',
      resource: '',
      data: `syscall=SYS_${name.toUpperCase()}`,
      result,
      ...(uid !== undefined ? { uid: Number(uid) } : {}),
    };
  }
  const profile = f.profile ?? '';
  const ns = /^kubearmor-([a-z0-9-]+?)-/.exec(profile);
  if (ns) Object.assign(base.workload, { namespace: ns[1] });
  const result = f.apparmor === 'DENIED' ? 'Permission denied' : 'Passed';
  const op = f.operation ?? '';
  const common = { ...base, process: f.exe ?? f.comm ?? '', result, ...(uid !== undefined ? { uid: Number(uid) } : {}), ...(f.ouid !== undefined ? { ownerUid: Number(f.ouid) } : {}) };
  if (op === 'exec') {
    return { ...common, operation: 'Process', process: f.name ?? '', parentProcess: f.exe ?? f.comm, resource: f.name ?? '', data: 'syscall=SYS_EXECVE' };
  }
  if (op === 'capable') {
    return { ...common, operation: 'Capabilities', resource: `CAP_${(f.capname ?? '').toUpperCase()}` };
  }
  if (f.family || f.sock_type) {
    const domain = f.family === 'inet6' ? 'AF_INET6' : f.family === 'unix' ? 'AF_UNIX' : 'AF_INET';
    const type = SOCK_TYPES[f.sock_type ?? ''] ?? f.sock_type ?? '';
    const protocol = PROTOCOLS[f.protocol ?? ''] ?? f.protocol ?? '0';
    return { ...common, operation: 'Network', resource: `domain=${domain} type=${type} protocol=${protocol}`, data: `syscall=SYS_${op.toUpperCase()}` };
  }
  if (f.name) {
    const mask = f.requested_mask ?? f.denied_mask ?? '';
    const write = /[wacd]/.test(mask);
    return { ...common, operation: 'File', resource: f.name, data: `syscall=SYS_OPENAT flags=${write ? 'O_WRONLY' : 'O_RDONLY'}` };
  }
  return undefined;
}
