/**
 * KubeArmor's own end-to-end expectations, replayed through Rampart.
 *
 * Each folder of testdata/upstream/ encodes one scenario of KubeArmor's ginkgo suites (tests/k8s_env/{ksp,
 * networktests,blockposture,hsp}/ of kubearmor/KubeArmor): the policy the test applies (policy.yaml, with the
 * Namespace annotations it sets), the telemetry KubeArmor records for the command the test runs, before matching
 * (events.jsonl: NamespaceName, PodName, Labels, ContainerName, ProcessName, ParentProcessName, Source, Operation,
 * Resource, Data, UID, Result as the kernel answered ...), and what the test asserts (expected.json: Action,
 * PolicyName, Type and, where asserted, Severity/Tags/Message; `upstream` names the test file and `it` the It(...)
 * block, so each case can be found upstream). KubeArmor's CI runs with every default posture set to block
 * (pkg/KubeArmorOperator/config/samples/kubearmor-test.yaml); a scenario's `posture` says which one it uses.
 *
 * The events go through exactly what `rampart runtime replay --policy policy.yaml events.jsonl --format json` runs:
 * loadManifestText → KubeArmor loader → namespaceSettings → parseTelemetry → createDecisionEngine → replayRecord
 * (result mode auto: KubeArmor's recorded Result). The same verdicts must also come out when the kernel result is
 * predicted from the policies (merge) with the file owner removed, and the prediction must equal the recorded Result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifestText } from '../../k8s/load.js';
import { createKubeArmorLoader } from '../kubearmor/load.js';
import { parseTelemetry } from '../telemetry/parse.js';
import { createDecisionEngine, type ResultMode } from './engine.js';
import { namespaceSettings, parsePosture } from './posture.js';
import { replayRecord } from './replay.js';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), 'testdata', 'upstream');
const loader = createKubeArmorLoader(); // the CRD schemas compile once for the whole file

interface Expected {
  upstream: string;
  it: string;
  Action: string;
  PolicyName: string;
  Type: string;
  Severity?: string;
  Tags?: string;
  Message?: string;
}
interface Scenario {
  posture: string;
  enforcer?: 'AppArmor' | 'BPFLSM' | 'none';
  note?: string;
  expected: Expected[];
}

/** The CLI's replay pipeline for one scenario folder. */
function replayScenario(dir: string, resultMode: ResultMode = 'auto', dropOwner = false) {
  const meta = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as Scenario;
  const policyText = readFileSync(join(dir, 'policy.yaml'), 'utf8');
  const loaded = loadManifestText(policyText, 'policy.yaml');
  const l = loader.load(loaded.objects, 0);
  const ns = namespaceSettings(loaded.objects.map((o) => o.object));
  let text = readFileSync(join(dir, 'events.jsonl'), 'utf8');
  // karmor / relay output has no file owner (OID is internal to KubeArmor's feeder): the same verdicts must come out.
  if (dropOwner) text = text.replace(/,"OID":\d+/g, '');
  const parsed = parseTelemetry(text, 'events.jsonl');
  const engine = createDecisionEngine(l.policies, {
    defaultPosture: parsePosture(meta.posture),
    namespacePosture: ns.namespacePosture,
    auditedNamespaces: ns.auditedNamespaces,
    resultMode,
    enforcer: meta.enforcer ?? 'AppArmor',
  });
  const errors = [...loaded.diagnostics, ...l.diagnostics, ...parsed.diagnostics].filter((d) => d.severity === 'error');
  return { meta, errors, events: parsed.events, decisions: parsed.events.map((ev) => engine.decide(ev)), records: parsed.events.map((ev) => replayRecord(ev, engine.decide(ev))) };
}

const scenarios = readdirSync(ROOT).sort();

test('the upstream corpus is all there (72 scenarios, 129 events)', () => {
  assert.equal(scenarios.length, 72);
  let n = 0;
  for (const s of scenarios) n += (JSON.parse(readFileSync(join(ROOT, s, 'scenario.json'), 'utf8')) as Scenario).expected.length;
  assert.equal(n, 129);
});

for (const name of scenarios) {
  test(`upstream ${name}: Action / PolicyName / Type as KubeArmor reports them`, () => {
    const { meta, errors, records } = replayScenario(join(ROOT, name));
    assert.deepEqual(errors, []);
    assert.equal(records.length, meta.expected.length, 'one replay record per event');
    records.forEach((rec, i) => {
      const exp = meta.expected[i];
      const where = `${exp.upstream}: It("${exp.it}")`;
      assert.deepEqual({ Action: rec.Action, PolicyName: rec.PolicyName, Type: rec.Type }, { Action: exp.Action, PolicyName: exp.PolicyName, Type: exp.Type }, where);
      for (const k of ['Severity', 'Tags', 'Message'] as const) if (exp[k] !== undefined) assert.equal(rec[k], exp[k], `${where}: ${k}`);
      // The record keeps every recorded field (replay only sets Type/PolicyName/Action and the policy's labels).
      assert.equal(rec.Result, (records[i] as { Result?: string }).Result);
    });
  });

  // merge: the kernel result is what the policies predict unless recorded denied; without OID, as karmor prints it.
  test(`upstream ${name}: the same verdicts from predicted results and karmor output, which carries no file owner (OID)`, () => {
    const { meta, records } = replayScenario(join(ROOT, name), 'merge', true);
    records.forEach((rec, i) => {
      const exp = meta.expected[i];
      assert.deepEqual([rec.Action, rec.PolicyName, rec.Type, 'OID' in rec], [exp.Action, exp.PolicyName, exp.Type, false], `${exp.upstream}: It("${exp.it}")`);
    });
  });

  test(`upstream ${name}: the enforcer model predicts the kernel result KubeArmor recorded`, () => {
    const { events, decisions, meta } = replayScenario(join(ROOT, name), 'predicted');
    decisions.forEach((d, i) => {
      const recorded = events[i].result === 'Passed' ? 'Passed' : 'denied';
      const predicted = d.predictedResult === 'Passed' ? 'Passed' : 'denied';
      assert.equal(predicted, recorded, `${meta.expected[i].upstream}: It("${meta.expected[i].it}")`);
    });
  });
}

test('the CLI prints exactly these records (rampart runtime replay --posture block --policy … --format json)', async () => {
  const { spawnSync } = await import('node:child_process');
  const dir = join(ROOT, 'ksp-allow-file-path-owner-readonly');
  const repo = join(ROOT, '..', '..', '..', '..', '..');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'runtime', 'replay', '--posture', 'block', '--policy', join(dir, 'policy.yaml'), '--format', 'json', join(dir, 'events.jsonl')], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const { records } = replayScenario(dir);
  assert.deepEqual(r.stdout.trim().split('\n'), records.map((x) => JSON.stringify(x)));
});
