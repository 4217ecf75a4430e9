import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRootfs } from './rootfs.js';
import { runcRun, type RuncResult } from './runc.js';

/** A volume to create for each container (structurally the runtime/verify VolumePlan). */
export interface SandboxVolume {
  mountPath: string;
  kind: 'emptyDir' | 'token' | 'empty';
  /** Bundle-relative source the OCI config's bind mount names. */
  source: string;
}

export interface SandboxJob {
  /** Short name, part of the container id. */
  name: string;
  args: string[];
}

export interface SandboxRequest {
  runc: string;
  busybox: string;
  probe?: string;
  /** The OCI config (JSON object) without process.args; root.path and bind sources are bundle-relative. */
  config: Record<string, unknown>;
  volumes: readonly SandboxVolume[];
  jobs: readonly SandboxJob[];
  concurrency: number;
  timeoutMs: number;
  /** Parent of the temporary work directory (default os.tmpdir()). */
  workParent?: string;
  /** Keep the bundles for debugging (default: removed). */
  keep?: boolean;
  /** Runs between `runc create` and `runc start` of each job (observe attaches its tracer to the cgroup here). */
  beforeStart?: (job: { name: string; containerId: string; cgroupsPath: string }) => Promise<void>;
}

export interface SandboxJobResult extends RuncResult {
  name: string;
  containerId: string;
}

/** A simulated projected service-account volume: a token that is obviously not a real one. */
const FAKE_TOKEN = 'rampart-sandbox-fake-token.not-a-jwt';

/**
 * Runs each job as its own runc container from one shared root filesystem (each with its own bundle, config
 * and volume directories), `concurrency` at a time. Container ids are unique per run; every container is
 * deleted (`runc delete -f`) and the work directory removed, whatever happens.
 */
export async function runSandbox(req: SandboxRequest): Promise<{ results: SandboxJobResult[]; workDir: string }> {
  const workDir = mkdtempSync(join(req.workParent ?? tmpdir(), 'rampart-verify-'));
  chmodSync(workDir, 0o711);
  const stateRoot = join(workDir, 'runc-state');
  const runId = randomBytes(4).toString('hex');
  // Ctrl-C / SIGTERM: stop scheduling, kill the running containers; the finally below deletes everything.
  const running = new Set<string>();
  let interrupted: string | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = sig;
    for (const id of running) execFile(req.runc, ['--root', stateRoot, 'kill', id, 'KILL'], () => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    mkdirSync(stateRoot, { recursive: true });
    const rootfs = join(workDir, 'rootfs');
    buildRootfs(rootfs, { busybox: req.busybox, probe: req.probe });
    const results: SandboxJobResult[] = new Array(req.jobs.length);
    let next = 0;
    const worker = async () => {
      while (next < req.jobs.length && !interrupted) {
        const i = next++;
        const job = req.jobs[i];
        const id = `rampart-${runId}-${job.name}`.slice(0, 60);
        const bundle = join(workDir, 'bundles', job.name);
        prepareBundle(bundle, rootfs, req, job, id);
        const hook = req.beforeStart;
        const beforeStart = hook ? () => hook({ name: job.name, containerId: id, cgroupsPath: cgroupsPathOf(id) }) : undefined;
        running.add(id);
        const r = await runcRun({ runc: req.runc, stateRoot, bundle, id, timeoutMs: req.timeoutMs, beforeStart });
        running.delete(id);
        results[i] = { ...r, name: job.name, containerId: id };
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(req.concurrency, req.jobs.length)) }, worker));
    if (interrupted) throw new Error(`interrupted by ${interrupted}; containers and bundles removed`);
    return { results, workDir };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!req.keep) rmSync(workDir, { recursive: true, force: true });
  }
}

function prepareBundle(bundle: string, rootfs: string, req: SandboxRequest, job: SandboxJob, id: string): void {
  mkdirSync(bundle, { recursive: true });
  for (const v of req.volumes) {
    const dir = join(bundle, v.source);
    mkdirSync(dir, { recursive: true });
    if (v.kind === 'emptyDir') chmodSync(dir, 0o777);
    if (v.kind === 'token') {
      writeFileSync(join(dir, 'token'), FAKE_TOKEN, { mode: 0o644 });
      writeFileSync(join(dir, 'namespace'), 'default', { mode: 0o644 });
    }
  }
  const config = structuredClone(req.config) as { process: { args: string[] }; root: { path: string }; linux: Record<string, unknown> };
  config.process.args = job.args;
  config.root.path = rootfs;
  config.linux.cgroupsPath = cgroupsPathOf(id);
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config, null, 2));
}

/** The cgroup of a sandbox container (under /rampart in every hierarchy). */
export function cgroupsPathOf(containerId: string): string {
  return `/rampart/${containerId}`;
}
