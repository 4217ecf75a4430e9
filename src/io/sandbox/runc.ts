import { execFile, spawn } from 'node:child_process';

export interface RuncRun {
  runc: string;
  /** runc --root: a state directory of Rampart's own, so its containers never mix with others. */
  stateRoot: string;
  bundle: string;
  id: string;
  timeoutMs: number;
  /** Called with the container's host PID once runc reports it (observe uses it). */
  onStarted?: (pid: number) => void;
}

export interface RuncResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

const MAX_OUTPUT = 64 * 1024;

/**
 * `runc run` in the foreground with pass-through stdio, a deadline (then `runc kill KILL`), and always
 * `runc delete -f` afterwards. The clock is injected for tests of callers; here only durations are measured.
 */
export async function runcRun(r: RuncRun, now: () => number = Date.now): Promise<RuncResult> {
  const start = now();
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  try {
    const exitCode = await new Promise<number | null>((resolve) => {
      const child = spawn(r.runc, ['--root', r.stateRoot, 'run', '--bundle', r.bundle, r.id], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (b: Buffer) => {
        if (stdout.length < MAX_OUTPUT) stdout += b.toString('utf8');
      });
      child.stderr.on('data', (b: Buffer) => {
        if (stderr.length < MAX_OUTPUT) stderr += b.toString('utf8');
      });
      const timer = setTimeout(() => {
        timedOut = true;
        execFile(r.runc, ['--root', r.stateRoot, 'kill', r.id, 'KILL'], () => undefined);
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }, r.timeoutMs);
      child.on('error', (e) => {
        stderr += String(e.message);
        clearTimeout(timer);
        resolve(null);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    return { exitCode, stdout, stderr, timedOut, durationMs: now() - start };
  } finally {
    await runcDelete(r.runc, r.stateRoot, r.id);
  }
}

export function runcDelete(runc: string, stateRoot: string, id: string): Promise<void> {
  return new Promise((resolve) => {
    execFile(runc, ['--root', stateRoot, 'delete', '-f', id], { timeout: 10_000 }, () => resolve());
  });
}

/** `runc state ID` → the container's init PID on the host, or undefined. */
export function runcPid(runc: string, stateRoot: string, id: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile(runc, ['--root', stateRoot, 'state', id], { timeout: 5_000 }, (err, out) => {
      if (err) return resolve(undefined);
      try {
        const pid = (JSON.parse(out) as { pid?: number }).pid;
        resolve(typeof pid === 'number' && pid > 0 ? pid : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}
