import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLONE_NAMESPACE_FLAGS, RUNTIME_DEFAULT_SECCOMP } from './runtime-default-seccomp.js';
import { evaluateSeccomp, kernelAtLeast, resolveProfile, seccompDenies } from './seccomp-conditional.js';

const CLONE_NEWNS = 0x20000;
const CLONE_NEWUSER = 0x10000000;
const SIGCHLD = 17;
const amd64 = (caps: string[], kernel = '6.1.0') => resolveProfile(RUNTIME_DEFAULT_SECCOMP, { boundingCaps: caps, arch: 'amd64', kernel });

test('RuntimeDefault without capabilities: clone only without namespace flags, clone3 ENOSYS, unshare/mount EPERM', () => {
  const p = amd64([]);
  assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.equal(CLONE_NAMESPACE_FLAGS, 2114060288);
  assert.deepEqual(evaluateSeccomp(p, 'clone', [SIGCHLD]).action, 'SCMP_ACT_ALLOW');
  const ns = evaluateSeccomp(p, 'clone', [SIGCHLD | CLONE_NEWNS]);
  assert.deepEqual([ns.action, ns.errno], ['SCMP_ACT_ERRNO', 1]);
  const c3 = evaluateSeccomp(p, 'clone3', []);
  assert.deepEqual([c3.action, c3.errno], ['SCMP_ACT_ERRNO', 38]);
  for (const s of ['unshare', 'mount', 'setns', 'init_module', 'bpf', 'chroot', 'reboot', 'io_uring_setup', 'open_by_handle_at']) {
    assert.ok(seccompDenies(evaluateSeccomp(p, s, [CLONE_NEWUSER])), `${s} must be denied`);
  }
  for (const s of ['read', 'openat', 'execve', 'socket', 'connect', 'mknodat', 'fchmodat', 'ptrace', 'arch_prctl']) {
    assert.equal(evaluateSeccomp(p, s, [2, 3, 1]).action, 'SCMP_ACT_ALLOW', `${s} must be allowed`);
  }
  assert.equal(evaluateSeccomp(p, 'personality', [0]).action, 'SCMP_ACT_ALLOW');
  assert.equal(evaluateSeccomp(p, 'personality', [0x0040000]).action, 'SCMP_ACT_ERRNO');
});

test('RuntimeDefault with CAP_SYS_ADMIN: namespace calls allowed, no clone filter, no clone3 ENOSYS rule', () => {
  const p = amd64(['CAP_SYS_ADMIN']);
  assert.equal(evaluateSeccomp(p, 'clone', [CLONE_NEWNS]).action, 'SCMP_ACT_ALLOW');
  assert.equal(evaluateSeccomp(p, 'clone3', []).action, 'SCMP_ACT_ALLOW');
  assert.equal(evaluateSeccomp(p, 'unshare', [CLONE_NEWNS]).action, 'SCMP_ACT_ALLOW');
  assert.ok(!p.syscalls.some((r) => r.names.includes('clone') && r.args));
});

test('capability-conditional rules follow the bounding set', () => {
  assert.equal(evaluateSeccomp(amd64(['CAP_SYS_MODULE']), 'init_module').action, 'SCMP_ACT_ALLOW');
  assert.equal(evaluateSeccomp(amd64(['CAP_SYS_PTRACE']), 'process_vm_readv').action, 'SCMP_ACT_ALLOW');
  assert.equal(evaluateSeccomp(amd64([]), 'process_vm_readv').action, 'SCMP_ACT_ERRNO');
  assert.equal(evaluateSeccomp(amd64(['CAP_SYS_TIME']), 'clock_settime').action, 'SCMP_ACT_ALLOW');
  assert.equal(evaluateSeccomp(amd64(['CAP_SYS_CHROOT']), 'chroot').action, 'SCMP_ACT_ALLOW');
});

test('ptrace needs kernel 4.8 unless CAP_SYS_PTRACE; arch rules follow GOARCH', () => {
  assert.equal(evaluateSeccomp(amd64([], '4.4.0'), 'ptrace').action, 'SCMP_ACT_ERRNO');
  assert.equal(evaluateSeccomp(amd64([], '4.8.0'), 'ptrace').action, 'SCMP_ACT_ALLOW');
  const arm = resolveProfile(RUNTIME_DEFAULT_SECCOMP, { boundingCaps: [], arch: 'arm64', kernel: '6.1' });
  assert.equal(evaluateSeccomp(arm, 'arch_prctl').action, 'SCMP_ACT_ERRNO');
  assert.equal(evaluateSeccomp(arm, 'cacheflush').action, 'SCMP_ACT_ALLOW');
  const s390 = resolveProfile(RUNTIME_DEFAULT_SECCOMP, { boundingCaps: [], arch: 's390x', kernel: '6.1' });
  assert.equal(evaluateSeccomp(s390, 'clone', [0, CLONE_NEWNS]).action, 'SCMP_ACT_ERRNO');
  assert.equal(evaluateSeccomp(s390, 'clone', [CLONE_NEWNS, 0]).action, 'SCMP_ACT_ALLOW');
});

test('the allow-list is containerd 2.0: 343 unconditional names, no io_uring', () => {
  const first = RUNTIME_DEFAULT_SECCOMP.syscalls[0];
  assert.equal(first.names.length, 343);
  assert.equal(new Set(first.names).size, 343);
  assert.ok(!first.names.some((n) => n.startsWith('io_uring')));
});

test('kernelAtLeast compares major.minor', () => {
  assert.equal(kernelAtLeast('6.18.44-fc', '4.8'), true);
  assert.equal(kernelAtLeast('4.7.10', '4.8'), false);
  assert.equal(kernelAtLeast('garbage', '4.8'), false);
});
