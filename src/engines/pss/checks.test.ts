import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { evaluatePod } from './evaluate.js';
import { parseLevel, parseVersion } from './version.js';

interface CheckCase {
  name: string;
  level: string;
  version: string;
  check: string;
  metadata?: Record<string, unknown>;
  spec: Record<string, unknown>;
  reason?: string;
  detail?: string;
  allowed?: boolean;
  absent?: boolean;
}

const cases = parse(readFileSync(new URL('./testdata/checks.yaml', import.meta.url), 'utf8')) as CheckCase[];

test('every case states an expectation', () => {
  assert.ok(cases.length > 50);
  for (const c of cases) {
    const kinds = [c.absent === true, c.allowed === true, c.reason !== undefined].filter(Boolean).length;
    assert.equal(kinds, 1, `case "${c.name}" must set exactly one of absent, allowed, reason`);
  }
});

for (const c of cases) {
  test(`${c.check} @ ${c.level}:${c.version}: ${c.name}`, () => {
    const level = parseLevel(c.level);
    const version = parseVersion(c.version);
    assert.ok(level.ok && version.ok);
    const results = evaluatePod(level.value, version.value, c.metadata ?? {}, c.spec);
    const r = results.find((x) => x.checkId === c.check);
    if (c.absent) {
      assert.equal(r, undefined, `${c.check} must not run at ${c.level}:${c.version}`);
      return;
    }
    assert.ok(r, `${c.check} must run at ${c.level}:${c.version}`);
    if (c.allowed) {
      assert.deepEqual({ allowed: r.allowed, reason: r.forbiddenReason, detail: r.forbiddenDetail }, { allowed: true, reason: undefined, detail: undefined });
      assert.deepEqual(r.paths, []);
    } else {
      assert.deepEqual({ allowed: r.allowed, reason: r.forbiddenReason, detail: r.forbiddenDetail }, { allowed: false, reason: c.reason, detail: c.detail });
      assert.ok(r.paths.length > 0, 'a failing check names at least one field');
    }
  });
}
