import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CAPABILITIES, CONTAINERD_DEFAULT_CAPABILITIES, allCapabilities, computeCapabilities } from './capabilities.js';

test('no capabilities field: containerd default set in bounding, effective and permitted for root', () => {
  const { capabilities, problems } = computeCapabilities(undefined, false, 0);
  assert.deepEqual(capabilities.bounding, CONTAINERD_DEFAULT_CAPABILITIES);
  assert.deepEqual(capabilities.effective, CONTAINERD_DEFAULT_CAPABILITIES);
  assert.deepEqual(capabilities.permitted, CONTAINERD_DEFAULT_CAPABILITIES);
  assert.deepEqual(capabilities.inheritable, []);
  assert.deepEqual(capabilities.ambient, []);
  assert.deepEqual(problems, []);
  assert.equal(CONTAINERD_DEFAULT_CAPABILITIES.length, 14);
});

test('drop ALL then add one: only the added capability', () => {
  const { capabilities } = computeCapabilities({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, false, 0);
  assert.deepEqual(capabilities.bounding, ['CAP_NET_BIND_SERVICE']);
});

test('add ALL then drop one, as containerd orders add-all, drop-all, adds, drops', () => {
  const { capabilities } = computeCapabilities({ add: ['ALL'], drop: ['chown'] }, false, 0);
  assert.equal(capabilities.bounding.length, ALL_CAPABILITIES.length - 1);
  assert.ok(!capabilities.bounding.includes('CAP_CHOWN'));
  assert.ok(capabilities.bounding.includes('CAP_SYS_ADMIN'));
});

test('individual add and drop on the default set', () => {
  const { capabilities } = computeCapabilities({ add: ['SYS_PTRACE'], drop: ['NET_RAW', 'MKNOD'] }, false, 0);
  assert.deepEqual(capabilities.bounding, [
    'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP',
    'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE', 'CAP_SYS_PTRACE',
  ]);
});

test('a non-root uid keeps the bounding set but gets no effective or permitted capabilities', () => {
  const { capabilities } = computeCapabilities({ add: ['NET_ADMIN'] }, false, 1001);
  assert.ok(capabilities.bounding.includes('CAP_NET_ADMIN'));
  assert.deepEqual(capabilities.effective, []);
  assert.deepEqual(capabilities.permitted, []);
  assert.deepEqual(capabilities.ambient, []);
});

test('privileged: every capability the runtime holds, whatever add/drop say', () => {
  const mask = '000001fffeffffff'; // CAP_SYS_RESOURCE (bit 24) missing
  const { capabilities } = computeCapabilities({ drop: ['ALL'] }, true, 0, 40, mask);
  assert.equal(capabilities.bounding.length, 40);
  assert.ok(!capabilities.bounding.includes('CAP_SYS_RESOURCE'));
  assert.deepEqual(allCapabilities(40), ALL_CAPABILITIES);
  assert.deepEqual(allCapabilities(37), ALL_CAPABILITIES.slice(0, 38));
});

test('CAP_-prefixed and unknown names are reported', () => {
  const { problems } = computeCapabilities({ add: ['CAP_NET_ADMIN', 'FLY'], drop: [3] }, false, 0);
  assert.deepEqual(
    problems.map((p) => [p.field, p.index, p.reason]),
    [
      ['drop', 0, 'not_a_string'],
      ['add', 0, 'has_cap_prefix'],
      ['add', 1, 'unknown'],
    ],
  );
});
