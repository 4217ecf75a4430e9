import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { findingIds, type AdmissionHandler, type AdmissionResult } from './admission.js';
import type { ErrorReason, Webhook, WebhookMetrics } from './metrics.js';
import { parseAdmissionReview, reviewResponseJson, type ReviewRequest } from './review.js';

export interface WebhookServerOptions {
  handler: AdmissionHandler;
  metrics: WebhookMetrics;
  logger: Logger;
  /** PEM certificate chain and key. Without it the server speaks plain HTTP (only behind --insecure-http). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The webhook configuration's timeoutSeconds (1–30); the per-request deadline is derived from it. */
  timeoutSeconds: number;
  /** Largest request body accepted. */
  maxBodyBytes: number;
  /** False until the first policy set is loaded, and again while draining. */
  ready?: () => boolean;
  /** Text for /metrics when it is not just this process's registry (aggregated over cluster workers). */
  metricsText?: () => Promise<string>;
}

/** Default request body limit: an object and its old version at the API server's 1.5 MiB object limit, plus room. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Deadline for answering, measured from the request's arrival: the webhook timeout less a margin for the network
 * and the API server's own bookkeeping (10% of the timeout, between 200 ms and 1 s). Past it the failure policy
 * answers, so the API server gets a decision from Rampart instead of timing out on its own.
 */
export function deadlineMs(timeoutSeconds: number): number {
  const t = timeoutSeconds * 1000;
  return t - Math.min(1000, Math.max(200, t * 0.1));
}

/** An error answered at the HTTP edge: status, a reason for metrics, and a message safe to show the caller. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: ErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The admission webhook over node:https (no framework: five fixed routes, and the measured overhead against a
 * bare server matters more than routing features). Routes: POST /validate, POST /mutate, GET /healthz, /readyz,
 * /metrics. Any bad request gets a 4xx with a JSON body and the server goes on serving.
 */
export class WebhookServer {
  private readonly server: Server | HttpsServer;
  private inFlight = 0;
  private draining = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly deadline: number;

  constructor(private readonly opts: WebhookServerOptions) {
    this.deadline = deadlineMs(opts.timeoutSeconds);
    const handle = (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res);
    this.server = opts.tls
      ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, handle)
      : createHttpServer(handle);
    // Node's own limits as a backstop to the per-request deadline; keep-alive longer than Go clients' idle timeout
    // would make the API server race a closing connection, so stay below 90 s.
    this.server.requestTimeout = opts.timeoutSeconds * 1000 + 5000;
    this.server.headersTimeout = Math.min(10_000, this.server.requestTimeout);
    this.server.keepAliveTimeout = 65_000;
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      // TLS handshake failures, malformed HTTP: answer 400 when the socket is still writable; never crash
      if (err.code !== 'ECONNRESET' && socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  listen(port: number, host?: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Swaps the certificate without dropping connections (cert-manager rotation). */
  setTls(cert: string | Buffer, key: string | Buffer): void {
    if ('setSecureContext' in this.server) this.server.setSecureContext({ cert, key, minVersion: 'TLSv1.2' });
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Stops accepting connections, lets requests in flight finish (each gets `Connection: close`), closes idle
   * keep-alive connections, and after `drainMs` cuts whatever is left.
   */
  async shutdown(drainMs: number): Promise<{ drained: boolean }> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.whenIdle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), drainMs))),
    ]);
    clearTimeout(timer);
    if (!drained) this.server.closeAllConnections();
    this.server.closeIdleConnections();
    await closed;
    return { drained };
  }

  private whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const arrival = Date.now();
    this.inFlight++;
    this.opts.metrics.requestStarted();
    res.once('close', () => {
      this.inFlight--;
      this.opts.metrics.requestEnded();
      if (this.draining) this.server.closeIdleConnections();
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
    const path = (req.url ?? '/').split('?', 1)[0];
    try {
      switch (path) {
        case '/validate':
        case '/mutate':
          this.admission(path === '/validate' ? 'validate' : 'mutate', req, res, started, arrival + this.deadline);
          return;
        case '/healthz':
          return this.simple(req, res, 200, 'ok');
        case '/readyz': {
          const ready = !this.draining && (this.opts.ready?.() ?? true);
          return this.simple(req, res, ready ? 200 : 503, ready ? 'ok' : this.draining ? 'draining' : 'not ready');
        }
        case '/metrics':
          if (req.method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'use GET');
          (this.opts.metricsText ?? (() => this.opts.metrics.registry.metrics()))().then(
            (text) => this.reply(res, 200, this.opts.metrics.registry.contentType, text),
            () => this.fail(res, new HttpError(500, 'internal', 'metrics unavailable')),
          );
          return;
        default:
          throw new HttpError(404, 'not_found', 'no such endpoint; use /validate, /mutate, /healthz, /readyz or /metrics');
      }
    } catch (e) {
      this.fail(res, e);
    }
  }

  private simple(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'use GET');
    this.reply(res, status, 'text/plain; charset=utf-8', body + '\n');
  }

  private admission(webhook: Webhook, req: IncomingMessage, res: ServerResponse, started: number, deadline: number): void {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      throw new HttpError(405, 'method_not_allowed', 'use POST with an AdmissionReview');
    }
    const ct = (req.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
    if (ct !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'Content-Type must be application/json');
    const max = this.opts.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > max) throw new HttpError(413, 'body_too_large', `request body exceeds ${max} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      this.fail(res, new HttpError(408, 'body_timeout', 'request body not received before the deadline'));
    }, Math.max(0, deadline - Date.now()));
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        done = true;
        clearTimeout(timer);
        this.fail(res, new HttpError(413, 'body_too_large', `request body exceeds ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {
      done = true;
      clearTimeout(timer);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        this.review(webhook, Buffer.concat(chunks, size), res, started, deadline);
      } catch (e) {
        this.fail(res, e);
      }
    });
  }

  private review(webhook: Webhook, body: Buffer, res: ServerResponse, started: number, deadline: number): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'malformed_json', 'body is not valid JSON');
    }
    const p = parseAdmissionReview(parsed);
    if (!p.ok) throw new HttpError(400, 'invalid_review', p.message);
    const review = p.review;
    let result: AdmissionResult;
    try {
      result = webhook === 'validate' ? this.opts.handler.validate(review, deadline) : this.opts.handler.mutate(review, deadline);
    } catch (e) {
      // engines never throw; if something still does, the failure policy answers and nothing internal leaks
      this.opts.logger.error({ uid: review.attributes.uid, err: errorSummary(e) }, 'admission handler failed');
      result = this.opts.handler.failure(webhook, undefined, review.attributes.uid, 'internal');
    }
    this.reply(res, 200, 'application/json', reviewResponseJson(result.response));
    const seconds = (performance.now() - started) / 1000;
    const a = review.attributes;
    this.opts.metrics.request(webhook, a.operation, a.kind.kind, result.outcome, seconds);
    if (result.failure) this.opts.metrics.error(result.failure.reason);
    this.log(review, result, seconds);
  }

  private log(review: ReviewRequest, r: AdmissionResult, seconds: number): void {
    const a = review.attributes;
    const quiet = r.outcome === 'allow' || r.outcome === 'nopatch' || r.outcome === 'unmatched';
    const level = r.failure ? 'warn' : quiet ? 'debug' : 'info';
    if (!this.opts.logger.isLevelEnabled(level)) return;
    // Only identifiers: never the object, the old object, userInfo.extra or finding messages (they may quote values).
    this.opts.logger[level](
      {
        uid: a.uid,
        webhook: r.webhook,
        operation: a.operation,
        kind: `${a.kind.group ? a.kind.group + '/' : ''}${a.kind.version}/${a.kind.kind}`,
        namespace: a.namespace,
        name: a.name,
        user: a.userInfo.username,
        dryRun: a.dryRun,
        outcome: r.outcome,
        allowed: r.response.allowed,
        findings: r.findings.length > 0 ? findingIds(r.findings) : undefined,
        mutations: r.mutations,
        exemption: r.exemptReason,
        failure: r.failure,
        ms: Math.round(seconds * 10000) / 10,
      },
      'admission review',
    );
  }

  /** Every response goes through here: while draining it closes the connection after answering. */
  private reply(res: ServerResponse, status: number, type: string, body: string): void {
    if (this.draining && !res.headersSent) res.setHeader('Connection', 'close');
    send(res, status, type, body);
  }

  private fail(res: ServerResponse, e: unknown): void {
    const err = e instanceof HttpError ? e : new HttpError(500, 'internal', 'internal error');
    if (!(e instanceof HttpError)) this.opts.logger.error({ err: errorSummary(e) }, 'request failed');
    this.opts.metrics.error(err.reason);
    if (err.status >= 400 && err.reason !== 'not_found') this.opts.logger.debug({ status: err.status, reason: err.reason }, 'request rejected');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // after a body problem the rest of the body is unread: close the connection instead of draining it
    if (err.reason === 'body_too_large' || err.reason === 'body_timeout') res.setHeader('Connection', 'close');
    this.reply(res, err.status, 'application/json', JSON.stringify({ error: { code: err.status, reason: err.reason, message: err.message } }));
    if (res.getHeader('Connection') === 'close') res.once('finish', () => res.socket?.destroySoon());
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function errorSummary(e: unknown): { message: string; stack?: string } {
  return e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) };
}
