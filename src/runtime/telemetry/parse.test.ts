import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTelemetry } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));
const read = (f: string) => readFileSync(join(here, 'testdata', f), 'utf8');
const brief = (e: { operation: string; process: string; resource: string; result?: string; data?: string }) => [e.operation, e.process, e.resource, e.result, e.data];

test('KubeArmor JSON lines, arrays and single documents; wrappers; bad lines are diagnostics with a line', () => {
  const rec = { NamespaceName: 'ns', PodName: 'p', Labels: 'app=web,tier=fe', ContainerName: 'c', ContainerID: 'x', ProcessName: '/bin/ls', ParentProcessName: '/bin/sh', Operation: 'Process', Resource: '/bin/ls -l', Source: '/bin/sh', Data: 'syscall=SYS_EXECVE', Result: 'Passed', UID: 1000 };
  const lines = parseTelemetry(`${JSON.stringify(rec)}\n{"Alert": ${JSON.stringify(rec)}}\n{not json\n`, 'ka.jsonl');
  assert.equal(lines.events.length, 2);
  assert.deepEqual(lines.events[0].workload.labels, { app: 'web', tier: 'fe' });
  assert.equal(lines.events[0].uid, 1000);
  assert.deepEqual(lines.diagnostics.map((d) => [d.code, d.span?.line]), [['telemetry_parse_error', 3]]);
  const arr = parseTelemetry(JSON.stringify([rec, rec], null, 2), 'ka.json');
  assert.equal(arr.events.length, 2);
  const one = parseTelemetry(JSON.stringify(rec, null, 2), 'one.json');
  assert.equal(one.events.length, 1);
  assert.deepEqual(one.events[0].raw, rec);
});

test('Falco alerts: execve → Process, openat → File with flags', () => {
  const r = parseTelemetry(read('falco.jsonl'), 'falco.jsonl');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.events.map(brief), [
    ['Process', '/bin/sh', '/bin/sh -c id', 'Passed', 'syscall=SYS_EXECVE'],
    ['File', '/bin/cat', '/etc/shadow', 'Passed', 'syscall=SYS_OPENAT flags=O_RDONLY'],
  ]);
  assert.equal(r.events[0].parentProcess, '/usr/sbin/nginx');
  assert.equal(r.events[0].workload.namespace, 'shop');
  assert.equal(r.events[0].timestamp, 1714557600);
});

test('Tetragon export: exec, file kprobe, tcp_connect with override as a denial', () => {
  const r = parseTelemetry(read('tetragon.jsonl'), 'tetragon.jsonl');
  assert.deepEqual(r.events.map(brief), [
    ['Process', '/usr/bin/curl', '/usr/bin/curl http://example.com', 'Passed', undefined],
    ['File', '/bin/cat', '/etc/passwd', 'Passed', 'syscall=security_file_permission flags=O_RDONLY'],
    ['Network', '/usr/bin/curl', 'domain=AF_INET type=SOCK_STREAM protocol=TCP', 'Permission denied', undefined],
  ]);
  assert.deepEqual(r.events[0].workload.labels, { app: 'web' });
});

test('kernel audit lines: AppArmor file/exec/network denials and SECCOMP records (x86_64 and aarch64 numbers)', () => {
  const r = parseTelemetry(read('audit.log'), 'audit.log');
  assert.deepEqual(r.events.map(brief), [
    ['File', 'cat', '/etc/shadow', 'Permission denied', 'syscall=SYS_OPENAT flags=O_RDONLY'],
    ['Process', '/usr/bin/nc', '/usr/bin/nc', 'Permission denied', 'syscall=SYS_EXECVE'],
    ['Network', 'ping', 'domain=AF_INET type=SOCK_RAW protocol=ICMP', 'Permission denied', 'syscall=SYS_CREATE'],
    ['Syscall', '/usr/bin/unshare', '', 'Operation not permitted', 'syscall=SYS_UNSHARE'],
    ['Syscall', '/usr/bin/mount', '', 'Passed', 'syscall=SYS_MOUNT'],
  ]);
  assert.equal(r.events[0].workload.namespace, 'shop');
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.span?.line]), [['telemetry_unknown_record', 6]]);
});

test('every KubeArmor shape in one file: karmor --json lines, pretty-printed documents, arrays of relay Alert/Log wrappers, container log captures, CRI lines; bad parts are diagnostics with their line', () => {
  const r = parseTelemetry(read('kubearmor-mixed.txt'), 'mixed.txt');
  assert.deepEqual(
    r.events.map((e) => [e.operation, e.process]),
    [
      ['Process', '/usr/bin/apt-get'],
      ['File', '/usr/bin/cat'],
      ['Network', '/usr/bin/curl'],
      ['Process', '/usr/bin/ls'],
      ['Process', '/usr/bin/id'],
      ['Process', '/usr/bin/sh'],
      ['Process', '/usr/bin/wget'],
      ['Process', '/usr/bin/tail'],
    ],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.span?.file, d.span?.line]),
    [
      ['telemetry_unknown_record', 'mixed.txt', 24],
      ['telemetry_parse_error', 'mixed.txt', 29],
      ['telemetry_unknown_record', 'mixed.txt', 30],
    ],
  );
  // The Log wrapper's record without namespace/pod is a host event; unknown fields stay in the record.
  assert.equal(r.events[3].workload.host, 'minikube');
  assert.deepEqual((r.events[4].raw as { CustomField?: unknown }).CustomField, { team: 'blue' });
});

test('a bad element of an array does not lose the rest of the array', () => {
  const rec = (p: string) => JSON.stringify({ NamespaceName: 'ns', PodName: 'p', Operation: 'Process', ProcessName: p, Resource: p, Result: 'Passed' });
  const r = parseTelemetry(`[\n${rec('/a')},\n{"x": tru},\n${rec('/b')}\n]\n${rec('/c')}\n`, 'a.json');
  assert.deepEqual(r.events.map((e) => e.process), ['/a', '/b', '/c']);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.span?.line]), [['telemetry_parse_error', 3]]);
});
