import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeNamespacePolicy, parseNamespacePolicyLabels } from './namespace.js';

const P = 'pod-security.kubernetes.io/';
const describe = (labels: Record<string, string>): string => describeNamespacePolicy(parseNamespacePolicyLabels(labels).policy);

test('no labels: privileged:latest everywhere, nothing to evaluate', () => {
  const p = parseNamespacePolicyLabels({ team: 'a' });
  assert.equal(describeNamespacePolicy(p.policy), 'enforce=privileged:latest, audit=privileged:latest, warn=privileged:latest');
  assert.equal(p.hasLabels, false);
  assert.equal(p.enforce, undefined);
  assert.deepEqual(p.diagnostics, []);
  assert.equal(parseNamespacePolicyLabels(undefined).hasLabels, false);
});

test('missing version means latest; warn follows a stricter enforce (level and version)', () => {
  assert.equal(describe({ [`${P}enforce`]: 'restricted' }), 'enforce=restricted:latest, audit=privileged:latest, warn=restricted:latest');
  assert.equal(
    describe({ [`${P}enforce`]: 'baseline', [`${P}enforce-version`]: 'v1.25' }),
    'enforce=baseline:v1.25, audit=privileged:latest, warn=baseline:v1.25',
  );
  assert.equal(
    describe({ [`${P}enforce`]: 'baseline', [`${P}warn-version`]: 'v1.30' }),
    'enforce=baseline:latest, audit=privileged:latest, warn=baseline:v1.30',
  );
  assert.equal(
    describe({ [`${P}enforce`]: 'restricted', [`${P}warn`]: 'baseline' }),
    'enforce=restricted:latest, audit=privileged:latest, warn=baseline:latest',
  );
  assert.equal(
    describe({ [`${P}audit`]: 'restricted', [`${P}audit-version`]: 'v1.29', [`${P}warn`]: 'baseline' }),
    'enforce=privileged:latest, audit=restricted:v1.29, warn=baseline:latest',
  );
});

test('invalid values: enforce fails closed, audit and warn fail open, versions fall back to latest', () => {
  const p = parseNamespacePolicyLabels({
    [`${P}enforce`]: 'bogus',
    [`${P}enforce-version`]: 'v1.x',
    [`${P}audit`]: 'Restricted',
    [`${P}warn`]: '',
  });
  assert.equal(describeNamespacePolicy(p.policy), 'enforce=restricted:latest, audit=privileged:latest, warn=privileged:latest');
  assert.deepEqual(
    p.diagnostics.map((d) => [d.code, d.message]),
    [
      ['pss_invalid_level', 'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of privileged, baseline, restricted'],
      ['pss_invalid_version', 'metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "v1.x": must be "latest" or "v1.x"'],
      ['pss_invalid_level', 'metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "Restricted": must be one of privileged, baseline, restricted'],
      ['pss_invalid_level', 'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "": must be one of privileged, baseline, restricted'],
    ],
  );
  assert.deepEqual(p.diagnostics[0].path, ['metadata', 'labels', 'pod-security.kubernetes.io/enforce']);
  // A label with an empty YAML value (null) reads as "", like Go's map[string]string decoding.
  assert.equal(parseNamespacePolicyLabels({ [`${P}enforce`]: null }).diagnostics[0].message.includes('Invalid value: ""'), true);
  // An invalid enforce level does not pull warn up with it.
  assert.equal(describe({ [`${P}enforce`]: 'x' }), 'enforce=restricted:latest, audit=privileged:latest, warn=privileged:latest');
});
