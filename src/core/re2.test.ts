import { test } from 'node:test';
import assert from 'node:assert/strict';
import { re2BodyToJs } from './re2.js';

test('RE2 spellings become their JS equivalents with RE2 semantics', () => {
  const re = (p: string) => new RegExp(re2BodyToJs(p), 'u');
  assert.equal(re('\\Aab\\z').test('ab'), true);
  assert.equal(re('\\Aab\\z').test('ab\n'), false);
  assert.equal(re('^[[:space:]]$').test('\u00a0'), false, 'RE2 [:space:] is ASCII whitespace only');
  assert.equal(re('^[[:space:]]$').test('\v'), true);
  assert.equal(re('^\\pL+$').test('héllo'), true);
  assert.equal(re('(?P<x>a)').exec('a')?.groups?.x, 'a');
});
