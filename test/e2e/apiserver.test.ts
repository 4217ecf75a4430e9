/**
 * The control plane on its own: proves the harness (etcd + kube-apiserver + kubectl) works before any webhook
 * is involved, so a webhook test failure is never a harness failure in disguise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { missingBinaries, startCluster, type Cluster } from './harness/cluster.js';
import { missingBuild, rampartOk } from './harness/rampart.js';

const skip = missingBinaries();

describe('kube-apiserver harness', { skip }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => cluster?.stop());

  it('creates a namespace and a pod, and reads the pod back', async () => {
    await cluster.kubectlOk(['create', 'namespace', 'smoke']);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hello', namespace: 'smoke' },
      spec: { containers: [{ name: 'c', image: 'registry.example/hello:1' }] },
    };
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(pod) });
    const got = JSON.parse(await cluster.kubectlOk(['get', 'pod', 'hello', '-n', 'smoke', '-o', 'json'])) as {
      metadata: { uid?: string };
      spec: { containers: Array<{ image: string }> };
      status: { phase?: string };
    };
    assert.equal(got.spec.containers[0].image, 'registry.example/hello:1');
    assert.ok(got.metadata.uid, 'stored object has a uid');
    assert.equal(got.status.phase, 'Pending', 'no scheduler or kubelet: the pod stays Pending');
  });

  it('reports the server version it was built at', async () => {
    const v = JSON.parse(await cluster.kubectlOk(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string; minor: string } };
    assert.equal(v.serverVersion.gitVersion, 'v1.37.2');
    assert.equal(v.serverVersion.minor, '37');
  });

  // Last: the webhook configurations it creates point at a Service with no endpoints.
  it('accepts every manifest of rampart install --dry-run, with least-privilege RBAC and a restricted pod template', { skip: missingBuild() }, async () => {
    const manifests = await rampartOk(['install', '--dry-run', '--read-namespaces', '--failure-policy', 'Ignore', '--resource', 'v1/services']);
    const applied = await cluster.kubectl(['apply', '-f', '-'], { stdin: manifests });
    assert.equal(applied.code, 0, applied.stderr);
    assert.doesNotMatch(applied.stderr, /Warning/, 'PodSecurity (restricted on the namespace) has nothing to say about the pod template');
    // Control: the same Deployment without its security context does get PodSecurity's warning.
    const deployment = JSON.parse(await cluster.kubectlOk(['get', 'deployment', 'rampart', '-n', 'rampart-system', '-o', 'json'])) as Record<string, any>;
    delete deployment.spec.template.spec.containers[0].securityContext;
    deployment.metadata = { name: 'rampart-insecure', namespace: 'rampart-system' };
    const insecure = await cluster.kubectl(['create', '--dry-run=server', '-f', '-'], { stdin: JSON.stringify(deployment) });
    assert.match(insecure.stderr, /Warning: would violate PodSecurity "restricted:latest"/);
    for (const kind of ['deployment/rampart', 'poddisruptionbudget/rampart', 'service/rampart', 'secret/rampart-tls', 'serviceaccount/rampart']) {
      assert.match(applied.stdout, new RegExp(`${kind.replace('/', '.*/')} created`), kind);
    }
    const vwc = JSON.parse(await cluster.kubectlOk(['get', 'validatingwebhookconfiguration', 'rampart', '-o', 'json'])) as Record<string, any>;
    assert.equal(vwc.webhooks[0].matchConditions.length, 2, 'the API server compiled and kept the CEL match conditions');
    assert.equal(vwc.webhooks[0].timeoutSeconds, 5);
    const sa = ['--as=system:serviceaccount:rampart-system:rampart'];
    const can = async (...args: string[]): Promise<string> => (await cluster.kubectl(['auth', 'can-i', ...args, ...sa])).stdout.trim();
    assert.equal(await can('watch', 'namespaces'), 'yes');
    assert.equal(await can('get', 'secrets', '-n', 'rampart-system'), 'no');
    assert.equal(await can('create', 'pods', '-n', 'default'), 'no');
    assert.equal(await can('update', 'namespaces'), 'no');
  });
});
