import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSeccompProfile, formatSeccompProfile, seccompAllowlist, syscallNumber } from './profile.js';

const here = dirname(fileURLToPath(import.meta.url));
function golden(name: string, actual: string): void {
  const p = join(here, 'testdata', name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(p, actual);
  assert.equal(actual, readFileSync(p, 'utf8'), `golden ${name} differs (UPDATE_GOLDEN=1 to refresh)`);
}

test('syscall tables carry the x86_64 and aarch64 numbers', () => {
  assert.equal(syscallNumber('openat', 'x86_64'), 257);
  assert.equal(syscallNumber('openat', 'aarch64'), 56);
  assert.equal(syscallNumber('open', 'aarch64'), undefined);
  assert.equal(syscallNumber('clone3', 'aarch64'), 435);
  assert.equal(syscallNumber('newfstatat', 'aarch64'), 79);
});

test('unknown syscall names give seccomp_unknown_syscall with a suggestion and are left out', () => {
  const r = buildSeccompProfile({ defaultAction: 'SCMP_ACT_ERRNO', rules: [{ names: ['read', 'opnat'], action: 'SCMP_ACT_ALLOW' }] });
  assert.deepEqual(r.profile.syscalls, [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }]);
  const d = r.diagnostics.find((x) => x.code === 'seccomp_unknown_syscall');
  assert.ok(d);
  assert.equal(d.message, 'unknown syscall "opnat" on x86_64, aarch64; left out of the profile');
  assert.equal(d.help, 'did you mean openat?');
});

test('a syscall missing on one architecture is an info, not an error', () => {
  const r = buildSeccompProfile({ defaultAction: 'SCMP_ACT_ERRNO', rules: [{ names: ['open'], action: 'SCMP_ACT_ALLOW' }] });
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity]), [['seccomp_syscall_not_on_arch', 'info']]);
  assert.deepEqual(r.profile.syscalls[0].names, ['open']);
});

test('rules merge by action/args/errno, names sorted; argument filters kept', () => {
  const r = buildSeccompProfile({
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['x86_64'],
    rules: [
      { names: ['unshare', 'mount'], action: 'SCMP_ACT_ERRNO' },
      { names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 0xf, valueTwo: 3, op: 'SCMP_CMP_MASKED_EQ' }] },
      { names: ['ptrace'], action: 'SCMP_ACT_ERRNO' },
      { names: ['getpid'], action: 'SCMP_ACT_ALLOW' },
    ],
  });
  assert.deepEqual(r.diagnostics, []);
  golden('merge-args.json', formatSeccompProfile(r.profile));
});

test('allowlist profile: startup syscalls plus the observed ones, deny by EPERM', () => {
  const r = seccompAllowlist(['accept4', 'epoll_wait', 'socket'], { architectures: ['x86_64', 'aarch64'] });
  assert.equal(r.profile.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(r.profile.defaultErrnoRet, 1);
  assert.ok(r.profile.syscalls[0].names.includes('execve'));
  golden('allowlist.json', formatSeccompProfile(r.profile));
  // deterministic
  assert.equal(formatSeccompProfile(seccompAllowlist(['socket', 'epoll_wait', 'accept4'], { architectures: ['x86_64', 'aarch64'] }).profile), formatSeccompProfile(r.profile));
});
