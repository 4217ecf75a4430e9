import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offlineContext } from '../../evaluate/context.js';
import { MemoryInventory } from '../../k8s/inventory.js';
import { loadManifestText } from '../../k8s/load.js';
import type { KObject } from '../../k8s/object.js';
import { compileGatekeeperDocuments, globMatch, matches, modeOf, parseMatch } from './index.js';

const NOW = new Date('2026-06-01T00:00:00Z');

const TEMPLATE = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8srequiredowner
  annotations:
    metadata.gatekeeper.sh/title: Required owner
spec:
  crd:
    spec:
      names:
        kind: K8sRequiredOwner
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8srequiredowner
        import data.lib.util.owner_of
        violation[{"msg": msg, "details": {"want": input.parameters.label}}] {
          not owner_of(input.review.object, input.parameters.label)
          msg := sprintf("%v %v needs label %v", [input.review.kind.kind, input.review.object.metadata.name, input.parameters.label])
        }
      libs:
        - |
          package lib.util
          owner_of(obj, label) { obj.metadata.labels[label] }
`;

const CEL_TEMPLATE = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8snolatest}
spec:
  crd: {spec: {names: {kind: K8sNoLatest}}}
  targets:
    - target: admission.k8s.gatekeeper.sh
      code:
        - engine: K8sNativeValidation
          source:
            variables:
              - name: images
                expression: 'variables.anyObject.spec.containers.map(c, c.image)'
            validations:
              - expression: '!variables.images.exists(i, i.endsWith(":latest"))'
                messageExpression: '"latest tag in " + variables.images.filter(i, i.endsWith(":latest")).join(", ") + " (" + variables.params.reason + ")"'
              - expression: 'variables.images.all(i, i.contains("/"))'
`;

function constraint(kind: string, name: string, spec: string): string {
  return `apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: ${kind}\nmetadata: {name: ${name}}\nspec:\n${spec}`;
}

function compile(...texts: string[]) {
  return compileGatekeeperDocuments(texts.flatMap((t, i) => loadManifestText(t, `f${i}.yaml`).objects));
}

const pod = (name: string, labels: Record<string, string> = {}, image = 'registry.io/app:1.0', ns = 'default'): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  spec: { containers: [{ name: 'c', image }] },
});

test('Rego template with libs: violations carry msg, details and the constraint mode', () => {
  const { policies, diagnostics } = compile(TEMPLATE, constraint('K8sRequiredOwner', 'need-owner', '  enforcementAction: warn\n  match: {kinds: [{apiGroups: [""], kinds: [Pod]}]}\n  parameters: {label: owner}\n'));
  assert.deepEqual(diagnostics, []);
  assert.equal(policies.length, 1);
  assert.equal(policies[0].meta.id, 'need-owner');
  assert.equal(policies[0].meta.title, 'Required owner (need-owner)');
  const inv = new MemoryInventory();
  const bad = policies[0].evaluate(offlineContext(pod('web'), { inventory: inv, now: NOW }));
  assert.deepEqual(bad, [{ policyId: 'need-owner', rule: 'K8sRequiredOwner', mode: 'warn', status: 'fail', message: 'Pod web needs label owner', details: { details: { want: 'owner' } } }]);
  const good = policies[0].evaluate(offlineContext(pod('web', { owner: 'a' }), { inventory: inv, now: NOW }));
  assert.deepEqual(good.map((r) => r.status), ['pass']);
  const svc = policies[0].evaluate(offlineContext({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }, { inventory: inv, now: NOW }));
  assert.deepEqual(svc, [], 'kinds match excludes a Service');
});

test('K8sNativeValidation: variables.params, variables.anyObject, messageExpression and the default message', () => {
  const { policies, diagnostics } = compile(CEL_TEMPLATE, constraint('K8sNoLatest', 'no-latest', '  parameters: {reason: pin your images}\n'));
  assert.deepEqual(diagnostics, []);
  const r = policies[0].evaluate(offlineContext(pod('p', {}, 'nginx:latest'), { inventory: new MemoryInventory(), now: NOW }));
  assert.deepEqual(
    r.map((x) => [x.status, x.message, x.mode]),
    [
      ['fail', 'latest tag in nginx:latest (pin your images)', 'enforce'],
      ['fail', 'failed expression: variables.images.all(i, i.contains("/"))', 'enforce'],
    ],
  );
});

test('template problems are diagnostics at the template line (Rego and CEL)', () => {
  const badRego = TEMPLATE.replace('not owner_of(input.review.object, input.parameters.label)', 'not owner_of(input.review.object, input.parameters.label');
  const r1 = compile(badRego);
  assert.equal(r1.diagnostics[0].code, 'rego_parse_error');
  assert.equal(r1.diagnostics[0].span?.file, 'f0.yaml');
  assert.ok(r1.diagnostics[0].span!.line >= 17 && r1.diagnostics[0].span!.line <= 20, `line ${r1.diagnostics[0].span!.line}`);
  const r2 = compile(CEL_TEMPLATE.replace("i.endsWith(\":latest\"))'", "i.endsWithh(\":latest\"))'"));
  assert.ok(['cel_unknown_function', 'cel_type_error'].includes(r2.diagnostics[0].code), r2.diagnostics[0].code);
  assert.equal(r2.diagnostics[0].span?.line, 15);
  const r3 = compile(constraint('K8sMissing', 'x', '  parameters: {}\n'));
  assert.equal(r3.diagnostics[0].code, 'gatekeeper_unknown_template');
});

test('match: namespaces / excludedNamespaces globs, scope, labelSelector, namespaceSelector, name', () => {
  const ns = (name: string, labels: Record<string, string> = {}): KObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  const t = (o: KObject, namespace: string, namespaceObject?: KObject) => ({ group: '', kind: String(o.kind), object: o, namespace, namespaceObject });
  const m = parseMatch({ namespaces: ['prod-*', '*-critical'], excludedNamespaces: ['prod-sandbox'] });
  assert.equal(matches(m, t(pod('a'), 'prod-eu')), true);
  assert.equal(matches(m, t(pod('a'), 'db-critical')), true);
  assert.equal(matches(m, t(pod('a'), 'prod-sandbox')), false);
  assert.equal(matches(m, t(pod('a'), 'dev')), false);
  assert.equal(matches(m, t(ns('prod-x'), '')), true, 'a Namespace matches by its own name');
  assert.equal(matches(m, t({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } }, '')), true, 'other cluster-scoped objects are not restricted by namespaces');
  assert.equal(matches(parseMatch({ scope: 'Cluster' }), t(pod('a'), 'x')), false);
  assert.equal(matches(parseMatch({ scope: 'Namespaced' }), t(pod('a'), 'x')), true);
  assert.equal(matches(parseMatch({ labelSelector: { matchLabels: { app: 'web' } } }), t(pod('a', { app: 'web' }), 'x')), true);
  assert.equal(matches(parseMatch({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] } }), t(pod('a', { app: 'web' }), 'x')), false);
  const sel = parseMatch({ namespaceSelector: { matchLabels: { tier: 'prod' } } });
  assert.equal(matches(sel, t(pod('a'), 'x', ns('x', { tier: 'prod' }))), true);
  assert.equal(matches(sel, t(pod('a'), 'x', ns('x', { tier: 'dev' }))), false);
  assert.equal(matches(sel, t(pod('a'), 'x')), false, 'unknown namespace cannot satisfy a namespaceSelector');
  assert.equal(matches(parseMatch({ name: 'web-*' }), t(pod('web-1'), 'x')), true);
  assert.equal(matches(parseMatch({ kinds: [{ apiGroups: ['apps'], kinds: ['*'] }] }), t(pod('a'), 'x')), false);
  assert.equal(globMatch('*', 'anything'), true);
  // Gatekeeper kindsMatch: an empty kinds or apiGroups list is a wildcard.
  assert.equal(matches(parseMatch({ kinds: [{ apiGroups: ['apps'] }] }), { group: 'apps', kind: 'Deployment', object: pod('d'), namespace: 'x' }), true);
  assert.equal(matches(parseMatch({ kinds: [{ apiGroups: ['apps'] }] }), t(pod('a'), 'x')), false);
  assert.equal(matches(parseMatch({ kinds: [{ kinds: ['Pod'] }] }), t(pod('a'), 'x')), true);
  assert.equal(matches(parseMatch({ kinds: [{ apiGroups: [], kinds: [] }] }), t(pod('a'), 'x')), true);
});

test('enforcementAction and scopedEnforcementActions map to modes', () => {
  assert.equal(modeOf({}).mode, 'enforce');
  assert.equal(modeOf({ enforcementAction: 'dryrun' }).mode, 'audit');
  assert.equal(modeOf({ enforcementAction: 'warn' }).mode, 'warn');
  assert.equal(
    modeOf({ enforcementAction: 'scoped', scopedEnforcementActions: [{ action: 'warn', enforcementPoints: [{ name: 'validation.gatekeeper.sh' }] }, { action: 'deny', enforcementPoints: [{ name: 'audit.gatekeeper.sh' }] }] }).mode,
    'warn',
  );
  const odd = modeOf({ enforcementAction: 'block' });
  assert.equal(odd.mode, 'enforce');
  assert.match(odd.problem ?? '', /unknown enforcementAction "block"/);
});

test('referential templates read data.inventory built from the inventory', () => {
  const tpl = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8suniquename}
spec:
  crd: {spec: {names: {kind: K8sUniqueName}}}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8suniquename
        violation[{"msg": msg}] {
          other := data.inventory.namespace[ns][_]["Pod"][name]
          name == input.review.object.metadata.name
          ns != input.review.object.metadata.namespace
          msg := sprintf("name %v also used in %v", [name, ns])
        }
`;
  const { policies } = compile(tpl, constraint('K8sUniqueName', 'unique', '  parameters: {}\n'));
  assert.deepEqual(policies[0].inventoryKinds, ['*']);
  const inventory = new MemoryInventory([pod('web', {}, 'x/y:1', 'other')]);
  const r = policies[0].evaluate(offlineContext(pod('web'), { inventory, now: NOW }));
  assert.deepEqual(r.map((x) => x.message), ['name web also used in other']);
});

test('DELETE: input.review.object is the oldObject (Gatekeeper SetObjectOnDelete); CEL object stays null', () => {
  const tpl = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8snodelete}
spec:
  crd: {spec: {names: {kind: K8sNoDelete}}}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8snodelete
        violation[{"msg": msg}] {
          input.review.operation == "DELETE"
          input.review.object.metadata.labels.protected == "true"
          msg := sprintf("%v is protected", [input.review.object.metadata.name])
        }
`;
  const { policies, diagnostics } = compile(tpl, constraint('K8sNoDelete', 'no-delete', '  parameters: {}\n'));
  assert.deepEqual(diagnostics, []);
  const inventory = new MemoryInventory();
  const del = policies[0].evaluate(offlineContext(pod('db', { protected: 'true' }), { inventory, now: NOW, operation: 'DELETE' }));
  assert.deepEqual(del.map((r) => [r.status, r.message]), [['fail', 'db is protected']]);
  const create = policies[0].evaluate(offlineContext(pod('db', { protected: 'true' }), { inventory, now: NOW }));
  assert.deepEqual(create.map((r) => r.status), ['pass']);
  const celTpl = CEL_TEMPLATE.replace("'variables.images.all(i, i.contains(\"/\"))'", "'object == null && request.object.metadata.name == \"p\"'");
  const cel = compile(celTpl, constraint('K8sNoLatest', 'no-latest', '  parameters: {reason: r}\n'));
  assert.deepEqual(cel.diagnostics, []);
  const r = cel.policies[0].evaluate(offlineContext(pod('p', {}, 'x/nginx:1'), { inventory, now: NOW, operation: 'DELETE' }));
  assert.deepEqual(r.map((x) => x.status), ['pass'], 'CEL: object is null, request.object and variables.anyObject are the old object');
});

test('gator: AdmissionReview request kind drives matching; one object and at least one assertion per case', async () => {
  const { reviewFor, gatorFormat } = await import('../../testkit/formats/gator.js');
  const inventory = new MemoryInventory();
  const ar = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { operation: 'DELETE', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, resource: { group: 'apps', version: 'v1', resource: 'deployments' }, namespace: 'prod', name: 'web', oldObject: pod('web') },
  } as unknown as KObject;
  const ctx = reviewFor(ar, inventory, NOW)!;
  assert.deepEqual(ctx.request.kind, { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.equal(ctx.request.resource.resource, 'deployments');
  assert.equal(ctx.object, null);
  assert.equal(ctx.request.operation, 'DELETE');
  const notAdmission = reviewFor({ apiVersion: 'example.com/v1', kind: 'AdmissionReview', metadata: { name: 'x' }, request: {} } as unknown as KObject, inventory, NOW)!;
  assert.equal(notAdmission.request.kind.kind, 'AdmissionReview', 'only admission.k8s.io AdmissionReviews are unwrapped');

  const files: Record<string, string> = {
    '/s/suite.yaml': `kind: Suite
apiVersion: test.gatekeeper.sh/v1alpha1
tests:
- name: t
  template: template.yaml
  constraint: constraint.yaml
  cases:
  - name: two-objects
    object: two.yaml
    assertions: [{violations: no}]
  - name: no-assertions
    object: one.yaml
  - name: ok
    object: one.yaml
    assertions: [{violations: 1, message: "needs label"}]
`,
    '/s/template.yaml': TEMPLATE,
    '/s/constraint.yaml': constraint('K8sRequiredOwner', 'need-owner', '  parameters: {label: owner}\n'),
    '/s/one.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: x}]}\n',
    '/s/two.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n',
  };
  const io = { readText: (p: string) => files[p], listFiles: (dir: string) => Object.keys(files).filter((f) => f.startsWith(`${dir}/`)), exists: (p: string) => p in files, now: NOW };
  const [suite] = gatorFormat.collect(['/s/suite.yaml'], io);
  const { results } = await suite.run(io);
  assert.deepEqual(
    results.map((r) => [r.name, r.status, r.message]),
    [
      ['t/two-objects', 'fail', 'case two-objects: two.yaml defines 2 objects'],
      ['t/no-assertions', 'fail', 'case no-assertions: assertions must be non-empty'],
      ['t/ok', 'pass', undefined],
    ],
  );
});
