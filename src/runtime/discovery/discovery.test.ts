import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { loadManifestText } from '../../k8s/load.js';
import { loadKubeArmorPolicies } from '../kubearmor/load.js';
import { kubeArmorToEvent } from '../telemetry/kubearmor.js';
import type { RuntimeEvent } from '../telemetry/event.js';
import { baselinePolicy, discoverBaseline } from './baseline.js';
import { driftReport } from './drift.js';

const W = { NamespaceName: 'shop', PodName: 'web-7d9f-abcde', Labels: 'app=web,pod-template-hash=7d9f', ContainerName: 'nginx', ContainerID: 'c1', UID: 0 };
const e = (f: Record<string, unknown>): RuntimeEvent => kubeArmorToEvent({ ...W, Result: 'Passed', ...f })!;
const exec = (p: string) => e({ Operation: 'Process', ProcessName: p, ParentProcessName: '/bin/sh', Resource: p, Data: 'syscall=SYS_EXECVE' });
const open = (p: string, flags = 'O_RDONLY', proc = '/usr/sbin/nginx') => e({ Operation: 'File', ProcessName: proc, Resource: p, Data: `syscall=SYS_OPENAT flags=${flags}` });

const observed = [
  exec('/usr/sbin/nginx'),
  exec('/bin/sh'),
  open('/etc/nginx/nginx.conf'),
  open('/etc/nginx/mime.types'),
  open('/etc/nginx/conf.d/default.conf'),
  open('/usr/share/nginx/html/index.html'),
  open('/usr/share/nginx/html/50x.html'),
  open('/usr/share/nginx/html/favicon.ico'),
  open('/usr/share/nginx/html/img/a.png'),
  open('/usr/share/nginx/html/img/b.png'),
  open('/usr/share/nginx/html/img/c.png'),
  open('/usr/share/nginx/html/css/a.css'),
  open('/usr/share/nginx/html/css/b.css'),
  open('/usr/share/nginx/html/css/c.css'),
  open('/usr/share/nginx/html/js/a.js'),
  open('/usr/share/nginx/html/js/b.js'),
  open('/usr/share/nginx/html/js/c.js'),
  open('/var/log/nginx/access.log', 'O_WRONLY|O_APPEND'),
  open('/proc/1234/status'),
  open('/proc/self/fd/3'),
  e({ Operation: 'Network', ProcessName: '/usr/sbin/nginx', Source: '/usr/sbin/nginx -g daemon off;', Resource: 'domain=AF_INET type=SOCK_STREAM protocol=TCP', Data: 'syscall=SYS_SOCKET' }),
  e({ Operation: 'Syscall', ProcessName: '/usr/sbin/nginx', Resource: '', Data: 'syscall=SYS_EPOLL_WAIT' }),
];

test('baseline: binaries exact, directories collapsed by the documented rule, readOnly when only read', () => {
  const b = discoverBaseline(observed);
  assert.deepEqual(b.processes, ['/bin/sh', '/usr/sbin/nginx']);
  // html/ has 3 files (→ dir rule) and 3 collapsed subdirectories css/, img/, js/ (→ one recursive rule);
  // /etc/nginx/ has only 2 files of its own, so they stay exact.
  assert.deepEqual(b.directories, [
    { dir: '/proc/', recursive: true, readOnly: true },
    { dir: '/usr/share/nginx/html/', recursive: true, readOnly: true },
  ]);
  assert.deepEqual(b.files, [
    { path: '/etc/nginx/conf.d/default.conf', readOnly: true },
    { path: '/etc/nginx/mime.types', readOnly: true },
    { path: '/etc/nginx/nginx.conf', readOnly: true },
    { path: '/var/log/nginx/access.log', readOnly: false },
  ]);
  assert.deepEqual(b.protocols, ['tcp']);
  assert.ok(b.syscalls.includes('epoll_wait') && b.syscalls.includes('openat') && b.syscalls.includes('execve'));
  const pol = baselinePolicy(b);
  assert.deepEqual((pol.spec as { selector: unknown }).selector, { matchLabels: { app: 'web', 'kubearmor.io/container.name': 'nginx' } });
  // The generated policy loads cleanly and allows everything observed (no drift against itself).
  const loaded = loadKubeArmorPolicies(loadManifestText(stringify(pol), 'baseline.yaml').objects);
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity !== 'info'), []);
  const drift = driftReport(loaded.policies, observed.filter((x) => x.operation !== 'Syscall'));
  assert.deepEqual(drift.newBehaviour, []);
});

test('drift: new behaviour, violations and unused allow rules', () => {
  const policy = `apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: allow, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  process:
    matchPaths:
    - path: /usr/sbin/nginx
    - path: /usr/bin/perl
  action: Allow
---
apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: block-shadow, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  file:
    matchPaths: [{path: /etc/shadow}]
  action: Block
`;
  const { policies } = loadKubeArmorPolicies(loadManifestText(policy, 'p.yaml').objects);
  const r = driftReport(policies, [exec('/usr/sbin/nginx'), exec('/bin/sh'), exec('/bin/sh'), open('/etc/shadow')]);
  assert.deepEqual(r.newBehaviour.map((d) => [d.operation, d.resource, d.count]), [['Process', '/bin/sh', 2]]);
  assert.deepEqual(r.violations.map((v) => [v.resource, v.policyName]), [['/etc/shadow', 'block-shadow']]);
  assert.deepEqual(r.unusedAllowRules.map((u) => [u.policyName, u.rule, u.line]), [['allow', 'spec.process.matchPaths.1', 9]]);
});
