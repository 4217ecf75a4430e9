import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadManifestText } from '../k8s/load.js';
import { loadKubeArmorPolicies } from '../runtime/kubearmor/load.js';
import { compileNetworkPolicies } from './networkpolicy/compile.js';
import { compileKubeArmorToSeccomp, socketFilters } from './seccomp/from-kubearmor.js';
import { formatSeccompProfile } from './seccomp/profile.js';
import { podProfilePatch, spoSeccompProfile } from './spo/compile.js';
import { ruleLayers } from './layers.js';

const here = dirname(fileURLToPath(import.meta.url));
const policies = loadKubeArmorPolicies(loadManifestText(readFileSync(join(here, 'apparmor/testdata/policies.yaml'), 'utf8'), 'policies.yaml').objects).policies;

function golden(rel: string, actual: string): void {
  const p = join(here, rel);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(p, actual);
  assert.equal(actual, readFileSync(p, 'utf8'), `golden ${rel} differs (UPDATE_GOLDEN=1 to refresh)`);
}

test('KubeArmor → seccomp: network Block as socket(2) filters, syscall rules as SCMP_ACT_LOG, the rest diagnosed', () => {
  const r = compileKubeArmorToSeccomp(policies, { architectures: ['x86_64', 'aarch64'] });
  golden('seccomp/testdata/from-kubearmor.json', formatSeccompProfile(r.profile));
  const codes = new Set(r.diagnostics.map((d) => d.code));
  assert.deepEqual([...codes], ['seccomp_cannot_express']);
  assert.ok(r.diagnostics.some((d) => d.message.includes('capability net_admin')));
  assert.deepEqual(socketFilters('raw'), [[{ index: 1, value: 15, valueTwo: 3, op: 'SCMP_CMP_MASKED_EQ' }]]);
  assert.equal(socketFilters('unknown'), undefined);
});

test('KubeArmor → NetworkPolicy: egress allowlists by L4 protocol, with diagnostics for what it cannot express', () => {
  const r = compileNetworkPolicies(policies);
  golden('networkpolicy/testdata/networkpolicies.yaml', r.objects.map((o) => stringify(o)).join('---\n'));
  assert.deepEqual(
    r.diagnostics.map((d) => d.message),
    [
      'harden-web: blocking raw is beyond NetworkPolicy (TCP, UDP, SCTP only; no ICMP/raw); AppArmor or BPF-LSM enforce it',
      'allow-web: network udp from /usr/sbin/nginx: NetworkPolicy has no per-process scope; allowed for the whole pod',
    ],
  );
});

test('SPO objects and the pod patch reference the installed profiles', () => {
  const r = compileKubeArmorToSeccomp(policies);
  const o = spoSeccompProfile('web', 'shop', r.profile);
  assert.equal(o.kind, 'SeccompProfile');
  assert.equal(o.apiVersion, 'security-profiles-operator.x-k8s.io/v1beta1');
  assert.deepEqual(podProfilePatch({ seccomp: { name: 'web', namespace: 'shop' }, apparmor: { profile: 'rampart-web', containers: ['nginx'] } }), {
    spec: {
      template: {
        metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/nginx': 'localhost/rampart-web' } },
        spec: {
          securityContext: {
            seccompProfile: { type: 'Localhost', localhostProfile: 'operator/shop/web.json' },
            appArmorProfile: { type: 'Localhost', localhostProfile: 'rampart-web' },
          },
        },
      },
    },
  });
});

test('layer map: never claims an LSM the node lacks; seccomp never claims paths', () => {
  const exec = policies[0].rules.find((r) => r.kind === 'processPath')!;
  assert.deepEqual(
    ruleLayers(exec, { apparmor: false, bpfLsm: false, seccomp: true }).map((v) => `${v.layer}:${v.coverage}`),
    ['apparmor:unavailable', 'bpf-lsm:unavailable', 'seccomp:cannot'],
  );
  const audit = policies[2].rules[0];
  assert.deepEqual(ruleLayers(audit).map((v) => `${v.layer}:${v.coverage}`), ['monitor:audits']);
  // An allowlist is enforced only under the block posture; under audit it is reported as audited, not enforcing.
  const allow = policies[1].rules[0];
  assert.deepEqual(ruleLayers(allow).map((v) => `${v.layer}:${v.coverage}`), ['monitor:audits']);
  assert.deepEqual(ruleLayers(allow, undefined, { file: 'block' }).map((v) => `${v.layer}:${v.coverage}`), ['apparmor:enforces', 'bpf-lsm:unavailable', 'seccomp:cannot']);
});
