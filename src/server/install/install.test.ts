import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import {
  checkInstallOptions,
  defaultInstallOptions,
  installManifests,
  renderManifests,
  type InstallOptions,
} from './index.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function opts(over: Partial<InstallOptions> = {}): InstallOptions {
  return { ...defaultInstallOptions('1.2.3'), caBundlePem: CA, servingPair: { certPem: 'CERT', keyPem: 'KEY' }, ...over };
}

function byKind(objs: ReturnType<typeof installManifests>, kind: string): Record<string, any> {
  const found = objs.find((o) => o.kind === kind);
  assert.ok(found, `no ${kind}`);
  return found as Record<string, any>;
}

describe('install manifests', () => {
  it('renders the full set in apply order', () => {
    const objs = installManifests(opts());
    assert.deepEqual(
      objs.map((o) => o.kind),
      ['Namespace', 'ServiceAccount', 'Secret', 'Deployment', 'PodDisruptionBudget', 'Service', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'],
    );
    assert.deepEqual(checkInstallOptions(opts()), []);
  });

  it('runs 2+ replicas spread across nodes, never below capacity, with a PDB', () => {
    const objs = installManifests(opts({ replicas: 3 }));
    const dep = byKind(objs, 'Deployment');
    assert.equal(dep.spec.replicas, 3);
    assert.deepEqual(dep.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
    const anti = dep.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0];
    assert.equal(anti.podAffinityTerm.topologyKey, 'kubernetes.io/hostname');
    assert.deepEqual(anti.podAffinityTerm.labelSelector.matchLabels, dep.spec.selector.matchLabels);
    const pdb = byKind(objs, 'PodDisruptionBudget');
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, dep.spec.selector.matchLabels);
    const [d] = checkInstallOptions(opts({ replicas: 1 }));
    assert.equal(d.code, 'config_invalid_value');
    assert.equal(d.message, '--replicas must be at least 2, got 1');
  });

  it('runs the container locked down (restricted PSS) with TLS and policy flags', () => {
    const dep = byKind(installManifests(opts({ timeoutSeconds: 4 })), 'Deployment');
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    assert.equal(c.image, 'ghcr.io/rampart-dev/rampart:1.2.3');
    assert.deepEqual(c.args, ['serve', '--port', '8443', '--tls-cert', '/etc/rampart/tls/tls.crt', '--tls-key', '/etc/rampart/tls/tls.key', '--timeout-seconds', '4', '--pss', 'restricted']);
    assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(pod.automountServiceAccountToken, false, 'no API access, so no token');
  });

  it('grants only namespace reads, and only when asked', () => {
    const none = installManifests(opts());
    assert.equal(none.filter((o) => /Role/.test(String(o.kind))).length, 0);
    const objs = installManifests(opts({ readNamespaces: true }));
    const role = byKind(objs, 'ClusterRole');
    assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }]);
    const binding = byKind(objs, 'ClusterRoleBinding');
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'rampart', namespace: 'rampart-system' }]);
    assert.equal(byKind(objs, 'ServiceAccount').automountServiceAccountToken, true);
  });

  it('sends only named workload resources, with caBundle, timeout, failure policies and control-plane exclusions', () => {
    const objs = installManifests(opts({ failurePolicy: 'Fail', mutatingFailurePolicy: 'Ignore', timeoutSeconds: 7 }));
    const v = byKind(objs, 'ValidatingWebhookConfiguration').webhooks[0];
    const m = byKind(objs, 'MutatingWebhookConfiguration').webhooks[0];
    for (const w of [v, m]) {
      for (const r of w.rules) {
        assert.ok(!r.resources.includes('*') && !r.apiGroups.includes('*'), 'no wildcards');
        assert.equal(r.scope, 'Namespaced');
      }
      assert.equal(w.clientConfig.caBundle, Buffer.from(CA).toString('base64'));
      assert.equal(w.timeoutSeconds, 7);
      assert.deepEqual(w.sideEffects, 'None');
      assert.deepEqual(w.admissionReviewVersions, ['v1']);
      assert.deepEqual(w.namespaceSelector.matchExpressions[0], {
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: ['kube-system', 'kube-node-lease', 'kube-public', 'rampart-system'],
      });
      assert.deepEqual(
        w.matchConditions.map((c: { name: string }) => c.name),
        ['exclude-kubelets', 'exclude-control-plane-components'],
      );
    }
    assert.equal(v.failurePolicy, 'Fail');
    assert.equal(m.failurePolicy, 'Ignore');
    assert.deepEqual(v.clientConfig.service, { namespace: 'rampart-system', name: 'rampart', port: 443, path: '/validate' });
    assert.equal(m.clientConfig.service.path, '/mutate');
    assert.deepEqual(v.rules.map((r: { resources: string[] }) => r.resources).flat(), [
      'pods', 'pods/ephemeralcontainers', 'replicationcontrollers', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs',
    ]);
    assert.ok(!m.rules.flatMap((r: { resources: string[] }) => r.resources).includes('pods/ephemeralcontainers'));
    assert.equal(m.reinvocationPolicy, 'IfNeeded');
  });

  it('rejects wildcard resources and bad timeouts', () => {
    const ds = checkInstallOptions(opts({ timeoutSeconds: 31, extraRules: [{ apiGroup: '', apiVersions: ['v1'], resources: ['*'] }] }));
    assert.deepEqual(ds.map((d) => d.message), [
      "--timeout-seconds must be 1..30 (the API server's limit), got 31",
      'resource "*" in group "" is a wildcard',
    ]);
  });

  it('renders only the webhook configurations for an out-of-cluster URL', () => {
    const objs = installManifests(opts({ webhookUrl: 'https://127.0.0.1:9443/' }));
    assert.deepEqual(objs.map((o) => o.kind), ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);
    const v = (objs[0] as Record<string, any>).webhooks[0];
    assert.equal(v.clientConfig.url, 'https://127.0.0.1:9443/validate');
    assert.equal(v.clientConfig.service, undefined);
    assert.ok(!v.namespaceSelector.matchExpressions[0].values.includes('rampart-system'));
    assert.deepEqual(checkInstallOptions(opts({ webhookUrl: 'http://x' })).map((d) => d.message), [
      '--webhook-url "http://x" must be https://host[:port][/path] without query, fragment or credentials',
    ]);
  });

  it('ships pack and policy files in a ConfigMap and points serve at them', () => {
    const objs = installManifests(opts({ policies: { packYaml: 'kind: PolicyPack\n', policyFiles: { 'b.yaml': 'B', 'a.yaml': 'A' } } }));
    const cm = byKind(objs, 'ConfigMap');
    assert.deepEqual(cm.data, { 'rampart.yaml': 'kind: PolicyPack\n', 'policy.a.yaml': 'A', 'policy.b.yaml': 'B' });
    const pod = byKind(objs, 'Deployment').spec.template.spec;
    assert.deepEqual(pod.volumes[1].configMap.items, [
      { key: 'rampart.yaml', path: 'rampart.yaml' },
      { key: 'policy.a.yaml', path: 'policies/a.yaml' },
      { key: 'policy.b.yaml', path: 'policies/b.yaml' },
    ]);
    assert.deepEqual(pod.containers[0].args.slice(-4), ['--config', '/etc/rampart/config/rampart.yaml', '--policy', '/etc/rampart/config/policies']);
    assert.deepEqual(checkInstallOptions(opts({ policies: {} })).map((d) => d.message), ['no policies selected: the webhook would admit everything']);
  });

  it('lets cert-manager issue the certificate and inject the caBundle', () => {
    const objs = installManifests(opts({ certManager: true }));
    assert.deepEqual(objs.map((o) => `${o.kind}/${(o.metadata as { name: string }).name}`), [
      'Namespace/rampart-system', 'ServiceAccount/rampart',
      'Issuer/rampart-selfsigned', 'Certificate/rampart-ca', 'Issuer/rampart-ca', 'Certificate/rampart-tls',
      'Deployment/rampart', 'PodDisruptionBudget/rampart', 'Service/rampart',
      'ValidatingWebhookConfiguration/rampart', 'MutatingWebhookConfiguration/rampart',
    ]);
    const tls = objs.find((o) => o.kind === 'Certificate' && (o.metadata as { name: string }).name === 'rampart-tls') as Record<string, any>;
    assert.equal(tls.spec.secretName, 'rampart-tls', 'the Secret the Deployment mounts');
    assert.ok(tls.spec.dnsNames.includes('rampart.rampart-system.svc'));
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      const w = byKind(objs, kind);
      assert.equal(w.metadata.annotations['cert-manager.io/inject-ca-from'], 'rampart-system/rampart-tls');
      assert.equal(w.webhooks[0].clientConfig.caBundle, undefined, 'left for the CA injector');
    }
    assert.deepEqual(checkInstallOptions(opts({ certManager: true, caBundlePem: '' })), []);
    assert.equal(checkInstallOptions(opts({ certManager: true, webhookUrl: 'https://127.0.0.1:1' }))[0].message,
      '--cert-manager issues a certificate for the in-cluster Service; it cannot be combined with --webhook-url');
  });

  it('renders YAML documents and a JSON List that parse back to the same objects', () => {
    const objs = installManifests(opts());
    const docs = parseAllDocuments(renderManifests(objs, 'yaml')).map((d) => d.toJS());
    assert.deepEqual(docs, JSON.parse(JSON.stringify(objs)));
    const list = parse(renderManifests(objs, 'json'));
    assert.equal(list.kind, 'List');
    assert.equal(list.items.length, objs.length);
  });
});
