/**
 * Helpers for the webhook's tests and benchmark: a hand-made policy set, AdmissionReview builders and a TLS
 * client. Not used by the product.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request as httpsRequest, Agent } from 'node:https';
import { createWebhookPki } from './tls/index.js';
import type { CompiledPolicy, EvalContext } from '../policy/engine.js';
import type { RuleResult } from '../core/policy-types.js';
import type { PolicySet } from '../evaluate/index.js';
import { emptyPack, type PackConfig } from '../policy/pack.js';
import { isObject, type KObject } from '../k8s/object.js';
import { podTemplateOf } from '../k8s/podspec.js';

/** A policy from a plain function over the pod spec, with the metadata a finding needs. */
export function podPolicy(
  id: string,
  check: (spec: Record<string, unknown>, ctx: EvalContext) => Omit<RuleResult, 'policyId'>[],
  extra: Partial<CompiledPolicy['meta']> = {},
): CompiledPolicy {
  return {
    meta: { id, title: id, severity: 'high', engine: 'test', remediation: `fix ${id}`, ...extra },
    evaluate(ctx) {
      const obj = ctx.object;
      const pod = obj ? podTemplateOf(obj) : undefined;
      if (!pod) return [];
      return check(pod.spec, ctx).map((r) => ({ policyId: id, ...r }));
    },
  };
}

function containers(spec: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(spec.containers) ? spec.containers.filter(isObject) : [];
}

/** enforce: no privileged container; warn: team label; audit: no :latest images. */
export function testPolicies(): CompiledPolicy[] {
  return [
    podPolicy(
      'test.no-privileged.v1',
      (spec) =>
        containers(spec).map((c, i) => {
          const sc = isObject(c.securityContext) ? c.securityContext : {};
          return sc.privileged === true
            ? { rule: 'privileged', status: 'fail', message: `container "${String(c.name)}" is privileged`, path: ['spec', 'containers', i, 'securityContext', 'privileged'] }
            : { rule: 'privileged', status: 'pass', message: '' };
        }),
      { remediation: 'set securityContext.privileged to false' },
    ),
    podPolicy(
      'test.team-label.v1',
      (_spec, ctx) => {
        const labels = (ctx.object?.metadata?.labels ?? {}) as Record<string, string>;
        return [labels.team ? { rule: 'team', status: 'pass', message: '' } : { rule: 'team', status: 'fail', message: 'no team label', path: ['metadata', 'labels'] }];
      },
      { defaultMode: 'warn' },
    ),
    podPolicy(
      'test.no-latest.v1',
      (spec) =>
        containers(spec).map((c, i) =>
          String(c.image ?? '').endsWith(':latest')
            ? { rule: 'latest', status: 'fail', message: 'image uses the latest tag', path: ['spec', 'containers', i, 'image'] }
            : { rule: 'latest', status: 'pass', message: '' },
        ),
      { defaultMode: 'audit' },
    ),
  ];
}

export function testPolicySet(policies: CompiledPolicy[] = testPolicies(), pack: PackConfig = emptyPack()): PolicySet {
  return { policies, pack, diagnostics: [], inventoryKinds: new Set(['Namespace']), inventoryObjects: [], setModes: new Map() };
}

export interface ReviewOptions {
  uid?: string;
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  namespace?: string;
  dryRun?: boolean;
  username?: string;
  groups?: string[];
  oldObject?: KObject | null;
}

export function pod(name: string, containerFields: Record<string, unknown> = {}, labels: Record<string, string> = { team: 'a' }): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0', ...containerFields }] },
  };
}

/** An admission.k8s.io/v1 AdmissionReview the way the API server sends it. */
export function admissionReview(object: KObject | null, o: ReviewOptions = {}): Record<string, unknown> {
  const src = object ?? o.oldObject ?? {};
  const av = String(src.apiVersion ?? 'v1');
  const [group, version] = av.includes('/') ? av.split('/') : ['', av];
  const kind = String(src.kind ?? 'Pod');
  const resource = kind.toLowerCase() + 's';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: o.uid ?? 'e911857d-c318-11e8-bbad-025000000001',
      kind: { group, version, kind },
      resource: { group, version, resource },
      requestKind: { group, version, kind },
      requestResource: { group, version, resource },
      name: (src.metadata as Record<string, unknown> | undefined)?.name,
      namespace: o.namespace ?? 'default',
      operation: o.operation ?? 'CREATE',
      userInfo: { username: o.username ?? 'alice', uid: 'u-1', groups: o.groups ?? ['system:authenticated'], extra: { 'authentication.kubernetes.io/credential-id': ['JTI=secret-token-id'] } },
      object,
      oldObject: o.oldObject ?? null,
      dryRun: o.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

/** POSTs (or GETs) over TLS trusting only the given CA. */
export function call(
  port: number,
  path: string,
  opts: { ca?: string; method?: string; body?: string | Buffer; headers?: Record<string, string>; agent?: Agent | false } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
        ca: opts.ca,
        servername: 'localhost',
        agent: opts.agent,
        headers: { ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * A self-signed P-256 certificate for localhost / 127.0.0.1 that is its own CA. openssl makes one in a few ms;
 * without openssl, the project's PKI helper (RSA, seconds on a busy machine) is used instead.
 */
export async function testCertificate(now: Date): Promise<{ cert: string; key: string; ca: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-cert-'));
  try {
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'];
    args.push('-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
    args.push('-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'));
    await promisify(execFile)('openssl', args);
    const cert = await readFile(join(dir, 'cert.pem'), 'utf8');
    return { cert, key: await readFile(join(dir, 'key.pem'), 'utf8'), ca: cert };
  } catch {
    const pki = createWebhookPki({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now });
    return { cert: pki.serving.certPem, key: pki.serving.keyPem, ca: pki.ca.certPem };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
