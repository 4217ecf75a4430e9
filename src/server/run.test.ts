import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startServe, StartupError, type ServeConfig } from './run.js';
import { admissionReview, call, pod, testCertificate } from './testing.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

function config(dir: string, extra: Partial<ServeConfig> = {}): ServeConfig {
  return {
    selection: { config: join(dir, 'rampart.yaml') },
    port: 0,
    host: '127.0.0.1',
    insecureHttp: false,
    timeoutSeconds: 10,
    maxBodyBytes: 1024 * 1024,
    reloadIntervalSeconds: 0,
    drainTimeoutSeconds: 1,
    logLevel: 'silent',
    ...extra,
  };
}

const PACK = (mode: string) => `apiVersion: rampart.dev/v1alpha1
kind: PolicyPack
policySets:
  - pss: restricted
    mode: ${mode}
`;

test('start-up: policy errors and bad certificates stop the start with their diagnostics', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-serve-'));
  try {
    await writeFile(join(dir, 'rampart.yaml'), 'apiVersion: rampart.dev/v1alpha1\nkind: PolicyPack\npolicySetz: []\n');
    const err = await startServe(config(dir, { insecureHttp: true }), pino({ level: 'silent' })).catch((e: unknown) => e);
    assert.ok(err instanceof StartupError);
    assert.deepEqual(err.diagnostics.map((d) => d.code), ['config_unknown_field']);
    await writeFile(join(dir, 'rampart.yaml'), PACK('enforce'));
    await writeFile(join(dir, 'bad.crt'), 'not a certificate');
    await writeFile(join(dir, 'bad.key'), 'not a key');
    const tlsErr = await startServe(config(dir, { tlsCert: join(dir, 'bad.crt'), tlsKey: join(dir, 'bad.key') }), pino({ level: 'silent' })).catch((e: unknown) => e);
    assert.ok(tlsErr instanceof StartupError);
    assert.equal(tlsErr.diagnostics[0].code, 'tls_invalid_certificate');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('real policy files: hot reload good → broken (last good set kept) → good', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-serve-'));
  const tls = await testCertificate(new Date());
  await writeFile(join(dir, 'tls.crt'), tls.cert);
  await writeFile(join(dir, 'tls.key'), tls.key);
  await writeFile(join(dir, 'rampart.yaml'), PACK('enforce'));
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }));
  const s = await startServe(config(dir, { tlsCert: join(dir, 'tls.crt'), tlsKey: join(dir, 'tls.key') }), logger);
  const review = JSON.stringify(admissionReview(pod('p', { securityContext: { privileged: true } })));
  const answer = async () => (await call(s.port, '/validate', { ca: tls.ca, body: review })).json().response;
  try {
    assert.equal((await answer()).allowed, false);
    const recorded = logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'finding');
    const privileged = recorded.find((l) => l.rule === 'privileged');
    assert.deepEqual(privileged, {
      ...privileged,
      policy: 'pss.restricted.v1',
      rule: 'privileged',
      mode: 'enforce',
      object: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'default' },
      path: 'spec.containers[0].securityContext.privileged',
    });
    const dry = JSON.stringify(admissionReview(pod('p', { securityContext: { privileged: true } }), { dryRun: true }));
    await call(s.port, '/validate', { ca: tls.ca, body: dry });
    assert.equal(logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'finding').length, recorded.length, 'dry-run records nothing');
    await writeFile(join(dir, 'rampart.yaml'), PACK('warn'));
    assert.equal(await s.webhook.holder.check(), 'reloaded');
    const warned = await answer();
    assert.equal(warned.allowed, true);
    assert.match(warned.warnings[0], /^\[pss\.restricted\.v1\//);
    await writeFile(join(dir, 'rampart.yaml'), PACK('warn') + 'bogus: true\n');
    assert.equal(await s.webhook.holder.check(), 'rejected');
    assert.equal((await answer()).allowed, true, 'still the last good (warn) set');
    const rejected = logs.map((l) => JSON.parse(l)).find((l) => l.msg.startsWith('policy reload rejected'));
    assert.match(rejected.problems[0], /^error config_unknown_field at .*rampart\.yaml:6:1: unknown field "bogus"/);
    await writeFile(join(dir, 'rampart.yaml'), PACK('enforce'));
    assert.equal(await s.webhook.holder.check(), 'reloaded');
    assert.equal((await answer()).allowed, false);
  } finally {
    await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('CLI: missing TLS flags is a usage error (exit 2); SIGTERM drains and exits 0', async (t) => {
  const cli = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve'];
  const usage = await new Promise<{ code: number | null; stderr: string }>((res) => {
    execFile(cli[0], [...cli.slice(1), '--pss', 'restricted'], { cwd: ROOT }, (e, _o, stderr) => res({ code: e ? ((e as { code?: number }).code ?? null) : 0, stderr }));
  });
  assert.equal(usage.code, 2);
  assert.equal(usage.stderr, 'rampart serve: --tls-cert and --tls-key are required (or --insecure-http for local testing)\n');
  if (process.platform === 'win32') return t.skip('signals are POSIX');
  const child = spawn(cli[0], [...cli.slice(1), '--pss', 'restricted', '--insecure-http', '--port', '0', '--host', '127.0.0.1', '--reload-interval', '0'], { cwd: ROOT });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`not listening: ${out}`)), 20_000);
    child.stdout.on('data', () => {
      if (out.includes('rampart webhook listening')) {
        clearTimeout(timer);
        res();
      }
    });
  });
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((res) => child.once('exit', res));
  assert.equal(code, 0);
  assert.match(out, /"msg":"drained; stopped"/);
});

test('certificate rotation: new files are served after a reload, without a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-serve-'));
  const a = await testCertificate(new Date());
  const b = await testCertificate(new Date());
  await writeFile(join(dir, 'tls.crt'), a.cert);
  await writeFile(join(dir, 'tls.key'), a.key);
  await writeFile(join(dir, 'rampart.yaml'), PACK('enforce'));
  const s = await startServe(config(dir, { tlsCert: join(dir, 'tls.crt'), tlsKey: join(dir, 'tls.key') }), pino({ level: 'silent' }));
  try {
    assert.equal((await call(s.port, '/healthz', { ca: a.ca })).status, 200);
    await writeFile(join(dir, 'tls.crt'), b.cert);
    await writeFile(join(dir, 'tls.key'), b.key);
    await s.reload();
    // fresh connections (no pooled socket, no session resumption): each handshake shows the certificate served now
    assert.equal((await call(s.port, '/healthz', { ca: b.ca, agent: false })).status, 200);
    await assert.rejects(call(s.port, '/healthz', { ca: a.ca, agent: false }), /self[- ]signed|unable to verify|certificate/i);
  } finally {
    await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
