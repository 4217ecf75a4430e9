/**
 * Child processes for the e2e harness: each runs in its own process group (so grandchildren die with it),
 * logs to a file, and is killed when the harness stops or the test process exits. Every wait is time-bound.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Managed {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  stop(): Promise<void>;
  /** The last `bytes` of the log, for failure messages. */
  tail(bytes?: number): string;
}

/** Every process started by this test process, so an exit handler can reap them. */
const live = new Set<Managed>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const reap = (): void => {
    for (const m of live) killGroup(m.child, 'SIGKILL');
  };
  process.on('exit', reap);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      reap();
      process.exit(130);
    });
  }
}

export function startProcess(name: string, cmd: string, args: readonly string[], opts: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): Managed {
  installExitHook();
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true, // own process group: killGroup reaches its children too
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => resolve(`spawn error: ${err.message}`));
  });
  const managed: Managed = {
    name,
    child,
    logFile: opts.logFile,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, 'SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
        if (!done) {
          killGroup(child, 'SIGKILL');
          await Promise.race([exited, sleep(5_000)]);
        }
      }
      live.delete(managed);
      log.end();
    },
    tail(bytes = 4000) {
      try {
        const text = readFileSync(opts.logFile, 'utf8');
        return text.slice(-bytes);
      } catch {
        return '';
      }
    },
  };
  live.add(managed);
  void exited.then(() => live.delete(managed));
  return managed;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Polls `probe` until it returns a value, the process dies, or `timeoutMs` passes; throws with the log tail then.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, opts: { timeoutMs: number; proc?: Managed; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (opts.proc && (opts.proc.child.exitCode !== null || opts.proc.child.signalCode !== null)) {
      throw new Error(`${opts.proc.name} exited (${opts.proc.child.exitCode ?? opts.proc.child.signalCode}) while waiting for ${what}\n--- ${opts.proc.logFile}\n${opts.proc.tail()}`);
    }
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await sleep(opts.intervalMs ?? 250);
  }
  throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}${opts.proc ? `\n--- ${opts.proc.logFile}\n${opts.proc.tail()}` : ''}`);
}
