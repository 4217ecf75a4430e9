import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SuiteIO } from '../suite.js';
import { regoSuiteFormat } from './rego.js';

const dir = join(import.meta.dirname, 'testdata', 'rego');
const files = [join(dir, 'policy.rego'), join(dir, 'policy_test.rego')];
const io: SuiteIO = {
  readText: (p) => readFileSync(p, 'utf8'),
  listFiles: () => files,
  exists: () => false,
  now: new Date('2026-01-01T00:00:00Z'),
};

test('a directory with test_ rules is one suite; each test rule is a case', async () => {
  const suites = regoSuiteFormat.collect(files, io);
  assert.equal(suites.length, 1);
  assert.equal(suites[0]?.path, dir);
  const { results, diagnostics } = await (suites[0] as NonNullable<(typeof suites)[0]>).run(io);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    results.map((r) => [r.name, r.status]),
    [
      ['data.example.test_missing_owner_denied', 'pass'],
      ['data.example.test_owner_allowed', 'pass'],
      ['data.example.test_wrong_expectation', 'fail'],
      ['data.example.todo_test_later', 'skip'],
    ],
  );
  assert.equal(results[2]?.message, 'test rule is undefined');
  assert.equal(results[2]?.span?.file, join(dir, 'policy_test.rego'));
});

test('directories without test_ rules are not suites', () => {
  assert.deepEqual(regoSuiteFormat.collect([join(dir, 'policy.rego')], { ...io, readText: () => 'package x\np := 1\n' }), []);
});
