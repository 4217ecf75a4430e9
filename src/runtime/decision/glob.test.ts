import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGoGlob } from './glob.js';

const m = (p: string, s: string) => compileGoGlob(p)?.test(s) ?? false;

test('Go filepath.Match semantics', () => {
  assert.equal(m('/etc/*', '/etc/passwd'), true);
  assert.equal(m('/etc/*', '/etc/ssh/sshd_config'), false);
  assert.equal(m('/etc/**', '/etc/ssh/sshd_config'), false, '** does not cross / in Go');
  assert.equal(m('/bin/*sh', '/bin/bash'), true);
  assert.equal(m('/tmp/?.sh', '/tmp/a.sh'), true);
  assert.equal(m('/tmp/[a-c]x', '/tmp/bx'), true);
  assert.equal(m('/tmp/[^a-c]x', '/tmp/bx'), false);
  assert.equal(m('/tmp/[^a-c]x', '/tmp/dx'), true);
  assert.equal(m('/a\\*b', '/a*b'), true);
  assert.equal(m('/a\\*b', '/axb'), false);
  assert.equal(compileGoGlob('/tmp/[a'), undefined, 'unclosed class is a bad pattern');
  assert.equal(compileGoGlob('/tmp/\\'), undefined);
});
