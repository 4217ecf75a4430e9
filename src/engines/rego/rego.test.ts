import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRego, type RegoCompiled } from './index.js';

function compile(source: string, version: 'v0' | 'v1' | 'auto' = 'v1'): RegoCompiled {
  const r = compileRego([{ file: 'p.rego', source }], { regoVersion: version });
  if (!r.ok) assert.fail(JSON.stringify(r.diagnostics));
  return r.compiled;
}

function one(c: RegoCompiled, q: string, opts: Parameters<RegoCompiled['query']>[1] = {}): unknown {
  const r = c.query(q, opts);
  if (!r.ok) assert.fail(JSON.stringify(r.error));
  return r.results.map((b) => b.x);
}

test('partial sets, objects, functions, default and else', () => {
  const c = compile(`package t
import rego.v1
s contains x if { some x in input.xs; x > 1 }
o[k] := v if some k, v in input.m
f(x) := x * 2
default d := "none"
e := "a" if false
else := "b"
`);
  assert.deepEqual(one(c, 'x := data.t.s', { input: { xs: [1, 2, 3], m: {} } }), [[2, 3]]);
  assert.deepEqual(one(c, 'x := data.t.o', { input: { xs: [], m: { a: 1 } } }), [{ a: 1 }]);
  assert.deepEqual(one(c, 'x := data.t.f(21)'), [42]);
  assert.deepEqual(one(c, 'x := data.t.d'), ['none']);
  assert.deepEqual(one(c, 'x := data.t.e'), ['b']);
});

test('v0 syntax as Gatekeeper templates use it', () => {
  const c = compile(
    `package k8srequiredlabels
violation[{"msg": msg}] {
  provided := {label | input.review.object.metadata.labels[label]}
  required := {label | label := input.parameters.labels[_]}
  missing := required - provided
  count(missing) > 0
  msg := sprintf("you must provide labels: %v", [missing])
}`,
    'auto',
  );
  const input = { review: { object: { metadata: { labels: { a: '1' } } } }, parameters: { labels: ['a', 'b'] } };
  assert.deepEqual(one(c, 'data.k8srequiredlabels.violation[x]', { input }), [{ msg: 'you must provide labels: {"b"}' }]);
  const ref = c.evalRef(['k8srequiredlabels', 'violation'], { input });
  assert.deepEqual(ref, { ok: true, defined: true, value: [{ msg: 'you must provide labels: {"b"}' }] });
});

test('with mocks input, data and functions', () => {
  const c = compile(`package t
import rego.v1
p if input.x == data.y
q := count([1, 2])
r := y if { y := q with count as 7 }
`);
  assert.deepEqual(one(c, 'x := data.t.p with input.x as 1 with data.y as 1'), [true]);
  assert.deepEqual(one(c, 'x := data.t.r'), [7]);
});

test('every, not, comprehensions and big integers', () => {
  const c = compile(`package t
import rego.v1
all_pos if every x in input.xs { x > 0 }
none if not input.missing
big := 12345678901234567890 + 1
`);
  assert.deepEqual(one(c, 'x := data.t.all_pos', { input: { xs: [1, 2] } }), [true]);
  assert.deepEqual(one(c, 'x := data.t.all_pos', { input: { xs: [1, -2] } }), []);
  assert.deepEqual(one(c, 'x := data.t.none', { input: {} }), [true]);
  assert.deepEqual(one(c, 'x := data.t.big'), [12345678901234567891n]);
});

test('errors carry OPA codes', () => {
  const parse = compileRego([{ file: 'p.rego', source: 'package t\np if {' }], { regoVersion: 'v1' });
  assert.equal(parse.ok ? '' : parse.diagnostics[0]?.code, 'rego_parse_error');
  const unsafe = compileRego([{ file: 'p.rego', source: 'package t\np if { x > 1 }' }], { regoVersion: 'v1' });
  assert.equal(unsafe.ok ? '' : unsafe.diagnostics[0]?.message, 'var x is unsafe');
  assert.equal(unsafe.ok ? '' : unsafe.diagnostics[0]?.code, 'rego_unsafe_var_error');
  const rec = compileRego([{ file: 'p.rego', source: 'package t\np if q\nq if p' }], { regoVersion: 'v1' });
  assert.equal(rec.ok ? '' : rec.diagnostics[0]?.code, 'rego_recursion_error');
  const unknown = compileRego([{ file: 'p.rego', source: 'package t\np if nope(1)' }], { regoVersion: 'v1' });
  assert.equal(unknown.ok ? '' : unknown.diagnostics[0]?.message, 'undefined function nope');
  const c = compile('package t\np := 1 if true\np := 2 if true');
  const r = c.query('x := data.t.p', {});
  assert.equal(r.ok ? '' : r.error.code, 'eval_conflict_error');
});

test('strict builtin errors', () => {
  const c = compile('package t\np := x if x := 1 / input.d');
  assert.deepEqual(one(c, 'x := data.t.p', { input: { d: 0 } }), []);
  const r = c.query('x := data.t.p', { input: { d: 0 }, strictBuiltinErrors: true });
  assert.deepEqual(r.ok ? null : [r.error.code, r.error.message], ['eval_builtin_error', 'div: divide by zero']);
});

test('bounded evaluation: step limit stops runaway iteration', () => {
  const c = compile('package t\np := count([x | some x in numbers.range(1, 100000)])');
  const r = c.query('x := data.t.p', { limits: { maxSteps: 1000 } });
  assert.equal(r.ok ? '' : r.error.code, 'eval_cancel_error');
});

test('opa test semantics: each test_ definition runs on its own', () => {
  const c = compile(
    `package t
allow { input.ok }
test_allow { allow with input as {"ok": true} }
test_allow { allow with input as {"ok": false} }
todo_test_later { false }`,
    'v0',
  );
  const res = c.runTests({});
  assert.deepEqual(
    res.map((r) => [r.name, r.status]),
    [
      ['data.t.test_allow', 'pass'],
      ['data.t.test_allow#01', 'fail'],
      ['data.t.todo_test_later', 'skip'],
    ],
  );
});

test('pathological input is an error result, not an exception', () => {
  const c = compile('package t\np := count(input)');
  let deep: unknown = 1;
  for (let i = 0; i < 2000; i++) deep = [deep];
  const r = c.query('x := data.t.p', { input: deep });
  assert.deepEqual(r.ok ? null : r.error.code, 'input_too_deep');
});

test('pathologically nested policy is a diagnostic, not an exception', () => {
  const src = 'package t\np := ' + '['.repeat(20000) + ']'.repeat(20000);
  const r = compileRego([{ file: 'deep.rego', source: src }], { regoVersion: 'v1' });
  assert.equal(r.ok ? '' : r.diagnostics[0]?.code, 'rego_parse_error');
});

test('ref heads: a rule may not inject keys into another rule object value', () => {
  const c = compile('package t\np[q].r := v if { q := "q"; v := {"s": {"t": 1}} }\np.q.r.s.u := 42');
  const r = c.query('x := data.t.p', {});
  assert.equal(r.ok ? '' : r.error.code, 'eval_conflict_error');
  const ok = compile('package t\np[q].r := v if { q := "q"; v := {"s": 1} }\np.q.z := 42');
  assert.deepEqual(one(ok, 'x := data.t.p'), [{ q: { r: { s: 1 }, z: 42 } }]);
});
