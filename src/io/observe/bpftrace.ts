import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { execFile } from 'node:child_process';

/**
 * One observation from the tracer, before it is turned into a runtime event. Host pids; `ret` is the syscall's
 * return value (negative errno on failure). Seccomp records come from the kernel log (kmsg.ts), not bpftrace.
 */
export type RawObservation =
  | { kind: 'exec'; time: number; pid: number; ppid: number; uid: number; comm: string; ret: number; path: string; argv0: string }
  | { kind: 'open'; time: number; pid: number; ppid: number; uid: number; comm: string; ret: number; flags: number; path: string }
  | { kind: 'socket'; time: number; pid: number; ppid: number; uid: number; comm: string; ret: number; family: number; type: number; protocol: number }
  | { kind: 'connect'; time: number; pid: number; ppid: number; uid: number; comm: string; ret: number; family: number; port: number; addr: string }
  | { kind: 'fork'; time: number; pid: number; child: number };

/**
 * The bpftrace program (0.17 syntax): exec, openat, socket, connect and fork tracepoints filtered by the cgroup v2 id of
 * the workload. Entry and exit print separate lines keyed by tid (strings are never kept in maps: the BPF stack is
 * 512 bytes); fields are tab-separated, the path last.
 */
export function bpftraceProgram(cgroupId: bigint | number): string {
  const cg = `cgroup == ${cgroupId}`;
  const head = 'nsecs / 1000000, tid, pid, curtask->real_parent->tgid, uid, comm';
  const fmt = '%llu\\t%d\\t%d\\t%d\\t%d\\t%s';
  return `BEGIN { printf("READY\\n"); }
tracepoint:syscalls:sys_enter_execve /${cg}/ { printf("exec>\\t${fmt}\\t%s\\t%s\\n", ${head}, str(*args->argv, 48), str(args->filename)); }
tracepoint:syscalls:sys_exit_execve /${cg}/ { printf("exec<\\t${fmt}\\t%d\\n", ${head}, args->ret); }
tracepoint:syscalls:sys_enter_openat /${cg}/ { printf("open>\\t${fmt}\\t%d\\t%s\\n", ${head}, args->flags, str(args->filename)); }
tracepoint:syscalls:sys_exit_openat /${cg}/ { printf("open<\\t${fmt}\\t%d\\n", ${head}, args->ret); }
tracepoint:syscalls:sys_enter_socket /${cg}/ { printf("socket>\\t${fmt}\\t%d\\t%d\\t%d\\n", ${head}, args->family, args->type, args->protocol); }
tracepoint:syscalls:sys_exit_socket /${cg}/ { printf("socket<\\t${fmt}\\t%d\\n", ${head}, args->ret); }
tracepoint:syscalls:sys_enter_connect /${cg}/ {
  $sa = (struct sockaddr_in *)args->uservaddr;
  printf("connect>\\t${fmt}\\t%d\\t%d\\t%u\\n", ${head}, $sa->sin_family, bswap($sa->sin_port), $sa->sin_addr.s_addr);
}
tracepoint:syscalls:sys_exit_connect /${cg}/ { printf("connect<\\t${fmt}\\t%d\\n", ${head}, args->ret); }
tracepoint:sched:sched_process_fork /${cg}/ { printf("fork\\t%llu\\t%d\\t%d\\n", nsecs / 1000000, args->parent_pid, args->child_pid); }
`;
}

interface Pending {
  kind: 'exec' | 'open' | 'socket' | 'connect';
  fields: string[];
}

/**
 * Pairs entry and exit lines (by tid) into observations. Feed it every output line; complete observations come
 * back from `push`.
 */
export function createLineParser(): { push(line: string): RawObservation | undefined } {
  const pending = new Map<string, Pending>();
  return {
    push(line) {
      const f = line.split('\t');
      if (f[0] === 'fork' && f.length === 4) {
        const [time, pid, child] = f.slice(1).map((x) => Number.parseInt(x, 10));
        return [time, pid, child].every(Number.isFinite) ? { kind: 'fork', time, pid, child } : undefined;
      }
      const m = /^(exec|open|socket|connect)([<>])$/.exec(f[0]);
      if (!m || f.length < 8) return undefined;
      const kind = m[1] as Pending['kind'];
      const tid = f[2];
      if (m[2] === '>') {
        pending.set(tid, { kind, fields: f });
        return undefined;
      }
      const enter = pending.get(tid);
      if (!enter || enter.kind !== kind) return undefined;
      pending.delete(tid);
      const e = enter.fields;
      const n = (s: string | undefined) => Number.parseInt(s ?? '', 10);
      const base = { time: n(e[1]), pid: n(e[3]), ppid: n(e[4]), uid: n(e[5]), comm: kind === 'exec' ? f[6] : e[6] };
      if ([base.time, base.pid, base.ppid, base.uid].some((x) => !Number.isFinite(x))) return undefined;
      const ret = n(f[7]);
      switch (kind) {
        case 'exec':
          // After a successful execve the exit line runs in the new image: its comm is the new program's.
          return { kind, ...base, ret, argv0: e[7] ?? '', path: e.slice(8).join('\t') };
        case 'open':
          return { kind, ...base, ret, flags: n(e[7]), path: e.slice(8).join('\t') };
        case 'socket':
          return { kind, ...base, ret, family: n(e[7]), type: n(e[8]), protocol: n(e[9]) };
        case 'connect':
          return { kind, ...base, ret, family: n(e[7]), port: n(e[8]), addr: n(e[7]) === 2 ? ipv4(e[9]) : '' };
      }
    },
  };
}

/** sin_addr.s_addr as bpftrace prints it (a little-endian u32 of network-order bytes) to dotted quad. */
function ipv4(v: string | undefined): string {
  const x = Number.parseInt(v ?? '', 10);
  if (!Number.isFinite(x)) return '';
  return [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff].join('.');
}

/** Mounts tracefs at /sys/kernel/tracing when the syscall tracepoints are not visible yet. */
export async function ensureTracefs(): Promise<string | undefined> {
  if (existsSync('/sys/kernel/tracing/events/syscalls')) return undefined;
  mkdirSync('/sys/kernel/tracing', { recursive: true });
  return new Promise((resolve) => {
    execFile('mount', ['-t', 'tracefs', 'tracefs', '/sys/kernel/tracing'], (err, _o, stderr) => {
      if (err && !existsSync('/sys/kernel/tracing/events/syscalls')) resolve(`could not mount tracefs: ${String(stderr || err.message).trim()}`);
      else resolve(undefined);
    });
  });
}

/** The cgroup v2 directory of a runc cgroupsPath (hybrid hosts mount v2 at /sys/fs/cgroup/unified). */
export function cgroupV2Dir(cgroupsPath: string): string {
  const root = existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
  return `${root}${cgroupsPath.startsWith('/') ? '' : '/'}${cgroupsPath}`;
}

/** The cgroup v2 id bpftrace's `cgroup` builtin compares with: the inode number of the cgroup directory. */
export function cgroupId(dir: string): bigint {
  return statSync(dir, { bigint: true }).ino;
}

export interface Tracer {
  /** Resolves when the probes are attached (or rejects with bpftrace's error). */
  ready: Promise<void>;
  /** Stops bpftrace (SIGINT, so it flushes) and resolves with everything it saw. */
  stop(): Promise<{ observations: RawObservation[]; stderr: string }>;
}

const MAX_OBSERVATIONS = 200_000;

/** Starts bpftrace on a program; lines are parsed as they come (bounded). */
export function startTracer(bpftrace: string, program: string, readyTimeoutMs = 60_000): Tracer {
  const child: ChildProcess = spawn(bpftrace, ['-e', program], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BPFTRACE_STRLEN: '128' },
  });
  const observations: RawObservation[] = [];
  const parser = createLineParser();
  let stderr = '';
  let buf = '';
  let readyResolve: () => void = () => undefined;
  let readyReject: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  ready.catch(() => undefined); // callers that await `ready` still see the rejection
  const timer = setTimeout(() => readyReject(new Error(`bpftrace did not attach within ${readyTimeoutMs} ms: ${stderr.trim()}`)), readyTimeoutMs);
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line === 'READY') {
        clearTimeout(timer);
        readyResolve();
        continue;
      }
      const o = parser.push(line);
      if (o && observations.length < MAX_OBSERVATIONS) observations.push(o);
    }
  });
  child.stderr!.on('data', (b: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += b.toString('utf8');
  });
  const exited = new Promise<void>((res) => child.on('close', () => res()));
  child.on('error', (e) => readyReject(e));
  void exited.then(() => {
    clearTimeout(timer);
    readyReject(new Error(`bpftrace exited: ${stderr.trim().split('\n').slice(-3).join(' ')}`));
  });
  return {
    ready,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      return { observations, stderr };
    },
  };
}
