/**
 * The one runtime event model. Every telemetry source (KubeArmor alerts/logs, Falco, Tetragon, kernel audit lines,
 * Rampart's own observers) is parsed into RuntimeEvent; the decision engine, replay, the observe report and baseline
 * discovery only ever see this type.
 *
 * Field meanings follow KubeArmor's log schema, because the decision engine reproduces KubeArmor's matcher:
 * - Process: `process` is the executed binary (after exec), `parentProcess` the one that ran it, `resource` the
 *   executed path (optionally followed by its arguments).
 * - File: `process` opened `resource` (absolute path); `data` carries the open flags (e.g. "flags=O_RDONLY").
 * - Network: `resource` describes the socket ("domain=AF_INET type=SOCK_STREAM protocol=TCP"), `source` is the
 *   command line of the process.
 * - Capabilities: `resource` is the capability name ("CAP_NET_RAW" or "net_raw").
 * - Syscall: `data` is "syscall=SYS_<NAME>", `resource` the path argument when there is one.
 */
export type RuntimeOperation = 'Process' | 'File' | 'Network' | 'Capabilities' | 'Syscall';
export const RUNTIME_OPERATIONS: readonly RuntimeOperation[] = ['Process', 'File', 'Network', 'Capabilities', 'Syscall'];

/** Where an event happened. Host events have no namespace/pod/container. */
export interface RuntimeWorkload {
  namespace?: string;
  pod?: string;
  container?: string;
  containerId?: string;
  image?: string;
  labels: Record<string, string>;
  /** Node name (KubeArmor HostName). */
  host?: string;
}

/** Which feed an event came from. */
export type EventOrigin = 'kubearmor' | 'falco' | 'tetragon' | 'audit' | 'rampart';

export interface RuntimeEvent {
  operation: RuntimeOperation;
  workload: RuntimeWorkload;
  /** Absolute path of the acting process (KubeArmor ProcessName). */
  process: string;
  /** Absolute path of its parent (KubeArmor ParentProcessName). */
  parentProcess?: string;
  /** Command line of the acting process (KubeArmor Source). */
  source?: string;
  /** What was acted on (KubeArmor Resource); see the operation notes above. */
  resource: string;
  /** Extra detail (KubeArmor Data): open flags, "syscall=SYS_OPENAT", capability, ... */
  data?: string;
  /** Effective uid of the process. */
  uid?: number;
  /** Owner uid of the file acted on, when known (KubeArmor ownerOnly rules compare it with uid). */
  ownerUid?: number;
  pid?: number;
  ppid?: number;
  /**
   * What the kernel answered when the event was recorded: "Passed", "Permission denied", "Operation not permitted"
   * or another errno text. Undefined when the feed does not say.
   */
  result?: string;
  /** Seconds since the epoch, when the feed has it. */
  timestamp?: number;
  origin: EventOrigin;
  /** The record as the feed wrote it (replay echoes its fields). */
  raw?: Record<string, unknown>;
  /**
   * Set when the feed's operation is one Rampart does not evaluate (e.g. KubeArmor "Device"): the event is kept so
   * replay output stays one record per input record, but `operation` is a placeholder and nothing decides it.
   */
  unsupported?: string;
}

/** True when the kernel refused the operation (EACCES / EPERM). */
export function isDenied(result: string | undefined): boolean {
  return result === 'Permission denied' || result === 'Operation not permitted';
}

/** The path part of a Resource ("/bin/ls -la" -> "/bin/ls"), as KubeArmor's matcher takes it. */
export function resourcePath(resource: string): string {
  const i = resource.indexOf(' ');
  return i < 0 ? resource : resource.slice(0, i);
}

/** The syscall name of a Syscall event ("syscall=SYS_OPENAT fd=..." -> "openat"), lower-case. */
export function syscallOf(ev: Pick<RuntimeEvent, 'data'>): string | undefined {
  const m = /SYS_([A-Za-z0-9_]+)/.exec(ev.data ?? '');
  return m ? m[1].toLowerCase() : undefined;
}

/** Whether a File event opened the file for reading only. */
export function isReadOnlyAccess(ev: Pick<RuntimeEvent, 'data'>): boolean {
  return (ev.data ?? '').includes('O_RDONLY');
}

/** A stable key of the workload an event belongs to: "ns/pod-owner/container" or "host:<node>". */
export function workloadKey(w: RuntimeWorkload): string {
  if (!w.namespace && !w.pod && !w.container) return `host:${w.host ?? ''}`;
  return `${w.namespace ?? ''}/${w.pod ?? ''}/${w.container ?? ''}`;
}

/**
 * Builds an event with every field present in one fixed order. Events of one shape keep the decision engine's
 * property reads monomorphic (several times faster than events whose optional fields come and go); every parser
 * returns events made here.
 */
export function createRuntimeEvent(init: RuntimeEvent): RuntimeEvent {
  return {
    operation: init.operation,
    workload: init.workload,
    process: init.process,
    parentProcess: init.parentProcess,
    source: init.source,
    resource: init.resource,
    data: init.data,
    uid: init.uid,
    ownerUid: init.ownerUid,
    pid: init.pid,
    ppid: init.ppid,
    result: init.result,
    timestamp: init.timestamp,
    origin: init.origin,
    raw: init.raw,
    unsupported: init.unsupported,
  };
}
