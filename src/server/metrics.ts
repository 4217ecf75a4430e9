import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Which endpoint answered. */
export type Webhook = 'validate' | 'mutate';

/**
 * Outcome label values. validate: allow | deny | warn | audit | exempt | unmatched | error;
 * mutate: patch | nopatch | exempt | unmatched | error. `error` = the failure policy decided.
 */
export type Outcome = string;

/** Reasons counted by rampart_admission_errors_total. */
export type ErrorReason =
  | 'malformed_json'
  | 'invalid_review'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'not_found'
  | 'body_timeout'
  | 'deadline_exceeded'
  | 'policy_error'
  | 'internal';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const POLICY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1];
/** Label values that come from requests are capped so a caller cannot grow the series without bound. */
const MAX_KIND_VALUES = 200;

/** The webhook's Prometheus metrics, on a registry of its own (one per server, no global state). */
export class WebhookMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'webhook' | 'operation' | 'kind' | 'outcome'>;
  private readonly duration: Histogram<'webhook' | 'outcome'>;
  private readonly policyDuration: Histogram<'policy' | 'outcome'>;
  private readonly errors: Counter<'reason'>;
  private readonly reloads: Counter<'result'>;
  private readonly reloadFailing: Gauge;
  private readonly lastReload: Gauge;
  private readonly policiesLoaded: Gauge;
  private readonly inFlight: Gauge;
  private readonly kinds = new Set<string>();
  /** Cached labelled children: label hashing is the costly part of an observation on the hot path. */
  private readonly policyChildren = new Map<string, { observe(v: number): void }>();

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'rampart_admission_requests_total',
      help: 'AdmissionReviews answered, by webhook, operation, object kind and outcome.',
      labelNames: ['webhook', 'operation', 'kind', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'rampart_admission_duration_seconds',
      help: 'Time from request start to response, by webhook and outcome.',
      labelNames: ['webhook', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.policyDuration = new Histogram({
      name: 'rampart_policy_evaluation_duration_seconds',
      help: 'Time one policy took on one object, by policy and outcome (pass, fail, error, unsupported, skip).',
      labelNames: ['policy', 'outcome'],
      buckets: POLICY_BUCKETS,
      registers,
    });
    this.errors = new Counter({
      name: 'rampart_admission_errors_total',
      help: 'Requests that could not be evaluated normally, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.reloads = new Counter({
      name: 'rampart_policy_reloads_total',
      help: 'Policy reload attempts, by result (success, failure).',
      labelNames: ['result'],
      registers,
    });
    this.reloadFailing = new Gauge({
      name: 'rampart_policy_reload_failing',
      help: '1 while the policies on disk are broken and the last good set is being served.',
      registers,
      aggregator: 'max',
    });
    this.lastReload = new Gauge({
      name: 'rampart_policy_last_reload_success_timestamp_seconds',
      help: 'When the policy set being served was loaded.',
      registers,
      aggregator: 'min',
    });
    this.policiesLoaded = new Gauge({ name: 'rampart_policies_loaded', help: 'Policies in the set being served.', registers, aggregator: 'min' });
    this.inFlight = new Gauge({ name: 'rampart_admission_in_flight_requests', help: 'Requests being handled now.', registers });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'rampart_' });
  }

  request(webhook: Webhook, operation: string, kind: string, outcome: Outcome, seconds: number): void {
    let k = kind;
    if (!this.kinds.has(k)) {
      if (this.kinds.size >= MAX_KIND_VALUES) k = 'other';
      else this.kinds.add(k);
    }
    this.requests.inc({ webhook, operation, kind: k, outcome });
    this.duration.observe({ webhook, outcome }, seconds);
  }

  policy(policy: string, outcome: string, seconds: number): void {
    const key = policy + '\0' + outcome;
    let child = this.policyChildren.get(key);
    if (!child) {
      child = this.policyDuration.labels({ policy, outcome });
      this.policyChildren.set(key, child);
    }
    child.observe(seconds);
  }

  error(reason: ErrorReason): void {
    this.errors.inc({ reason });
  }

  reload(ok: boolean, policies: number | undefined, at: Date | undefined): void {
    this.reloads.inc({ result: ok ? 'success' : 'failure' });
    this.reloadFailing.set(ok ? 0 : 1);
    if (ok && policies !== undefined) this.policiesLoaded.set(policies);
    if (ok && at) this.lastReload.set(at.getTime() / 1000);
  }

  /** The set loaded at start-up. */
  loaded(policies: number, at: Date): void {
    this.policiesLoaded.set(policies);
    this.lastReload.set(at.getTime() / 1000);
    this.reloadFailing.set(0);
  }

  requestStarted(): void {
    this.inFlight.inc();
  }

  requestEnded(): void {
    this.inFlight.dec();
  }

  /** Policy ids of a replaced set stop being observed; forget their cached children too. */
  forgetPolicies(): void {
    this.policyChildren.clear();
  }
}
