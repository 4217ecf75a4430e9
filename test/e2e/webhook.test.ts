/**
 * Rampart as a real admission webhook: a real kube-apiserver calls `rampart serve` through the webhook
 * configurations `rampart install --dry-run --webhook-url` prints, and kubectl shows what a user would see.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import { missingBinaries, readAudit, startCluster, type Cluster } from './harness/cluster.js';
import { waitFor } from './harness/process.js';
import { missingBuild, rampartOk, startRampart, type Webhook } from './harness/rampart.js';

const skip = missingBinaries() ?? missingBuild();

/** Baseline is enforced, restricted warns, the guardrail library audits; one namespace is exempt by the pack. */
const PACK = `apiVersion: rampart.dev/v1alpha1
kind: PolicyPack
metadata:
  name: e2e
defaultMode: enforce
policySets:
  - pss: baseline
  - pss: restricted
    mode: warn
  - library: guardrails
    mode: audit
admission:
  failurePolicy: Fail
  exemptions:
    - namespaces: [e2e-exempt]
      reason: e2e break-glass namespace
`;

const DIGEST = 'sha256:' + 'a'.repeat(64);

interface PodOpts {
  name: string;
  namespace: string;
  image?: string;
  privileged?: boolean;
  /** Fully restricted-compliant security settings (no warnings). */
  restricted?: boolean;
}

/** Serial number of the certificate the webhook serves now (verified against the CA). */
function servedSerial(url: string, caPem: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), ca: caPem, servername: 'localhost' }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.destroy();
      resolve(serial);
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.once('error', reject);
  });
}

function pod(o: PodOpts): string {
  const sc: Record<string, unknown> = {};
  if (o.privileged) sc.privileged = true;
  if (o.restricted) Object.assign(sc, { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: o.name, namespace: o.namespace, labels: { app: o.name } },
    spec: {
      automountServiceAccountToken: false,
      containers: [{ name: 'app', image: o.image ?? `registry.example/app@${DIGEST}`, ...(Object.keys(sc).length ? { securityContext: sc } : {}) }],
    },
  });
}

describe('Rampart behind a real kube-apiserver', { skip }, () => {
  let cluster: Cluster;
  let webhook: Webhook;
  let dir: string;

  const webhookConfigs = async (failurePolicy: 'Fail' | 'Ignore'): Promise<string> =>
    rampartOk([
      'install', '--dry-run', '--name', 'rampart-e2e', '--webhook-url', webhook.url, '--ca-bundle', join(dir, 'certs', 'ca.crt'),
      '--failure-policy', failurePolicy, '--timeout-seconds', '5',
    ]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-e2e-webhook-'));
    cluster = await startCluster();
    await writeFile(join(dir, 'rampart.yaml'), PACK);
    webhook = await startRampart(dir, ['--config', join(dir, 'rampart.yaml')]);
    for (const ns of ['e2e', 'e2e-exempt']) await cluster.kubectlOk(['create', 'namespace', ns]);
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: await webhookConfigs('Fail') });
    // The API server picks webhook configurations up asynchronously: wait until a server-side dry run is denied.
    await waitFor(
      'webhook configuration to take effect',
      async () => {
        const r = await cluster.kubectl(['create', '--dry-run=server', '-f', '-'], { stdin: pod({ name: 'probe', namespace: 'e2e', privileged: true }) });
        return r.code !== 0 && r.stderr.includes('denied by Rampart') ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });

  after(async () => {
    await webhook?.stop();
    await cluster?.stop();
    if (dir && !process.env.RAMPART_E2E_KEEP) await rm(dir, { recursive: true, force: true });
  });

  it('rejects a privileged pod with Rampart\'s message', async () => {
    const r = await cluster.kubectl(['create', '-f', '-'], { stdin: pod({ name: 'priv', namespace: 'e2e', privileged: true }) });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /admission webhook "validate\.rampart\.dev" denied the request: denied by Rampart: \[pss\.baseline\.v1\/privileged\]/);
    assert.match(r.stderr, /spec\.containers\[0\]\.securityContext\.privileged/);
    const get = await cluster.kubectl(['get', 'pod', 'priv', '-n', 'e2e']);
    assert.equal(get.code, 1, 'the pod was not stored');
  });

  it('shows warn-mode findings to the client and admits the pod', async () => {
    // Baseline-clean, but restricted wants runAsNonRoot (the mutating webhook does not set that one).
    const r = await cluster.kubectl(['create', '-f', '-'], { stdin: pod({ name: 'warned', namespace: 'e2e' }) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Warning: \[pss\.restricted\.v1\/runAsNonRoot\]/m);
    assert.match(r.stdout, /pod\/warned created/);
  });

  it('admits audit-mode findings and records them as audit annotations', async () => {
    const r = await cluster.kubectl(['create', '-f', '-'], { stdin: pod({ name: 'audited', namespace: 'e2e', image: 'registry.example/app:1.0', restricted: true }) });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Warning/, 'audit mode is silent to the client');
    const event = await waitFor(
      'audit event of the create',
      async () =>
        (await readAudit(cluster)).find(
          (e) => e.verb === 'create' && e.objectRef?.name === 'audited' && e.objectRef?.namespace === 'e2e' && e.stage === 'ResponseComplete',
        ),
      { timeoutMs: 10_000 },
    );
    assert.equal(event.responseStatus?.code, 201);
    assert.match(String(event.annotations?.['validate.rampart.dev/guardrails.image-digest.v1']), /images must be pinned by digest.*registry\.example\/app:1\.0/);
  });

  it('stores the mutating webhook\'s secure defaults', async () => {
    await cluster.kubectlOk(['create', '-f', '-'], { stdin: pod({ name: 'mutated', namespace: 'e2e' }) });
    const stored = JSON.parse(await cluster.kubectlOk(['get', 'pod', 'mutated', '-n', 'e2e', '-o', 'json'])) as Record<string, any>;
    const sc = stored.spec.containers[0].securityContext;
    assert.deepEqual(sc.capabilities, { drop: ['ALL'] });
    assert.equal(sc.allowPrivilegeEscalation, false);
    const seccomp = stored.spec.securityContext?.seccompProfile ?? sc.seccompProfile;
    assert.equal(seccomp?.type, 'RuntimeDefault');
    const event = (await readAudit(cluster)).find((e) => e.verb === 'create' && e.objectRef?.name === 'mutated' && e.stage === 'ResponseComplete');
    assert.ok(event?.annotations?.['mutate.rampart.dev/secure-defaults'], 'the mutation is named in the audit log');
  });

  it('admits a privileged pod in a namespace the pack exempts, with the reason in the audit log', async () => {
    const r = await cluster.kubectl(['create', '-f', '-'], { stdin: pod({ name: 'priv', namespace: 'e2e-exempt', privileged: true }) });
    assert.equal(r.code, 0, r.stderr);
    const event = (await readAudit(cluster)).find((e) => e.verb === 'create' && e.objectRef?.namespace === 'e2e-exempt' && e.stage === 'ResponseComplete');
    assert.equal(event?.annotations?.['validate.rampart.dev/exempt'], 'e2e break-glass namespace');
  });

  it('never sees kube-system or the kubelet (namespaceSelector and matchConditions)', async () => {
    const sys = await cluster.kubectl(['create', '-f', '-'], { stdin: pod({ name: 'priv-system', namespace: 'kube-system', privileged: true }) });
    assert.equal(sys.code, 0, sys.stderr);
    // A mirror pod as a kubelet would send it (node identity; system:masters only so RBAC lets it through).
    const node = await cluster.kubectl(['create', '-f', '-', '--as=system:node:node-1', '--as-group=system:nodes', '--as-group=system:masters'], {
      stdin: pod({ name: 'priv-node', namespace: 'e2e', privileged: true }),
    });
    assert.equal(node.code, 0, node.stderr);
    const events = await readAudit(cluster);
    for (const name of ['priv-system', 'priv-node']) {
      const e = events.find((x) => x.verb === 'create' && x.objectRef?.name === name && x.stage === 'ResponseComplete');
      assert.ok(e, `audit event for ${name}`);
      assert.deepEqual(Object.keys(e.annotations ?? {}).filter((k) => k.includes('rampart.dev/')), [], `${name} never reached Rampart`);
    }
  });

  it('serves a renewed certificate without a restart, and the API server keeps trusting it', async () => {
    const before = await servedSerial(webhook.url, webhook.caPem);
    const certs = join(dir, 'certs');
    await rampartOk(['certs', '--out', certs, '--ca-cert', join(certs, 'ca.crt'), '--ca-key', join(certs, 'ca.key'), '--force', '--no-service-names', '--ip', '127.0.0.1']);
    const after = await waitFor('the new certificate to be served', async () => {
      const serial = await servedSerial(webhook.url, webhook.caPem);
      return serial !== before ? serial : undefined;
    }, { timeoutMs: 20_000, intervalMs: 500, proc: webhook.proc });
    assert.notEqual(after, before);
    const r = await cluster.kubectl(['create', '-f', '-'], { stdin: pod({ name: 'priv-after-renewal', namespace: 'e2e', privileged: true }) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /denied by Rampart: \[pss\.baseline\.v1\/privileged\]/);
  });

  it('with Rampart stopped, failurePolicy Fail rejects and Ignore admits', async () => {
    await webhook.stop();
    const down = await cluster.kubectl(['create', '-f', '-'], { stdin: pod({ name: 'while-down', namespace: 'e2e', restricted: true }) });
    assert.equal(down.code, 1, 'Fail: nothing is admitted while the webhook is unreachable');
    assert.match(down.stderr, /failed calling webhook "validate\.rampart\.dev"/);

    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: await webhookConfigs('Ignore') });
    const created = await waitFor(
      'failurePolicy Ignore to take effect',
      async () => {
        const r = await cluster.kubectl(['create', '-f', '-'], { stdin: pod({ name: 'while-down-ignored', namespace: 'e2e', privileged: true }) });
        return r.code === 0 ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.match(created.stdout, /pod\/while-down-ignored created/);
    const stored = JSON.parse(await cluster.kubectlOk(['get', 'pod', 'while-down-ignored', '-n', 'e2e', '-o', 'json'])) as Record<string, any>;
    assert.equal(stored.spec.containers[0].securityContext.privileged, true, 'Ignore: admitted unchecked and unmutated');
    assert.equal(stored.spec.containers[0].securityContext.capabilities, undefined);
  });
});
