import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifestText } from '../../k8s/load.js';
import { loadKubeArmorPolicies } from '../kubearmor/load.js';
import { kubeArmorToEvent } from '../telemetry/kubearmor.js';
import { parseTelemetry } from '../telemetry/parse.js';
import { createDecisionEngine } from './engine.js';
import { kubeArmorShape, observeReport, replayRecord } from './replay.js';

const POLICY = `apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: allow-nginx, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  process:
    matchPaths: [{path: /usr/sbin/nginx}]
  action: Allow
---
apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: audit-etc, namespace: shop}
spec:
  severity: 3
  tags: [CIS]
  selector: {matchLabels: {app: web}}
  file:
    matchDirectories: [{dir: /etc/}]
  action: Audit
`;
const W = { NamespaceName: 'shop', PodName: 'web-1', Labels: 'app=web', ContainerName: 'nginx', ContainerID: 'c', Result: 'Passed', UID: 0 };

test('observe report: DefaultPosture audits count as would-block; Audit rules do not', () => {
  const engine = createDecisionEngine(loadKubeArmorPolicies(loadManifestText(POLICY, 'p.yaml').objects).policies);
  const evs = [
    { Operation: 'Process', ProcessName: '/usr/sbin/nginx', ParentProcessName: '/bin/sh', Resource: '/usr/sbin/nginx' },
    { Operation: 'Process', ProcessName: '/bin/sh', ParentProcessName: '/usr/sbin/nginx', Resource: '/bin/sh -c id' },
    { Operation: 'Process', ProcessName: '/bin/sh', ParentProcessName: '/usr/sbin/nginx', Resource: '/bin/sh -c id' },
    { Operation: 'File', ProcessName: '/usr/sbin/nginx', Resource: '/etc/nginx.conf', Data: 'flags=O_RDONLY' },
  ].map((f) => kubeArmorToEvent({ ...W, ...f })!);
  const [r] = observeReport(evs, (e) => engine.decide(e));
  assert.deepEqual([r.events, r.allow, r.audit, r.block], [4, 1, 1, 2]);
  assert.deepEqual(r.wouldBlock.map((f) => [f.resource, f.count, f.policyName]), [['/bin/sh -c id', 2, 'DefaultPosture']]);
  const rec = replayRecord(evs[3], engine.decide(evs[3]));
  assert.deepEqual([rec.Action, rec.PolicyName, rec.Severity, rec.Tags, rec.Type], ['Audit', 'audit-etc', '3', 'CIS', 'MatchedPolicy']);
});

test('records of other feeds carry KubeArmor field names', () => {
  const falco = '{"hostname":"n","rule":"r","priority":"Notice","output_fields":{"evt.type":"execve","proc.exepath":"/bin/sh","proc.cmdline":"sh -c id","k8s.ns.name":"shop","k8s.pod.name":"web-1","container.name":"nginx","container.id":"c"}}';
  const [ev] = parseTelemetry(falco, 'f.json').events;
  assert.deepEqual(kubeArmorShape(ev), {
    HostName: 'n',
    NamespaceName: 'shop',
    PodName: 'web-1',
    ContainerID: 'c',
    ContainerName: 'nginx',
    ProcessName: '/bin/sh',
    Source: 'sh -c id',
    Operation: 'Process',
    Resource: '/bin/sh -c id',
    Data: 'syscall=SYS_EXECVE',
    Result: 'Passed',
    Origin: 'falco',
  });
});

test('operations Rampart does not evaluate pass through, so replay keeps one record per input record', () => {
  const text = [
    JSON.stringify({ ...W, Operation: 'Device', Resource: 'USB MASS-STORAGE_6_80', Action: 'Block', PolicyName: 'usb' }),
    JSON.stringify({ ...W, Operation: 'Process', ProcessName: '/bin/ls', Resource: '/bin/ls' }),
  ].join('\n');
  const { events, diagnostics } = parseTelemetry(text, 'x.jsonl');
  assert.deepEqual(diagnostics, []);
  const engine = createDecisionEngine([]);
  const out = events.map((e) => replayRecord(e, engine.decide(e)));
  assert.deepEqual(out.map((o) => [o.Operation, o.Action, o.PolicyName, o.Evaluated]), [
    ['Device', 'Block', 'usb', false],
    ['Process', 'Allow', '', undefined],
  ]);
});

test('a recorded alert is re-decided: stale verdict fields go, every other recorded field (known or not) stays', () => {
  const rec = {
    ...W,
    ClusterName: 'default',
    Owner: { Ref: 'Deployment', Name: 'web', Namespace: 'shop' },
    CustomField: 'kept',
    Operation: 'File',
    ProcessName: '/bin/cat',
    Source: '/bin/cat /tmp/x',
    Resource: '/tmp/x',
    Data: 'flags=O_RDONLY',
    PolicyName: 'old-policy',
    Severity: '9',
    Tags: 'OLD',
    ATags: ['OLD'],
    Message: 'old message',
    Enforcer: 'AppArmor',
    Type: 'MatchedPolicy',
    Action: 'Block',
  };
  const [ev] = parseTelemetry(JSON.stringify({ Alert: rec }), 'a.json').events;
  const out = replayRecord(ev, createDecisionEngine([]).decide(ev));
  const expected: Record<string, unknown> = { ...rec, Type: 'ContainerLog', PolicyName: '', Action: 'Allow' };
  for (const k of ['Severity', 'Tags', 'ATags', 'Message', 'Enforcer']) delete expected[k];
  assert.deepEqual(out, expected);
});

test('KubeArmor SystemEvent records pass through unlabelled, as the feeder returns them', () => {
  const rec = { ...W, Type: 'SystemEvent', Operation: 'Process', ProcessName: '/bin/sh', Resource: '/bin/sh', Result: 'Passed' };
  const [ev] = parseTelemetry(JSON.stringify(rec), 's.json').events;
  const block = `apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: no-sh, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  process:
    matchPaths: [{path: /bin/sh}]
  action: Block
`;
  const out = replayRecord(ev, createDecisionEngine(loadKubeArmorPolicies(loadManifestText(block, 'p.yaml').objects).policies, { resultMode: 'merge' }).decide(ev));
  assert.deepEqual(out, { ...rec, Evaluated: false });
});
