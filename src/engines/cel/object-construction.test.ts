import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CelEnvironment } from './index.js';
import { rewriteObjectConstruction } from './object-construction.js';

const env = new CelEnvironment({ variables: { object: 'map', oldObject: 'map', params: 'dyn' }, mutation: true });

function value(expr: string, act: Record<string, unknown> = {}): unknown {
  const c = env.compile(expr);
  if (!c.ok) throw new Error(`${c.error.code}: ${c.error.message}`);
  const r = c.program.evaluate(act);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('MutatingAdmissionPolicy object construction', () => {
  it('rewrites type names to spaces and quotes fields', () => {
    const r = rewriteObjectConstruction('Object{spec: Object.spec{replicas: 1}}');
    assert.equal(r.text, "      {'spec':dyn(            {'replicas':dyn( 1)})}");
    assert.equal(r.toOriginal(r.text.indexOf('1)')), 'Object{spec: Object.spec{replicas: '.length);
  });

  it('builds apply configurations as plain objects', () => {
    const expr = `Object{
      metadata: Object.metadata{labels: {"team": "a"}},
      spec: Object.spec{replicas: object.spec.replicas + 1, paused: false}
    }`;
    assert.deepEqual(value(expr, { object: { spec: { replicas: 2 } } }), {
      metadata: { labels: { team: 'a' } },
      spec: { replicas: 3, paused: false },
    });
  });

  it('builds JSONPatch lists with escaped keys', () => {
    const expr = '[JSONPatch{op: "add", path: "/metadata/labels/" + jsonpatch.escapeKey("example.com/x"), value: "y"}]';
    assert.deepEqual(value(expr), [{ op: 'add', path: '/metadata/labels/example.com~1x', value: 'y' }]);
  });

  it('leaves strings, commas in calls and nested map literals alone', () => {
    const expr = "Object{spec: Object.spec{a: 'Object{x: 1}', b: [1, 2].map(x, x * 2), c: {'k': 1, 'l': 2}}}";
    assert.deepEqual(value(expr), { spec: { a: 'Object{x: 1}', b: [2, 4], c: { k: 1, l: 2 } } });
  });

  it('reports errors at positions of the original text', () => {
    const c = env.compile('Object{spec: Object.spec{replicas: nope + 1}}');
    assert.deepEqual(!c.ok && { code: c.error.code, line: c.error.line, column: c.error.column }, {
      code: 'cel_type_error',
      line: 1,
      column: 36,
    });
  });

  it('is off in validating environments', () => {
    const plain = new CelEnvironment({ variables: { object: 'map' } });
    const c = plain.compile('Object{spec: 1}');
    assert.equal(!c.ok && c.error.code, 'cel_parse_error');
    assert.equal(plain.compile('jsonpatch.escapeKey("a")').ok, false);
  });
});
