import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, toPointer } from './json-patch.js';
import { DEFAULT_SECURE_DEFAULTS, secureDefaultsPatch, type SecureDefaults } from './secure-defaults.js';
import type { KObject } from '../../k8s/object.js';

const ALL_ON: SecureDefaults = { seccompRuntimeDefault: true, dropAllCapabilities: true, disallowPrivilegeEscalation: true, runAsNonRoot: true };

function pod(spec: Record<string, unknown>, annotations?: Record<string, string>): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', ...(annotations ? { annotations } : {}) }, spec };
}

test('bare pod gets every default in one add per missing object', () => {
  const obj = pod({ containers: [{ name: 'a', image: 'x' }] });
  const r = secureDefaultsPatch(obj, ALL_ON);
  assert.deepEqual(r.patch, [
    { op: 'add', path: '/spec/securityContext', value: { seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: true } },
    { op: 'add', path: '/spec/containers/0/securityContext', value: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
  ]);
  assert.deepEqual(
    r.applied.map((a) => a.mutation),
    ['seccompRuntimeDefault', 'runAsNonRoot', 'disallowPrivilegeEscalation', 'dropAllCapabilities'],
  );
});

test('never overrides explicit values and appends ALL to an existing drop list', () => {
  const obj = pod({
    securityContext: { seccompProfile: { type: 'Unconfined' } },
    initContainers: [{ name: 'i', securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ['NET_RAW'] } } }],
    containers: [{ name: 'a', securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } }],
  });
  const r = secureDefaultsPatch(obj, DEFAULT_SECURE_DEFAULTS);
  assert.deepEqual(r.patch, [
    { op: 'add', path: '/spec/initContainers/0/securityContext/capabilities/drop/-', value: 'ALL' },
    { op: 'add', path: '/spec/containers/0/securityContext/capabilities/drop', value: ['ALL'] },
    { op: 'add', path: '/spec/containers/0/securityContext/allowPrivilegeEscalation', value: false },
  ]);
});

test('privileged or CAP_SYS_ADMIN containers keep allowPrivilegeEscalation unset (the API server would reject false)', () => {
  const obj = pod({ containers: [{ name: 'a', securityContext: { privileged: true } }, { name: 'b', securityContext: { capabilities: { add: ['SYS_ADMIN'], drop: ['ALL'] } } }] });
  const r = secureDefaultsPatch(obj, { ...DEFAULT_SECURE_DEFAULTS, seccompRuntimeDefault: false });
  assert.deepEqual(r.patch, [{ op: 'add', path: '/spec/containers/0/securityContext/capabilities', value: { drop: ['ALL'] } }]);
});

test('windows pods, non-pod kinds and legacy seccomp annotations are left alone', () => {
  assert.deepEqual(secureDefaultsPatch(pod({ os: { name: 'windows' }, containers: [{ name: 'a' }] }), ALL_ON).patch, []);
  assert.deepEqual(secureDefaultsPatch({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, ALL_ON).patch, []);
  const legacy = secureDefaultsPatch(pod({ containers: [] }, { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' }), { ...DEFAULT_SECURE_DEFAULTS });
  assert.deepEqual(legacy.patch, []);
});

test('controllers are patched inside their template; settings switch defaults off', () => {
  const cron: KObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c' },
    spec: { jobTemplate: { spec: { template: { spec: { securityContext: {}, containers: [{ name: 'a' }] } } } } },
  };
  const r = secureDefaultsPatch(cron, { ...DEFAULT_SECURE_DEFAULTS, dropAllCapabilities: false });
  assert.deepEqual(r.patch, [
    { op: 'add', path: '/spec/jobTemplate/spec/template/spec/securityContext/seccompProfile', value: { type: 'RuntimeDefault' } },
    { op: 'add', path: '/spec/jobTemplate/spec/template/spec/containers/0/securityContext', value: { allowPrivilegeEscalation: false } },
  ]);
});

test('idempotent: applying the patch then computing again yields an empty patch', () => {
  const inputs: KObject[] = [
    pod({ containers: [{ name: 'a' }, { name: 'b', securityContext: { capabilities: { drop: ['NET_RAW'] } } }], initContainers: [{ name: 'i', securityContext: {} }] }),
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { metadata: {}, spec: { containers: [{ name: 'a', securityContext: { runAsNonRoot: false } }] } } } },
  ];
  for (const obj of inputs) {
    const first = secureDefaultsPatch(obj, ALL_ON);
    assert.ok(first.patch.length > 0);
    const patched = applyJsonPatch(obj, first.patch);
    assert.deepEqual(secureDefaultsPatch(patched, ALL_ON).patch, []);
    assert.notDeepEqual(patched, obj, 'input object is not modified in place');
  }
});

test('JSON pointers escape ~ and /, and a patch on a missing parent fails', () => {
  assert.equal(toPointer(['metadata', 'annotations', 'a/b~c', 0]), '/metadata/annotations/a~1b~0c/0');
  assert.deepEqual(applyJsonPatch({ a: { 'x/y': 1 } }, [{ op: 'replace', path: '/a/x~1y', value: 2 }]), { a: { 'x/y': 2 } });
  assert.throws(() => applyJsonPatch({}, [{ op: 'add', path: '/a/b', value: 1 }]), /path \/a\/b does not exist/);
});
