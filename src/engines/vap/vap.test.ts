import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifestText } from '../../k8s/load.js';
import { MemoryInventory } from '../../k8s/inventory.js';
import type { KObject } from '../../k8s/object.js';
import type { RuleResult } from '../../core/policy-types.js';
import type { AdmissionAttributes, EvalContext } from '../../policy/engine.js';
import { compileVapDocuments } from './index.js';

const NOW = new Date('2026-01-01T00:00:00Z');

function compile(yaml: string) {
  const { objects, diagnostics } = loadManifestText(yaml, 'policy.yaml');
  assert.deepEqual(diagnostics, []);
  return compileVapDocuments(objects);
}

function policyYaml(spec: string, name = 'p'): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: ${name}
spec:
${spec}`;
}

function bindingYaml(spec: string, name = 'b', policy = 'p'): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: ${name}
spec:
  policyName: ${policy}
${spec}`;
}

const PODS = `  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["pods"]`;

function pod(name = 'web', extra: Record<string, unknown> = {}, ns = 'team-a'): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'nginx:1.0' }] },
    ...extra,
  };
}

function ctx(object: KObject | null, opts: { inventory?: KObject[]; operation?: AdmissionAttributes['operation']; oldObject?: KObject | null; kind?: [string, string, string]; resource?: string; subResource?: string } = {}): EvalContext {
  const o = (object ?? opts.oldObject)!;
  const av = String(o.apiVersion);
  const group = av.includes('/') ? av.split('/')[0] : '';
  const version = av.includes('/') ? av.split('/')[1] : av;
  const [g, v, k] = opts.kind ?? [group, version, String(o.kind)];
  const md = (o.metadata ?? {}) as { name?: string; namespace?: string };
  return {
    object,
    oldObject: opts.oldObject ?? null,
    request: {
      uid: 'u',
      operation: opts.operation ?? 'CREATE',
      kind: { group: g, version: v, kind: k },
      resource: { group: g, version: v, resource: opts.resource ?? `${k.toLowerCase()}s` },
      subResource: opts.subResource,
      name: md.name,
      namespace: md.namespace,
      userInfo: { username: 'alice', groups: ['dev', 'system:authenticated'] },
      dryRun: true,
    },
    inventory: new MemoryInventory(opts.inventory ?? []),
    now: NOW,
  };
}

function evaluate(yaml: string, c: EvalContext): RuleResult[] {
  const { policies } = compile(yaml);
  assert.equal(policies.length, 1);
  return policies[0].evaluate(c);
}

const brief = (rs: RuleResult[]) => rs.map((r) => `${r.rule}:${r.status}${r.message ? `:${r.message}` : ''}`);

test('a policy without a binding does nothing and says so', () => {
  const r = compile(policyYaml(`${PODS}\n  validations:\n    - expression: "false"`));
  assert.equal(r.policies.length, 0);
  assert.equal(r.diagnostics[0].code, 'vap_policy_unbound');
  assert.equal(r.diagnostics[0].severity, 'info');
});

test('a binding to an unknown policy is a warning', () => {
  const r = compile(bindingYaml('  validationActions: [Deny]', 'b', 'nope'));
  assert.equal(r.diagnostics[0].code, 'vap_binding_unknown_policy');
  assert.match(r.diagnostics[0].message, /binds policy "nope"/);
});

test('validation messages: message, messageExpression, its fallback, and the default', () => {
  const y = [
    policyYaml(`${PODS}
  validations:
    - expression: "object.metadata.name == 'x'"
    - expression: "false"
      message: "  static message  "
    - expression: "false"
      message: static
      messageExpression: "'name is ' + object.metadata.name"
    - expression: "false"
      message: fallback
      messageExpression: "object.metadata.missing"
    - expression: "false"
      message: fallback2
      messageExpression: "'   '"
    - expression: "true"`),
    bindingYaml('  validationActions: [Deny]'),
  ].join('\n---\n');
  const rs = evaluate(y, ctx(pod()));
  assert.deepEqual(brief(rs), [
    "validations[0]:fail:failed expression: object.metadata.name == 'x'",
    'validations[1]:fail:static message',
    'validations[2]:fail:name is web',
    'validations[3]:fail:fallback',
    'validations[4]:fail:fallback2',
    'validations[5]:pass',
  ]);
  assert.equal(rs[0].details?.reason, 'Invalid');
  assert.equal(rs[0].mode, 'enforce');
});

test('reason is kept; validationActions map to modes', () => {
  const pol = policyYaml(`${PODS}\n  validations:\n    - expression: "false"\n      reason: Forbidden`);
  for (const [actions, mode] of [['[Deny]', 'enforce'], ['[Warn]', 'warn'], ['[Audit]', 'audit'], ['[Warn, Audit]', 'warn'], ['[Deny, Audit]', 'enforce']] as const) {
    const rs = evaluate(`${pol}\n---\n${bindingYaml(`  validationActions: ${actions}`)}`, ctx(pod()));
    assert.equal(rs[0].mode, mode, actions);
    assert.equal(rs[0].details?.reason, 'Forbidden');
  }
  const both = compile(`${pol}\n---\n${bindingYaml('  validationActions: [Deny, Warn]')}`);
  assert.equal(both.diagnostics[0].code, 'vap_invalid_binding');
  assert.equal(both.diagnostics[0].severity, 'warning');
  assert.equal(both.policies[0].meta.defaultMode, 'enforce');
});

test('a binding without validationActions is invalid', () => {
  const r = compile(`${policyYaml(`${PODS}\n  validations:\n    - expression: "true"`)}\n---\n${bindingYaml('  paramRef: {name: x}')}`);
  assert.equal(r.diagnostics.find((d) => d.code === 'vap_invalid_binding')?.message, 'ValidatingAdmissionPolicyBinding b: spec.validationActions is required (Deny, Warn and/or Audit)');
});

test('resource rules: operation, group/version/resource, subresource, scope, resourceNames', () => {
  const y = (rules: string) => `${policyYaml(`  matchConstraints:\n    resourceRules:\n${rules}\n  validations:\n    - expression: "false"`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  const podRule = (extra: string) => `      - {apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"]${extra}}`;
  assert.equal(evaluate(y(podRule('')), ctx(pod())).length, 1);
  assert.equal(evaluate(y(podRule('')), ctx(pod(), { operation: 'UPDATE', oldObject: pod() })).length, 0);
  assert.equal(evaluate(y(podRule('')), ctx(pod(), { subResource: 'status' })).length, 0, 'pods does not match pods/status');
  assert.equal(evaluate(y(`      - {apiGroups: [""], apiVersions: ["v1"], resources: ["pods/*"], operations: ["*"]}`), ctx(pod(), { subResource: 'status' })).length, 1);
  assert.equal(evaluate(y(podRule(', scope: Cluster')), ctx(pod())).length, 0);
  assert.equal(evaluate(y(podRule(', scope: Namespaced')), ctx(pod())).length, 1);
  assert.equal(evaluate(y(podRule(', resourceNames: [other]')), ctx(pod())).length, 0);
  assert.equal(evaluate(y(podRule(', resourceNames: [web]')), ctx(pod())).length, 1);
  assert.equal(evaluate(y(`      - {apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"]}`), ctx(pod())).length, 1);
});

test('excludeResourceRules, namespaceSelector and objectSelector', () => {
  const y = (extra: string) =>
    `${policyYaml(`  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["*"]}
${extra}
  validations:
    - expression: "false"`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  const exclude = `    excludeResourceRules:\n      - {apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"], resourceNames: [web]}`;
  assert.equal(evaluate(y(exclude), ctx(pod())).length, 0);
  assert.equal(evaluate(y(exclude), ctx(pod('api'))).length, 1);
  const nsSel = `    namespaceSelector:\n      matchLabels: {env: prod}`;
  const prodNs: KObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { env: 'prod' } } };
  assert.equal(evaluate(y(nsSel), ctx(pod())).length, 0, 'unknown namespace has only the name label');
  assert.equal(evaluate(y(nsSel), ctx(pod(), { inventory: [prodNs] })).length, 1);
  const byName = `    namespaceSelector:\n      matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [team-a]}]`;
  assert.equal(evaluate(y(byName), ctx(pod())).length, 1, 'kubernetes.io/metadata.name is always set');
  const objSel = `    objectSelector:\n      matchLabels: {app: api}`;
  assert.equal(evaluate(y(objSel), ctx(pod())).length, 0);
  assert.equal(evaluate(y(objSel), ctx(pod(), { operation: 'UPDATE', oldObject: { ...pod(), metadata: { name: 'web', namespace: 'team-a', labels: { app: 'api' } } } })).length, 1, 'oldObject labels count');
});

test('matchPolicy: Equivalent matches another version of the resource, Exact does not', () => {
  const y = (policy: string) =>
    `${policyYaml(`  matchConstraints:
    matchPolicy: ${policy}
    resourceRules:
      - {apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"], operations: ["CREATE"]}
  validations:
    - expression: "false"`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  const dep: KObject = { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' }, spec: {} };
  assert.equal(evaluate(y('Equivalent'), ctx(dep)).length, 1);
  assert.equal(evaluate(y('Exact'), ctx(dep)).length, 0);
});

test('binding matchResources narrows the policy', () => {
  const y = `${policyYaml(`${PODS}\n  validations:\n    - expression: "false"`)}
---
${bindingYaml(`  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}]`)}`;
  assert.equal(evaluate(y, ctx(pod())).length, 1);
  assert.equal(evaluate(y, ctx(pod('x', {}, 'kube-system'))).length, 0);
});

test('matchConditions: false skips; an error follows failurePolicy', () => {
  const y = (fp: string, cond: string) =>
    `${policyYaml(`  failurePolicy: ${fp}\n${PODS}\n  matchConditions:\n    - name: c1\n      expression: "${cond}"\n  validations:\n    - expression: "false"`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  assert.deepEqual(brief(evaluate(y('Fail', 'false'), ctx(pod()))), ["validations[0]:skip:matchCondition 'c1' is false"]);
  const err = evaluate(y('Fail', 'object.metadata.nope == 1'), ctx(pod()));
  assert.equal(err[0].rule, 'matchConditions');
  assert.equal(err[0].status, 'error');
  assert.match(err[0].message, /^matchCondition 'c1' failed: /);
  assert.equal(evaluate(y('Ignore', 'object.metadata.nope == 1'), ctx(pod()))[0].status, 'skip');
});

test('evaluation errors follow failurePolicy', () => {
  const y = (fp: string) => `${policyYaml(`  failurePolicy: ${fp}\n${PODS}\n  validations:\n    - expression: "object.spec.nope == 1"`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  const fail = evaluate(y('Fail'), ctx(pod()));
  assert.equal(fail[0].status, 'error');
  assert.match(fail[0].message, /^expression 'object.spec.nope == 1' resulted in error: /);
  const ignore = evaluate(y('Ignore'), ctx(pod()));
  assert.equal(ignore[0].status, 'skip');
  assert.match(ignore[0].message, /^ignored \(failurePolicy Ignore\)/);
});

test('variables are lazy, composable, and an error fails only their readers', () => {
  const y = `${policyYaml(`${PODS}
  variables:
    - name: names
      expression: "object.spec.containers.map(c, c.name)"
    - name: count
      expression: "variables.names.size()"
    - name: broken
      expression: "object.spec.nope"
  validations:
    - expression: "variables.count == 1 && variables.names[0] == 'c'"
    - expression: "variables.broken == 1"`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  const rs = evaluate(y, ctx(pod()));
  assert.equal(rs[0].status, 'pass');
  assert.equal(rs[1].status, 'error');
});

test('request, namespaceObject and oldObject are bound', () => {
  const y = `${policyYaml(`${PODS}
  validations:
    - expression: "request.operation == 'UPDATE' && request.userInfo.username == 'alice' && request.namespace == 'team-a'"
    - expression: "namespaceObject.metadata.labels.env == 'prod'"
    - expression: "oldObject.metadata.labels.app == 'old' && object.metadata.labels.app == 'web'"`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  const old = pod();
  (old.metadata as { labels: Record<string, string> }).labels = { app: 'old' };
  const ns: KObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { env: 'prod' } } };
  assert.deepEqual(brief(evaluate(y, ctx(pod(), { operation: 'UPDATE', oldObject: old, inventory: [ns] }))), ['validations[0]:pass', 'validations[1]:pass', 'validations[2]:pass']);
});

test('auditAnnotations are published as <policy>/<key>; null and empty are omitted', () => {
  const y = `${policyYaml(`${PODS}
  validations:
    - expression: "true"
  auditAnnotations:
    - key: image
      valueExpression: "object.spec.containers[0].image"
    - key: nothing
      valueExpression: "null"
    - key: blank
      valueExpression: "'  '"`)}\n---\n${bindingYaml('  validationActions: [Audit]')}`;
  const rs = evaluate(y, ctx(pod()));
  assert.deepEqual(rs[0].details?.auditAnnotations, { 'p/image': 'nginx:1.0' });
});

const PARAM_POLICY = policyYaml(`  paramKind: {apiVersion: v1, kind: ConfigMap}
${PODS}
  validations:
    - expression: "object.metadata.name != params.data.forbidden"
      messageExpression: "'forbidden by ' + params.metadata.name"`);

function cm(name: string, ns: string, forbidden: string, labels: Record<string, string> = {}): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { forbidden } };
}

test('params by name: namespace from paramRef or from the request', () => {
  const byName = (ref: string) => `${PARAM_POLICY}\n---\n${bindingYaml(`  validationActions: [Deny]\n  paramRef: ${ref}`)}`;
  const inv = [cm('rules', 'team-a', 'web'), cm('rules', 'central', 'api')];
  assert.deepEqual(brief(evaluate(byName('{name: rules, parameterNotFoundAction: Deny}'), ctx(pod(), { inventory: inv }))), ['validations[0]:fail:forbidden by rules']);
  assert.deepEqual(brief(evaluate(byName('{name: rules, namespace: central, parameterNotFoundAction: Deny}'), ctx(pod(), { inventory: inv }))), ['validations[0]:pass']);
});

test('params by selector: one evaluation per matching param', () => {
  const y = `${PARAM_POLICY}\n---\n${bindingYaml(`  validationActions: [Deny]\n  paramRef:\n    namespace: central\n    selector: {matchLabels: {set: a}}\n    parameterNotFoundAction: Allow`)}`;
  const inv = [cm('one', 'central', 'web', { set: 'a' }), cm('two', 'central', 'api', { set: 'a' }), cm('three', 'central', 'web', { set: 'b' })];
  const rs = evaluate(y, ctx(pod(), { inventory: inv }));
  assert.deepEqual(brief(rs), ['validations[0]:fail:forbidden by one', 'validations[0]:pass']);
  assert.equal(rs[0].details?.param, 'central/one');
});

test('params not found: Deny is a binding error under failurePolicy, Allow skips', () => {
  const y = (action: string, fp = 'Fail') =>
    `${PARAM_POLICY.replace('spec:\n', `spec:\n  failurePolicy: ${fp}\n`)}\n---\n${bindingYaml(`  validationActions: [Deny]\n  paramRef: {name: missing, parameterNotFoundAction: ${action}}`)}`;
  const deny = evaluate(y('Deny'), ctx(pod()));
  assert.deepEqual(brief(deny), ['binding:error:failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction']);
  assert.equal(evaluate(y('Deny', 'Ignore'), ctx(pod()))[0].status, 'skip');
  assert.equal(evaluate(y('Allow'), ctx(pod()))[0].status, 'skip');
});

test('paramKind without paramRef, and namespaced params for cluster-scoped requests, are binding errors', () => {
  const noRef = `${PARAM_POLICY}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  assert.equal(evaluate(noRef, ctx(pod()))[0].message, 'failed to configure binding: paramKind kind `ConfigMap` is defined but paramRef is missing');
  const nsPolicy = PARAM_POLICY.replace('resources: ["pods"]', 'resources: ["namespaces"]');
  const y = `${nsPolicy}\n---\n${bindingYaml('  validationActions: [Deny]\n  paramRef: {name: rules}')}`;
  const ns: KObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } };
  assert.equal(evaluate(y, ctx(ns))[0].message, 'failed to configure binding: cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
});

test('compile errors are diagnostics at the expression line, and the validation then errors', () => {
  const y = `${policyYaml(`${PODS}
  validations:
    - expression: "true"
    - expression: "object.spec.containers.all(c, "`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  const { objects } = loadManifestText(y, 'policy.yaml');
  const r = compileVapDocuments(objects);
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0].code, 'cel_parse_error');
  assert.equal(r.diagnostics[0].span?.file, 'policy.yaml');
  assert.equal(r.diagnostics[0].span?.line, 14);
  assert.match(r.diagnostics[0].message, /^ValidatingAdmissionPolicy p: spec\.validations\[1\]\.expression: /);
  const rs = r.policies[0].evaluate(ctx(pod()));
  assert.equal(rs[1].status, 'error');
  assert.match(rs[1].message, /compilation failed/);
});

test('a validation expression must be boolean', () => {
  const r = compile(`${policyYaml(`${PODS}\n  validations:\n    - expression: "'text'"`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`);
  assert.equal(r.diagnostics[0].code, 'cel_type_error');
  assert.match(r.diagnostics[0].message, /must evaluate to bool, not string/);
});

test('rampart.dev annotations become PolicyMeta', () => {
  const y = `${policyYaml(`${PODS}\n  validations:\n    - expression: "true"`).replace(
    'metadata:\n  name: p',
    `metadata:
  name: p
  annotations:
    rampart.dev/id: payments.no-root.v2
    rampart.dev/title: No root
    rampart.dev/severity: critical
    rampart.dev/owner: team-payments
    rampart.dev/remediation: Run as a non-root user.
    rampart.dev/frameworks: "cis:5.2.7, nist:AC-6, mitre:T1611, bogus"`,
  )}\n---\n${bindingYaml('  validationActions: [Warn]')}`;
  const r = compile(y);
  const m = r.policies[0].meta;
  assert.equal(m.id, 'payments.no-root.v2');
  assert.equal(m.title, 'No root');
  assert.equal(m.severity, 'critical');
  assert.equal(m.owner, 'team-payments');
  assert.equal(m.remediation, 'Run as a non-root user.');
  assert.deepEqual(m.frameworks, { cis: ['5.2.7'], nist: ['AC-6'], mitre: ['T1611'] });
  assert.equal(m.defaultMode, 'warn');
  assert.equal(m.engine, 'vap');
  assert.equal(r.diagnostics[0].code, 'policy_annotation_invalid');
  assert.equal(r.policies[0].evaluate(ctx(pod()))[0].policyId, 'payments.no-root.v2');
});

test('without annotations the object name is the id', () => {
  const r = compile(`${policyYaml(`${PODS}\n  validations:\n    - expression: "true"`, 'require-x')}\n---\n${bindingYaml('  validationActions: [Deny]', 'b', 'require-x')}`);
  assert.equal(r.policies[0].meta.id, 'require-x');
  assert.equal(r.policies[0].meta.severity, 'medium');
});

test('authorizer answers from the RBAC objects of the input', () => {
  const y = `${policyYaml(`${PODS}
  validations:
    - expression: "authorizer.group('').resource('secrets').namespace('team-a').check('get').allowed()"
    - expression: "authorizer.serviceAccount('team-a', 'bot').group('apps').resource('deployments').namespace('team-a').check('create').allowed()"`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  const rbac: KObject[] = [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'team-a' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'devs', namespace: 'team-a' }, roleRef: { kind: 'Role', name: 'reader' }, subjects: [{ kind: 'Group', name: 'dev' }] },
  ];
  assert.deepEqual(brief(evaluate(y, ctx(pod(), { inventory: rbac }))).map((s) => s.split(':').slice(0, 2).join(':')), ['validations[0]:pass', 'validations[1]:fail']);
  assert.equal(evaluate(y, ctx(pod()))[0].status, 'fail', 'no RBAC objects: no opinion, not allowed');
});

test('mayApply pre-filters by API group', () => {
  const r = compile(`${policyYaml(`${PODS}\n  validations:\n    - expression: "true"`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`);
  assert.equal(r.policies[0].mayApply?.('Pod', ''), true);
  assert.equal(r.policies[0].mayApply?.('Deployment', 'apps'), false);
});

test('validations of one evaluation share the 10,000,000-unit runtime cost budget', () => {
  const heavy = '    - expression: "object.spec.l.all(a, object.spec.l.all(b, object.spec.l.all(c, a + b + c >= 0)))"';
  const y = `${policyYaml(`${PODS}\n  validations:\n${Array.from({ length: 16 }, () => heavy).join('\n')}`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  const p = pod('web', {});
  (p.spec as Record<string, unknown>).l = Array.from({ length: 40 }, (_, i) => i);
  const rs = evaluate(y, ctx(p));
  const statuses = rs.map((r) => r.status);
  const firstError = statuses.indexOf('error');
  assert.ok(firstError > 5 && firstError < 16, `budget runs out part-way (first error at ${firstError})`);
  assert.ok(statuses.slice(0, firstError).every((s) => s === 'pass'));
  assert.ok(statuses.slice(firstError).every((s) => s === 'error'));
  assert.match(rs[firstError].message, /running out of cost budget/);
});

test('rampart.dev/path places failures in the object; podSpec follows the pod template', () => {
  const y = (path: string) =>
    `${policyYaml(`  matchConstraints:
    resourceRules:
      - {apiGroups: ["", apps], apiVersions: [v1], operations: [CREATE], resources: [pods, deployments]}
  validations:
    - expression: "false"`).replace('metadata:\n  name: p', `metadata:\n  name: p\n  annotations:\n    rampart.dev/path: ${path}`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  const dep: KObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' }, spec: { template: { spec: { containers: [] } } } };
  assert.deepEqual(evaluate(y('podSpec.containers'), ctx(dep))[0].path, ['spec', 'template', 'spec', 'containers']);
  assert.deepEqual(evaluate(y('podSpec.containers'), ctx(pod()))[0].path, ['spec', 'containers']);
  assert.deepEqual(evaluate(y('metadata.labels'), ctx(pod()))[0].path, ['metadata', 'labels']);
});

test('one compiled policy over many requests: matching and variables follow each request, not the previous one', () => {
  const yaml = `${policyYaml(`  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"], scope: Namespaced}
    namespaceSelector:
      matchLabels: {env: prod}
  variables:
    - name: image
      expression: "object.spec.containers[0].image"
  validations:
    - expression: "!variables.image.endsWith(':latest')"
      messageExpression: "'latest tag: ' + variables.image"`)}\n---\n${bindingYaml('  validationActions: [Deny]')}`;
  const { policies } = compile(yaml);
  const [policy] = policies;
  const prod: KObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { env: 'prod' } } };
  const dev: KObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b', labels: { env: 'dev' } } };
  const inventory = [prod, dev];
  const withImage = (image: string, ns = 'team-a') => ({ ...pod('web', {}, ns), spec: { containers: [{ name: 'c', image }] } });
  const run = (c: EvalContext) => brief(policy.evaluate(c));
  assert.deepEqual(run(ctx(withImage('nginx:latest'), { inventory })), ["validations[0]:fail:latest tag: nginx:latest"]);
  assert.deepEqual(run(ctx(withImage('nginx:1.0'), { inventory })), ['validations[0]:pass']);
  assert.deepEqual(run(ctx(withImage('nginx:latest', 'team-b'), { inventory })), [], 'namespace labels of this request');
  assert.deepEqual(run(ctx(withImage('redis:latest'), { inventory })), ['validations[0]:fail:latest tag: redis:latest']);
  assert.deepEqual(run(ctx(withImage('nginx:latest'), { inventory, operation: 'UPDATE', oldObject: withImage('x') })), [], 'operation of this request');
  const first = ctx(withImage('a:latest'), { inventory });
  const second = ctx(withImage('b:1'), { inventory });
  assert.deepEqual(run(first), ['validations[0]:fail:latest tag: a:latest']);
  assert.deepEqual(run(second), ['validations[0]:pass']);
  assert.deepEqual(run(first), ['validations[0]:fail:latest tag: a:latest'], 'the same context again, after another one');
  const results = policy.evaluate(second);
  assert.ok(Object.isFrozen(results[0]), 'constant pass results are frozen');
});
