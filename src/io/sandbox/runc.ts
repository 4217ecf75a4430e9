import { execFile, spawn } from 'node:child_process';

export interface RuncRun {
  runc: string;
  /** runc --root: a state directory of Rampart's own, so its containers never mix with others. */
  stateRoot: string;
  bundle: string;
  id: string;
  timeoutMs: number;
  /**
   * When set, the container is created (`runc create`: cgroup made, process waiting), this hook runs (e.g. to
   * attach tracers to the cgroup), then `runc start` lets the process run.
   */
  beforeStart?: () => Promise<void>;
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
      const verb = r.beforeStart ? 'create' : 'run';
      const child = spawn(r.runc, ['--root', r.stateRoot, verb, '--bundle', r.bundle, r.id], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (r.beforeStart) {
        // `runc create` exits once the container exists; the container keeps our pipes until it ends ('close').
        const hook = r.beforeStart;
        child.on('exit', (code) => {
          if (code !== 0) return;
          hook().then(
            () => execFile(r.runc, ['--root', r.stateRoot, 'start', r.id], (err, _o, e) => {
              if (err) stderr += `runc start: ${String(e || err.message)}`;
            }),
            (e: unknown) => {
              stderr += `before start: ${(e as Error).message}\n`;
              execFile(r.runc, ['--root', r.stateRoot, 'kill', r.id, 'KILL'], () => undefined);
            },
          );
        });
      }
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
