/**
 * `rampart serve --workers 2` end to end (slow: three node processes start): both workers answer on one port,
 * /metrics aggregates every worker's counters, SIGTERM drains every worker and the primary exits 0; a broken policy
 * pack stops the start once with exit code 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { admissionReview, pod } from '../../../src/server/testing.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const CLI = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve'];

function post(port: number, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const r = request({ host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', headers: body ? { 'Content-Type': 'application/json' } : {}, agent: false }, (m) => {
      let text = '';
      m.on('data', (c) => (text += c));
      m.on('end', () => res({ status: m.statusCode ?? 0, text }));
    });
    r.on('error', rej);
    r.end(body);
  });
}

test('two workers share the port, metrics are aggregated, SIGTERM drains all and exits 0', async () => {
  const child = spawn(CLI[0], [...CLI.slice(1), '--pss', 'restricted', '--insecure-http', '--port', '0', '--host', '127.0.0.1', '--workers', '2', '--reload-interval', '0'], { cwd: ROOT });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const ports = await new Promise<number[]>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`workers not listening: ${out}`)), 60_000);
    child.stdout.on('data', () => {
      const ps = [...out.matchAll(/"port":(\d+).*"msg":"rampart webhook listening"/g)].map((m) => Number(m[1]));
      if (ps.length === 2) {
        clearTimeout(timer);
        res(ps);
      }
    });
  });
  assert.equal(ports[0], ports[1], 'one shared port');
  const body = JSON.stringify(admissionReview(pod('p', { securityContext: { privileged: true } })));
  for (let i = 0; i < 20; i++) assert.equal(JSON.parse((await post(ports[0], '/validate', body)).text).response.allowed, false);
  const metrics = (await post(ports[0], '/metrics')).text;
  assert.match(metrics, /rampart_admission_requests_total\{webhook="validate",operation="CREATE",kind="Pod",outcome="deny"\} 20\n/);
  assert.match(metrics, /rampart_policies_loaded 2\n/);
  const workersServed = new Set([...out.matchAll(/"worker":(\d+)/g)].map((m) => m[1]));
  assert.equal(workersServed.size, 2);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((res) => child.once('exit', res));
  assert.equal(code, 0);
  assert.equal([...out.matchAll(/"msg":"drained; stopped"/g)].length, 2);
});

test('a broken pack stops a multi-worker start once, with exit code 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-cluster-'));
  try {
    await writeFile(join(dir, 'rampart.yaml'), 'apiVersion: rampart.dev/v1alpha1\nkind: PolicyPack\nbogus: 1\n');
    const r = await new Promise<{ code: number | null; stderr: string }>((res) =>
      execFile(CLI[0], [...CLI.slice(1), '--config', join(dir, 'rampart.yaml'), '--insecure-http', '--port', '0', '--workers', '2'], { cwd: ROOT }, (e, _o, stderr) =>
        res({ code: e ? ((e as { code?: number }).code ?? null) : 0, stderr }),
      ),
    );
    assert.equal(r.code, 2);
    assert.equal([...r.stderr.matchAll(/error config_unknown_field: unknown field "bogus"/g)].length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
