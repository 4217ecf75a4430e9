import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifestText } from '../../k8s/load.js';
import { podToOci, type HostFacts } from './pod-to-oci.js';
import { parseSeccompProfile } from './policies.js';

const here = dirname(fileURLToPath(import.meta.url));
const data = (f: string) => join(here, 'testdata', f);
export const TEST_HOST: HostFacts = { arch: 'amd64', kernel: '6.1.0', capLastCap: 40, appArmor: false, kernelModules: true, userNamespaces: true };

function load(file: string, text?: string) {
  const r = loadManifestText(text ?? readFileSync(data(file), 'utf8'), file);
  assert.deepEqual(r.diagnostics, []);
  return r.objects[0];
}

/** Golden files: set UPDATE_GOLDEN=1 to rewrite them after a deliberate change, then review the diff. */
function golden(name: string, value: unknown): void {
  const file = data(join('golden', name));
  const text = JSON.stringify(value, null, 2) + '\n';
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  assert.equal(text, readFileSync(file, 'utf8'), `${name} differs from the golden file`);
}

const locked = parseSeccompProfile(JSON.parse(readFileSync(data('profiles/locked.json'), 'utf8')), 'testdata/profiles/locked.json').profile!;

for (const pod of ['hardened-pod', 'privileged-pod', 'default-pod', 'localhost-seccomp-pod']) {
  test(`${pod}: OCI config and controls match the golden file`, () => {
    const r = podToOci(load(`${pod}.yaml`), { host: TEST_HOST, localhostProfiles: [{ path: 'testdata/profiles/locked.json', profile: locked }] });
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
    golden(`${pod}.oci.json`, { spec: r.spec, controls: r.controls, volumes: r.volumes });
  });
}

test('hardened pod: the controls a runtime applies', () => {
  const r = podToOci(load('hardened-pod.yaml'), { host: TEST_HOST });
  const s = r.spec!;
  assert.deepEqual(s.process.user, { uid: 1001, gid: 1001 });
  assert.equal(s.process.noNewPrivileges, true);
  assert.equal(s.root.readonly, true);
  assert.deepEqual(s.process.capabilities, { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] });
  assert.equal(s.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
  assert.ok(s.linux.readonlyPaths.includes('/proc/sys'));
  assert.deepEqual(
    s.mounts.filter((m) => m.type === 'bind'),
    [{ destination: '/tmp', type: 'bind', source: 'volumes/0-tmp', options: ['rbind', 'rw'] }],
  );
  assert.equal(r.controls?.serviceAccountToken, false);
});

test('privileged: all capabilities, no seccomp even when RuntimeDefault is asked, no masked paths, rw /sys', () => {
  const text = readFileSync(data('privileged-pod.yaml'), 'utf8').replace('runAsUser: 0', 'runAsUser: 0\n        seccompProfile: { type: RuntimeDefault }');
  const r = podToOci(load('p.yaml', text), { host: TEST_HOST });
  assert.equal(r.spec?.linux.seccomp, undefined);
  assert.equal(r.spec?.process.capabilities.effective.length, 41);
  assert.deepEqual(r.spec?.linux.maskedPaths, []);
  assert.ok(r.spec?.mounts.find((m) => m.destination === '/sys')?.options.includes('rw'));
  assert.equal(r.controls?.seccomp.type, 'RuntimeDefault');
});

test('no seccompProfile: unconfined, unless the kubelet runs with --seccomp-default', () => {
  const obj = load('default-pod.yaml');
  assert.equal(podToOci(obj, { host: TEST_HOST }).spec?.linux.seccomp, undefined);
  const d = podToOci(obj, { host: TEST_HOST, seccompDefault: true });
  assert.equal(d.controls?.seccomp.source, 'kubelet-default');
  assert.equal(d.spec?.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
});

test('container securityContext wins over the pod; fsGroup and supplementalGroups become additional gids', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000, 2000] }
  containers:
    - name: a
      image: x
      securityContext: { runAsUser: 1500 }
`;
  const r = podToOci(load('p.yaml', text), { host: TEST_HOST });
  assert.deepEqual(r.spec?.process.user, { uid: 1500, gid: 3000, additionalGids: [2000, 4000] });
  assert.equal(r.spec?.process.noNewPrivileges, false);
});

test('runAsUser without runAsGroup: the primary group from the image /etc/passwd, else 0', () => {
  const pod = (uid: number) => `apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  securityContext: { runAsUser: ${uid} }
  containers: [{ name: a, image: x }]
`;
  assert.deepEqual(podToOci(load('p.yaml', pod(1001)), { host: TEST_HOST }).spec?.process.user, { uid: 1001, gid: 1001 });
  assert.deepEqual(podToOci(load('p.yaml', pod(4242)), { host: TEST_HOST }).spec?.process.user, { uid: 4242, gid: 0 });
});

test('runAsNonRoot with the image user root: verify_run_as_root at the securityContext line', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  securityContext:
    runAsNonRoot: true
  containers:
    - name: a
      image: x
`;
  const r = podToOci(load('p.yaml', text), { host: TEST_HOST });
  const d = r.diagnostics.find((x) => x.code === 'verify_run_as_root');
  assert.equal(d?.message, 'runAsNonRoot is true but the container would run as uid 0 (the image user); the kubelet refuses to start it');
  assert.equal(d?.severity, 'error');
});

test('unknown container, missing Localhost profile, CAP_ prefix, API rejections: exact codes', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  containers:
    - name: a
      image: x
      securityContext:
        privileged: true
        allowPrivilegeEscalation: false
        capabilities: { add: [CAP_NET_ADMIN] }
        seccompProfile: { type: Localhost, localhostProfile: profiles/x.json }
`;
  const obj = load('p.yaml', text);
  const missing = podToOci(obj, { host: TEST_HOST, container: 'b' });
  assert.deepEqual(missing.diagnostics.map((d) => [d.code, d.message, d.help]), [['verify_container_not_found', 'no container named "b"', 'containers: a']]);
  const r = podToOci(obj, { host: TEST_HOST });
  // privileged: containerd ignores capabilities.add/drop (all capabilities) and seccomp.
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['verify_api_rejects']);
  const nonPriv = podToOci(load('p.yaml', text.replace('privileged: true', 'privileged: false')), { host: TEST_HOST });
  assert.deepEqual(nonPriv.diagnostics.map((d) => d.code).sort(), ['verify_capability_name', 'verify_seccomp_profile_missing']);
  assert.equal(nonPriv.diagnostics.find((d) => d.code === 'verify_seccomp_profile_missing')?.span?.line, 12);
});

test('service-account token: mounted read-only unless automount is off; other volumes are simulated', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  containers:
    - name: a
      image: x
      volumeMounts: [{ name: cfg, mountPath: /etc/cfg, readOnly: true }]
  volumes: [{ name: cfg, configMap: { name: c } }]
`;
  const r = podToOci(load('p.yaml', text), { host: TEST_HOST });
  assert.deepEqual(
    r.volumes.map((v) => [v.mountPath, v.kind, v.readOnly]),
    [
      ['/etc/cfg', 'empty', true],
      ['/var/run/secrets/kubernetes.io/serviceaccount', 'token', true],
    ],
  );
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity]), [['verify_volume_simulated', 'info']]);
});

test('isolation fields the sandbox does not reproduce are warnings with their line', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  hostPID: true
  hostNetwork: false
  containers:
    - name: a
      image: x
      securityContext:
        procMount: Unmasked
`;
  const r = podToOci(load('p.yaml', text), { host: TEST_HOST });
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.severity, d.span?.line, d.message]),
    [
      ['verify_field_ignored', 'warning', 5, 'hostPID is not reproduced in the sandbox: results describe the pod without it'],
      ['verify_field_ignored', 'warning', 11, 'procMount is not reproduced in the sandbox: results describe the pod without it'],
    ],
  );
});
