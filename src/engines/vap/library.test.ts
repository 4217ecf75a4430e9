import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifestText } from '../../k8s/load.js';
import { GUARDRAIL_IDS, guardrailFile, guardrailLibraryDir, guardrailPolicyFiles, vapEngine } from './index.js';
import { runTestSuites } from '../../testkit/run.js';
import { SUITE_FORMATS } from '../../testkit/formats/index.js';
import { nodeSuiteIO } from '../../cli/commands/test-run.js';

test('every guardrail file compiles cleanly and carries Rampart metadata', () => {
  const dir = guardrailLibraryDir();
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  assert.equal(files.length, GUARDRAIL_IDS.length);
  assert.deepEqual(guardrailPolicyFiles().map((f) => f.slice(dir.length + 1)).sort(), files);
  for (const id of GUARDRAIL_IDS) {
    const file = guardrailFile(id)!;
    assert.ok(existsSync(file), file);
    const { objects, diagnostics } = loadManifestText(readFileSync(file, 'utf8'), file);
    assert.deepEqual(diagnostics, []);
    const r = vapEngine.compile(objects, objects);
    assert.deepEqual(r.diagnostics, [], id);
    assert.equal(r.policies.length, 1, id);
    const m = r.policies[0].meta;
    assert.equal(m.id, id);
    assert.ok(m.remediation && m.remediation.length > 20, `${id} remediation`);
    assert.ok(m.frameworks?.nist?.length, `${id} NIST ids`);
    assert.notEqual(m.title, id);
    assert.equal(m.defaultMode, 'enforce');
  }
  assert.equal(guardrailFile('guardrails.nope.v1'), undefined);
});

test('the guardrail PolicyTest suites pass', async () => {
  const r = await runTestSuites([join(guardrailLibraryDir(), 'tests')], nodeSuiteIO(new Date()), SUITE_FORMATS);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.results.filter((x) => x.status !== 'pass').map((x) => `${x.name}: expected ${x.expected}, got ${x.actual} ${x.message ?? ''}`), []);
  assert.ok(r.summary.passed >= 140);
});
