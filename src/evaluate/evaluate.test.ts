import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleResult } from '../core/policy-types.js';
import { MemoryInventory } from '../k8s/inventory.js';
import type { KObject } from '../k8s/object.js';
import type { CompiledPolicy } from '../policy/engine.js';
import { emptyPack, parseExpiry, type PackConfig } from '../policy/pack.js';
import { offlineContext } from './context.js';
import { decideAdmission, findExemption } from './decision.js';
import { evaluateObject, evaluateObjectDetailed } from './evaluate.js';
import type { PolicySet } from './policy-set.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'old-app', namespace: 'legacy', labels: { tier: 'web' } }, spec: {} };

function policy(id: string, results: Omit<RuleResult, 'policyId'>[], extra: Partial<CompiledPolicy['meta']> = {}): CompiledPolicy {
  return {
    meta: { id, title: `title of ${id}`, severity: 'high', engine: 'test', remediation: 'fix it', ...extra },
    evaluate: () => results.map((r) => ({ policyId: id, ...r })),
  };
}

function set(policies: CompiledPolicy[], pack: Partial<PackConfig> = {}, setModes: [string, 'enforce' | 'warn' | 'audit'][] = []): PolicySet {
  return { policies, pack: { ...emptyPack(), ...pack }, diagnostics: [], inventoryKinds: new Set(['Namespace']), inventoryObjects: [], setModes: new Map(setModes) };
}

const ctx = () => offlineContext(pod, { inventory: new MemoryInventory(), now: NOW });

test('mode precedence: pack override > set mode > result mode > policy default > pack default', () => {
  const fail = { rule: 'r', status: 'fail' as const, message: 'bad' };
  const s = set(
    [
      policy('a.one.v1', [{ ...fail, mode: 'audit' }]),
      policy('a.two.v1', [{ ...fail, mode: 'audit' }]),
      policy('a.three.v1', [{ ...fail, mode: 'audit' }]),
      policy('a.four.v1', [fail], { defaultMode: 'warn' }),
      policy('a.five.v1', [fail]),
    ],
    { defaultMode: 'enforce', policies: { 'a.one.v1': { mode: 'warn' } } },
    [['a.two.v1', 'enforce']],
  );
  const modes = Object.fromEntries(evaluateObject(s, ctx()).map((f) => [f.policyId, f.mode]));
  assert.deepEqual(modes, { 'a.one.v1': 'warn', 'a.two.v1': 'enforce', 'a.three.v1': 'audit', 'a.four.v1': 'warn', 'a.five.v1': 'enforce' });
});

test('exceptions match by policy, rule and scope; expired ones never apply', () => {
  const p = policy('pss.restricted.v1', [
    { rule: 'runAsNonRoot', status: 'fail', message: 'root' },
    { rule: 'privileged', status: 'fail', message: 'priv' },
  ]);
  const base = { policy: 'pss.restricted.v1', reason: 'vendor image', owner: 'team', index: 0 };
  const valid = { ...base, rules: ['runAsNonRoot'], scope: { namespaces: ['legacy'], names: ['old-*'], selector: { matchLabels: { tier: 'web' } } }, expires: '2026-12-31', expiresAt: parseExpiry('2026-12-31')! };
  const f1 = evaluateObject(set([p], { exceptions: [valid] }), ctx());
  assert.deepEqual(
    f1.map((f) => [f.rule, f.exception?.reason ?? null]),
    [
      ['runAsNonRoot', 'vendor image'],
      ['privileged', null],
    ],
  );
  const expired = { ...valid, expires: '2026-05-31', expiresAt: parseExpiry('2026-05-31')! };
  assert.ok(evaluateObject(set([p], { exceptions: [expired] }), ctx()).every((f) => !f.exception));
  const otherNs = { ...valid, scope: { namespaces: ['prod'] } };
  assert.ok(evaluateObject(set([p], { exceptions: [otherNs] }), ctx()).every((f) => !f.exception));
});

test('excluded namespaces, disabled policies and mayApply skip evaluation', () => {
  const p = policy('a.b.v1', [{ rule: 'r', status: 'fail', message: 'x' }]);
  assert.equal(evaluateObject(set([p], { excludedNamespaces: ['legacy'] }), ctx()).length, 0);
  assert.equal(evaluateObject(set([p], { policies: { 'a.b.v1': { disabled: true } } }), ctx()).length, 0);
  const onlyDeployments: CompiledPolicy = { ...p, mayApply: (kind) => kind === 'Deployment' };
  assert.equal(evaluateObject(set([onlyDeployments]), ctx()).length, 0);
});

test('a policy that throws becomes an error finding and the others still run', () => {
  const bad: CompiledPolicy = { meta: { id: 'bad.throw.v1', title: 't', severity: 'low', engine: 'test' }, evaluate: () => { throw new Error('boom'); } };
  const good = policy('good.fail.v1', [{ rule: 'r', status: 'fail', message: 'x' }]);
  const r = evaluateObjectDetailed(set([bad, good]), ctx());
  assert.deepEqual(
    r.findings.map((f) => [f.policyId, f.status, f.message]),
    [
      ['bad.throw.v1', 'error', 'policy failed: boom'],
      ['good.fail.v1', 'fail', 'x'],
    ],
  );
  assert.deepEqual(r.outcomes.map((o) => [o.policyId, o.status]), [['bad.throw.v1', 'error'], ['good.fail.v1', 'fail']]);
});

test('admission decision: enforce denies with policy, rule, field and remediation; warn warns; audit annotates', () => {
  const s = set([
    policy('e.deny.v1', [{ rule: 'privileged', status: 'fail', message: 'privileged container', path: ['spec', 'containers', 0, 'securityContext', 'privileged'] }]),
    policy('w.warn.v1', [{ rule: 'r', status: 'fail', message: 'no limits', mode: 'warn' }]),
    policy('a.audit.v1', [{ rule: 'r', status: 'fail', message: 'no owner', mode: 'audit' }]),
    policy('u.unsup.v1', [{ rule: 'pattern', status: 'unsupported', message: 'pattern rules are not evaluated' }]),
  ]);
  const d = decideAdmission(evaluateObject(s, ctx()));
  assert.equal(d.allowed, false);
  assert.equal(d.denyMessage, 'denied by Rampart: [e.deny.v1/privileged] privileged container (field: spec.containers[0].securityContext.privileged; fix: fix it)');
  assert.deepEqual(d.warnings, ['[w.warn.v1/r] no limits', '[u.unsup.v1/pattern] pattern rules are not evaluated']);
  assert.deepEqual(d.auditAnnotations, { 'a.audit.v1': 'r: no owner' });
  const allowed = decideAdmission(evaluateObject(set([policy('w.warn.v1', [{ rule: 'r', status: 'fail', message: 'm', mode: 'warn' }])]), ctx()));
  assert.equal(allowed.allowed, true);
  assert.equal(allowed.denyMessage, undefined);
});

test('admission exemptions match namespace, username or group', () => {
  const pack = { ...emptyPack(), admission: { failurePolicy: 'Fail' as const, exemptions: [{ groups: ['system:nodes'], reason: 'kubelet' }, { namespaces: ['kube-system'], reason: 'control plane' }] } };
  const req = ctx().request;
  assert.equal(findExemption(pack, req), undefined);
  assert.deepEqual(findExemption(pack, { ...req, userInfo: { username: 'system:node:n1', groups: ['system:nodes'] } }), { reason: 'kubelet' });
  assert.deepEqual(findExemption(pack, { ...req, namespace: 'kube-system' }), { reason: 'control plane' });
});
