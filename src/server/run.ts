import { dirname, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { formatFieldPath, formatSpan } from '../core/span.js';
import { hasErrors, type Diagnostic } from '../core/diagnostic.js';
import { loadPolicySet, type PolicySelection } from '../app/policy-set.js';
import type { PolicySet } from '../evaluate/index.js';
import type { AdmissionScope, FailurePolicy, FindingRecorder } from './admission.js';
import { fingerprintPaths } from './reload.js';
import { loadKeyPair } from './tls/index.js';
import { createWebhook, type Webhook } from './webhook.js';

export interface ServeConfig {
  selection: PolicySelection;
  port: number;
  host: string;
  /** PEM files; both or neither (then insecureHttp must be set). */
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp: boolean;
  timeoutSeconds: number;
  failurePolicy?: FailurePolicy;
  maxBodyBytes: number;
  /** Seconds between checks of the policy and certificate files; 0 turns polling off (SIGHUP still reloads). */
  reloadIntervalSeconds: number;
  drainTimeoutSeconds: number;
  scope?: AdmissionScope;
  logLevel: string;
  /** Set in the workers of `--workers N`: metrics are aggregated through the primary. */
  clusterWorker?: boolean;
}

export interface RunningServer {
  webhook: Webhook;
  port: number;
  logger: Logger;
  /** Resolves once the server has drained and closed. */
  stop(): Promise<void>;
  /** Forces a policy reload (what SIGHUP does). */
  reload(): Promise<void>;
}

/** Start-up problems the command prints before exiting with the usage/input exit code. */
export class StartupError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
  }
}

/**
 * The default finding recorder: one `finding` log line per warn/audit/enforce finding of a non-dry-run request,
 * with identifiers and the field path only (messages may quote field values). A store can replace it.
 */
export function logRecorder(logger: Logger): FindingRecorder {
  return (findings, review) => {
    for (const f of findings) {
      logger.info(
        {
          uid: review.attributes.uid,
          policy: f.policyId,
          rule: f.rule,
          status: f.status,
          mode: f.mode,
          severity: f.severity,
          object: f.object,
          path: f.path ? formatFieldPath(f.path) : undefined,
          exception: f.exception?.reason,
        },
        'finding',
      );
    }
  };
}

/** Files whose change means the policy set must be reloaded: the pack, its policy paths and the command line's. */
export function watchedPaths(sel: PolicySelection, set: PolicySet): string[] {
  const paths = new Set<string>();
  if (sel.config) paths.add(resolve(sel.config));
  for (const p of sel.policyPaths ?? []) paths.add(resolve(p));
  const base = sel.config ? dirname(resolve(sel.config)) : process.cwd();
  for (const s of set.pack.policySets) if ('path' in s) paths.add(resolve(base, s.path));
  return [...paths];
}

/**
 * Loads policies and certificates, starts the webhook and the reload poller. Policy or certificate errors at start
 * are a StartupError (there is no last good set to fall back on yet); later they only keep the last good one.
 */
export function serveLogger(level: string, worker?: number): Logger {
  return pino({ level, base: { service: 'rampart-webhook', ...(worker !== undefined ? { worker } : {}) } });
}

/** Loads the policy set and the certificate as the server would, or throws StartupError with every problem. */
export async function prepareServe(cfg: ServeConfig, logger: Logger, now: Date): Promise<{ initial: PolicySet; tls?: { cert: string; key: string } }> {
  const initial = await loadPolicySet(cfg.selection, { now });
  for (const d of initial.diagnostics) if (d.severity !== 'error') logger.warn({ code: d.code, at: formatSpan(d.span) || undefined }, d.message);
  if (hasErrors(initial.diagnostics)) throw new StartupError(initial.diagnostics.filter((d) => d.severity === 'error'));
  if (cfg.insecureHttp) return { initial };
  if (!cfg.tlsCert || !cfg.tlsKey) {
    throw new StartupError([{ code: 'usage_error', severity: 'error', message: '--tls-cert and --tls-key are required (or --insecure-http for local testing)' }]);
  }
  const { pair, diagnostics } = await loadKeyPair(cfg.tlsCert, cfg.tlsKey, now);
  if (!pair) throw new StartupError(diagnostics);
  return { initial, tls: { cert: pair.certPem, key: pair.keyPem } };
}

export async function startServe(cfg: ServeConfig, logger: Logger = serveLogger(cfg.logLevel)): Promise<RunningServer> {
  const now = () => new Date();
  const { initial, tls } = await prepareServe(cfg, logger, now());

  let watched = watchedPaths(cfg.selection, initial);
  const webhook = createWebhook({
    initial,
    load: async () => {
      const set = await loadPolicySet(cfg.selection, { now: now() });
      if (!hasErrors(set.diagnostics)) watched = watchedPaths(cfg.selection, set);
      return set;
    },
    fingerprint: () => fingerprintPaths(watched),
    initialFingerprint: await fingerprintPaths(watched),
    logger,
    now,
    tls,
    timeoutSeconds: cfg.timeoutSeconds,
    maxBodyBytes: cfg.maxBodyBytes,
    failurePolicy: cfg.failurePolicy,
    scope: cfg.scope,
    clusterWorker: cfg.clusterWorker,
    record: logRecorder(logger),
  });

  const certFiles = tls ? [resolve(cfg.tlsCert!), resolve(cfg.tlsKey!)] : [];
  let certPrint = certFiles.length ? await fingerprintPaths(certFiles) : '';
  const reloadCerts = async () => {
    if (!certFiles.length) return;
    const fp = await fingerprintPaths(certFiles);
    if (fp === certPrint) return;
    const { pair, diagnostics } = await loadKeyPair(cfg.tlsCert!, cfg.tlsKey!, now());
    // a half-written pair (cert updated, key not yet) fails the match check: try again on the next tick
    if (!pair) return logger.error({ problems: diagnostics.map((d) => `${d.code}: ${d.message}`) }, 'certificate reload failed; keeping the current certificate');
    certPrint = fp;
    webhook.server.setTls(pair.certPem, pair.keyPem);
    logger.info({ subject: pair.certificate.subject, validTo: pair.certificate.validTo }, 'certificate reloaded');
  };
  const tick = async () => {
    await webhook.holder.check();
    await reloadCerts();
  };
  const poller = cfg.reloadIntervalSeconds > 0 ? setInterval(() => void tick().catch((e) => logger.error({ err: (e as Error).message }, 'reload check failed')), cfg.reloadIntervalSeconds * 1000) : undefined;
  poller?.unref();

  const { port } = await webhook.server.listen(cfg.port, cfg.host);
  logger.info(
    { port, host: cfg.host, tls: !!tls, policies: initial.policies.length, timeoutSeconds: cfg.timeoutSeconds, failurePolicy: cfg.failurePolicy ?? initial.pack.admission.failurePolicy },
    'rampart webhook listening',
  );
  if (!tls) logger.warn('serving plain HTTP (--insecure-http): the API server requires HTTPS; use this for local testing only');

  let stopping: Promise<void> | undefined;
  return {
    webhook,
    port,
    logger,
    reload: async () => {
      await webhook.holder.check(true);
      await reloadCerts();
    },
    stop: () =>
      (stopping ??= (async () => {
        if (poller) clearInterval(poller);
        logger.info({ drainTimeoutSeconds: cfg.drainTimeoutSeconds }, 'shutting down: draining requests in flight');
        const { drained } = await webhook.server.shutdown(cfg.drainTimeoutSeconds * 1000);
        logger.info({ drained }, drained ? 'drained; stopped' : 'drain timeout: remaining connections closed');
      })()),
  };
}
