import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bpftraceProgram, createLineParser } from './bpftrace.js';
import { parseSeccompAuditLine } from './kmsg.js';

test('bpftraceProgram filters every probe by the cgroup id', () => {
  const p = bpftraceProgram(4242n);
  const probes = p.split('\n').filter((l) => /^(tracepoint|kprobe):/.test(l));
  assert.equal(probes.length, 9);
  for (const l of probes) assert.match(l, /\/cgroup == 4242\//);
});

test('entry and exit lines pair by tid into observations', () => {
  const p = createLineParser();
  assert.equal(p.push('exec>\t100\t7\t7\t1\t1001\tsh\tcat\t/proc/self/exe'), undefined);
  assert.equal(p.push('open>\t101\t8\t8\t7\t1001\tsh\t0\t/etc/hostname'), undefined);
  assert.deepEqual(p.push('exec<\t102\t7\t7\t1\t1001\tcat\t0'), {
    kind: 'exec', time: 100, pid: 7, ppid: 1, uid: 1001, comm: 'cat', ret: 0, argv0: 'cat', path: '/proc/self/exe',
  });
  assert.deepEqual(p.push('open<\t103\t8\t8\t7\t1001\tsh\t-13'), {
    kind: 'open', time: 101, pid: 8, ppid: 7, uid: 1001, comm: 'sh', ret: -13, flags: 0, path: '/etc/hostname',
  });
  p.push('connect>\t104\t9\t9\t7\t0\tnc\t2\t443\t16777343');
  assert.deepEqual(p.push('connect<\t105\t9\t9\t7\t0\tnc\t-111'), {
    kind: 'connect', time: 104, pid: 9, ppid: 7, uid: 0, comm: 'nc', ret: -111, family: 2, port: 443, addr: '127.0.0.1',
  });
  assert.deepEqual(p.push('fork\t106\t7\t12'), { kind: 'fork', time: 106, pid: 7, child: 12 });
  assert.equal(p.push('open<\t107\t99\t99\t7\t0\tsh\t3'), undefined, 'an exit without its entry is dropped');
  assert.equal(p.push('READY'), undefined);
  assert.equal(p.push('Attaching 9 probes...'), undefined);
});

test('seccomp audit lines from kmsg, dmesg or audit.log', () => {
  const kmsg = '5,612,1781166124,-;audit: type=1326 audit(1795534825.875:2): auid=4294967295 uid=1001 gid=0 ses=4294967295 pid=12951 comm="unshare" exe="/bin/busybox" sig=0 arch=c000003e syscall=272 compat=0 ip=0x460997 code=0x7ffc0000';
  assert.deepEqual(
    { ...parseSeccompAuditLine(kmsg), line: undefined },
    { time: 1795534825, pid: 12951, uid: 1001, comm: 'unshare', exe: '/bin/busybox', syscall: 272, code: 0x7ffc0000, arch: 'c000003e', line: undefined },
  );
  assert.equal(parseSeccompAuditLine('audit: type=1400 apparmor="DENIED"'), undefined);
});
