import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateForbiddenReason, evaluatePod, formatCheckMessage, formatForbiddenError, formatPsaMessage } from './evaluate.js';
import { LATEST, v1 } from './version.js';

const privilegedPod = { containers: [{ name: 'app', securityContext: { privileged: true } }] };

test('aggregated message for restricted:latest equals upstream admission text', () => {
  const results = evaluatePod('restricted', LATEST, { name: 'x' }, privilegedPod);
  assert.equal(
    formatPsaMessage('restricted', LATEST, results),
    'violates PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true), ' +
      'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
      'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
      'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ' +
      'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
  assert.equal(
    aggregateForbiddenReason(results),
    'privileged, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
  );
});

test('message keeps the requested version, runs the newest known checks, and words audit/warn as upstream', () => {
  const spec = { hostNetwork: true, containers: [{ name: 'nginx', ports: [{ containerPort: 80, hostPort: 80 }] }] };
  const results = evaluatePod('baseline', v1(99), {}, spec);
  assert.equal(
    formatPsaMessage('baseline', v1(99), results, { mode: 'warn' }),
    'would violate PodSecurity "baseline:v1.99": host namespaces (hostNetwork=true), hostPort (container "nginx" uses hostPort 80)',
  );
  assert.equal(
    formatForbiddenError('pods', 'nginx', formatPsaMessage('baseline', LATEST, evaluatePod('baseline', LATEST, {}, spec))!),
    'pods "nginx" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), hostPort (container "nginx" uses hostPort 80)',
  );
});

test('allowed pods have no message; privileged runs no checks', () => {
  const good = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'a', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  };
  const results = evaluatePod('restricted', LATEST, {}, good);
  assert.equal(results.length, 15);
  assert.ok(results.every((r) => r.allowed));
  assert.equal(formatPsaMessage('restricted', LATEST, results), undefined);
  assert.deepEqual(evaluatePod('privileged', LATEST, {}, privilegedPod), []);
});

test('levels and versions may be given as text, parsed as upstream parses labels', () => {
  assert.deepEqual(evaluatePod('restricted', 'v1.25', {}, privilegedPod), evaluatePod('restricted', v1(25), {}, privilegedPod));
  const results = evaluatePod('baseline', 'v1.99', {}, privilegedPod);
  assert.equal(
    formatPsaMessage('baseline', 'v1.99', results),
    'violates PodSecurity "baseline:v1.99": privileged (container "app" must not set securityContext.privileged=true)',
  );
  // Invalid text falls back like a bad namespace label: restricted, latest.
  assert.deepEqual(evaluatePod('strict', 'v9', {}, privilegedPod), evaluatePod('restricted', LATEST, {}, privilegedPod));
});

test('a check without detail prints only its reason; a missing reason prints upstream placeholder', () => {
  assert.equal(formatCheckMessage({ forbiddenReason: 'x' }), 'x');
  assert.equal(formatCheckMessage({ forbiddenReason: '', forbiddenDetail: 'd' }), 'unknown forbidden reason (d)');
});

test('field paths are relative to the pod', () => {
  const spec = {
    initContainers: [{ name: 'i' }],
    containers: [{ name: 'a', securityContext: { capabilities: { add: ['NET_RAW'] } } }],
  };
  const meta = { annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'unconfined' } };
  const byId = Object.fromEntries(evaluatePod('restricted', LATEST, meta, spec).map((r) => [r.checkId, r.paths]));
  assert.deepEqual(byId.appArmorProfile, [['metadata', 'annotations', 'container.apparmor.security.beta.kubernetes.io/a']]);
  assert.deepEqual(byId.capabilities_restricted, [
    ['spec', 'initContainers', 0, 'securityContext', 'capabilities', 'drop'],
    ['spec', 'containers', 0, 'securityContext', 'capabilities', 'drop'],
    ['spec', 'containers', 0, 'securityContext', 'capabilities', 'add', 0],
  ]);
  assert.deepEqual(byId.runAsNonRoot, [
    ['spec', 'initContainers', 0, 'securityContext', 'runAsNonRoot'],
    ['spec', 'containers', 0, 'securityContext', 'runAsNonRoot'],
  ]);
});

test('malformed input never throws: non-objects count as empty', () => {
  assert.doesNotThrow(() => evaluatePod('restricted', LATEST, 'x', null));
  const r = evaluatePod('restricted', LATEST, null, { containers: 'nope', volumes: [1, null], securityContext: 5 });
  assert.equal(r.find((x) => x.checkId === 'restrictedVolumes')?.forbiddenDetail, 'volume "" uses restricted volume type "unknown"');
});
