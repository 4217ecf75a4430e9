import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { findExecutable, isStaticElf, readNodeFacts } from './host.js';
import { runSandbox } from './sandbox.js';

test('isStaticElf: node is dynamically linked; a missing file is not static', () => {
  assert.equal(isStaticElf(process.execPath), false);
  assert.equal(isStaticElf('/nonexistent/busybox'), false);
});

test('readNodeFacts reads this kernel', () => {
  const f = readNodeFacts();
  assert.match(f.kernel, /^\d+\.\d+/);
  assert.ok(f.capLastCap >= 30);
});

test('runSandbox runs a job under runc with uid, read-only root and no capabilities, then cleans up', async (t) => {
  const facts = readNodeFacts();
  const runc = findExecutable('runc');
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => isStaticElf(p));
  if (!facts.isRoot) return t.skip('needs root (runc); the verify tier runs this for real in CI');
  if (!runc) return t.skip('runc is not installed (apt-get install runc)');
  if (!busybox) return t.skip('busybox-static is not installed');
  const none = { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] };
  const config = {
    ociVersion: '1.0.2',
    process: { terminal: false, user: { uid: 1001, gid: 1001 }, args: [], env: ['PATH=/bin'], cwd: '/', capabilities: none, noNewPrivileges: true },
    root: { path: 'rootfs', readonly: true },
    hostname: 'unit',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/tmp', type: 'bind', source: 'volumes/tmp', options: ['rbind', 'rw'] },
    ],
    linux: { namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }], resources: { devices: [{ allow: false, access: 'rwm' }] } },
  };
  const before = readdirSync(tmpdir()).filter((d) => d.startsWith('rampart-verify-')).length;
  const { results, workDir } = await runSandbox({
    runc,
    busybox,
    config,
    volumes: [{ mountPath: '/tmp', kind: 'emptyDir', source: 'volumes/tmp' }],
    jobs: [
      { name: 'id', args: ['/bin/sh', '-c', 'echo "$(id -u) $(grep CapEff /proc/self/status)"; touch /tmp/ok && echo tmp-ok; touch /x 2>&1'] },
    ],
    concurrency: 1,
    timeoutMs: 10_000,
  });
  assert.equal(results[0].exitCode, 1);
  assert.match(results[0].stdout, /^1001 CapEff:\s+0000000000000000\ntmp-ok\ntouch: \/x: Read-only file system\n$/);
  assert.equal(existsSync(workDir), false);
  assert.equal(readdirSync(tmpdir()).filter((d) => d.startsWith('rampart-verify-')).length, before);
});
