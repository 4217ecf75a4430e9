import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from '../../compilers/seccomp/syscall-table.js';

/** What the tracer saw (io/observe RawObservation, structurally): host pids, raw syscall results. */
export type Observation =
  | { kind: 'exec'; time: number; pid: number; ppid: number; uid: number; comm: string; ret: number; path: string; argv0: string }
  | { kind: 'open'; time: number; pid: number; ppid: number; uid: number; comm: string; ret: number; flags: number; path: string }
  | { kind: 'socket'; time: number; pid: number; ppid: number; uid: number; comm: string; ret: number; family: number; type: number; protocol: number }
  | { kind: 'connect'; time: number; pid: number; ppid: number; uid: number; comm: string; ret: number; family: number; port: number; addr: string }
  | { kind: 'fork'; time: number; pid: number; child: number };

/** A seccomp audit record (io/observe SeccompAuditRecord, structurally). */
export interface SeccompRecord {
  time: number;
  pid: number;
  uid: number;
  comm: string;
  exe: string;
  syscall: number;
  code: number;
  arch: string;
}

export interface ObservedWorkload {
  namespace?: string;
  pod?: string;
  container?: string;
  containerId?: string;
  image?: string;
  labels: Record<string, string>;
  host?: string;
}

/**
 * A record in KubeArmor's log format (the fields `karmor logs --json` prints), so every Rampart consumer of
 * telemetry (runtime discover, replay, the observe report) reads `rampart observe` output like KubeArmor's.
 */
export interface KubeArmorLogRecord {
  Timestamp: number;
  UpdatedTime: string;
  HostName?: string;
  NamespaceName?: string;
  PodName?: string;
  Labels?: string;
  ContainerID?: string;
  ContainerName?: string;
  ContainerImage?: string;
  HostPPID: number;
  HostPID: number;
  UID: number;
  ParentProcessName: string;
  ProcessName: string;
  Source: string;
  Operation: 'Process' | 'File' | 'Network' | 'Syscall';
  Resource: string;
  Data: string;
  Result: string;
  Type: 'ContainerLog';
  Enforcer: 'rampart-observe';
}

const ERRNO_TEXT: Record<number, string> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  13: 'Permission denied',
  17: 'File exists',
  20: 'Not a directory',
  21: 'Is a directory',
  30: 'Read-only file system',
  38: 'Function not implemented',
  97: 'Address family not supported by protocol',
  101: 'Network is unreachable',
  111: 'Connection refused',
  115: 'Operation now in progress',
};

const FAMILIES: Record<number, string> = { 1: 'AF_UNIX', 2: 'AF_INET', 10: 'AF_INET6', 16: 'AF_NETLINK', 17: 'AF_PACKET' };
const SOCK_TYPES: Record<number, string> = { 1: 'SOCK_STREAM', 2: 'SOCK_DGRAM', 3: 'SOCK_RAW', 4: 'SOCK_RDM', 5: 'SOCK_SEQPACKET', 6: 'SOCK_DCCP', 10: 'SOCK_PACKET' };
/** IANA names as KubeArmor prints them (0 is HOPOPT). */
const PROTOCOLS: Record<number, string> = { 0: 'HOPOPT', 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP', 255: 'RAW' };
const SECCOMP_ACTIONS: [number, string][] = [
  [0x80000000, 'SCMP_ACT_KILL_PROCESS'],
  [0x00000000, 'SCMP_ACT_KILL_THREAD'],
  [0x00030000, 'SCMP_ACT_TRAP'],
  [0x00050000, 'SCMP_ACT_ERRNO'],
  [0x7ffc0000, 'SCMP_ACT_LOG'],
  [0x7fff0000, 'SCMP_ACT_ALLOW'],
];

export function openFlags(flags: number): string {
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR'][flags & 3] ?? 'O_ACCMODE';
  const bits: [number, string][] = [
    [0o100, 'O_CREAT'],
    [0o200, 'O_EXCL'],
    [0o1000, 'O_TRUNC'],
    [0o2000, 'O_APPEND'],
    [0o4000, 'O_NONBLOCK'],
    [0o200000, 'O_DIRECTORY'],
    [0o400000, 'O_NOFOLLOW'],
    [0o2000000, 'O_CLOEXEC'],
    [0o10000000, 'O_PATH'],
  ];
  return [acc, ...bits.filter(([b]) => (flags & b) !== 0).map(([, n]) => n)].join('|');
}

/**
 * busybox runs its applets by re-executing /proc/self/exe with the applet name as argv[0]: name the program after
 * the applet (/bin/<applet>), which is the path a process rule would list.
 */
export function execPath(path: string, argv0: string): string {
  if (path !== '/proc/self/exe' || argv0 === '') return path;
  return argv0.includes('/') ? argv0 : `/bin/${argv0}`;
}

function result(ret: number): string {
  if (ret >= 0) return 'Passed';
  return ERRNO_TEXT[-ret] ?? `errno ${-ret}`;
}

/**
 * Turns tracer observations and seccomp audit records of one workload into KubeArmor-format log records, in time
 * order. Process names come from the exec events (a forked child inherits its parent's); `epochOffsetMs` converts
 * the tracer's monotonic milliseconds to the epoch.
 */
export function toKubeArmorRecords(
  observations: readonly Observation[],
  seccomp: readonly SeccompRecord[],
  workload: ObservedWorkload,
  epochOffsetMs: number,
): KubeArmorLogRecord[] {
  const exe = new Map<number, string>();
  /** Every program each pid ran, to name a seccomp record's process by its comm. */
  const history = new Map<number, { path: string; t: number }[]>();
  const out: { t: number; r: KubeArmorLogRecord }[] = [];
  const labels = Object.entries(workload.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const ident = {
    ...(workload.host ? { HostName: workload.host } : {}),
    ...(workload.namespace ? { NamespaceName: workload.namespace } : {}),
    ...(workload.pod ? { PodName: workload.pod } : {}),
    ...(labels ? { Labels: labels } : {}),
    ...(workload.containerId ? { ContainerID: workload.containerId } : {}),
    ...(workload.container ? { ContainerName: workload.container } : {}),
    ...(workload.image ? { ContainerImage: workload.image } : {}),
  };
  const stamp = (ms: number) => ({ Timestamp: Math.floor(ms / 1000), UpdatedTime: new Date(ms).toISOString() });
  const sorted = [...observations].sort((a, b) => a.time - b.time);
  for (const o of sorted) {
    if (o.kind === 'fork') {
      const parent = exe.get(o.pid);
      if (parent) exe.set(o.child, parent);
      continue;
    }
    // The runtime's own init (runc:[2:INIT]) before it execs the workload is not the workload.
    if (o.comm.startsWith('runc:[')) continue;
    const ms = o.time + epochOffsetMs;
    const self = exe.get(o.pid) ?? o.comm;
    const parent = exe.get(o.ppid) ?? '';
    const common = { ...stamp(ms), ...ident, HostPPID: o.ppid, HostPID: o.pid, UID: o.uid, Type: 'ContainerLog' as const, Enforcer: 'rampart-observe' as const };
    switch (o.kind) {
      case 'exec': {
        const path = execPath(o.path, o.argv0);
        if (o.ret === 0) {
          exe.set(o.pid, path);
          history.set(o.pid, [...(history.get(o.pid) ?? []), { path, t: ms }]);
        }
        const data = path === o.path ? 'syscall=SYS_EXECVE' : `syscall=SYS_EXECVE exe=${o.path}`;
        out.push({
          t: ms,
          r: { ...common, ParentProcessName: parent, ProcessName: o.ret === 0 ? path : self, Source: parent, Operation: 'Process', Resource: path, Data: data, Result: result(o.ret) },
        });
        break;
      }
      case 'open':
        out.push({
          t: ms,
          r: { ...common, ParentProcessName: parent, ProcessName: self, Source: self, Operation: 'File', Resource: o.path, Data: `syscall=SYS_OPENAT flags=${openFlags(o.flags)}`, Result: result(o.ret) },
        });
        break;
      case 'socket': {
        const type = SOCK_TYPES[o.type & 0xf] ?? String(o.type & 0xf);
        const resource = `domain=${FAMILIES[o.family] ?? o.family} type=${type} protocol=${PROTOCOLS[o.protocol] ?? o.protocol}`;
        out.push({ t: ms, r: { ...common, ParentProcessName: parent, ProcessName: self, Source: self, Operation: 'Network', Resource: resource, Data: 'syscall=SYS_SOCKET', Result: result(o.ret) } });
        break;
      }
      case 'connect': {
        const fam = FAMILIES[o.family] ?? String(o.family);
        const resource = o.family === 2 ? `sa_family=${fam} sin_port=${o.port} sin_addr=${o.addr}` : o.family === 10 ? `sa_family=${fam} sin6_port=${o.port}` : `sa_family=${fam}`;
        out.push({ t: ms, r: { ...common, ParentProcessName: parent, ProcessName: self, Source: self, Operation: 'Network', Resource: resource, Data: 'syscall=SYS_CONNECT', Result: result(o.ret) } });
        break;
      }
    }
  }
  for (const s of seccomp) {
    const table = s.arch.toLowerCase() === 'c00000b7' ? SYSCALLS_AARCH64 : SYSCALLS_X86_64;
    const name = Object.keys(table).find((k) => table[k] === s.syscall) ?? `syscall_${s.syscall}`;
    const action = SECCOMP_ACTIONS.find(([c]) => (s.code & 0xffff0000) >>> 0 === c)?.[1] ?? `0x${s.code.toString(16)}`;
    const passes = action === 'SCMP_ACT_LOG' || action === 'SCMP_ACT_ALLOW';
    // comm is the program's name (at most 15 characters): the last exec of that pid with that name, else the
    // audit record's exe.
    const ran = (history.get(s.pid) ?? []).filter((h) => h.path.slice(h.path.lastIndexOf('/') + 1).slice(0, 15) === s.comm);
    const last = ran[ran.length - 1];
    const process = last ? last.path : s.exe || exe.get(s.pid) || s.comm;
    // Audit stamps have whole seconds here: order the record after the exec of the program that made the call.
    const ms = Math.max(s.time * 1000, last ? last.t : 0);
    out.push({
      t: ms,
      r: {
        ...stamp(ms),
        ...ident,
        HostPPID: 0,
        HostPID: s.pid,
        UID: s.uid,
        ParentProcessName: '',
        ProcessName: process,
        Source: process,
        Operation: 'Syscall',
        Resource: '',
        Data: `syscall=SYS_${name.toUpperCase()} action=${action}`,
        Result: passes ? 'Passed' : 'Operation not permitted',
        Type: 'ContainerLog',
        Enforcer: 'rampart-observe',
      },
    });
  }
  return out.sort((a, b) => a.t - b.t).map((x) => x.r);
}
