/**
 * The control plane on its own: proves the harness (etcd + kube-apiserver + kubectl) works before any webhook
 * is involved, so a webhook test failure is never a harness failure in disguise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { missingBinaries, startCluster, type Cluster } from './harness/cluster.js';

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
});
