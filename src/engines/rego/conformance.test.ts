import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCaseFile, runCase } from './conformance.js';

test('OPA YAML cases: bindings as sets, big integers, error codes and messages', () => {
  const file = join(import.meta.dirname, 'testdata', 'cases.yaml');
  const cases = parseCaseFile(readFileSync(file, 'utf8'));
  const out = cases.map((c, i) => runCase(c, file, i));
  assert.deepEqual(
    out.map((o) => [o.note, o.status]),
    [
      ['sets as bindings', 'pass'],
      ['conflict', 'pass'],
      ['strict error', 'pass'],
      ['wrong expectation (must fail)', 'fail'],
    ],
  );
  assert.match(out[3]?.message ?? '', /want x=n2/);
});
