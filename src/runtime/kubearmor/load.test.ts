import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { loadManifestText } from '../../k8s/load.js';
import { createKubeArmorLoader, loadKubeArmorPolicies } from './load.js';

const SHARED = resolve(process.cwd(), '../shared/conformance/kubearmor');

function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.ya?ml$/.test(n)) out.push(p);
  }
  return out;
}

const load = (text: string, file = 'p.yaml') => loadKubeArmorPolicies(loadManifestText(text, file).objects);

test('every KubeArmor example policy under ../shared loads without errors', (t) => {
  if (!existsSync(SHARED)) return t.skip('../shared/conformance/kubearmor is missing (shared material not beside the repo)');
  const loader = createKubeArmorLoader();
  let count = 0;
  for (const file of walk(join(SHARED, 'examples'))) {
    const { objects, diagnostics: yamlDiags } = loadManifestText(readFileSync(file, 'utf8'), file);
    assert.deepEqual(yamlDiags.filter((d) => d.severity === 'error'), [], file);
    const r = loader.load(objects);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], `${file}: ${errors.map((e) => e.message).join('; ')}`);
    const ka = objects.filter((o) => /^KubeArmor(Cluster|Host)?Policy$/.test(String(o.object.kind)));
    assert.equal(r.policies.length, ka.length, file);
    for (const p of r.policies) assert.ok(p.rules.length > 0 || p.apparmor, `${file}: ${p.name} has no rules`);
    count += r.policies.length;
  }
  assert.ok(count >= 100, `loaded ${count} policies`);
});

test('our schema and the CRD openAPIV3Schema agree on the examples and on broken variants', (t) => {
  if (!existsSync(SHARED)) return t.skip('../shared/conformance/kubearmor is missing');
  const ajv = new Ajv({ strict: false, allErrors: true });
  const crd = (kind: string) => {
    const doc = parse(readFileSync(join(SHARED, 'deployments/CRD', `${kind}.yaml`), 'utf8')) as {
      spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: unknown } } } }[] };
    };
    return ajv.compile(doc.spec.versions[0].schema.openAPIV3Schema.properties.spec as object);
  };
  const crds = { KubeArmorPolicy: crd('KubeArmorPolicy'), KubeArmorClusterPolicy: crd('KubeArmorClusterPolicy'), KubeArmorHostPolicy: crd('KubeArmorHostPolicy') };
  const mutations: ((spec: Record<string, unknown>) => void)[] = [
    () => undefined,
    (s) => void (s.action = 'Deny'),
    (s) => void (s.severity = 11),
    (s) => void (s.file = { matchPaths: [{ path: '/etc/' }] }),
    (s) => void (s.file = { matchDirectories: [{ dir: '/etc' }] }),
    (s) => void (s.network = { matchProtocols: [{ protocol: 'tcpx', fromSource: [{ path: '/bin/x' }] }] }),
    (s) => void (s.capabilities = { matchCapabilities: [{ capability: 'net_rawx', fromSource: [{ path: '/bin/x' }] }] }),
    (s) => void (s.syscalls = { matchSyscalls: [{ syscall: ['openat2'] }] }),
    (s) => void (s.process = { matchPaths: [{ path: 'bin/ls' }] }),
  ];
  let compared = 0;
  const loader = createKubeArmorLoader();
  for (const file of walk(join(SHARED, 'examples'))) {
    for (const lo of loadManifestText(readFileSync(file, 'utf8'), file).objects) {
      const kind = String(lo.object.kind) as keyof typeof crds;
      if (!(kind in crds)) continue;
      for (const m of mutations) {
        const obj = structuredClone(lo.object) as Record<string, unknown> & { spec: Record<string, unknown> };
        m(obj.spec);
        const crdOk = crds[kind](obj.spec);
        const ours = loader.load([{ ...lo, object: obj }]);
        const oursOk = !ours.diagnostics.some((d) => d.code === 'kubearmor_schema_error');
        assert.equal(oursOk, crdOk, `${file} ${kind} mutation ${mutations.indexOf(m)}: CRD ${crdOk}, ours ${oursOk}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 500);
});

test('schema errors are diagnostics with the field path and line; the policy is not loaded', () => {
  const r = load(`apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: bad, namespace: ns}
spec:
  selector: {matchLabels: {app: x}}
  file:
    matchPaths:
    - path: /etc/
  action: Deny
`);
  assert.equal(r.policies.length, 0);
  const msgs = r.diagnostics.map((d) => `${d.code} ${d.span?.line} ${d.message}`).sort();
  assert.deepEqual(msgs, [
    'kubearmor_schema_error 8 KubeArmorPolicy bad: spec.file.matchPaths[0].path must match ^\\/+.*[^\\/]$',
    'kubearmor_schema_error 9 KubeArmorPolicy bad: spec.action must be one of "Allow", "Audit", "Block"',
  ]);
});

test('unknown fields warn, rules inherit action/severity/message from section then spec', () => {
  const r = load(`apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: p, namespace: ns}
spec:
  severity: 4
  message: top
  selector: {matchLabels: {app: x}}
  process:
    action: Audit
    severity: 7
    matchPaths:
    - path: /bin/sh
      fromSorce: [{path: /bin/bash}]
    - execname: nc
      action: Block
  file:
    matchDirectories:
    - dir: /etc/
      recursive: true
      readOnly: true
  action: Allow
`);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity, d.span?.line]), [['kubearmor_unknown_field', 'warning', 13]]);
  const [p] = r.policies;
  assert.deepEqual(
    p.rules.map((x) => [x.kind, x.action, x.severity, x.message]),
    [
      ['processPath', 'Audit', 7, 'top'],
      ['processPath', 'Block', 7, 'top'],
      ['fileDir', 'Allow', 4, 'top'],
    ],
  );
  assert.equal(p.rules[1].kind === 'processPath' && p.rules[1].execname, 'nc');
});

test('KubeArmorNetworkPolicy is reported as unsupported, not silently dropped', () => {
  const r = load(`apiVersion: security.kubearmor.com/v1
kind: KubeArmorNetworkPolicy
metadata: {name: n}
spec: {}
`);
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['kubearmor_kind_unsupported']);
});
