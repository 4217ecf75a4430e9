/**
 * Deploy manifests for the Rampart admission webhook: Namespace, ServiceAccount and least-privilege RBAC,
 * TLS Secret, policy ConfigMap, Deployment (2+ replicas, anti-affinity, restricted security context),
 * PodDisruptionBudget, Service, and the two webhook configurations. Pure: options in, objects out.
 */
import type { Diagnostic } from '../../core/diagnostic.js';
import { diag } from '../../core/diagnostic.js';
import type { KObject } from '../../k8s/object.js';
import {
  DEFAULT_EXEMPT_NAMESPACES,
  WORKLOAD_RULES,
  webhookConfigurations,
  type FailurePolicy,
  type ResourceRule,
} from './webhooks.js';

export interface InstallOptions {
  name: string;
  namespace: string;
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  replicas: number;
  /** PEM of the CA that signed the serving certificate (the caBundle). */
  caBundlePem: string;
  /**
   * Let cert-manager issue the serving certificate (a self-signed CA Issuer chain in the install namespace) and
   * inject the caBundle. caBundlePem and servingPair are then ignored.
   */
  certManager?: boolean;
  /** Serving pair to ship as a kubernetes.io/tls Secret; omit when the Secret is managed elsewhere. */
  servingPair?: { certPem: string; keyPem: string };
  /** Out-of-cluster webhook (https://host:port): only the webhook configurations are rendered. */
  webhookUrl?: string;
  failurePolicy: FailurePolicy;
  mutatingFailurePolicy: FailurePolicy;
  timeoutSeconds: number;
  /** Namespaces never sent to Rampart; the install namespace is always added. */
  exemptNamespaces: readonly string[];
  /** Extra resources beyond the built-in workloads (e.g. Gatekeeper-style checks on Services). */
  extraRules?: readonly ResourceRule[];
  mutating: boolean;
  /** What `rampart serve` enforces: built-in PSS and/or a pack and policy documents shipped in a ConfigMap. */
  policies: PolicyPayload;
  /**
   * Grant read access to Namespaces (and mount a token) for a server that looks up namespace labels. Default
   * false: `rampart serve` calls no API today, so its ServiceAccount has no permissions and no token at all.
   */
  readNamespaces: boolean;
  priorityClassName?: string;
}

/** The policies the webhook runs. Files travel in a ConfigMap: rampart.yaml at the mount root, documents below. */
export interface PolicyPayload {
  pss?: 'baseline' | 'restricted';
  pssVersion?: string;
  /** rampart.yaml text. Its `path:` policy sets must point inside the mount (use policyFiles for them). */
  packYaml?: string;
  /** Policy documents by file name (ValidatingAdmissionPolicy, Kyverno, Gatekeeper...). */
  policyFiles?: Readonly<Record<string, string>>;
}

export const CONFIG_MOUNT = '/etc/rampart/config';
const TLS_MOUNT = '/etc/rampart/tls';
const PORT = 8443;
/** A ConfigMap holds at most 1 MiB; leave room for metadata. */
const MAX_CONFIG_BYTES = 900 * 1024;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function defaultInstallOptions(version: string): InstallOptions {
  return {
    name: 'rampart',
    namespace: 'rampart-system',
    image: `ghcr.io/rampart-dev/rampart:${version}`,
    replicas: 2,
    caBundlePem: '',
    failurePolicy: 'Fail',
    mutatingFailurePolicy: 'Ignore',
    timeoutSeconds: 5,
    exemptNamespaces: [...DEFAULT_EXEMPT_NAMESPACES],
    mutating: true,
    policies: { pss: 'restricted' },
    readNamespaces: false,
  };
}

/** Problems with the options, as diagnostics (code usage_error or config_invalid_value). */
export function checkInstallOptions(o: InstallOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const bad = (message: string, help?: string): void => {
    out.push(diag('config_invalid_value', message, help ? { help } : {}));
  };
  if (!DNS_LABEL.test(o.name)) bad(`--name "${o.name}" is not a DNS label (lowercase letters, digits, '-')`);
  if (!DNS_LABEL.test(o.namespace)) bad(`--namespace "${o.namespace}" is not a DNS label`);
  if (!o.webhookUrl && (!Number.isInteger(o.replicas) || o.replicas < 2)) {
    bad(`--replicas must be at least 2, got ${o.replicas}`, 'One replica makes every rollout or node drain an outage of admission (failurePolicy Fail) or a gap in enforcement (Ignore).');
  }
  if (!Number.isInteger(o.timeoutSeconds) || o.timeoutSeconds < 1 || o.timeoutSeconds > 30) {
    bad(`--timeout-seconds must be 1..30 (the API server's limit), got ${o.timeoutSeconds}`);
  }
  if (o.certManager && o.webhookUrl) bad('--cert-manager issues a certificate for the in-cluster Service; it cannot be combined with --webhook-url');
  if (!o.certManager && !o.caBundlePem.includes('-----BEGIN CERTIFICATE-----')) bad('the caBundle is not a PEM certificate');
  if (o.webhookUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(o.webhookUrl);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:' || url.search || url.hash || url.username) {
      bad(`--webhook-url "${o.webhookUrl}" must be https://host[:port][/path] without query, fragment or credentials`);
    }
  }
  for (const r of o.extraRules ?? []) {
    for (const res of r.resources) {
      if (res === '*' || res.startsWith('*/') || res === '') {
        bad(`resource "${res}" in group "${r.apiGroup}" is a wildcard`, 'Name resources one by one: a wildcard sends leases and events through the webhook.');
      }
    }
    if (r.apiGroup === '*') bad('apiGroup "*" is a wildcard; name the group');
  }
  const p = o.policies;
  if (!p.pss && p.packYaml === undefined && Object.keys(p.policyFiles ?? {}).length === 0) {
    bad('no policies selected: the webhook would admit everything', 'Pass --pss, --config or --policy.');
  }
  let configBytes = Buffer.byteLength(p.packYaml ?? '');
  for (const [file, text] of Object.entries(p.policyFiles ?? {})) {
    if (!/^[-._a-zA-Z0-9]+$/.test(file) || file.length > 200) bad(`policy file name "${file}" cannot be a ConfigMap key (letters, digits, '-', '_', '.')`);
    configBytes += Buffer.byteLength(text);
  }
  if (configBytes > MAX_CONFIG_BYTES) bad(`policy files total ${configBytes} bytes; a ConfigMap holds at most ${MAX_CONFIG_BYTES}`, 'Bake the policies into the image, or mount them from your own volume.');
  return out;
}

/** All manifests, in apply order (namespace and RBAC first, webhook configurations last). */
export function installManifests(o: InstallOptions): KObject[] {
  const labels = {
    'app.kubernetes.io/name': 'rampart',
    'app.kubernetes.io/instance': o.name,
    'app.kubernetes.io/component': 'admission-webhook',
  };
  const selector = { 'app.kubernetes.io/name': 'rampart', 'app.kubernetes.io/instance': o.name };
  const exempt = [...new Set([...o.exemptNamespaces, ...(o.webhookUrl ? [] : [o.namespace])])];
  const webhooks = webhookConfigurations({
    name: o.name,
    labels,
    ...(o.certManager ? { injectCaFrom: `${o.namespace}/${o.name}-tls` } : { caBundlePem: o.caBundlePem }),
    target: o.webhookUrl ? { url: o.webhookUrl } : { service: { namespace: o.namespace, name: o.name, port: 443 } },
    validatingFailurePolicy: o.failurePolicy,
    mutatingFailurePolicy: o.mutatingFailurePolicy,
    timeoutSeconds: o.timeoutSeconds,
    exemptNamespaces: exempt,
    rules: [...WORKLOAD_RULES, ...(o.extraRules ?? [])],
    mutating: o.mutating,
  });
  if (o.webhookUrl) return webhooks;

  const ns = o.namespace;
  const meta = (name: string): Record<string, unknown> => ({ name, namespace: ns, labels: { ...labels } });
  const out: KObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' },
      },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o.name), automountServiceAccountToken: o.readNamespaces },
  ];
  if (o.readNamespaces) {
    // The only API access the webhook needs: namespace labels. No Secrets, no writes, nothing namespaced.
    out.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: `${o.name}-read-namespaces`, labels: { ...labels } },
        rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `${o.name}-read-namespaces`, labels: { ...labels } },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${o.name}-read-namespaces` },
        subjects: [{ kind: 'ServiceAccount', name: o.name, namespace: ns }],
      },
    );
  }
  if (o.certManager) {
    out.push(...certManagerObjects(o, meta));
  } else if (o.servingPair) {
    out.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(`${o.name}-tls`),
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': Buffer.from(o.servingPair.certPem).toString('base64'),
        'tls.key': Buffer.from(o.servingPair.keyPem).toString('base64'),
        'ca.crt': Buffer.from(o.caBundlePem).toString('base64'),
      },
    });
  }
  const config = policyConfig(o.policies);
  if (config.items.length > 0) {
    out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${o.name}-policies`), data: config.data });
  }
  out.push(deployment(o, meta(o.name), labels, selector, config));
  out.push({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(o.name),
    spec: { maxUnavailable: 1, selector: { matchLabels: { ...selector } } },
  });
  out.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(o.name),
    spec: { type: 'ClusterIP', selector: { ...selector }, ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] },
  });
  return [...out, ...webhooks];
}

function deployment(
  o: InstallOptions,
  metadata: Record<string, unknown>,
  labels: Record<string, string>,
  selector: Record<string, string>,
  config: PolicyConfig,
): KObject {
  const volumes: Record<string, unknown>[] = [{ name: 'tls', secret: { secretName: `${o.name}-tls` } }];
  const mounts: Record<string, unknown>[] = [{ name: 'tls', mountPath: TLS_MOUNT, readOnly: true }];
  if (config.items.length > 0) {
    volumes.push({ name: 'policies', configMap: { name: `${o.name}-policies`, items: config.items } });
    mounts.push({ name: 'policies', mountPath: CONFIG_MOUNT, readOnly: true });
  }
  const probe = (path: string, period: number): Record<string, unknown> => ({
    httpGet: { path, port: 'https', scheme: 'HTTPS' },
    periodSeconds: period,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { ...selector } },
      // Never drop below the current capacity during a rollout: admission depends on it.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          serviceAccountName: o.name,
          automountServiceAccountToken: o.readNamespaces,
          ...(o.priorityClassName ? { priorityClassName: o.priorityClassName } : {}),
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          affinity: {
            podAntiAffinity: {
              // Preferred, not required: a one-node dev cluster still schedules both replicas.
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...selector } } } },
              ],
            },
          },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } } },
          ],
          // Longer than the webhook timeout so in-flight reviews finish while the endpoint is removed.
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'rampart',
              image: o.image,
              ...(o.imagePullPolicy ? { imagePullPolicy: o.imagePullPolicy } : {}),
              args: [
                'serve',
                '--port',
                String(PORT),
                '--tls-cert',
                `${TLS_MOUNT}/tls.crt`,
                '--tls-key',
                `${TLS_MOUNT}/tls.key`,
                // Rampart answers (with its failure policy) before the API server gives up on it.
                '--timeout-seconds',
                String(o.timeoutSeconds),
                ...config.args,
              ],
              ports: [{ name: 'https', containerPort: PORT, protocol: 'TCP' }],
              readinessProbe: probe('/readyz', 5),
              livenessProbe: probe('/healthz', 10),
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

interface PolicyConfig {
  data: Record<string, string>;
  items: Array<{ key: string; path: string }>;
  /** Policy-selection flags for `rampart serve`. */
  args: string[];
}

/** ConfigMap keys cannot hold '/', so policy documents get a prefix and the volume's items place them in a folder. */
function policyConfig(p: PolicyPayload): PolicyConfig {
  const out: PolicyConfig = { data: {}, items: [], args: [] };
  if (p.pss) out.args.push('--pss', p.pss);
  if (p.pssVersion) out.args.push('--pss-version', p.pssVersion);
  if (p.packYaml !== undefined) {
    out.data['rampart.yaml'] = p.packYaml;
    out.items.push({ key: 'rampart.yaml', path: 'rampart.yaml' });
    out.args.push('--config', `${CONFIG_MOUNT}/rampart.yaml`);
  }
  const files = Object.keys(p.policyFiles ?? {}).sort();
  for (const f of files) {
    out.data[`policy.${f}`] = p.policyFiles![f];
    out.items.push({ key: `policy.${f}`, path: `policies/${f}` });
  }
  if (files.length > 0) out.args.push('--policy', `${CONFIG_MOUNT}/policies`);
  return out;
}

/**
 * cert-manager's documented CA bootstrap: a self-signed Issuer signs a CA Certificate, a CA Issuer signs the serving
 * Certificate (Secret <name>-tls, the one the Deployment mounts), renewed well before expiry with a new key.
 */
function certManagerObjects(o: InstallOptions, meta: (name: string) => Record<string, unknown>): KObject[] {
  const api = 'cert-manager.io/v1';
  const service = [o.name, `${o.name}.${o.namespace}`, `${o.name}.${o.namespace}.svc`, `${o.name}.${o.namespace}.svc.cluster.local`];
  return [
    { apiVersion: api, kind: 'Issuer', metadata: meta(`${o.name}-selfsigned`), spec: { selfSigned: {} } },
    {
      apiVersion: api,
      kind: 'Certificate',
      metadata: meta(`${o.name}-ca`),
      spec: {
        isCA: true,
        commonName: `${o.name} webhook CA`,
        secretName: `${o.name}-ca`,
        duration: '87600h',
        privateKey: { algorithm: 'ECDSA', size: 256 },
        issuerRef: { kind: 'Issuer', name: `${o.name}-selfsigned` },
      },
    },
    { apiVersion: api, kind: 'Issuer', metadata: meta(`${o.name}-ca`), spec: { ca: { secretName: `${o.name}-ca` } } },
    {
      apiVersion: api,
      kind: 'Certificate',
      metadata: meta(`${o.name}-tls`),
      spec: {
        secretName: `${o.name}-tls`,
        dnsNames: service,
        duration: '2160h',
        renewBefore: '360h',
        usages: ['server auth', 'digital signature', 'key encipherment'],
        privateKey: { algorithm: 'RSA', size: 2048, rotationPolicy: 'Always' },
        issuerRef: { kind: 'Issuer', name: `${o.name}-ca` },
      },
    },
  ];
}
