import { createRuntimeEvent, RUNTIME_OPERATIONS, type RuntimeEvent, type RuntimeOperation } from './event.js';

type Obj = Record<string, unknown>;

/** Whether a JSON record looks like a KubeArmor alert or log (karmor logs --json, relay, log files). */
export function isKubeArmorRecord(o: Obj): boolean {
  return typeof o.Operation === 'string' && ('ProcessName' in o || 'Resource' in o || 'Source' in o);
}

/** Parses "app=nginx,tier=frontend" (or an object) into a label map. */
export function parseKubeArmorLabels(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v === 'string') {
    for (const part of v.split(',')) {
      const t = part.trim();
      if (t === '') continue;
      const i = t.indexOf('=');
      if (i < 0) out[t] = '';
      else out[t.slice(0, i)] = t.slice(i + 1);
    }
  } else if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) out[k] = String(x);
  }
  return out;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A KubeArmor alert/log record as a RuntimeEvent (the record is kept in `raw`); other operations (Device...) are kept, marked `unsupported`. */
export function kubeArmorToEvent(o: Obj): RuntimeEvent | undefined {
  const op = o.Operation as RuntimeOperation;
  // KubeArmor's feeder returns SystemEvent records unlabelled (UpdateMatchedPolicy): they pass through as well.
  const supported = RUNTIME_OPERATIONS.includes(op) && o.Type !== 'SystemEvent';
  const ev: RuntimeEvent = {
    operation: supported ? op : 'Syscall',
    ...(supported ? {} : { unsupported: o.Type === 'SystemEvent' ? 'SystemEvent' : String(o.Operation) }),
    workload: {
      labels: parseKubeArmorLabels(o.Labels),
      ...(str(o.NamespaceName) ? { namespace: str(o.NamespaceName) } : {}),
      ...(str(o.PodName) ? { pod: str(o.PodName) } : {}),
      ...(str(o.ContainerName) ? { container: str(o.ContainerName) } : {}),
      ...(str(o.ContainerID) ? { containerId: str(o.ContainerID) } : {}),
      ...(str(o.ContainerImage) ? { image: str(o.ContainerImage) } : {}),
      ...(str(o.HostName) ? { host: str(o.HostName) } : {}),
    },
    process: str(o.ProcessName) ?? '',
    resource: str(o.Resource) ?? '',
    origin: 'kubearmor',
    raw: o,
  };
  if (str(o.ParentProcessName)) ev.parentProcess = str(o.ParentProcessName);
  if (str(o.Source) !== undefined) ev.source = str(o.Source);
  if (str(o.Data) !== undefined) ev.data = str(o.Data);
  if (num(o.UID) !== undefined) ev.uid = num(o.UID);
  const oid = num(o.OID) ?? num(o.OwnerUID);
  if (oid !== undefined) ev.ownerUid = oid;
  if (num(o.PID) !== undefined) ev.pid = num(o.PID);
  if (num(o.PPID) !== undefined) ev.ppid = num(o.PPID);
  if (str(o.Result) !== undefined) ev.result = str(o.Result);
  if (num(o.Timestamp) !== undefined) ev.timestamp = num(o.Timestamp);
  return createRuntimeEvent(ev);
}
