import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifestText } from '../../k8s/load.js';
import { MemoryInventory } from '../../k8s/inventory.js';
import type { KObject } from '../../k8s/object.js';
import type { RuleResult } from '../../core/policy-types.js';
import { offlineContext } from '../../evaluate/context.js';
import { autogenRules, compileKyvernoDocuments, kyvernoEngine, parseKind, wildcardMatch } from './index.js';

const NOW = new Date('2026-01-01T00:00:00Z');

function compile(yaml: string) {
  const { objects } = loadManifestText(yaml, 'kyverno.yaml');
  return compileKyvernoDocuments(objects);
}

function run(yaml: string, obj: KObject, inventory: KObject[] = []): RuleResult[] {
  const { policies } = compile(yaml);
  assert.equal(policies.length, 1);
  return policies[0].evaluate(offlineContext(obj, { inventory: new MemoryInventory(inventory), now: NOW }));
}

const brief = (rs: RuleResult[]) => rs.map((r) => `${r.rule}:${r.status}`);

const CLUSTER_POLICY = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: no-latest
spec:
  validationFailureAction: Enforce
  rules:
    - name: check-tag
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        cel:
          expressions:
            - expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
              message: "no latest"
`;

function pod(image: string, ns = 'default', name = 'p'): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image }] } };
}
function deployment(image: string): KObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { template: { spec: { containers: [{ name: 'c', image }] } } } };
}
function cronjob(image: string): KObject {
  return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', namespace: 'default' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } } } };
}

test('validate.cel rule: pass, fail with message, mode from validationFailureAction', () => {
  assert.deepEqual(brief(run(CLUSTER_POLICY, pod('nginx:1'))), ['check-tag:pass']);
  const fail = run(CLUSTER_POLICY, pod('nginx:latest'));
  assert.equal(fail[0].status, 'fail');
  assert.equal(fail[0].message, 'no latest');
  assert.equal(fail[0].mode, 'enforce');
  assert.equal(run(CLUSTER_POLICY.replace('Enforce', 'Audit'), pod('nginx:latest'))[0].mode, 'audit');
});

test('autogen: pod rules also check controllers as autogen-<rule> and autogen-cronjob-<rule>', () => {
  assert.deepEqual(brief(run(CLUSTER_POLICY, deployment('nginx:latest'))), ['autogen-check-tag:fail']);
  assert.deepEqual(brief(run(CLUSTER_POLICY, deployment('nginx:1'))), ['autogen-check-tag:pass']);
  assert.deepEqual(brief(run(CLUSTER_POLICY, cronjob('nginx:latest'))), ['autogen-cronjob-check-tag:fail']);
});

test('autogen honours pod-policies.kyverno.io/autogen-controllers', () => {
  const none = CLUSTER_POLICY.replace('  name: no-latest\n', '  name: no-latest\n  annotations:\n    pod-policies.kyverno.io/autogen-controllers: none\n');
  assert.deepEqual(run(none, deployment('nginx:latest')), []);
  const onlyDeploy = CLUSTER_POLICY.replace('  name: no-latest\n', '  name: no-latest\n  annotations:\n    pod-policies.kyverno.io/autogen-controllers: Deployment\n');
  assert.deepEqual(brief(run(onlyDeploy, deployment('nginx:latest'))), ['autogen-check-tag:fail']);
  assert.deepEqual(run(onlyDeploy, cronjob('nginx:latest')), []);
});

test('autogen is off when a rule names resources or mixes Pod with other kinds', () => {
  const named = CLUSTER_POLICY.replace('kinds: [Pod]', 'kinds: [Pod]\n              names: ["web-*"]');
  assert.deepEqual(run(named, deployment('nginx:latest')), []);
  const mixed = CLUSTER_POLICY.replace('kinds: [Pod]', 'kinds: [Pod, Service]');
  assert.deepEqual(run(mixed, deployment('nginx:latest')), []);
});

test('autogen rewrites CEL paths into the template', () => {
  const [rule, cron] = autogenRules(
    [{ name: 'r', match: { any: [{ resources: { kinds: ['Pod'] } }] }, validate: { cel: { expressions: [{ expression: 'object.spec.x && object.metadata.y && oldObject.spec.z' }] } } }],
    ['Deployment', 'CronJob'],
  );
  assert.equal(rule.name, 'autogen-r');
  assert.deepEqual((rule.match as { any: { resources: { kinds: string[] } }[] }).any[0].resources.kinds, ['Deployment']);
  assert.equal(
    ((rule.validate as { cel: { expressions: { expression: string }[] } }).cel.expressions[0]).expression,
    'object.spec.template.spec.x && object.spec.template.metadata.y && oldObject.spec.template.spec.z',
  );
  assert.equal(cron.name, 'autogen-cronjob-r');
  assert.equal(
    ((cron.validate as { cel: { expressions: { expression: string }[] } }).cel.expressions[0]).expression,
    'object.spec.jobTemplate.spec.template.spec.x && object.spec.jobTemplate.spec.template.metadata.y && oldObject.spec.jobTemplate.spec.template.spec.z',
  );
});

test('match/exclude: namespaces, names, operations, selectors, any/all', () => {
  const withMatch = (match: string, exclude = '') =>
    CLUSTER_POLICY.replace('      match:\n        any:\n          - resources:\n              kinds: [Pod]\n', `      match:\n${match}${exclude}`);
  const nsMatch = withMatch('        any:\n          - resources:\n              kinds: [Pod]\n              namespaces: ["prod-*"]\n');
  assert.deepEqual(run(nsMatch, pod('x:latest', 'dev')), []);
  assert.deepEqual(brief(run(nsMatch, pod('x:latest', 'prod-eu'))), ['check-tag:fail']);
  const ops = withMatch('        any:\n          - resources:\n              kinds: [Pod]\n              operations: [UPDATE]\n');
  assert.deepEqual(run(ops, pod('x:latest')), []);
  const ex = withMatch('        any:\n          - resources:\n              kinds: [Pod]\n', '      exclude:\n        any:\n          - resources:\n              namespaces: [kube-system]\n');
  assert.deepEqual(run(ex, pod('x:latest', 'kube-system')), []);
  assert.equal(run(ex, pod('x:latest', 'apps')).length, 1);
  const all = withMatch('        all:\n          - resources:\n              kinds: [Pod]\n          - resources:\n              names: ["p"]\n');
  assert.equal(run(all, pod('x:latest')).length, 1);
  assert.deepEqual(run(all, pod('x:latest', 'default', 'q')), []);
  const sel = withMatch('        any:\n          - resources:\n              kinds: [Pod]\n              selector: {matchLabels: {app: web}}\n');
  assert.deepEqual(run(sel, pod('x:latest')), []);
});

test('kind selectors and wildcards', () => {
  assert.deepEqual(parseKind('batch/*/CronJob'), { group: 'batch', version: '*', kind: 'CronJob', subresource: '' });
  assert.deepEqual(parseKind('v1/Pod'), { group: '*', version: 'v1', kind: 'Pod', subresource: '' });
  assert.deepEqual(parseKind('Pod/status'), { group: '*', version: '*', kind: 'Pod', subresource: 'status' });
  assert.equal(wildcardMatch('prod-*', 'prod-eu'), true);
  assert.equal(wildcardMatch('a?c', 'abc'), true);
  assert.equal(wildcardMatch('a.c', 'abc'), false);
});

test('celPreconditions false skip; simple JMESPath preconditions are evaluated', () => {
  const pre = CLUSTER_POLICY.replace('      validate:', '      celPreconditions:\n        - name: only-prod\n          expression: "object.metadata.namespace == \'prod\'"\n      validate:');
  assert.deepEqual(brief(run(pre, pod('x:latest', 'dev'))), ['check-tag:skip']);
  assert.deepEqual(brief(run(pre, pod('x:latest', 'prod'))), ['check-tag:fail']);
  const jp = CLUSTER_POLICY.replace('      validate:', '      preconditions:\n        all:\n          - key: "{{ request.operation }}"\n            operator: AnyIn\n            value: [UPDATE]\n      validate:');
  assert.deepEqual(brief(run(jp, pod('x:latest'))), ['check-tag:skip']);
});

test('non-CEL rule types are unsupported, never a silent pass', () => {
  const y = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: mixed}
spec:
  rules:
    - name: pattern
      match: {any: [{resources: {kinds: [Pod]}}]}
      validate:
        pattern: {spec: {containers: [{image: "!*:latest"}]}}
    - name: mutate
      match: {any: [{resources: {kinds: [Pod]}}]}
      mutate:
        patchStrategicMerge: {metadata: {labels: {a: b}}}
    - name: jmespath-pre
      match: {any: [{resources: {kinds: [Pod]}}]}
      preconditions:
        all: [{key: "{{ request.object.spec.containers[0].image }}", operator: Equals, value: x}]
      validate:
        cel:
          expressions: [{expression: "true"}]
`;
  const { policies, diagnostics } = compile(y);
  assert.deepEqual(diagnostics.map((d) => d.code), ['kyverno_unsupported_rule', 'kyverno_unsupported_rule', 'kyverno_unsupported_rule']);
  const rs = policies[0].evaluate(offlineContext(pod('x'), { inventory: new MemoryInventory(), now: NOW }));
  assert.deepEqual(rs.map((r) => `${r.rule}:${r.status}`), ['pattern:unsupported', 'mutate:unsupported', 'jmespath-pre:unsupported']);
  assert.match(rs[0].message, /validate\.pattern/);
});

test('ValidatingPolicy: one result per policy, autogen for controllers, validationActions as mode', () => {
  const y = `apiVersion: policies.kyverno.io/v1alpha1
kind: ValidatingPolicy
metadata: {name: vp}
spec:
  validationActions: [Audit]
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
  validations:
    - expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
      message: no latest
    - expression: "object.metadata.name != 'forbidden'"
`;
  const p = run(y, pod('x:latest'));
  assert.deepEqual(brief(p), ['vp:fail']);
  assert.equal(p[0].mode, 'audit');
  assert.equal(p[0].message, 'no latest');
  assert.deepEqual(brief(run(y, deployment('x:latest'))), ['autogen-vp:fail']);
  assert.deepEqual(brief(run(y, deployment('x:1'))), ['autogen-vp:pass']);
  assert.deepEqual(brief(run(y, cronjob('x:latest'))), ['autogen-cronjobs-vp:fail']);
  const only = y.replace('  validationActions: [Audit]\n', '  validationActions: [Audit]\n  autogen:\n    podControllers:\n      controllers: [deployments]\n');
  assert.deepEqual(run(only, cronjob('x:latest')), []);
});

test('the engine accepts Kyverno documents only', () => {
  assert.equal(kyvernoEngine.accepts({ apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy' }), true);
  assert.equal(kyvernoEngine.accepts({ apiVersion: 'policies.kyverno.io/v1', kind: 'ValidatingPolicy' }), true);
  assert.equal(kyvernoEngine.accepts({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy' }), false);
});

test('a namespaced Policy applies only to its namespace; rule failureAction overrides the policy', () => {
  const y = CLUSTER_POLICY.replace('kind: ClusterPolicy', 'kind: Policy').replace('  name: no-latest\n', '  name: no-latest\n  namespace: team-a\n').replace(
    '      validate:\n',
    '      validate:\n        failureAction: Audit\n',
  );
  assert.deepEqual(run(y, pod('x:latest', 'team-b')), []);
  const r = run(y, pod('x:latest', 'team-a'));
  assert.deepEqual(brief(r), ['check-tag:fail']);
  assert.equal(r[0].mode, 'audit');
});

test('PolicyExceptions turn matching results into skip (kyverno.io/v2 and CEL policyRefs)', () => {
  const v2 = `${CLUSTER_POLICY}---
apiVersion: kyverno.io/v2
kind: PolicyException
metadata: {name: legacy, namespace: kyverno}
spec:
  exceptions:
    - policyName: no-latest
      ruleNames: [check-tag, autogen-check-tag]
  match:
    any:
      - resources:
          kinds: [Pod, Deployment]
          namespaces: [legacy]
`;
  const c = compile(v2);
  const ev = (o: KObject) => c.policies[0].evaluate(offlineContext(o, { inventory: new MemoryInventory(), now: NOW }));
  const skipped = ev(pod('x:latest', 'legacy'));
  assert.deepEqual(brief(skipped), ['check-tag:skip']);
  assert.equal(skipped[0].message, 'rule is excepted by PolicyException kyverno/legacy');
  assert.deepEqual(brief(ev(pod('x:latest', 'apps'))), ['check-tag:fail']);
  const vp = `apiVersion: policies.kyverno.io/v1alpha1
kind: ValidatingPolicy
metadata: {name: vp}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  validations:
    - expression: "false"
---
apiVersion: policies.kyverno.io/v1alpha1
kind: PolicyException
metadata: {name: skip-p, namespace: default}
spec:
  policyRefs: [{name: vp, kind: ValidatingPolicy}]
  matchConditions:
    - name: by-name
      expression: "object.metadata.name == 'p'"
`;
  const c2 = compile(vp);
  assert.deepEqual(brief(c2.policies[0].evaluate(offlineContext(pod('x', 'default', 'p'), { inventory: new MemoryInventory(), now: NOW }))), ['vp:skip']);
  assert.deepEqual(brief(c2.policies[0].evaluate(offlineContext(pod('x', 'default', 'q'), { inventory: new MemoryInventory(), now: NOW }))), ['vp:fail']);
});
