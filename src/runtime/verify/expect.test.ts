import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifestText } from '../../k8s/load.js';
import { ATTACKS, attackById } from './attacks.js';
import { classify, errnoOf, type AttackRunOutcome } from './classify.js';
import { expectAttack } from './expect.js';
import { argsFor, buildReport, formatReport, planVerify, reportFails } from './plan.js';
import { podToOci, type HostFacts } from './pod-to-oci.js';
import type { VerifyPolicies } from './policies.js';

const here = dirname(fileURLToPath(import.meta.url));
const HOST: HostFacts = { arch: 'amd64', kernel: '6.1.0', capLastCap: 40, appArmor: false, kernelModules: true, userNamespaces: true };
const NO_POLICIES: VerifyPolicies = { seccomp: [], kubeArmor: [], appArmor: [], diagnostics: [] };
const loadPod = (f: string) => loadManifestText(readFileSync(join(here, 'testdata', f), 'utf8'), f).objects[0];
const controlsOf = (f: string, host = HOST) => podToOci(loadPod(f), { host }).controls!;

const table = (f: string, host = HOST) =>
  Object.fromEntries(ATTACKS.map((a) => {
    const e = expectAttack(a, controlsOf(f, host), host);
    return [a.id, `${e.expected}${e.layers.length ? ' ' + e.layers.map((l) => `${l.layer}/${l.errno}`).join(',') : ''}`];
  }));

test('hardened pod: expected outcome and first blocking layer of every attack', () => {
  assert.deepEqual(table('hardened-pod.yaml'), {
    'exec-shell': 'allowed',
    'reverse-shell': 'allowed',
    'download-exec': 'allowed',
    'read-shadow': 'blocked non-root-user/EACCES',
    'read-service-account-token': 'blocked service-account-automount/ENOENT',
    'write-core-pattern': 'blocked read-only-proc/EROFS,non-root-user/EACCES',
    'raw-socket': 'blocked capabilities/EPERM',
    ptrace: 'allowed',
    'unshare-mount': 'blocked seccomp/EPERM,seccomp/EPERM',
    'clone-newns': 'blocked seccomp/EPERM,capabilities/EPERM',
    'clone3-newns': 'blocked seccomp/ENOSYS,capabilities/EPERM',
    'chmod-setuid': 'blocked read-only-rootfs/EROFS,non-root-user/EPERM',
    'setuid-escalation': 'blocked no-new-privileges/NO_ESCALATION',
    mknod: 'blocked capabilities/EPERM',
    'write-rootfs': 'blocked read-only-rootfs/EROFS,non-root-user/EACCES',
    'load-kernel-module': 'blocked seccomp/EPERM,capabilities/EPERM',
  });
});

test('privileged pod: nothing blocks except what the node lacks', () => {
  const t = table('privileged-pod.yaml', { ...HOST, userNamespaces: false });
  assert.ok(Object.values(t).every((v) => v === 'allowed'), JSON.stringify(t));
  const noModules = expectAttack(attackById('load-kernel-module')!, controlsOf('privileged-pod.yaml'), { ...HOST, kernelModules: false });
  assert.match(noModules.kernelMissing ?? '', /no loadable-module support/);
});

test('default pod (root, default capabilities, unconfined): only read-only /proc/sys and missing CAP_SYS_ADMIN/CAP_SYS_MODULE hold', () => {
  const t = table('default-pod.yaml');
  assert.deepEqual(Object.entries(t).filter(([, v]) => v !== 'allowed'), [
    ['write-core-pattern', 'blocked read-only-proc/EROFS'],
    ['clone-newns', 'blocked capabilities/EPERM'],
    ['clone3-newns', 'blocked capabilities/EPERM'],
    ['load-kernel-module', 'blocked capabilities/EPERM'],
  ]);
});

const run = (stdout: string, extra: Partial<AttackRunOutcome> = {}): AttackRunOutcome => ({ exitCode: 0, stdout, stderr: '', timedOut: false, durationMs: 5, ...extra });

test('classify: a denial names the layer whose errno the kernel returned', () => {
  const a = attackById('write-rootfs')!;
  const e = expectAttack(a, controlsOf('hardened-pod.yaml'), HOST);
  const r = classify(a, e, run("RAMPART:denied /bin/sh: can't create /etc/rampart-dropped: Read-only file system\n"));
  assert.deepEqual([r.observed, r.layer, r.errno, r.verdict], ['blocked', 'read-only-rootfs', 'EROFS', 'pass']);
  assert.equal(r.evidence, "/bin/sh: can't create /etc/rampart-dropped: Read-only file system (EROFS)");
});

test('classify: an expected block that ran is a failure (the harness can fail)', () => {
  const a = attackById('raw-socket')!;
  const e = expectAttack(a, controlsOf('hardened-pod.yaml'), HOST);
  const r = classify(a, e, run('RAMPART:allowed opened a raw ICMP socket\nRAMPART:state uid=1001 euid=1001 CapEff=0000000000002000\n'));
  assert.deepEqual([r.observed, r.verdict, r.layer], ['allowed', 'fail', 'capabilities']);
  assert.equal(r.evidence, 'opened a raw ICMP socket [uid=1001 euid=1001 CapEff=0000000000002000]');
});

test('classify: no result line, a timeout or a skipped probe is not-verifiable, never blocked', () => {
  const a = attackById('mknod')!;
  const e = expectAttack(a, controlsOf('hardened-pod.yaml'), HOST);
  assert.equal(classify(a, e, run('', { exitCode: 1, stderr: 'runc run failed: boom\n' })).observed, 'not-verifiable');
  assert.match(classify(a, e, run('', { timedOut: true, durationMs: 10000 })).evidence, /^timed out after 10000 ms/);
  assert.equal(classify(a, e, run('', { skipped: 'no gcc' })).evidence, 'not run: no gcc');
});

test('classify: ENOSYS from a kernel without modules is not-verifiable', () => {
  const a = attackById('load-kernel-module')!;
  const host = { ...HOST, kernelModules: false };
  const e = expectAttack(a, controlsOf('default-pod.yaml', host), host);
  const r = classify(a, e, run('RAMPART:denied errno=ENOSYS init_module: Function not implemented\n'));
  assert.deepEqual([r.observed, r.verdict], ['not-verifiable', 'not-verifiable']);
});

test('classify: only a layer the sandbox cannot enforce would block: not-verifiable with what the sandbox saw', () => {
  const a = attackById('exec-shell')!;
  const e = expectAttack(a, controlsOf('hardened-pod.yaml'), HOST, () => [{ layer: 'kubearmor', why: 'policy x blocks /bin/sh' }]);
  assert.equal(e.expected, 'blocked');
  const r = classify(a, e, run('RAMPART:allowed /bin/sh ran as uid 1001\n'));
  assert.deepEqual([r.observed, r.layer, r.verdict], ['not-verifiable', 'kubearmor', 'not-verifiable']);
  assert.equal(r.evidence, 'kubearmor is not enforced in this sandbox; the attack ran: allowed (/bin/sh ran as uid 1001)');
});

test('errnoOf reads the probe format and strerror texts', () => {
  assert.equal(errnoOf('errno=EPERM socket: Operation not permitted'), 'EPERM');
  assert.equal(errnoOf('head: /etc/shadow: Permission denied'), 'EACCES');
  assert.equal(errnoOf('unshare: unshare(0x10020000): Operation not permitted'), 'EPERM');
  assert.equal(errnoOf('something odd'), undefined);
});

test('plan and report: commands, JSON shape, text and exit decision', () => {
  const { plan, diagnostics } = planVerify(loadPod('hardened-pod.yaml'), { host: HOST, policies: NO_POLICIES, only: ['ptrace', 'mknod'] });
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(plan!.attacks.map((p) => p.args), [
    ['/bin/sh', '-c', '/usr/local/bin/rampart-probe ptrace 1; true'],
    ['/bin/sh', '-c', argsFor(attackById('mknod')!.run)[2]],
  ]);
  const report = buildReport(plan!, [run('RAMPART:allowed attached to PID 1 with ptrace\n'), run('RAMPART:denied mknod: /tmp/rampart-sda: Operation not permitted\n')]);
  assert.deepEqual(report.results.map((r) => ({ attack: r.attack, expected: r.expected, observed: r.observed, layer: r.layer })), [
    { attack: 'ptrace', expected: 'allowed', observed: 'allowed', layer: 'none' },
    { attack: 'mknod', expected: 'blocked', observed: 'blocked', layer: 'capabilities' },
  ]);
  assert.equal(plan!.sanity.writes, '/tmp');
  assert.match(plan!.sanity.args[2], /^f=\/tmp\/\.rampart-sanity-\$\$; /);
  assert.equal(reportFails(report), false);
  assert.equal(reportFails(report, 'allowed'), true);
  assert.match(formatReport(report), /2 attacks: 2 as expected, 0 failed, 0 not verifiable \(1 blocked, 1 allowed\)\n$/);
  assert.deepEqual(report.threats.map((t) => [t.threat, t.layers, t.allowed, t.note !== undefined]), [
    ['kernel exploits, in-memory attacks', [], ['ptrace'], true],
    ['write to /proc/sys, /sys, core_pattern (escape vectors)', ['capabilities'], [], false],
  ]);
});

test('KubeArmor Block rules (decision engine) make shell and reverse shell expected-blocked, not-verifiable here', async () => {
  const { loadVerifyPolicies } = await import('./policies.js');
  const file = join(here, 'testdata', 'kubearmor-block-shell.yaml');
  const policies = loadVerifyPolicies([{ path: file, text: readFileSync(file, 'utf8') }]);
  assert.deepEqual(policies.diagnostics, []);
  const { plan } = planVerify(loadPod('hardened-pod.yaml'), { host: HOST, policies, only: ['exec-shell', 'reverse-shell', 'read-shadow', 'mknod'] });
  assert.deepEqual(
    plan!.attacks.map((p) => [p.attack.id, p.expectation.expected, p.expectation.unverifiable.map((u) => u.why)]),
    [
      ['exec-shell', 'blocked', ['KubeArmor policy ns-payments.exec-deny.v1 blocks Process /bin/sh']],
      ['reverse-shell', 'blocked', ['KubeArmor policy ns-payments.exec-deny.v1 blocks Process /bin/nc']],
      ['read-shadow', 'blocked', ['KubeArmor policy ns-payments.exec-deny.v1 blocks File /etc/shadow']],
      ['mknod', 'blocked', []],
    ],
  );
  // Another namespace: the policy does not select the pod.
  const other = readFileSync(join(here, 'testdata', 'hardened-pod.yaml'), 'utf8').replace('namespace: payments', 'namespace: shop');
  const { plan: p2 } = planVerify(loadManifestText(other, 'x.yaml').objects[0], { host: HOST, policies, only: ['exec-shell'] });
  assert.equal(p2!.attacks[0].expectation.expected, 'allowed');
});
