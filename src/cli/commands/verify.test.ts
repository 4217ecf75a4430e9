import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../main.js';

const testdata = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'runtime', 'verify', 'testdata');

/**
 * Runs the CLI in-process, capturing stdout and stderr. All runs happen before any test is declared: the test
 * runner reports through stdout, and a report written while stdout is captured would be lost.
 */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'rampart', ...args]);
    return { code, out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = 0;
  }
}

const r = {
  unknownAttack: await run(['verify', '--pod', join(testdata, 'hardened-pod.yaml'), '--attack', 'teleport']),
  badFormat: await run(['verify', '--pod', join(testdata, 'hardened-pod.yaml'), '--format', 'xml']),
  noPod: await run(['verify']),
  noProfile: await run(['verify', '--pod', join(testdata, 'localhost-seccomp-pod.yaml'), '--format', 'json']),
  unreadable: await run(['verify', '--pod', '/nonexistent/pod.yaml', '--format', 'json']),
  observeNeither: await run(['observe', '--duration', '1']),
  observeNoCommand: await run(['observe', '--pod', join(testdata, 'hardened-pod.yaml')]),
};

test('verify: usage errors exit 2 with the reason', () => {
  assert.equal(r.unknownAttack.code, 2);
  assert.match(r.unknownAttack.err, /^rampart verify: unknown attack teleport \(known: exec-shell, reverse-shell, /);
  assert.deepEqual([r.badFormat.code, r.badFormat.err], [2, 'rampart verify: --format must be text or json, not "xml"\n']);
  assert.equal(r.noPod.code, 2);
});

test('verify: a pod the kubelet would not start is reported before touching the machine', () => {
  assert.equal(r.noProfile.code, 2);
  const j = JSON.parse(r.noProfile.out);
  assert.deepEqual(j.results, []);
  assert.deepEqual(
    j.diagnostics.map((d: { code: string; span?: { line: number } }) => [d.code, d.span?.line]),
    [['verify_seccomp_profile_missing', 15]], // the localhostProfile line,
  );
});

test('verify: an unreadable pod file is file_read_error, exit 2', () => {
  assert.equal(r.unreadable.code, 2);
  assert.equal(JSON.parse(r.unreadable.out).diagnostics[0].code, 'file_read_error');
});

test('observe: needs exactly one of --pod and --cgroup, and a command with --pod', () => {
  assert.deepEqual([r.observeNeither.code, r.observeNeither.err], [2, 'rampart observe: give either --pod FILE (with --command) or --cgroup DIR\n']);
  assert.deepEqual([r.observeNoCommand.code, r.observeNoCommand.err], [2, 'rampart observe: --pod needs --command: the workload to run in the sandbox\n']);
});
