import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePack } from './pack.js';
import { PACK_SCHEMA } from './pack-schema.js';

const NOW = new Date('2026-06-01T00:00:00Z');

test('a full pack parses with defaults filled in', () => {
  const { pack, diagnostics } = parsePack(
    `apiVersion: rampart.dev/v1alpha1
kind: PolicyPack
metadata: {name: payments}
defaultMode: warn
policySets:
  - pss: restricted
    version: v1.30
  - path: policies/
    mode: audit
  - library: guardrails
policies:
  ns-payments.exec-deny.v2: {mode: enforce, owner: team-payments, severity: high}
excludedNamespaces: [kube-system]
exceptions:
  - policy: pss.restricted.v1
    rules: [runAsNonRoot]
    scope: {namespaces: [legacy], names: [old-*]}
    reason: vendor image runs as root
    owner: team-legacy
    expires: 2026-12-31
admission:
  failurePolicy: Ignore
  exemptions:
    - groups: [system:nodes]
      reason: kubelet mirror pods
mutations:
  dropAllCapabilities: false
`,
    'rampart.yaml',
    NOW,
  );
  assert.deepEqual(diagnostics, []);
  assert.equal(pack.defaultMode, 'warn');
  assert.deepEqual(pack.policySets, [
    { pss: 'restricted', version: 'v1.30', mode: undefined },
    { path: 'policies/', mode: 'audit' },
    { library: 'guardrails', mode: undefined },
  ]);
  assert.equal(pack.policies['ns-payments.exec-deny.v2'].mode, 'enforce');
  assert.equal(pack.exceptions[0].expiresAt.toISOString(), '2026-12-31T23:59:59.999Z');
  assert.equal(pack.admission.failurePolicy, 'Ignore');
  assert.equal(pack.admission.exemptions[0].reason, 'kubelet mirror pods');
  assert.deepEqual(pack.mutations, { seccompRuntimeDefault: true, dropAllCapabilities: false, disallowPrivilegeEscalation: true });
});

test('unknown fields are diagnostics with line and a did-you-mean, the rest still applies', () => {
  const { pack, diagnostics } = parsePack(
    `apiVersion: rampart.dev/v1alpha1
kind: PolicyPack
defaultMode: audit
policySet:
  - pss: baseline
policies:
  a.b.v1: {mode: warn, sevrity: high}
`,
    'r.yaml',
    NOW,
  );
  assert.equal(pack.defaultMode, 'audit');
  const codes = diagnostics.map((d) => [d.code, d.span?.line, d.help]);
  assert.deepEqual(codes, [
    ['config_unknown_field', 4, 'did you mean "policySets"?'],
    ['config_unknown_field', 7, 'did you mean "severity"?'],
  ]);
  assert.equal(diagnostics[0].message, 'unknown field "policySet" in rampart.yaml');
  assert.equal(diagnostics[1].message, 'unknown field "sevrity" in policies.a.b.v1');
});

test('invalid values name the field path', () => {
  const { diagnostics } = parsePack(
    `apiVersion: rampart.dev/v1alpha1
kind: PolicyPack
defaultMode: block
policySets:
  - pss: restricted
    version: "1.30"
`,
    'r.yaml',
    NOW,
  );
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.span?.line, d.message]),
    [
      ['config_invalid_value', 3, 'defaultMode must be equal to one of the allowed values: enforce, warn, audit'],
      ['config_invalid_value', 6, 'policySets[0].version must match pattern "^(latest|v1\\.[0-9]+)$"'],
    ],
  );
});

test('an expired exception is reported and kept (evaluate ignores it), a missing owner is invalid', () => {
  const { pack, diagnostics } = parsePack(
    `apiVersion: rampart.dev/v1alpha1
kind: PolicyPack
exceptions:
  - policy: pss.restricted.v1
    reason: migration
    owner: team-a
    expires: 2026-01-31
  - policy: pss.restricted.v1
    reason: no owner
    expires: 2027-01-31
`,
    'r.yaml',
    NOW,
  );
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.span?.line]),
    [
      ['config_invalid_value', 'error', 8],
      ['exception_expired', 'warning', 7],
    ],
  );
  assert.match(diagnostics[1].message, /expired on 2026-01-31 and no longer applies/);
  assert.equal(pack.exceptions.length, 1);
});

test('broken YAML is a config_parse_error', () => {
  const { diagnostics } = parsePack('apiVersion: [\n', 'r.yaml', NOW);
  assert.equal(diagnostics[0].code, 'config_parse_error');
});

test('docs/schemas/rampart-pack.schema.json is the schema the code validates with', () => {
  const onDisk = JSON.parse(readFileSync(new URL('../../docs/schemas/rampart-pack.schema.json', import.meta.url), 'utf8'));
  assert.deepEqual(onDisk, PACK_SCHEMA);
});
