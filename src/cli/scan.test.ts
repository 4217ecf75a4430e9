import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { main } from './main.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const data = (f: string) => join(here, 'testdata', f);
const out = () => join(mkdtempSync(join(tmpdir(), 'rampart-scan-')), 'out');

/** Runs the CLI in-process; returns the exit code and the report written with --output. */
async function scan(args: string[]): Promise<{ code: number; report: string }> {
  const file = out();
  const code = await main(['node', 'rampart', 'scan', ...args, '--output', file]);
  process.exitCode = 0;
  return { code, report: readFileSync(file, 'utf8') };
}

test('exit 1 on enforce findings, 0 when clean, findings point at the offending line', async () => {
  const r = await scan([data('pods.yaml'), '--pss', 'baseline', '--format', 'json']);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.report);
  assert.equal(j.schemaVersion, 1);
  assert.equal(j.exitCode, 1);
  const priv = j.findings.filter((f: { rule: string }) => f.rule === 'privileged');
  assert.equal(priv.length, 1);
  assert.deepEqual(priv[0].location, { file: 'src/cli/testdata/pods.yaml'.replace('src/cli/', j.findings[0].location.file.startsWith('src/') ? 'src/cli/' : ''), line: 11, column: 9 });
  assert.equal(priv[0].path, 'spec.containers[0].securityContext.privileged');
  assert.equal(priv[0].blocking, true);
  assert.equal(priv[0].mode, 'enforce');
  assert.deepEqual(priv[0].object, { apiVersion: 'v1', kind: 'Pod', namespace: 'team-a', name: 'priv' });
  assert.equal(j.summary.objects, 2);
  const clean = await scan([data('pods.yaml'), '--pss', 'baseline', '--format', 'json', '--fail-on', 'never']);
  assert.equal(clean.code, 0);
});

test('exit 2 on input errors, and the other documents are still scanned', async () => {
  const r = await scan([data('broken.yaml'), data('pods.yaml'), '--pss', 'baseline', '--format', 'json']);
  assert.equal(r.code, 2);
  const j = JSON.parse(r.report);
  assert.equal(j.diagnostics[0].code, 'yaml_parse_error');
  assert.ok(j.diagnostics[0].location.file.endsWith('broken.yaml'));
  assert.ok(j.findings.some((f: { rule: string }) => f.rule === 'privileged'));
  const missing = await scan(['does-not-exist.yaml', '--pss', 'baseline']);
  assert.equal(missing.code, 2);
  assert.match(missing.report, /file_read_error cannot read does-not-exist\.yaml: no such file or directory/);
});

test('warn mode from a pack does not fail the build unless --fail-on warn; exceptions never block', async () => {
  const r = await scan([data('pods.yaml'), '--config', data('warn-pack.yaml'), '--format', 'json']);
  const j = JSON.parse(r.report);
  assert.equal(r.code, 0);
  const priv = j.findings.find((f: { rule: string }) => f.rule === 'privileged');
  assert.equal(priv.mode, 'warn');
  assert.equal(priv.exception.reason, 'GPU driver needs it');
  const strict = await scan([data('pods.yaml'), '--config', data('warn-pack.yaml'), '--format', 'json', '--fail-on', 'warn']);
  // the only baseline finding is excepted, so even --fail-on warn passes
  assert.equal(strict.code, 0);
  const restricted = await scan([data('pods.yaml'), '--pss', 'restricted', '--config', data('warn-pack.yaml'), '--format', 'json', '--fail-on', 'warn']);
  assert.equal(restricted.code, 1);
});

test('SARIF output validates against the SARIF 2.1.0 schema; enforce is error, warn is warning', async () => {
  const require = createRequire(import.meta.url);
  // ajv-draft-04 is CommonJS with a default export; require keeps its constructor type under NodeNext.
  const Ajv04 = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
  const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const validate = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false }).compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
  // a plain boolean check: ajv's type guard would narrow the parsed report to unknown
  const isSarif = (d: unknown): boolean => validate(d) === true;
  const enforce: any = JSON.parse((await scan([data('pods.yaml'), data('broken.yaml'), '--pss', 'restricted', '--format', 'sarif'])).report);
  assert.ok(isSarif(enforce), JSON.stringify(validate.errors?.slice(0, 3)));
  const run = enforce.runs[0];
  assert.ok(run.results.length > 0);
  assert.ok(run.results.every((r: { level: string }) => r.level === 'error'));
  const first = run.results[0];
  assert.equal(run.tool.driver.rules[first.ruleIndex].id, first.ruleId);
  assert.match(first.locations[0].physicalLocation.artifactLocation.uri, /pods\.yaml$/);
  assert.equal(typeof first.locations[0].physicalLocation.region.startLine, 'number');
  assert.ok(run.tool.driver.rules.every((r: { help: { text: string } }) => r.help.text.length > 0));
  assert.equal(run.invocations[0].toolExecutionNotifications[0].descriptor.id, 'yaml_parse_error');
  const warn: any = JSON.parse((await scan([data('pods.yaml'), '--config', data('warn-pack.yaml'), '--format', 'sarif'])).report);
  assert.ok(isSarif(warn), JSON.stringify(validate.errors?.slice(0, 3)));
  const res = warn.runs[0].results;
  assert.ok(res.length > 0 && res.every((r: { level: string }) => r.level === 'warning'));
  assert.equal(res[0].suppressions[0].kind, 'external');
});

test('JUnit output: well-formed, one testcase per object and policy, failures for blocking findings', async () => {
  const r = await scan([data('pods.yaml'), '--pss', 'baseline', '--format', 'junit']);
  assert.equal(XMLValidator.validate(r.report), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.report);
  const suite = doc.testsuites.testsuite;
  const cases = Array.isArray(suite.testcase) ? suite.testcase : [suite.testcase];
  const names = cases.map((c: { name: string }) => c.name).sort();
  assert.deepEqual(names, ['Pod team-a/good :: pss.baseline.v1', 'Pod team-a/priv :: pss.baseline.v1']);
  assert.equal(suite.failures, '1');
  const failed = cases.find((c: { name: string }) => c.name.includes('priv'));
  assert.match(failed.failure.message, /privileged/);
});

test('text output: grouped by file, no colour when not a TTY, summary line', async () => {
  const r = await scan([data('pods.yaml'), '--pss', 'baseline']);
  assert.ok(!r.report.includes('\x1b['));
  assert.match(r.report, /pods\.yaml\n {2}11:9 +enforce +pss\.baseline\.v1\/privileged privileged \(container "app" must not set securityContext\.privileged=true\)/);
  assert.match(r.report, /✖ 1 blocking, 1 findings \(1 enforce, 0 warn, 0 audit\), 2 objects in 1 files\n$/);
});

test('stdin with `-` (e.g. helm template | rampart scan -), usage errors exit 2', () => {
  const cli = [join(here, 'main.ts')];
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...cli, 'scan', '-', '--pss', 'baseline', '--format', 'json'], { input: readFileSync(data('pods.yaml')), encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.findings[0].location.file, '<stdin>');
  assert.equal(j.findings[0].location.line, 11);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', ...cli, 'scan', 'x', '--format', 'xml'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /argument 'xml' is invalid/);
});

test('VAP params are taken from objects of the scanned input, wherever they are in the file order', async () => {
  const r = await scan([data('vap-params/manifests'), '--policy', data('vap-params/policies'), '--format', 'json']);
  const j = JSON.parse(r.report);
  assert.equal(r.code, 1);
  const f = j.findings.filter((x: { policyId: string }) => x.policyId === 'max-replicas');
  assert.deepEqual(f.map((x: { message: string; object: { name: string } }) => [x.object.name, x.message]), [['big', 'replicas must be at most 5']]);
});
