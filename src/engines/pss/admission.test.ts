import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulatePodSecurityAdmission } from './admission.js';

const P = 'pod-security.kubernetes.io/';
const hostPod = { hostNetwork: true, containers: [{ name: 'nginx', ports: [{ containerPort: 80, hostPort: 80 }] }] };
const base = { resource: 'pods', name: 'nginx', podMetadata: {}, podSpec: hostPod } as const;

test('pod denied by enforce: API server text, enforce-policy annotation, no warnings', () => {
  const r = simulatePodSecurityAdmission({ ...base, target: 'pod', namespaceLabels: { [`${P}enforce`]: 'baseline', [`${P}audit`]: 'restricted' } });
  assert.equal(r.allowed, false);
  assert.equal(
    r.message,
    'pods "nginx" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), hostPort (container "nginx" uses hostPort 80)',
  );
  assert.deepEqual(r.warnings, []);
  assert.equal(r.auditAnnotations['enforce-policy'], 'baseline:latest');
  assert.match(r.auditAnnotations['audit-violations'], /^would violate PodSecurity "restricted:latest": host namespaces \(hostNetwork=true\), hostPort/);
});

test('controllers are only warned and audited', () => {
  const r = simulatePodSecurityAdmission({
    ...base,
    resource: 'deployments.apps',
    target: 'controller',
    namespaceLabels: { [`${P}enforce`]: 'baseline', [`${P}enforce-version`]: 'v1.30' },
  });
  assert.equal(r.allowed, true);
  assert.deepEqual(r.warnings, [
    'would violate PodSecurity "baseline:v1.30": host namespaces (hostNetwork=true), hostPort (container "nginx" uses hostPort 80)',
  ]);
  assert.deepEqual(r.auditAnnotations, {});
});

test('privileged namespaces short-circuit; bad labels are reported in the error annotation', () => {
  assert.deepEqual(simulatePodSecurityAdmission({ ...base, target: 'pod', namespaceLabels: {} }), {
    allowed: true,
    warnings: [],
    auditAnnotations: { 'enforce-policy': 'privileged:latest' },
  });
  const r = simulatePodSecurityAdmission({
    ...base,
    target: 'pod',
    namespaceLabels: { [`${P}audit`]: 'x', [`${P}warn-version`]: 'v1' },
  });
  assert.equal(r.allowed, true);
  assert.equal(
    r.auditAnnotations.error,
    'Failed to parse policy: [metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "x": must be one of privileged, baseline, restricted, ' +
      'metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "v1": must be "latest" or "v1.x"]',
  );
  assert.equal(r.auditAnnotations['enforce-policy'], 'privileged:latest');
});
