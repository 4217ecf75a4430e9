import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, editDistance } from './suggest.js';

test('editDistance and closest', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('kitten', 'sitting', 2), 2);
  assert.equal(closest('policySet', ['policies', 'policySets', 'exceptions']), 'policySets');
  assert.equal(closest('SEVRITY', ['severity']), 'severity');
  assert.equal(closest('zzz', ['severity']), undefined);
});
