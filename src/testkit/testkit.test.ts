import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeSuiteIO } from '../cli/commands/test-run.js';
import { SUITE_FORMATS } from './formats/index.js';
import { normalize, resolvePath } from './offline.js';
import { runTestSuites, summaryLine } from './run.js';

const here = dirname(fileURLToPath(import.meta.url));
const data = join(here, 'testdata');
const io = nodeSuiteIO(new Date('2026-01-01T00:00:00Z'));

test('paths resolve relative to the suite file', () => {
  assert.equal(resolvePath('a/b/.kyverno-test', '../policy.yaml'), 'a/b/policy.yaml');
  assert.equal(resolvePath('/x/y', 'z.yaml'), '/x/y/z.yaml');
  assert.equal(normalize('../shared/./a/../b'), '../shared/b');
});

test('Rampart PolicyTest: pass, warn with rule and message, skip', async () => {
  const r = await runTestSuites([join(data, 'rampart/good.test.yaml')], io, SUITE_FORMATS);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.results.map((x) => `${x.status}:${x.expected}:${x.actual}`), ['pass:pass:pass', 'pass:warn:warn', 'pass:skip:skip']);
  assert.equal(summaryLine(r.summary), '3 passed, 0 failed');
});

test('Rampart PolicyTest: failing cases say expected vs actual and why', async () => {
  const r = await runTestSuites([join(data, 'rampart/bad.test.yaml')], io, SUITE_FORMATS);
  const byName = r.results.map((x) => [x.status, x.expected, x.actual, x.message]);
  assert.deepEqual(byName[0], ['fail', 'pass', 'warn', 'latest tag in bad']);
  assert.equal(byName[1][0], 'fail');
  assert.match(String(byName[1][3]), /no message matches \/\^nothing like this\$\/; messages: "latest tag in bad"/);
  assert.deepEqual(byName[2].slice(0, 3), ['fail', 'pass', 'missing']);
  assert.equal(byName[3][3], 'no loaded policy has id or name unknown.policy.v1');
  assert.equal(summaryLine(r.summary), '0 passed, 4 failed');
});

test('Kyverno Test in a hidden folder: namespace/name resources, autogen rule names, default namespace', async () => {
  const r = await runTestSuites([join(data, 'kyverno')], io, SUITE_FORMATS);
  assert.deepEqual(r.diagnostics, []);
  const cases = r.results.map((x) => `${x.name}=${x.status}:${x.actual}`);
  assert.deepEqual(cases, [
    'require-team/check-team Pod labelled=pass:pass',
    'require-team/check-team Pod prod/unlabelled-prod=fail:fail',
    'require-team/check-team Deployment web=pass:fail',
  ]);
});

test('the shared Kyverno conformance suites all pass', async (t) => {
  const suites = join(here, '../../../shared/conformance/kyverno-policies');
  if (!existsSync(suites)) {
    t.skip('../shared/conformance/kyverno-policies is not present on this machine');
    return;
  }
  const r = await runTestSuites([join(suites, 'best-practices-cel/require-labels')], io, SUITE_FORMATS);
  assert.equal(r.summary.failed, 0);
  assert.ok(r.summary.passed > 0);
});

test('Kyverno Test values (request.operation, global and per resource) and userinfo', async () => {
  const r = await runTestSuites([join(data, 'kyverno-values')], io, SUITE_FORMATS);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.results.map((x) => `${x.name}=${x.status}:${x.actual}`), [
    'updates-keep-team/on-update ConfigMap updated=pass:pass',
    'updates-keep-team/on-update ConfigMap created=pass:skip',
  ]);
});

test('Kyverno legacy test files (no apiVersion, resource/status) still run', async () => {
  const r = await runTestSuites([join(data, 'kyverno-legacy')], io, SUITE_FORMATS);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.results.map((x) => `${x.name}=${x.status}:${x.actual}@${x.span?.line}`), ['require-team/check-team Pod labelled=pass:pass@8']);
});
