import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';

const METRICS_REQ = 'rampart:metrics-req';
const METRICS_RES = 'rampart:metrics-res';
/** A worker whose start failed this way exits with it; the primary then stops instead of restarting it. */
export const WORKER_STARTUP_FAILED = 2;

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** Restarts allowed within a minute before the primary gives up. Default 5. */
  restartLimit?: number;
}

/**
 * The primary of `rampart serve --workers N`: forks N identical workers (they share the listening socket), restarts
 * one that crashes, forwards SIGHUP (reload) and SIGTERM/SIGINT (drain), and serves aggregated metrics to whichever
 * worker is asked for /metrics. Resolves with the process exit code.
 */
export function runPrimary(opts: PrimaryOptions): Promise<number> {
  const { logger } = opts;
  const limit = opts.restartLimit ?? 5;
  const aggregator = new AggregatorRegistry();
  const restarts: number[] = [];
  const listening = new Set<number>();
  let stopping = false;
  let exitCode = 0;

  return new Promise((resolve) => {
    const stopAll = (code: number) => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve(exitCode);
    };
    const fork = () => {
      const w = cluster.fork();
      w.on('listening', () => listening.add(w.id));
      w.on('message', (m: { type?: string; id?: number }) => {
        if (m?.type !== METRICS_REQ) return;
        aggregator.clusterMetrics().then(
          (text) => w.isConnected() && w.send({ type: METRICS_RES, id: m.id, text }),
          (e: Error) => w.isConnected() && w.send({ type: METRICS_RES, id: m.id, error: e.message }),
        );
      });
    };
    cluster.on('exit', (w: Worker, code, signal) => {
      const started = listening.delete(w.id);
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(exitCode);
        return;
      }
      if (!started && code === WORKER_STARTUP_FAILED) {
        logger.error({ worker: w.id }, 'a worker could not start (see its errors above); stopping');
        return stopAll(WORKER_STARTUP_FAILED);
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts.length && restarts[0] < now - 60_000) restarts.shift();
      if (restarts.length > limit) {
        logger.error({ restarts: restarts.length }, 'workers keep crashing; stopping');
        return stopAll(1);
      }
      logger.error({ worker: w.id, code, signal }, 'worker exited unexpectedly; starting a new one');
      fork();
    });
    for (let i = 0; i < opts.workers; i++) fork();
    process.once('SIGTERM', () => stopAll(0));
    process.once('SIGINT', () => stopAll(0));
    process.on('SIGHUP', () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
    });
    logger.info({ workers: opts.workers }, 'rampart webhook primary started');
  });
}

/**
 * In a worker: answers the primary's metric collection with this worker's registry, and returns the function
 * /metrics uses to get every worker's metrics aggregated (the local ones if the primary does not answer in time).
 */
export function workerMetrics(registry: Registry, timeoutMs = 3000): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs the worker-side listener of prom-client's cluster protocol
  const pending = new Map<number, (r: { text?: string; error?: string }) => void>();
  let next = 0;
  process.on('message', (m: { type?: string; id?: number; text?: string; error?: string }) => {
    if (m?.type !== METRICS_RES || m.id === undefined) return;
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  });
  return () =>
    new Promise((resolve) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        void registry.metrics().then(resolve);
      }, timeoutMs);
      pending.set(id, (r) => {
        clearTimeout(timer);
        if (r.text !== undefined) resolve(r.text);
        else void registry.metrics().then(resolve);
      });
      process.send?.({ type: METRICS_REQ, id });
    });
}
