import { createRuntimeEvent, type RuntimeEvent, type RuntimeOperation } from './event.js';

type Obj = Record<string, unknown>;

/** Whether a JSON record is a Falco alert (json_output: true). */
export function isFalcoRecord(o: Obj): boolean {
  return typeof o.rule === 'string' && typeof o.priority === 'string' && typeof o.output_fields === 'object' && o.output_fields !== null;
}

const EXEC = new Set(['execve', 'execveat']);
const OPEN = new Set(['open', 'openat', 'openat2', 'creat']);
const NET = new Set(['connect', 'accept', 'accept4', 'socket', 'bind', 'listen', 'sendto', 'recvfrom']);

/**
 * A Falco alert as a RuntimeEvent. Falco reports syscalls it saw (it never blocks), so the result is "Passed".
 * execve → Process, open* → File (flags from evt.arg.flags), socket calls → Network (fd.l4proto), others → Syscall.
 */
export function falcoToEvent(o: Obj): RuntimeEvent | undefined {
  const f = o.output_fields as Obj;
  const s = (k: string): string | undefined => (f[k] === null || f[k] === undefined ? undefined : String(f[k]));
  const evtType = s('evt.type') ?? s('syscall.type') ?? '';
  const exe = s('proc.exepath') ?? s('proc.exe') ?? s('proc.name') ?? '';
  const parent = s('proc.pexepath') ?? s('proc.pname');
  const cmdline = s('proc.cmdline');
  let operation: RuntimeOperation = 'Syscall';
  let resource = '';
  let data = `syscall=SYS_${evtType.toUpperCase()}`;
  if (EXEC.has(evtType)) {
    operation = 'Process';
    const args = cmdline && cmdline.includes(' ') ? cmdline.slice(cmdline.indexOf(' ')) : '';
    resource = exe + args;
  } else if (OPEN.has(evtType) && s('fd.name')) {
    operation = 'File';
    resource = s('fd.name')!;
    const flags = s('evt.arg.flags');
    if (flags) data += ` flags=${flags}`;
  } else if (NET.has(evtType)) {
    operation = 'Network';
    const proto = (s('fd.l4proto') ?? '').toUpperCase();
    const type = proto === 'TCP' ? 'SOCK_STREAM' : proto === 'UDP' ? 'SOCK_DGRAM' : proto.startsWith('ICMP') || proto === 'RAW' ? 'SOCK_RAW' : '';
    resource = `domain=${s('fd.type') === 'ipv6' ? 'AF_INET6' : 'AF_INET'} type=${type} protocol=${proto || '0'}`;
  } else {
    resource = s('fd.name') ?? '';
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) {
    const m = /^k8s\.pod\.label(?:s)?\.(.+)$/.exec(k) ?? /^k8s\.pod\.label\[(.+)\]$/.exec(k);
    if (m && v !== null) labels[m[1]] = String(v);
  }
  const ev: RuntimeEvent = {
    operation,
    workload: {
      labels,
      ...(s('k8s.ns.name') ? { namespace: s('k8s.ns.name') } : {}),
      ...(s('k8s.pod.name') ? { pod: s('k8s.pod.name') } : {}),
      ...(s('container.name') ? { container: s('container.name') } : {}),
      ...(s('container.id') && s('container.id') !== 'host' ? { containerId: s('container.id') } : {}),
      ...(s('container.image.repository') ? { image: s('container.image.repository') } : {}),
      ...(typeof o.hostname === 'string' ? { host: o.hostname } : {}),
    },
    process: exe,
    resource,
    data,
    result: 'Passed',
    origin: 'falco',
    raw: o,
  };
  if (parent) ev.parentProcess = parent;
  if (cmdline) ev.source = cmdline;
  const uid = f['user.uid'];
  if (typeof uid === 'number') ev.uid = uid;
  if (typeof o.time === 'string') {
    const t = Date.parse(o.time);
    if (!Number.isNaN(t)) ev.timestamp = Math.floor(t / 1000);
  }
  return createRuntimeEvent(ev);
}
