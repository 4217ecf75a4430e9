import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabelSelector } from './selector-syntax.js';
import { matchesLabelSelector } from '../k8s/selector.js';

test('kubectl selector syntax becomes matchExpressions', () => {
  const r = parseLabelSelector('env=prod, tier!=db,team in (a, b),!legacy,rampart.dev/owner,x notin (y)');
  assert.ok('selector' in r);
  assert.deepEqual(r.selector.matchExpressions, [
    { key: 'env', operator: 'In', values: ['prod'] },
    { key: 'tier', operator: 'NotIn', values: ['db'] },
    { key: 'team', operator: 'In', values: ['a', 'b'] },
    { key: 'legacy', operator: 'DoesNotExist' },
    { key: 'rampart.dev/owner', operator: 'Exists' },
    { key: 'x', operator: 'NotIn', values: ['y'] },
  ]);
  assert.equal(matchesLabelSelector(r.selector, { env: 'prod', team: 'b', 'rampart.dev/owner': 'me' }), true);
  assert.equal(matchesLabelSelector(r.selector, { env: 'prod', team: 'b', legacy: '1', 'rampart.dev/owner': 'me' }), false);
});

test('bad requirements are reported, not thrown', () => {
  assert.deepEqual(parseLabelSelector('a=b,,c'), { error: 'empty requirement in "a=b,,c"' });
  assert.deepEqual(parseLabelSelector('bad key=1'), { error: 'invalid requirement "bad key=1" (expected key, !key, key=value, key!=value, key in (a,b), key notin (a,b))' });
});
