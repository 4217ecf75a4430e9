import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTestCommand } from './test-run.js';

const data = join(dirname(fileURLToPath(import.meta.url)), '../../testkit/testdata');

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    return { code: await fn(), out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

test('rampart test: all passing exits 0 and ends with the summary line', async () => {
  const r = await capture(() => runTestCommand([join(data, 'rampart/good.test.yaml')], { format: 'text', verbose: false }));
  assert.equal(r.code, 0);
  assert.equal(r.out.trim().split('\n').pop(), '3 passed, 0 failed');
});

test('rampart test: failures print expected vs actual and exit 1', async () => {
  const r = await capture(() => runTestCommand([join(data, 'rampart/bad.test.yaml')], { format: 'text', verbose: false }));
  assert.equal(r.code, 1);
  assert.match(r.out, /FAIL \[rampart\] demo\.no-latest\.v1 bad .*\n {5}expected pass, got warn: latest tag in bad/);
  assert.equal(r.out.trim().split('\n').pop(), '0 passed, 4 failed');
});

test('rampart test: a missing path or no suites exits 2', async () => {
  const r = await capture(() => runTestCommand([join(data, 'nope')], { format: 'text', verbose: false }));
  assert.equal(r.code, 2);
  assert.match(r.err, /file_read_error/);
});

test('rampart test --format json: summary, results, diagnostics', async () => {
  const r = await capture(() => runTestCommand([join(data, 'kyverno')], { format: 'json', verbose: false }));
  const j = JSON.parse(r.out) as { summary: { passed: number; failed: number; skipped: number; suites: number }; results: { format: string }[]; diagnostics: unknown[] };
  assert.deepEqual(j.summary, { passed: 2, failed: 1, skipped: 0, suites: 1 });
  assert.equal(j.results[0].format, 'kyverno');
  assert.equal(r.code, 1);
});
