import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveVersion, formatLevelVersion, formatVersion, isOlder, LATEST, parseLevel, parseVersion, v1 } from './version.js';
import { checksFor } from './registry.js';
import { goCompare, goQuote, sortedSet } from './go-format.js';

test('parseVersion accepts latest and v1.<minor> without leading zeros, like upstream', () => {
  assert.deepEqual(parseVersion('latest'), { ok: true, value: LATEST });
  assert.deepEqual(parseVersion('v1.0'), { ok: true, value: v1(0) });
  assert.deepEqual(parseVersion('v1.25'), { ok: true, value: v1(25) });
  assert.deepEqual(parseVersion('v1.99'), { ok: true, value: v1(99) });
  for (const bad of ['', 'v1.01', 'v2.0', '1.25', 'V1.25', 'v1.', 'v1.2.3', ' latest', 'Latest', 'v1.-1', 'v1.9223372036854775808']) {
    assert.deepEqual(parseVersion(bad), { ok: false, value: LATEST, error: 'must be "latest" or "v1.x"' }, bad);
  }
  // Up to int64 max is accepted and printed exactly.
  const huge = parseVersion('v1.9223372036854775807');
  assert.equal(huge.ok, true);
  assert.equal(formatVersion(huge.value), 'v1.9223372036854775807');
});

test('parseLevel fails closed to restricted', () => {
  assert.deepEqual(parseLevel('baseline'), { ok: true, value: 'baseline' });
  assert.deepEqual(parseLevel('Baseline'), { ok: false, value: 'restricted', error: 'must be one of privileged, baseline, restricted' });
});

test('formatting and ordering', () => {
  assert.equal(formatLevelVersion({ level: 'restricted', version: LATEST }), 'restricted:latest');
  assert.equal(formatLevelVersion({ level: 'baseline', version: v1(25) }), 'baseline:v1.25');
  assert.equal(isOlder(v1(24), v1(25)), true);
  assert.equal(isOlder(v1(99), LATEST), true);
  assert.equal(isOlder(LATEST, v1(99)), false);
  assert.deepEqual(effectiveVersion(LATEST), { major: 1, minor: 37 });
  assert.deepEqual(effectiveVersion(v1(40)), { major: 1, minor: 37 });
  assert.deepEqual(effectiveVersion(v1(12)), { major: 1, minor: 12 });
});

const ids = (level: 'baseline' | 'restricted', version = LATEST): string[] => checksFor(level, version).map((c) => c.id);

test('check sets and order per level and version match upstream registry', () => {
  assert.deepEqual(ids('baseline'), [
    'appArmorProfile', 'capabilities_baseline', 'hostNamespaces', 'hostPathVolumes', 'hostPorts',
    'hostProbesAndHostLifecycle', 'privileged', 'procMount', 'seLinuxOptions', 'seccompProfile_baseline', 'sysctls',
    'windowsHostProcess',
  ]);
  assert.deepEqual(ids('restricted'), [
    'appArmorProfile', 'hostNamespaces', 'hostPorts', 'hostProbesAndHostLifecycle', 'privileged', 'seLinuxOptions',
    'sysctls', 'windowsHostProcess', 'allowPrivilegeEscalation', 'capabilities_restricted', 'procMount_restricted',
    'restrictedVolumes', 'runAsNonRoot', 'runAsUser', 'seccompProfile_restricted',
  ]);
  assert.deepEqual(ids('restricted', v1(0)), [
    'appArmorProfile', 'capabilities_baseline', 'hostNamespaces', 'hostPorts', 'privileged', 'procMount',
    'seLinuxOptions', 'seccompProfile_baseline', 'sysctls', 'windowsHostProcess', 'restrictedVolumes', 'runAsNonRoot',
  ]);
  assert.deepEqual(ids('baseline', v1(33)).includes('hostProbesAndHostLifecycle'), false);
  assert.deepEqual(checksFor('privileged', LATEST), []);
  // latest and any future version run exactly the v1.37 set.
  assert.deepEqual(checksFor('restricted', LATEST), checksFor('restricted', v1(37)));
  assert.deepEqual(checksFor('restricted', v1(120)), checksFor('restricted', v1(37)));
  assert.notDeepEqual(checksFor('baseline', v1(36)), checksFor('baseline', v1(37)));
});

test('Go formatting helpers', () => {
  assert.equal(goQuote('a"b\\c\n\t\u0001\u007f'), '"a\\"b\\\\c\\n\\t\\x01\\x7f"');
  assert.equal(goQuote('é\u00a0\u2028😀'), '"é\\u00a0\\u2028😀"');
  // UTF-8 byte order puts U+FF5A before U+1D518; UTF-16 order would not.
  assert.equal(goCompare('\uff5a', '\u{1d518}') < 0, true);
  assert.deepEqual(sortedSet(['b', 'a', 'b', 'B']), ['B', 'a', 'b']);
});
