import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifestText } from './load.js';

test('multi-document YAML keeps file:line of each object and of fields', () => {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: a
spec:
  containers:
    - name: c
      image: x
      securityContext:
        privileged: true
---
apiVersion: v1
kind: Service
metadata:
  name: s
`;
  const r = loadManifestText(text, 'm.yaml');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.objects.length, 2);
  assert.deepEqual(r.objects[0].span, { file: 'm.yaml', line: 1, column: 1 });
  assert.equal(r.objects[1].span.line, 12);
  assert.deepEqual(r.objects[0].locate(['spec', 'containers', 0, 'securityContext', 'privileged']), { file: 'm.yaml', line: 10, column: 9 });
  // absent field: deepest existing ancestor
  assert.equal(r.objects[0].locate(['spec', 'containers', 0, 'securityContext', 'runAsNonRoot']).line, 9);
  assert.equal(r.objects[0].locate(['spec', 'containers', 0]).line, 7);
});

test('invalid YAML is a yaml_parse_error with its line, and the other documents still load', () => {
  const text = `apiVersion: v1
kind: ConfigMap
metadata: {name: ok}
---
apiVersion: v1
kind: Pod
metadata:
  name: [unclosed
---
apiVersion: v1
kind: Secret
metadata: {name: also-ok}
`;
  const r = loadManifestText(text, 'bad.yaml');
  assert.deepEqual(
    r.objects.map((o) => o.object.kind),
    ['ConfigMap', 'Secret'],
  );
  assert.ok(r.diagnostics.length >= 1);
  assert.equal(r.diagnostics[0].code, 'yaml_parse_error');
  assert.equal(r.diagnostics[0].span?.file, 'bad.yaml');
  assert.ok(r.diagnostics[0].span!.line >= 8 && r.diagnostics[0].span!.line <= 9, `line ${r.diagnostics[0].span!.line}`);
});

test('a document that is not a mapping, and missing apiVersion/kind, are diagnostics with stable codes', () => {
  const text = `- just
- a list
---
plain string
---
kind: Pod
metadata: {name: x}
---
apiVersion: v1
metadata: {name: y}
`;
  const r = loadManifestText(text, 'x.yaml');
  assert.equal(r.objects.length, 0);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.span?.line]),
    [
      ['document_not_object', 1],
      ['document_not_object', 4],
      ['missing_api_version', 6],
      ['missing_kind', 9],
    ],
  );
});

test('kind: List and *List are flattened with item lines', () => {
  const text = JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2' } },
        'oops',
      ],
    },
    null,
    2,
  );
  const r = loadManifestText(text, 'l.json');
  assert.deepEqual(
    r.objects.map((o) => (o.object.metadata as { name: string }).name),
    ['p1', 'p2'],
  );
  assert.equal(r.objects[1].span.line, 12);
  assert.equal(r.objects[1].locate(['metadata', 'name']).line, 16);
  assert.equal(r.diagnostics[0].code, 'list_item_not_object');
});

test('helm template output (comments, empty documents) loads', () => {
  const text = `---
# Source: chart/templates/empty.yaml
---
# Source: chart/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
`;
  const r = loadManifestText(text, 'helm.yaml');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.objects.length, 1);
  assert.equal(r.objects[0].span.line, 5);
});

test('size, depth and alias bounds', () => {
  const big = loadManifestText('a: b\n'.repeat(100), 'big.yaml', { maxBytes: 50, maxDepth: 64, maxAliasCount: 100 });
  assert.equal(big.diagnostics[0].code, 'input_too_large');
  let deep = 'apiVersion: v1\nkind: ConfigMap\ndata: ';
  for (let i = 0; i < 80; i++) deep += '[';
  for (let i = 0; i < 80; i++) deep += ']';
  const d = loadManifestText(deep, 'deep.yaml');
  assert.equal(d.diagnostics[0].code, 'input_too_deep');
  const laughs = `a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
`;
  const l = loadManifestText(laughs, 'laughs.yaml', { maxBytes: 1 << 20, maxDepth: 64, maxAliasCount: 100 });
  assert.equal(l.objects.length, 0);
  assert.equal(l.diagnostics[0].code, 'yaml_parse_error');
});

test('duplicate keys are rejected as yaml_parse_error', () => {
  const r = loadManifestText('apiVersion: v1\nkind: Pod\nkind: Service\n', 'dup.yaml');
  assert.equal(r.objects.length, 0);
  assert.equal(r.diagnostics[0].code, 'yaml_parse_error');
  assert.match(r.diagnostics[0].message, /DUPLICATE_KEY/);
});

test('YAML the Go parser accepts loads even where the strict parser objects (multi-line quoted scalar)', () => {
  const text = `apiVersion: v1
kind: ConfigMap
metadata:
  name: lenient
data:
  description: "When set to true the TLS {} is optional, defaults
  to false."
`;
  const r = loadManifestText(text, 'lenient.yaml');
  assert.deepEqual(r.diagnostics, []);
  assert.equal((r.objects[0].object.data as Record<string, string>).description, 'When set to true the TLS {} is optional, defaults to false.');
  assert.equal(r.objects[0].locate(['metadata', 'name']).line, 4);
});

test('YAML 1.1 scalars as kubectl reads them: yes/on are true, 0777 is octal, dates stay strings', () => {
  const r = loadManifestText(
    `apiVersion: v1
kind: Pod
metadata: {name: p, annotations: {created: 2026-12-31, window: "190:20:30"}}
spec:
  hostNetwork: on
  containers:
    - name: c
      image: x
      securityContext: {privileged: yes, readOnlyRootFilesystem: NO}
  volumes:
    - name: v
      configMap: {name: c, defaultMode: 0644}
  terminationGracePeriodSeconds: 1_000
`,
    'yaml11.yaml',
  );
  assert.deepEqual(r.diagnostics, []);
  const o = r.objects[0].object as any;
  assert.equal(o.spec.hostNetwork, true);
  assert.equal(o.spec.containers[0].securityContext.privileged, true);
  assert.equal(o.spec.containers[0].securityContext.readOnlyRootFilesystem, false);
  assert.equal(o.spec.volumes[0].configMap.defaultMode, 0o644);
  assert.equal(o.spec.terminationGracePeriodSeconds, 1000);
  assert.equal(o.metadata.annotations.created, '2026-12-31');
});
