import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { RuleResult } from '../../core/policy-types.js';
import { loadManifestText } from '../../k8s/load.js';
import { MemoryInventory } from '../../k8s/inventory.js';
import type { KObject } from '../../k8s/object.js';
import type { CompiledPolicy, EvalContext } from '../../policy/engine.js';
import { createNamespaceLabelPolicy, createPssPolicies, createPssPolicy, namespaceLabelDiagnostics } from './policy.js';

const file = new URL('./testdata/workloads.yaml', import.meta.url);
const loaded = loadManifestText(readFileSync(file, 'utf8'), 'workloads.yaml');
const byName = (name: string): KObject => {
  const o = loaded.objects.find((x) => x.object.metadata?.name === name);
  assert.ok(o, name);
  return o.object;
};

function ctx(object: KObject, namespaceObject?: KObject): EvalContext {
  return {
    object,
    oldObject: null,
    request: {
      uid: 'u',
      operation: 'CREATE',
      kind: { group: '', version: 'v1', kind: String(object.kind) },
      resource: { group: '', version: 'v1', resource: '' },
      userInfo: {},
      dryRun: true,
    },
    namespaceObject,
    inventory: new MemoryInventory(),
    now: new Date(0),
  };
}

function policy(level: string, version?: string): CompiledPolicy {
  const r = createPssPolicy({ level, version });
  assert.deepEqual(r.diagnostics, []);
  assert.ok(r.policy);
  return r.policy;
}

const brief = (rs: RuleResult[]): [string, string, string | undefined][] =>
  rs.map((r) => [r.rule, r.message, r.path?.join('/')]);

test('meta ids and engine', () => {
  assert.equal(policy('baseline').meta.id, 'pss.baseline.v1');
  assert.equal(policy('restricted', 'v1.25').meta.id, 'pss.restricted.v1');
  assert.equal(policy('restricted').meta.engine, 'pss');
  assert.equal(createPssPolicies({ level: 'baseline', version: 'latest' }).policies.length, 1);
});

test('invalid level or version gives pss_* diagnostics and no policy', () => {
  const r = createPssPolicy({ level: 'strict', version: 'v1.025' });
  assert.equal(r.policy, undefined);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.message]),
    [
      ['pss_invalid_level', 'invalid Pod Security level "strict": must be one of privileged, baseline, restricted'],
      ['pss_invalid_version', 'invalid Pod Security version "v1.025": must be "latest" or "v1.x"'],
    ],
  );
  assert.deepEqual(r.diagnostics.map((d) => d.help), ['use privileged, baseline or restricted', 'did you mean "v1.25"?']);
  assert.deepEqual(createPssPolicy({ level: 'Restricted', version: ' Latest' }).diagnostics.map((d) => d.help), [
    'did you mean "restricted"?',
    'did you mean "latest"?',
  ]);
  assert.equal(createPssPolicy({ level: 'baseline', version: 'v2' }).diagnostics[0].help, 'use "latest" or a version such as "v1.30" (checks are known up to v1.37)');
  assert.deepEqual(createPssPolicies({ level: 'x' }).policies, []);
});

test('Deployment: results point inside spec.template', () => {
  const rs = policy('baseline').evaluate(ctx(byName('web')));
  assert.deepEqual(brief(rs), [
    [
      'appArmorProfile',
      'forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/web="unconfined"")',
      'spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io/web',
    ],
    ['hostPathVolumes', 'hostPath volumes (volume "host")', 'spec/template/spec/volumes/0/hostPath'],
    ['privileged', 'privileged (container "web" must not set securityContext.privileged=true)', 'spec/template/spec/containers/0/securityContext/privileged'],
  ]);
  const r = rs[2];
  assert.equal(r.policyId, 'pss.baseline.v1');
  assert.equal(r.status, 'fail');
  assert.equal(r.severity, 'critical');
  assert.deepEqual(r.frameworks?.cis, ['5.2.2']);
  assert.ok(r.frameworks?.mitre?.includes('T1611'));
  assert.equal(r.details?.version, 'latest');
  assert.equal(r.details?.effectiveVersion, 'v1.37');
  assert.match(String(r.details?.psaMessage), /^violates PodSecurity "baseline:latest": forbidden AppArmor profile/);
  // The span machinery finds the line of the offending field.
  const loadedWeb = loaded.objects.find((x) => x.object.metadata?.name === 'web')!;
  assert.equal(loadedWeb.locate(r.path!).line, 22);
});

test('CronJob: results point inside spec.jobTemplate.spec.template', () => {
  const rs = policy('restricted', 'v1.30').evaluate(ctx(byName('nightly')));
  assert.deepEqual(brief(rs), [
    [
      'allowPrivilegeEscalation',
      'allowPrivilegeEscalation != false (container "job" must set securityContext.allowPrivilegeEscalation=false)',
      'spec/jobTemplate/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation',
    ],
    [
      'runAsUser',
      'runAsUser=0 (pod must not set runAsUser=0)',
      'spec/jobTemplate/spec/template/spec/securityContext/runAsUser',
    ],
  ]);
});

test('compliant Pod passes; includePassing reports pass results; non-pod objects give nothing', () => {
  assert.deepEqual(policy('restricted').evaluate(ctx(byName('good'))), []);
  const all = createPssPolicy({ level: 'restricted', includePassing: true }).policy!.evaluate(ctx(byName('good')));
  assert.equal(all.length, 15);
  assert.ok(all.every((r) => r.status === 'pass'));
  const cm = byName('settings');
  const p = policy('restricted');
  assert.equal(p.mayApply?.('ConfigMap', ''), false);
  assert.equal(p.mayApply?.('CronJob', 'batch'), true);
  assert.deepEqual(p.evaluate(ctx(cm)), []);
  assert.deepEqual(p.evaluate({ ...ctx(cm), object: null }), []);
});

test('namespace labels: modes per label, duplicates merged, warn dropped when enforce fails', () => {
  const ns = byName('payments');
  assert.deepEqual(namespaceLabelDiagnostics(ns), []);
  const rs = createNamespaceLabelPolicy().evaluate(ctx(byName('web'), ns));
  // enforce=baseline, audit=restricted (v1.30), warn defaulted to baseline but suppressed (enforce fails).
  assert.deepEqual(
    rs.map((r) => [r.rule, r.mode, (r.details?.modes as string[]).join(',')]),
    [
      ['appArmorProfile', 'enforce', 'enforce,audit'],
      ['hostPathVolumes', 'enforce', 'enforce'],
      ['privileged', 'enforce', 'enforce,audit'],
      ['allowPrivilegeEscalation', 'audit', 'audit'],
      ['capabilities_restricted', 'audit', 'audit'],
      ['restrictedVolumes', 'audit', 'audit'],
      ['seccompProfile_restricted', 'audit', 'audit'],
    ],
  );
  assert.equal(rs[0].policyId, 'pss.namespace-labels.v1');
  // Upstream semantics for controllers: no enforce; warn (defaulted to baseline) and audit report instead.
  const upstreamLike = createNamespaceLabelPolicy({ enforceControllers: false }).evaluate(ctx(byName('web'), ns));
  assert.deepEqual(
    upstreamLike.slice(0, 3).map((r) => [r.rule, r.mode, (r.details?.modes as string[]).join(',')]),
    [
      ['appArmorProfile', 'warn', 'warn,audit'],
      ['hostPathVolumes', 'warn', 'warn'],
      ['privileged', 'warn', 'warn,audit'],
    ],
  );
  assert.match(String(rs[3].details?.psaMessage), /^would violate PodSecurity "restricted:v1\.30": /);
});

test('namespace labels: no Namespace or no labels means no results; invalid labels are reported', () => {
  const p = createNamespaceLabelPolicy();
  assert.deepEqual(p.evaluate(ctx(byName('web'))), []);
  assert.deepEqual(p.evaluate(ctx(byName('web'), byName('plain'))), []);
  // AdmissionConfiguration-style defaults apply to unlabelled namespaces.
  const withDefaults = createNamespaceLabelPolicy({
    defaults: {
      enforce: { level: 'baseline', version: { latest: true } },
      audit: { level: 'privileged', version: { latest: true } },
      warn: { level: 'privileged', version: { latest: true } },
    },
  });
  assert.deepEqual(
    withDefaults.evaluate(ctx(byName('web'), byName('plain'))).map((r) => [r.rule, r.mode]),
    [['appArmorProfile', 'enforce'], ['hostPathVolumes', 'enforce'], ['privileged', 'enforce']],
  );
  const broken = byName('broken');
  assert.deepEqual(namespaceLabelDiagnostics(broken).map((d) => d.code), ['pss_invalid_level']);
  const rs = p.evaluate(ctx(byName('good'), broken));
  // enforce "strict" fails closed to restricted:latest; the compliant pod still passes.
  assert.deepEqual(rs, []);
  const bad = p.evaluate(ctx(byName('web'), broken));
  assert.ok(bad.length > 0 && bad.every((r) => r.mode === 'enforce'));
  assert.deepEqual(bad[0].details?.labelErrors, [
    'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
  ]);
});
