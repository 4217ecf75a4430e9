import { readFileSync } from 'node:fs';
import { runSandbox, type SandboxRequest } from '../sandbox/sandbox.js';
import { bpftraceProgram, cgroupId, cgroupV2Dir, ensureTracefs, startTracer, type RawObservation, type Tracer } from './bpftrace.js';
import { readSeccompAuditRecords, type SeccompAuditRecord } from './kmsg.js';

export interface ObserveResult {
  observations: RawObservation[];
  seccomp: SeccompAuditRecord[];
  /** Host pids seen in the workload (exec/open/socket/connect actors and forked children). */
  pids: number[];
  /** Add to the tracer's monotonic milliseconds to get epoch milliseconds. */
  epochOffsetMs: number;
  /** The workload's own output and exit (sandbox mode). */
  workload?: { stdout: string; stderr: string; exitCode: number | null; timedOut: boolean; containerId: string };
  warnings: string[];
}

/** Epoch minus CLOCK_MONOTONIC (bpftrace's nsecs), from /proc/uptime (close enough for log stamps). */
export function monotonicEpochOffsetMs(now: () => number = Date.now): number {
  const up = Number.parseFloat(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Math.round(now() - up * 1000);
}

function pidsOf(obs: readonly RawObservation[], extra: readonly number[] = []): Set<number> {
  const s = new Set<number>(extra);
  for (const o of obs) {
    s.add(o.pid);
    if (o.kind === 'fork') s.add(o.child);
  }
  return s;
}

function seccompFor(sinceSec: number, pids: Set<number>, warnings: string[]): SeccompAuditRecord[] {
  const r = readSeccompAuditRecords(sinceSec);
  if (r.error) warnings.push(r.error);
  return r.records.filter((x) => pids.has(x.pid));
}

/**
 * Runs one workload command in the runc sandbox (the OCI config as mapped from the pod) and records it: bpftrace
 * attaches to the container's cgroup between `runc create` and `runc start`, so nothing the workload does is
 * missed; seccomp LOG/deny records come from the kernel log, matched by the workload's pids.
 */
export async function observeInSandbox(
  req: Omit<SandboxRequest, 'jobs' | 'beforeStart' | 'concurrency'> & { bpftrace: string; args: string[] },
): Promise<ObserveResult> {
  const warnings: string[] = [];
  const tf = await ensureTracefs();
  if (tf) throw new Error(tf);
  const startSec = Math.floor(Date.now() / 1000) - 1;
  const epochOffsetMs = monotonicEpochOffsetMs();
  let tracer: Tracer | undefined;
  let tracerError: Error | undefined;
  let containerId = '';
  const { results } = await runSandbox({
    ...req,
    jobs: [{ name: 'observe', args: req.args }],
    concurrency: 1,
    beforeStart: async (job) => {
      containerId = job.containerId;
      tracer = startTracer(req.bpftrace, bpftraceProgram(cgroupId(cgroupV2Dir(job.cgroupsPath))));
      try {
        await tracer.ready;
      } catch (e) {
        tracerError = e as Error;
        throw e; // the sandbox then kills the container before it starts
      }
    },
  });
  if (tracerError) {
    if (tracer) await tracer.stop();
    throw new Error(`bpftrace could not attach: ${tracerError.message.replace(/ERROR: Unknown error -1: couldn't set RLIMIT_MEMLOCK[^.]*\.[^.]*\.\s*/, '')}`);
  }
  // Let bpftrace drain what the kernel already handed it.
  await new Promise((r) => setTimeout(r, 300));
  const run = results[0];
  if (!tracer) throw new Error(`the container was not created: ${run.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
  const stopped = await tracer.stop();
  const bpfErrors = stopped.stderr.split('\n').filter((l) => /error/i.test(l) && !/RLIMIT_MEMLOCK/.test(l));
  if (bpfErrors.length > 0) warnings.push(`bpftrace: ${bpfErrors.slice(0, 3).join(' ')}`);
  const pids = pidsOf(stopped.observations);
  return {
    observations: stopped.observations,
    seccomp: seccompFor(startSec, pids, warnings),
    pids: [...pids],
    epochOffsetMs,
    workload: { stdout: run.stdout, stderr: run.stderr, exitCode: run.exitCode, timedOut: run.timedOut, containerId },
    warnings,
  };
}

/** Records an existing cgroup (a container on this node) for `durationMs`. */
export async function observeCgroup(dir: string, durationMs: number, bpftrace: string): Promise<ObserveResult> {
  const warnings: string[] = [];
  const tf = await ensureTracefs();
  if (tf) throw new Error(tf);
  const startSec = Math.floor(Date.now() / 1000) - 1;
  const epochOffsetMs = monotonicEpochOffsetMs();
  const tracer = startTracer(bpftrace, bpftraceProgram(cgroupId(dir)));
  await tracer.ready;
  let initial: number[] = [];
  try {
    initial = readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    warnings.push(`cannot read ${dir}/cgroup.procs`);
  }
  await new Promise((r) => setTimeout(r, durationMs));
  const stopped = await tracer.stop();
  const pids = pidsOf(stopped.observations, initial);
  return { observations: stopped.observations, seccomp: seccompFor(startSec, pids, warnings), pids: [...pids], epochOffsetMs, warnings };
}
