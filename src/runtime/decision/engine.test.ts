import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifestText } from '../../k8s/load.js';
import { createKubeArmorLoader } from '../kubearmor/load.js';
import { kubeArmorToEvent } from '../telemetry/kubearmor.js';
import type { RuntimeEvent } from '../telemetry/event.js';
import { createDecisionEngine, directoryPart, fetchProtocol, type DecisionOptions } from './engine.js';

const loader = createKubeArmorLoader(); // schemas compile once for the whole file
const loadKubeArmorPolicies = (objects: Parameters<typeof loader.load>[0]) => loader.load(objects);
function engine(yaml: string, opts: DecisionOptions = {}) {
  const r = loadKubeArmorPolicies(loadManifestText(yaml, 'p.yaml').objects);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return createDecisionEngine(r.policies, opts);
}

const WL = { NamespaceName: 'multiubuntu', PodName: 'ubuntu-1-x', Labels: 'container=ubuntu-1,group=group-1', ContainerName: 'ubuntu-1-container', ContainerID: 'abc', HostName: 'node1' };
function ev(fields: Record<string, unknown>): RuntimeEvent {
  const e = kubeArmorToEvent({ ...WL, UID: 0, ...fields });
  assert.ok(e);
  return e;
}
const exec = (path: string, extra: Record<string, unknown> = {}) =>
  ev({ Operation: 'Process', ProcessName: path, ParentProcessName: '/bin/bash', Source: '/bin/bash', Resource: path, Data: 'syscall=SYS_EXECVE', ...extra });
const open = (path: string, flags: string, extra: Record<string, unknown> = {}) =>
  ev({ Operation: 'File', ProcessName: '/bin/cat', ParentProcessName: '/bin/bash', Source: '/bin/cat ' + path, Resource: path, Data: `syscall=SYS_OPENAT fd=-100 flags=${flags}`, ...extra });
const sock = (resource: string, proc = '/usr/bin/curl', extra: Record<string, unknown> = {}) =>
  ev({ Operation: 'Network', ProcessName: proc, ParentProcessName: '/bin/bash', Source: proc + ' example.com', Resource: resource, Data: 'syscall=SYS_SOCKET', ...extra });
const pick = (d: { action: string; policyName: string; type: string }) => [d.action, d.policyName, d.type];

const KSP = (name: string, body: string, ns = 'multiubuntu', labels = 'container: ubuntu-1') => `apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector:
    matchLabels: {${labels}}
${body}
---
`;

test('Block process path: denied by the enforcer, labelled with the policy', () => {
  const e = engine(KSP('block-sleep', `  process:\n    matchPaths:\n    - path: /bin/sleep\n  action: Block\n  severity: 5`));
  assert.deepEqual(pick(e.decide(exec('/bin/sleep', { Result: 'Permission denied' }))), ['Block', 'block-sleep', 'MatchedPolicy']);
  const predicted = e.decide(exec('/bin/sleep'));
  assert.deepEqual(pick(predicted), ['Block', 'block-sleep', 'MatchedPolicy']);
  assert.equal(predicted.predictedResult, 'Permission denied');
  assert.equal(predicted.severity, '5');
  assert.deepEqual(pick(e.decide(exec('/bin/ls'))), ['Allow', '', 'ContainerLog']);
  // recorded mode trusts the event: a Passed exec is not relabelled as blocked
  const rec = createDecisionEngine(loadKubeArmorPolicies(loadManifestText(KSP('block-sleep', `  process:\n    matchPaths:\n    - path: /bin/sleep\n  action: Block`), 'p').objects).policies, { resultMode: 'recorded' });
  assert.deepEqual(pick(rec.decide(exec('/bin/sleep', { Result: 'Passed' }))), ['Allow', '', 'ContainerLog']);
});

test('KubeArmorPolicy binds by namespace and labels; the container-name pseudo-label selects containers', () => {
  const e = engine(
    KSP('p1', `  process:\n    matchPaths:\n    - path: /bin/sleep\n  action: Block`) +
      KSP('p2', `  process:\n    matchPaths:\n    - path: /bin/ls\n  action: Block`, 'multiubuntu', 'kubearmor.io/container.name: "[other, ubuntu-1-container]"'),
  );
  assert.deepEqual(pick(e.decide(exec('/bin/ls'))), ['Block', 'p2', 'MatchedPolicy']);
  assert.deepEqual(pick(e.decide(ev({ ...WLOther, Operation: 'Process', ProcessName: '/bin/sleep', Resource: '/bin/sleep' }))), ['Allow', '', 'ContainerLog']);
});
const WLOther = { NamespaceName: 'other', Labels: 'container=ubuntu-1' };

test('Audit rule: Audit with the policy name, never denied', () => {
  const e = engine(KSP('audit-ls', `  process:\n    matchPaths:\n    - path: /bin/ls\n  action: Audit`));
  const d = e.decide(exec('/bin/ls'));
  assert.deepEqual(pick(d), ['Audit', 'audit-ls', 'MatchedPolicy']);
  assert.equal(d.predictedResult, 'Passed');
  assert.equal(d.enforcer, 'eBPF Monitor');
});

test('allowlist under block posture: unlisted exec is DefaultPosture Block, listed exec is Allow', () => {
  const e = engine(KSP('allow-bash', `  process:\n    matchPaths:\n    - path: /bin/bash\n    - path: /bin/date\n  action: Allow`), {
    namespacePosture: { multiubuntu: { file: 'block' } },
  });
  const denied = e.decide(exec('/bin/ls'));
  assert.deepEqual(pick(denied), ['Block', 'DefaultPosture', 'MatchedPolicy']);
  assert.equal(denied.enforcer, 'eBPF Monitor');
  const ok = e.decide(exec('/bin/date'));
  assert.deepEqual(pick(ok), ['Allow', 'allow-bash', 'MatchedPolicy']);
  assert.equal(ok.alert, false, 'KubeArmor drops Allow+Passed matches');
});

test('allowlist under audit posture: unlisted exec is DefaultPosture Audit; an earlier non-matching Allow rule wins (KubeArmor quirk)', () => {
  const e = engine(KSP('allow', `  process:\n    matchPaths:\n    - path: /bin/bash\n    - path: /bin/date\n  action: Allow`), {
    namespacePosture: { multiubuntu: { file: 'audit' } },
  });
  assert.deepEqual(pick(e.decide(exec('/bin/ls'))), ['Audit', 'DefaultPosture', 'MatchedPolicy']);
  // /bin/bash is the first rule: matched Allow
  assert.deepEqual(pick(e.decide(exec('/bin/bash'))), ['Allow', 'allow', 'MatchedPolicy']);
  // /bin/date: rule 1 marks DefaultPosture Audit first, rule 2's Allow does not override an Audit (policyMatcher.go)
  assert.deepEqual(pick(e.decide(exec('/bin/date'))), ['Audit', 'DefaultPosture', 'MatchedPolicy']);
  // a file access with only a process allowlist: the file posture still audits it
  assert.deepEqual(pick(e.decide(open('/etc/hosts', 'O_RDONLY'))), ['Audit', 'DefaultPosture', 'MatchedPolicy']);
});

test('directories: non-recursive matches direct children only; recursive matches deeper', () => {
  const e = engine(
    KSP('dir', `  file:\n    matchDirectories:\n    - dir: /etc/\n  action: Block`) +
      KSP('rdir', `  file:\n    matchDirectories:\n    - dir: /run/secrets/\n      recursive: true\n  action: Block`),
  );
  assert.deepEqual(pick(e.decide(open('/etc/passwd', 'O_RDONLY'))), ['Block', 'dir', 'MatchedPolicy']);
  assert.deepEqual(pick(e.decide(open('/etc/ssh/sshd_config', 'O_RDONLY'))), ['Allow', '', 'ContainerLog']);
  assert.deepEqual(pick(e.decide(open('/run/secrets/kubernetes.io/serviceaccount/token', 'O_RDONLY'))), ['Block', 'rdir', 'MatchedPolicy']);
  assert.equal(directoryPart('/etc/ssh/x'), '/etc/ssh/');
  assert.equal(directoryPart('/passwd'), '//');
});

test('readOnly Block denies writes only; ownerOnly Block denies non-owners', () => {
  const e = engine(
    KSP('ro', `  file:\n    matchPaths:\n    - path: /credentials/password\n      readOnly: true\n  action: Block`) +
      KSP('own', `  file:\n    matchDirectories:\n    - dir: /home/user1/\n      ownerOnly: true\n  action: Block`),
  );
  assert.deepEqual(pick(e.decide(open('/credentials/password', 'O_RDONLY'))), ['Allow', '', 'ContainerLog']);
  assert.deepEqual(pick(e.decide(open('/credentials/password', 'O_WRONLY|O_TRUNC'))), ['Block', 'ro', 'MatchedPolicy']);
  assert.deepEqual(pick(e.decide(open('/home/user1/secret.txt', 'O_RDONLY', { UID: 1000, OID: 1000 }))), ['Allow', '', 'ContainerLog']);
  assert.deepEqual(pick(e.decide(open('/home/user1/secret.txt', 'O_RDONLY', { UID: 0, OID: 1000 }))), ['Block', 'own', 'MatchedPolicy']);
});

test('fromSource scopes a rule to the process or its parent', () => {
  const e = engine(KSP('src', `  file:\n    matchPaths:\n    - path: /etc/hostname\n      fromSource:\n      - path: /bin/cat\n  action: Block`));
  assert.deepEqual(pick(e.decide(open('/etc/hostname', 'O_RDONLY'))), ['Block', 'src', 'MatchedPolicy']);
  assert.deepEqual(pick(e.decide(open('/etc/hostname', 'O_RDONLY', { ProcessName: '/bin/head', Source: '/bin/head' }))), ['Allow', '', 'ContainerLog']);
});

test('execname and matchPatterns (Go glob on resource or process)', () => {
  const e = engine(
    KSP('exec', `  process:\n    matchPaths:\n    - execname: apt\n  action: Block`) +
      KSP('pat', `  file:\n    matchPatterns:\n    - pattern: /etc/*shadow\n  action: Audit`),
  );
  assert.deepEqual(pick(e.decide(exec('/usr/bin/apt'))), ['Block', 'exec', 'MatchedPolicy']);
  assert.deepEqual(pick(e.decide(open('/etc/gshadow', 'O_RDONLY'))), ['Audit', 'pat', 'MatchedPolicy']);
  assert.deepEqual(pick(e.decide(open('/etc/x/shadow', 'O_RDONLY'))), ['Allow', '', 'ContainerLog']);
});

test('network protocols, fromSource allow with block posture, net_raw capability under AppArmor', () => {
  assert.equal(fetchProtocol('domain=AF_INET type=SOCK_RAW protocol=ICMP'), 'icmp');
  assert.equal(fetchProtocol('domain=AF_INET type=SOCK_RAW protocol=0'), 'raw');
  assert.equal(fetchProtocol('domain=AF_INET type=SOCK_DGRAM|SOCK_NONBLOCK protocol=0'), 'dgram');
  const e = engine(
    KSP('icmp', `  network:\n    matchProtocols:\n    - protocol: icmp\n  action: Block`) + KSP('cap', `  capabilities:\n    matchCapabilities:\n    - capability: net_raw\n  action: Block`),
  );
  assert.deepEqual(pick(e.decide(sock('domain=AF_INET type=SOCK_RAW protocol=ICMP', '/bin/ping'))), ['Block', 'icmp', 'MatchedPolicy']);
  assert.deepEqual(pick(e.decide(sock('domain=AF_INET type=SOCK_RAW protocol=0', '/bin/x'))), ['Block', 'cap', 'MatchedPolicy']);
  assert.deepEqual(pick(e.decide(sock('domain=AF_INET type=SOCK_STREAM protocol=TCP'))), ['Allow', '', 'ContainerLog']);

  const a = engine(KSP('curl-tcp', `  network:\n    matchProtocols:\n    - protocol: tcp\n      fromSource:\n      - path: /usr/bin/curl\n  action: Allow`), {
    defaultPosture: { network: 'block' },
  });
  assert.deepEqual(pick(a.decide(sock('domain=AF_INET type=SOCK_STREAM protocol=TCP'))), ['Allow', 'curl-tcp', 'MatchedPolicy']);
  assert.deepEqual(pick(a.decide(sock('domain=AF_INET type=SOCK_DGRAM protocol=UDP'))), ['Block', 'DefaultPosture', 'MatchedPolicy']);
});

test('syscall rules are always Audit; matchPaths on directories with recursive', () => {
  const e = engine(
    KSP('sys', `  syscalls:\n    matchSyscalls:\n    - syscall: [unlink]\n    matchPaths:\n    - path: /tmp/\n      recursive: true\n      syscall: [rmdir]\n  action: Block`),
  );
  const sys = (name: string, resource: string) => ev({ Operation: 'Syscall', ProcessName: '/bin/rm', Source: '/bin/rm x', Resource: resource, Data: `syscall=SYS_${name}` });
  assert.deepEqual(pick(e.decide(sys('UNLINK', '/x'))), ['Audit', 'sys', 'MatchedPolicy']);
  assert.deepEqual(pick(e.decide(sys('RMDIR', '/tmp/a/b'))), ['Audit', 'sys', 'MatchedPolicy']);
  assert.deepEqual(pick(e.decide(sys('RMDIR', '/var/a'))), ['Allow', '', 'ContainerLog']);
});

test('cluster policy namespace NotIn and host policies for host events only', () => {
  const e = engine(`apiVersion: security.kubearmor.com/v1
kind: KubeArmorClusterPolicy
metadata: {name: csp}
spec:
  selector:
    matchExpressions:
    - {key: namespace, operator: NotIn, values: [nginx2]}
  file:
    matchPaths:
    - path: /etc/host.conf
      fromSource: [{path: /usr/bin/cat}]
  action: Block
---
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata: {name: hsp}
spec:
  nodeSelector: {matchLabels: {kubernetes.io/hostname: node1}}
  process:
    matchPaths: [{path: /usr/bin/date}]
  action: Block
`);
  const cat = (ns: string) => ev({ NamespaceName: ns, Operation: 'File', ProcessName: '/usr/bin/cat', Resource: '/etc/host.conf', Data: 'flags=O_RDONLY' });
  assert.deepEqual(pick(e.decide(cat('nginx1'))), ['Block', 'csp', 'MatchedPolicy']);
  assert.deepEqual(pick(e.decide(cat('nginx2'))), ['Allow', '', 'ContainerLog']);
  const hostExec = kubeArmorToEvent({ HostName: 'node1', Operation: 'Process', ProcessName: '/usr/bin/date', Resource: '/usr/bin/date', Source: '/bin/bash' })!;
  assert.deepEqual(pick(e.decide(hostExec)), ['Block', 'hsp', 'MatchedHostPolicy']);
  assert.deepEqual(pick(e.decide(exec('/usr/bin/date'))), ['Allow', '', 'ContainerLog']);
});

test('audited namespaces: Block becomes "Audit (Block)" and nothing is denied', () => {
  const e = engine(KSP('b', `  process:\n    matchPaths:\n    - path: /bin/sleep\n  action: Block`), { auditedNamespaces: ['multiubuntu'] });
  const d = e.decide(exec('/bin/sleep'));
  assert.deepEqual(pick(d), ['Audit (Block)', 'b', 'MatchedPolicy']);
  assert.equal(d.predictedResult, 'Passed');
  assert.equal(d.wouldBlock, true);
});

test('enforcer model: a process allowlist under block posture also closes files (KubeArmor drops `file,`)', () => {
  const e = engine(KSP('allow-proc', `  process:\n    matchPaths:\n    - path: /bin/bash\n  action: Allow`), { namespacePosture: { multiubuntu: { file: 'block' } } });
  const d = e.decide(open('/etc/hosts', 'O_RDONLY'));
  assert.equal(d.predictedResult, 'Permission denied');
  assert.deepEqual(pick(d), ['Block', 'DefaultPosture', 'MatchedPolicy']);
});

test('enforcer model: fromSource rules live in the source sub-profile, which also confines its children', () => {
  const e = engine(
    KSP('src-allow', `  file:\n    matchPaths:\n    - path: /etc/app.conf\n      fromSource: [{path: /bin/bash}]\n  action: Allow`) +
      KSP('global-block', `  process:\n    matchPaths:\n    - path: /bin/sleep\n  action: Block`),
    { namespacePosture: { multiubuntu: { file: 'block' } } },
  );
  // cat run by bash: bash's sub-profile has a file allowlist, so other files are denied
  assert.equal(e.decide(open('/etc/other', 'O_RDONLY')).predictedResult, 'Permission denied');
  assert.equal(e.decide(open('/etc/app.conf', 'O_RDONLY')).predictedResult, 'Passed');
  // a process outside any source runs in the container profile, which has no allowlist
  assert.equal(e.decide(open('/etc/other', 'O_RDONLY', { ProcessName: '/usr/bin/python3', ParentProcessName: '/usr/bin/tini' })).predictedResult, 'Passed');
  // bash's sub-profile lost `file,` to its allowlist, so it cannot exec unlisted binaries either
  assert.equal(e.decide(exec('/bin/ls')).predictedResult, 'Permission denied');
  assert.equal(e.decide(exec('/bin/ls', { ParentProcessName: '/usr/bin/tini' })).predictedResult, 'Passed');
  assert.deepEqual(pick(e.decide(exec('/bin/sleep', { ParentProcessName: '/usr/bin/tini' }))), ['Block', 'global-block', 'MatchedPolicy']);
});

test('a fromSource sub-profile does not receive container-wide rules its own rules cover (checkIfGlobalRuleToBeAdded)', () => {
  const e = engine(
    KSP('block-sa', `  file:\n    matchDirectories:\n    - dir: /run/secrets/\n      recursive: true\n  action: Block`) +
      KSP('cat-may-read-sa', `  file:\n    matchDirectories:\n    - dir: /run/secrets/\n      recursive: true\n      fromSource:\n      - path: /bin/cat\n  action: Allow`) +
      KSP('no-tcp', `  network:\n    matchProtocols:\n    - protocol: tcp\n  action: Block`) +
      KSP('curl-tcp', `  network:\n    matchProtocols:\n    - protocol: tcp\n      fromSource:\n      - path: /usr/bin/curl\n  action: Allow`),
    { resultMode: 'predicted' },
  );
  const token = '/run/secrets/kubernetes.io/serviceaccount/token';
  // cat's sub-profile has its own rule for /run/secrets/: the container-wide Block is not copied into it.
  assert.deepEqual(pick(e.decide(open(token, 'O_RDONLY'))), ['Allow', 'cat-may-read-sa', 'MatchedPolicy']);
  // head runs in the container profile: blocked.
  assert.deepEqual(pick(e.decide(open(token, 'O_RDONLY', { ProcessName: '/usr/bin/head', Source: '/usr/bin/head ' + token }))), ['Block', 'block-sa', 'MatchedPolicy']);
  // Same for network: curl's own tcp rule replaces the container-wide one; wget stays blocked.
  assert.equal(e.decide(sock('domain=AF_INET type=SOCK_STREAM protocol=TCP')).predictedResult, 'Passed');
  assert.equal(e.decide(sock('domain=AF_INET type=SOCK_STREAM protocol=TCP', '/usr/bin/wget')).predictedResult, 'Permission denied');
});

test('result mode auto: KubeArmor records keep their recorded Result (labels as KubeArmor gives them); merge predicts', () => {
  const y = KSP('block-sleep', `  process:\n    matchPaths:\n    - path: /bin/sleep\n  action: Block`);
  const passed = exec('/bin/sleep', { Result: 'Passed' });
  // Recorded without the policy: KubeArmor's feeder labels a Passed exec with a Block rule as a plain log.
  const auto = engine(y).decide(passed);
  assert.deepEqual([...pick(auto), auto.result, auto.predictedResult], ['Allow', '', 'ContainerLog', 'Passed', 'Permission denied']);
  assert.deepEqual(pick(engine(y, { resultMode: 'merge' }).decide(passed)), ['Block', 'block-sleep', 'MatchedPolicy']);
  // Records without a Result (other feeds, hand-written events) are predicted.
  assert.deepEqual(pick(engine(y).decide(exec('/bin/sleep'))), ['Block', 'block-sleep', 'MatchedPolicy']);
});

test('an allowlist under the block posture still lets the kernel serve abstractions/base (libraries, ld.so.cache, /dev/null)', () => {
  const e = engine(KSP('allow-cat', `  process:\n    matchPaths:\n    - path: /bin/cat\n  file:\n    matchPaths:\n    - path: /etc/hostname\n  action: Allow`), {
    defaultPosture: { file: 'block' },
    resultMode: 'predicted',
  });
  const predicted = (path: string, flags: string) => e.decide(open(path, flags)).predictedResult;
  assert.equal(predicted('/etc/ld.so.cache', 'O_RDONLY|O_CLOEXEC'), 'Passed');
  assert.equal(predicted('/lib/x86_64-linux-gnu/libc.so.6', 'O_RDONLY|O_CLOEXEC'), 'Passed');
  assert.equal(predicted('/usr/lib/locale/locale-archive', 'O_RDONLY|O_CLOEXEC'), 'Passed');
  assert.equal(predicted('/dev/null', 'O_WRONLY'), 'Passed');
  assert.equal(predicted('/lib/x86_64-linux-gnu/libc.so.6', 'O_WRONLY'), 'Permission denied');
  assert.equal(predicted('/etc/passwd', 'O_RDONLY'), 'Permission denied');
  assert.deepEqual(pick(e.decide(open('/etc/ld.so.cache', 'O_RDONLY'))), ['Allow', '', 'ContainerLog']);
});
