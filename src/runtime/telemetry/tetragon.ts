import { createRuntimeEvent, type RuntimeEvent, type RuntimeOperation } from './event.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** Whether a JSON record is a Tetragon export event (JSON export / tetra getevents -o json). */
export function isTetragonRecord(o: Obj): boolean {
  return 'process_exec' in o || 'process_kprobe' in o || 'process_tracepoint' in o || 'process_lsm' in o;
}

/**
 * A Tetragon event as a RuntimeEvent: process_exec → Process; process_kprobe/lsm/tracepoint with a file argument →
 * File (write when the permission or function says so), with a sock/skb argument or a tcp_/udp_ function → Network,
 * cap_capable → Capabilities, otherwise Syscall. An override/sigkill action counts as a denial.
 */
export function tetragonToEvent(o: Obj): RuntimeEvent | undefined {
  const kind = ['process_exec', 'process_kprobe', 'process_lsm', 'process_tracepoint'].find((k) => k in o);
  if (!kind) return undefined;
  const body = obj(o[kind]);
  const proc = obj(body.process);
  const parent = obj(body.parent);
  const pod = obj(proc.pod);
  const container = obj(pod.container);
  const binary = String(proc.binary ?? '');
  const args = typeof proc.arguments === 'string' && proc.arguments !== '' ? ` ${proc.arguments}` : '';
  let operation: RuntimeOperation = 'Syscall';
  let resource = '';
  let data: string | undefined;
  let result = 'Passed';
  if (kind === 'process_exec') {
    operation = 'Process';
    resource = binary + args;
  } else {
    const fn = String(body.function_name ?? body.event ?? '');
    const list = Array.isArray(body.args) ? body.args.map(obj) : [];
    const file = list.map((a) => obj(a.file_arg ?? a.path_arg)).find((a) => typeof a.path === 'string');
    const sock = list.map((a) => obj(a.sock_arg ?? a.skb_arg)).find((a) => Object.keys(a).length > 0);
    const cap = list.map((a) => obj(a.capability_arg)).find((a) => Object.keys(a).length > 0);
    if (file) {
      operation = 'File';
      resource = String(file.path);
      const perm = String(file.permission ?? '');
      const mayWrite = /w/.test(perm) || list.some((a) => a.int_arg === 2) || /write/.test(fn);
      data = `syscall=${fn} flags=${mayWrite ? 'O_WRONLY' : 'O_RDONLY'}`;
    } else if (sock || /^(tcp|udp|inet|sock)_/.test(fn)) {
      operation = 'Network';
      const proto = String(sock?.protocol ?? (fn.startsWith('udp') ? 'IPPROTO_UDP' : 'IPPROTO_TCP')).replace('IPPROTO_', '');
      const type = String(sock?.type ?? (proto === 'UDP' ? 'SOCK_DGRAM' : proto === 'TCP' ? 'SOCK_STREAM' : 'SOCK_RAW'));
      resource = `domain=${String(sock?.family ?? 'AF_INET')} type=${type} protocol=${proto}`;
    } else if (cap || fn === 'cap_capable') {
      operation = 'Capabilities';
      resource = String(cap?.name ?? '');
    } else {
      const name = fn.replace(/^__(x64|arm64)_sys_/, '').replace(/^sys_/, '');
      data = `syscall=SYS_${name.toUpperCase()}`;
    }
    const action = String(body.action ?? '');
    if (/OVERRIDE|SIGKILL|NOTIFY_ENFORCER/.test(action)) result = 'Permission denied';
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(pod.pod_labels))) labels[k] = String(v);
  const ev: RuntimeEvent = {
    operation,
    workload: {
      labels,
      ...(typeof pod.namespace === 'string' ? { namespace: pod.namespace } : {}),
      ...(typeof pod.name === 'string' ? { pod: pod.name } : {}),
      ...(typeof container.name === 'string' ? { container: container.name } : {}),
      ...(typeof container.id === 'string' ? { containerId: container.id } : {}),
      ...(typeof obj(container.image).name === 'string' ? { image: String(obj(container.image).name) } : {}),
      ...(typeof o.node_name === 'string' ? { host: o.node_name } : {}),
    },
    process: binary,
    resource,
    result,
    origin: 'tetragon',
    raw: o,
  };
  if (data) ev.data = data;
  if (typeof parent.binary === 'string') ev.parentProcess = parent.binary;
  ev.source = binary + args;
  if (typeof proc.uid === 'number') ev.uid = proc.uid;
  if (typeof proc.pid === 'number') ev.pid = proc.pid;
  if (typeof o.time === 'string') {
    const t = Date.parse(o.time);
    if (!Number.isNaN(t)) ev.timestamp = Math.floor(t / 1000);
  }
  return createRuntimeEvent(ev);
}
