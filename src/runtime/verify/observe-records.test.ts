import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTelemetry } from '../telemetry/parse.js';
import { execPath, openFlags, toKubeArmorRecords, type Observation } from './observe-records.js';
import { RUNTIME_DEFAULT_SECCOMP } from './runtime-default-seccomp.js';
import { evaluateSeccomp, resolveProfile, toLogProfile } from './seccomp-conditional.js';

const obs: Observation[] = [
  { kind: 'open', time: 5, pid: 40, ppid: 30, uid: 0, comm: 'runc:[2:INIT]', ret: 3, flags: 0, path: '/proc/self/fd' },
  { kind: 'exec', time: 10, pid: 40, ppid: 30, uid: 1001, comm: 'sh', ret: 0, argv0: '/bin/sh', path: '/bin/sh' },
  { kind: 'fork', time: 11, pid: 40, child: 41 },
  { kind: 'open', time: 12, pid: 41, ppid: 40, uid: 1001, comm: 'sh', ret: -13, flags: 0o2000000, path: '/etc/shadow' },
  { kind: 'exec', time: 13, pid: 41, ppid: 40, uid: 1001, comm: 'nc', ret: 0, argv0: 'nc', path: '/proc/self/exe' },
  { kind: 'socket', time: 14, pid: 41, ppid: 40, uid: 1001, comm: 'nc', ret: 3, family: 2, type: 0x80001, protocol: 0 },
  { kind: 'connect', time: 15, pid: 41, ppid: 40, uid: 1001, comm: 'nc', ret: -111, family: 2, port: 443, addr: '10.0.0.1' },
];
const seccomp = [{ time: 1795534825, pid: 41, uid: 1001, comm: 'nc', exe: '/bin/busybox', syscall: 272, code: 0x7ffc0000, arch: 'c000003e' }];
const workload = { namespace: 'payments', pod: 'api-1', container: 'app', labels: { app: 'api' }, host: 'node-1' };

test('observations become KubeArmor log records with process names, flags, sockets and seccomp actions', () => {
  const recs = toKubeArmorRecords(obs, seccomp, workload, 1795534825000);
  assert.deepEqual(
    recs.map((r) => [r.Operation, r.ProcessName, r.ParentProcessName, r.Resource, r.Data, r.Result]),
    [
      ['Process', '/bin/sh', '', '/bin/sh', 'syscall=SYS_EXECVE', 'Passed'],
      ['File', '/bin/sh', '/bin/sh', '/etc/shadow', 'syscall=SYS_OPENAT flags=O_RDONLY|O_CLOEXEC', 'Permission denied'],
      ['Process', '/bin/nc', '/bin/sh', '/bin/nc', 'syscall=SYS_EXECVE exe=/proc/self/exe', 'Passed'],
      // whole-second audit stamp: placed right after the exec of the program that made the call
      ['Syscall', '/bin/nc', '', '', 'syscall=SYS_UNSHARE action=SCMP_ACT_LOG', 'Passed'],
      ['Network', '/bin/nc', '/bin/sh', 'domain=AF_INET type=SOCK_STREAM protocol=HOPOPT', 'syscall=SYS_SOCKET', 'Passed'],
      ['Network', '/bin/nc', '/bin/sh', 'sa_family=AF_INET sin_port=443 sin_addr=10.0.0.1', 'syscall=SYS_CONNECT', 'Connection refused'],
    ],
  );
  assert.equal(recs[0].NamespaceName, 'payments');
  assert.equal(recs[0].Labels, 'app=api');
  assert.equal(recs[0].UpdatedTime, '2026-11-24T15:40:25.010Z');
});

test('records read back through the telemetry parser as RuntimeEvents of the workload', () => {
  const text = toKubeArmorRecords(obs, seccomp, workload, 1795534825000).map((r) => JSON.stringify(r)).join('\n');
  const parsed = parseTelemetry(text, 'observe.jsonl');
  assert.deepEqual(parsed.diagnostics, []);
  assert.equal(parsed.events.length, 6);
  assert.deepEqual(parsed.events[2].workload, { labels: { app: 'api' }, namespace: 'payments', pod: 'api-1', container: 'app', host: 'node-1' });
  assert.deepEqual([parsed.events[2].operation, parsed.events[2].process, parsed.events[2].uid], ['Process', '/bin/nc', 1001]);
  assert.deepEqual([parsed.events[3].operation, parsed.events[3].data], ['Syscall', 'syscall=SYS_UNSHARE action=SCMP_ACT_LOG']);
});

test('helpers: open flags, busybox applet names', () => {
  assert.equal(openFlags(0o1101), 'O_WRONLY|O_CREAT|O_TRUNC');
  assert.equal(openFlags(2), 'O_RDWR');
  assert.equal(execPath('/proc/self/exe', 'head'), '/bin/head');
  assert.equal(execPath('/usr/bin/curl', 'curl'), '/usr/bin/curl');
});

test('toLogProfile: every refusal becomes SCMP_ACT_LOG, allows stay', () => {
  const p = toLogProfile(resolveProfile(RUNTIME_DEFAULT_SECCOMP, { boundingCaps: [], arch: 'amd64', kernel: '6.1' }));
  assert.equal(p.defaultAction, 'SCMP_ACT_LOG');
  assert.equal(evaluateSeccomp(p, 'clone3').action, 'SCMP_ACT_LOG');
  assert.equal(evaluateSeccomp(p, 'unshare').action, 'SCMP_ACT_LOG');
  assert.equal(evaluateSeccomp(p, 'read').action, 'SCMP_ACT_ALLOW');
  assert.ok(!p.syscalls.some((r) => r.errnoRet !== undefined));
});
