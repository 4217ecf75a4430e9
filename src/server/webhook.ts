import type { Logger } from 'pino';
import { formatSpan } from '../core/span.js';
import type { Diagnostic } from '../core/diagnostic.js';
import type { PolicySet } from '../evaluate/index.js';
import { AdmissionHandler, type AdmissionScope, type FailurePolicy, type FindingRecorder } from './admission.js';
import { DEFAULT_MAX_BODY_BYTES, WebhookServer } from './http.js';
import { WebhookMetrics } from './metrics.js';
import { workerMetrics } from './cluster.js';
import { PolicySetHolder, type Fingerprinter, type PolicyLoader } from './reload.js';

export interface WebhookOptions {
  /** The set loaded at start-up (already checked to have no errors). */
  initial: PolicySet;
  /** Reloads the set from its sources (hot reload). */
  load: PolicyLoader;
  /** Summary of the sources, to notice changes; its value for `initial` may be passed as `initialFingerprint`. */
  fingerprint: Fingerprinter;
  initialFingerprint?: string;
  logger: Logger;
  now: () => Date;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The webhook configuration's timeoutSeconds. Default 10. */
  timeoutSeconds?: number;
  maxBodyBytes?: number;
  /** Overrides the pack's admission.failurePolicy. */
  failurePolicy?: FailurePolicy;
  scope?: AdmissionScope;
  namespaceLabels?: (namespace: string) => Record<string, string> | undefined;
  record?: FindingRecorder;
  /** Process metrics (CPU, memory, event loop lag) on /metrics. Default true. */
  defaultMetrics?: boolean;
  /** Set in a cluster worker: /metrics answers with every worker's metrics aggregated. */
  clusterWorker?: boolean;
}

export interface Webhook {
  server: WebhookServer;
  holder: PolicySetHolder;
  metrics: WebhookMetrics;
  handler: AdmissionHandler;
}

/** Wires the webhook: metrics, the hot-reloadable policy set, the admission logic and the HTTP server. */
export function createWebhook(o: WebhookOptions): Webhook {
  const metrics = new WebhookMetrics({ defaultMetrics: o.defaultMetrics });
  metrics.loaded(o.initial.policies.length, o.now());
  const holder = new PolicySetHolder(
    o.initial,
    o.load,
    o.fingerprint,
    o.now,
    {
      reloaded: (set, status) => {
        metrics.forgetPolicies();
        metrics.reload(true, set.policies.length, status.loadedAt);
        o.logger.info({ generation: status.generation, policies: set.policies.length, warnings: set.diagnostics.length }, 'policies reloaded');
      },
      rejected: (diagnostics, status) => {
        metrics.reload(false, undefined, undefined);
        o.logger.error(
          { generation: status.generation, problems: summarize(diagnostics) },
          'policy reload rejected: the policies on disk have errors; still serving the last good set',
        );
      },
    },
    o.initialFingerprint,
  );
  const handler = new AdmissionHandler({
    policies: () => holder.current,
    now: o.now,
    failurePolicy: o.failurePolicy,
    scope: o.scope,
    namespaceLabels: o.namespaceLabels,
    record: o.record,
    onPolicy: (id, status, seconds) => metrics.policy(id, status, seconds),
  });
  const server = new WebhookServer({
    metricsText: o.clusterWorker ? workerMetrics(metrics.registry) : undefined,
    handler,
    metrics,
    logger: o.logger,
    tls: o.tls,
    timeoutSeconds: o.timeoutSeconds ?? 10,
    maxBodyBytes: o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  });
  return { server, holder, metrics, handler };
}

/** Diagnostics for logs: code, place and message, errors first, at most 20. */
export function summarize(diagnostics: readonly Diagnostic[]): string[] {
  return [...diagnostics]
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1))
    .slice(0, 20)
    .map((d) => `${d.severity} ${d.code}${d.span ? ` at ${formatSpan(d.span)}` : ''}: ${d.message}`);
}
