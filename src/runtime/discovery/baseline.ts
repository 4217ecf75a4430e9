import type { KObject } from '../../k8s/object.js';
import { fetchProtocol } from '../decision/engine.js';
import { isReadOnlyAccess, resourcePath, syscallOf, type RuntimeEvent, type RuntimeWorkload } from '../telemetry/event.js';

/**
 * Baseline discovery: from observed events of one workload, the minimal KubeArmor allowlist (action Allow) and the
 * syscall list for a seccomp allowlist.
 *
 * Collapse rule (documented in docs/runtime.md):
 * 1. Binaries are kept exact (process.matchPaths), never collapsed: an allowlist of "/usr/bin/" would allow every shell.
 * 2. Files under /proc/<pid>/, /proc/self/ and /proc/thread-self/ become one recursive /proc/ directory rule
 *    (pids change on every run).
 * 3. A directory with `minFilesPerDir` (default 3) or more distinct files accessed directly in it becomes a
 *    non-recursive matchDirectories rule; then a directory with `minFilesPerDir` or more collapsed child directories
 *    becomes one recursive rule (repeated up the tree). Other files stay exact matchPaths.
 * 4. A path or directory is readOnly when every access observed was a read-only open.
 */
export interface BaselineOptions {
  minFilesPerDir?: number;
  /** Policy name (default rampart-baseline-<container or pod>). */
  name?: string;
}

export interface Baseline {
  workload: RuntimeWorkload;
  processes: string[];
  files: { path: string; readOnly: boolean }[];
  directories: { dir: string; recursive: boolean; readOnly: boolean }[];
  protocols: string[];
  capabilities: string[];
  syscalls: string[];
  events: number;
}

/** Labels that identify a pod instance rather than the workload; left out of the selector. */
const VOLATILE_LABELS = new Set(['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'pod-template-generation', 'batch.kubernetes.io/controller-uid', 'controller-uid', 'batch.kubernetes.io/job-name', 'job-name']);

export function discoverBaseline(events: readonly RuntimeEvent[], opts: BaselineOptions = {}): Baseline {
  const min = opts.minFilesPerDir ?? 3;
  const processes = new Set<string>();
  const fileWrite = new Map<string, boolean>();
  const protocols = new Set<string>();
  const capabilities = new Set<string>();
  const syscalls = new Set<string>();
  for (const ev of events) {
    if (ev.unsupported !== undefined) continue;
    if (ev.process.startsWith('/')) processes.add(ev.process);
    switch (ev.operation) {
      case 'Process': {
        const p = resourcePath(ev.resource);
        if (p.startsWith('/')) processes.add(p);
        break;
      }
      case 'File': {
        const p = resourcePath(ev.resource);
        if (!p.startsWith('/')) break;
        const write = !isReadOnlyAccess(ev);
        fileWrite.set(p, (fileWrite.get(p) ?? false) || write);
        break;
      }
      case 'Network': {
        const proto = fetchProtocol(ev.resource);
        if (/^(tcp|udp|icmp|icmpv6|raw|sctp|stream|dgram|rdm|seqpacket|dccp|packet)$/.test(proto)) protocols.add(proto);
        break;
      }
      case 'Capabilities':
        if (ev.resource) capabilities.add(ev.resource.toLowerCase().replace(/^cap_/, ''));
        break;
      case 'Syscall': {
        const s = syscallOf(ev);
        if (s) syscalls.add(s);
        break;
      }
    }
    const s = syscallOf(ev);
    if (s) syscalls.add(s);
  }
  // Binaries are also read (mapped) by the loader; they stay process rules only.
  for (const p of processes) fileWrite.delete(p);
  const { files, directories } = collapse(fileWrite, min);
  const w = events[0]?.workload ?? { labels: {} };
  return {
    workload: { ...w, labels: Object.fromEntries(Object.entries(w.labels).filter(([k]) => !VOLATILE_LABELS.has(k))) },
    processes: [...processes].sort(),
    files,
    directories,
    protocols: [...protocols].sort(),
    capabilities: [...capabilities].sort(),
    syscalls: [...syscalls].sort(),
    events: events.length,
  };
}

function parentDir(path: string): string {
  const i = path.lastIndexOf('/', path.length - 2);
  return path.slice(0, i + 1);
}

function collapse(fileWrite: Map<string, boolean>, min: number): Pick<Baseline, 'files' | 'directories'> {
  const dirs = new Map<string, { recursive: boolean; write: boolean }>();
  const files = new Map<string, boolean>();
  for (const [path, write] of fileWrite) {
    if (/^\/proc\/(\d+|self|thread-self)\//.test(path)) {
      const d = dirs.get('/proc/') ?? { recursive: true, write: false };
      dirs.set('/proc/', { recursive: true, write: d.write || write });
    } else files.set(path, write);
  }
  // Step 3a: files → non-recursive directory rules.
  const byDir = new Map<string, string[]>();
  for (const f of files.keys()) {
    const d = parentDir(f);
    if (!byDir.has(d)) byDir.set(d, []);
    byDir.get(d)!.push(f);
  }
  for (const [d, fs] of byDir) {
    if (fs.length < min || d === '/') continue;
    const write = fs.some((f) => files.get(f));
    for (const f of fs) files.delete(f);
    const cur = dirs.get(d);
    dirs.set(d, { recursive: cur?.recursive ?? false, write: (cur?.write ?? false) || write });
  }
  // Step 3b: directories with enough collapsed children → one recursive rule, up the tree.
  let changed = true;
  while (changed) {
    changed = false;
    const children = new Map<string, string[]>();
    for (const d of dirs.keys()) {
      if (d === '/') continue;
      const parent = parentDir(d);
      if (parent === '/' || parent === '') continue;
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent)!.push(d);
    }
    for (const [parent, kids] of children) {
      if (kids.length < min) continue;
      let write = dirs.get(parent)?.write ?? false;
      for (const k of kids) {
        write ||= dirs.get(k)!.write;
        dirs.delete(k);
      }
      // Files directly in the parent are now covered too.
      for (const f of [...files.keys()]) {
        if (f.startsWith(parent)) {
          write ||= files.get(f)!;
          files.delete(f);
        }
      }
      dirs.set(parent, { recursive: true, write });
      changed = true;
    }
  }
  // Drop directories and files covered by a recursive ancestor.
  const rec = [...dirs.entries()].filter(([, v]) => v.recursive).map(([d]) => d);
  for (const d of [...dirs.keys()]) if (rec.some((r) => r !== d && d.startsWith(r))) dirs.delete(d);
  for (const f of [...files.keys()]) {
    if (rec.some((r) => f.startsWith(r)) || [...dirs.entries()].some(([d, v]) => !v.recursive && parentDir(f) === d)) files.delete(f);
  }
  return {
    files: [...files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([path, write]) => ({ path, readOnly: !write })),
    directories: [...dirs.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([dir, v]) => ({ dir, recursive: v.recursive, readOnly: !v.write })),
  };
}

/** The baseline as a KubeArmorPolicy (action Allow). Enforce it with the namespace's posture set to block. */
export function baselinePolicy(b: Baseline, opts: BaselineOptions = {}): KObject {
  const w = b.workload;
  const name = (opts.name ?? `rampart-baseline-${w.container ?? w.pod ?? 'host'}`).toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  const matchLabels: Record<string, string> = { ...w.labels };
  if (w.container) matchLabels['kubearmor.io/container.name'] = w.container;
  const spec: Record<string, unknown> = { selector: { matchLabels } };
  if (b.processes.length) spec.process = { matchPaths: b.processes.map((path) => ({ path })) };
  const file: Record<string, unknown> = {};
  if (b.files.length) file.matchPaths = b.files.map((f) => ({ path: f.path, ...(f.readOnly ? { readOnly: true } : {}) }));
  if (b.directories.length) file.matchDirectories = b.directories.map((d) => ({ dir: d.dir, ...(d.recursive ? { recursive: true } : {}), ...(d.readOnly ? { readOnly: true } : {}) }));
  if (Object.keys(file).length) spec.file = file;
  if (b.protocols.length) spec.network = { matchProtocols: b.protocols.map((protocol) => ({ protocol })) };
  if (b.capabilities.length) spec.capabilities = { matchCapabilities: b.capabilities.map((capability) => ({ capability })) };
  spec.action = 'Allow';
  return {
    apiVersion: 'security.kubearmor.com/v1',
    kind: 'KubeArmorPolicy',
    metadata: {
      name,
      namespace: w.namespace ?? 'default',
      annotations: { 'rampart.dev/baseline-events': String(b.events) },
    },
    spec,
  };
}
