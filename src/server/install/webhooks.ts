/**
 * The ValidatingWebhookConfiguration and MutatingWebhookConfiguration that send workloads to Rampart.
 * Narrow on purpose: only the workload resources whose pod specs policies check, never `resources: ["*"]`,
 * so the API server never waits on Rampart for leases, events or its own bookkeeping.
 */
import type { KObject } from '../../k8s/object.js';

export type FailurePolicy = 'Fail' | 'Ignore';

/** One admission rule: an API group's resources (subresources as "pods/ephemeralcontainers"). */
export interface ResourceRule {
  apiGroup: string;
  apiVersions: string[];
  resources: string[];
}

/** Every built-in resource that carries a pod spec, plus the ephemeral-containers subresource PSS checks. */
export const WORKLOAD_RULES: readonly ResourceRule[] = [
  { apiGroup: '', apiVersions: ['v1'], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'] },
  { apiGroup: 'apps', apiVersions: ['v1'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { apiGroup: 'batch', apiVersions: ['v1'], resources: ['jobs', 'cronjobs'] },
];

/**
 * Requests from the control plane's own identities are not Rampart's to judge: mirror pods the kubelet reports
 * for static pods (blocking them only hides what runs) and the API server's and scheduler's own writes.
 * Controller-created pods are still checked (their templates were checked too, but a webhook added later must
 * still see them).
 */
export const CONTROL_PLANE_MATCH_CONDITIONS = [
  { name: 'exclude-kubelets', expression: "!('system:nodes' in request.userInfo.groups)" },
  {
    name: 'exclude-control-plane-components',
    expression: "!(request.userInfo.username in ['system:apiserver', 'system:kube-scheduler'])",
  },
] as const;

/** Namespaces the control plane needs to keep working even when Rampart is down. */
export const DEFAULT_EXEMPT_NAMESPACES = ['kube-system', 'kube-node-lease', 'kube-public'] as const;

export interface WebhookSettings {
  /** Object names of the two configurations. */
  name: string;
  labels: Record<string, string>;
  /** PEM of the CA that signed the serving certificate; undefined when cert-manager injects it. */
  caBundlePem?: string;
  /** `cert-manager.io/inject-ca-from: <namespace>/<Certificate>`: cert-manager's CA injector fills caBundle. */
  injectCaFrom?: string;
  /** Either the in-cluster Service or a URL base (https://host:port, no path). */
  target: { service: { namespace: string; name: string; port: number } } | { url: string };
  validatingFailurePolicy: FailurePolicy;
  mutatingFailurePolicy: FailurePolicy;
  timeoutSeconds: number;
  exemptNamespaces: readonly string[];
  rules: readonly ResourceRule[];
  mutating: boolean;
}

export function webhookConfigurations(s: WebhookSettings): KObject[] {
  const ca = s.caBundlePem === undefined ? {} : { caBundle: Buffer.from(s.caBundlePem).toString('base64') };
  const clientConfig = (path: string): Record<string, unknown> =>
    'url' in s.target ? { url: `${s.target.url.replace(/\/+$/, '')}${path}`, ...ca } : { service: { ...s.target.service, path }, ...ca };
  const metadata = (): Record<string, unknown> => ({
    name: s.name,
    labels: { ...s.labels },
    ...(s.injectCaFrom ? { annotations: { 'cert-manager.io/inject-ca-from': s.injectCaFrom } } : {}),
  });
  const common = {
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    timeoutSeconds: s.timeoutSeconds,
    matchPolicy: 'Equivalent',
    namespaceSelector: {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...s.exemptNamespaces] }],
    },
    matchConditions: CONTROL_PLANE_MATCH_CONDITIONS.map((c) => ({ ...c })),
  };
  const rules = (resources: (r: ResourceRule) => string[]): Record<string, unknown>[] =>
    s.rules
      .map((r) => ({
        apiGroups: [r.apiGroup],
        apiVersions: [...r.apiVersions],
        operations: ['CREATE', 'UPDATE'],
        resources: resources(r),
        scope: 'Namespaced',
      }))
      .filter((r) => r.resources.length > 0);
  const out: KObject[] = [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: metadata(),
      webhooks: [
        {
          name: 'validate.rampart.dev',
          clientConfig: clientConfig('/validate'),
          rules: rules((r) => [...r.resources]),
          failurePolicy: s.validatingFailurePolicy,
          ...common,
        },
      ],
    },
  ];
  if (s.mutating) {
    out.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: metadata(),
      webhooks: [
        {
          name: 'mutate.rampart.dev',
          clientConfig: clientConfig('/mutate'),
          // Secure defaults apply to pod specs; the ephemeral-containers subresource is validated, not defaulted.
          rules: rules((r) => r.resources.filter((x) => !x.includes('/'))),
          failurePolicy: s.mutatingFailurePolicy,
          // Another mutating webhook may add containers after Rampart's pass: run again so they get the defaults.
          reinvocationPolicy: 'IfNeeded',
          ...common,
        },
      ],
    });
  }
  return out;
}
