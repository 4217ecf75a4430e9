import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CelEnvironment, CelEvaluationFailure, compileCel, LazyMap } from './index.js';
import { run, testEnv, value } from './test-helpers.js';

const env = testEnv();
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 3,
    containers: [
      { name: 'a', image: 'nginx:1.25', securityContext: { privileged: false } },
      { name: 'b', image: 'nginx:latest' },
    ],
  },
};

describe('compileCel', () => {
  it('compiles once per expression text (cache)', () => {
    const a = env.compile('object.spec.replicas > 1');
    const b = env.compile('object.spec.replicas > 1');
    assert.ok(a.ok && b.ok);
    assert.equal(a.ok && a.program, b.ok && b.program);
    assert.equal(a.ok && a.program.outputType, 'bool');
  });

  it('accepts plain options (throwaway environment)', () => {
    const c = compileCel('x + 1', { variables: { x: 'int' } });
    assert.ok(c.ok);
    assert.deepEqual(c.ok && c.program.evaluate({ x: 41 }), { ok: true, value: 42 });
  });

  it('reports a parse error with its line and column', () => {
    const c = env.compile('object.spec.containers.all(c,\n  c.name ==)');
    assert.equal(c.ok, false);
    assert.deepEqual(!c.ok && { code: c.error.code, line: c.error.line, column: c.error.column }, {
      code: 'cel_parse_error',
      line: 2,
      column: 12,
    });
  });

  it('reports a type error (1 + "a") at compile time with a position', () => {
    const c = env.compile('true &&\n  1 + "a" == 2');
    assert.equal(c.ok, false);
    assert.deepEqual(!c.ok && c.error, { code: 'cel_type_error', message: 'no such overload: int + string', line: 2, column: 3 });
  });

  it('reports an unknown function', () => {
    const c = env.compile('object.metadata.name.startsWith("a") && frobnicate(1)');
    assert.deepEqual(!c.ok && c.error, {
      code: 'cel_unknown_function',
      message: "undeclared reference to function 'frobnicate'",
      line: 1,
      column: 41,
    });
  });

  it('reports an unknown method on a dyn value', () => {
    const c = env.compile('object.metadata.name.frobnicate()');
    assert.equal(!c.ok && c.error.code, 'cel_unknown_function');
  });

  it('reports a wrong argument type for a known function as a type error', () => {
    const c = env.compile("'abc'.charAt('x')");
    assert.equal(!c.ok && c.error.code, 'cel_type_error');
  });

  it('reports an undeclared variable', () => {
    const c = env.compile('nope.x == 1');
    assert.equal(!c.ok && c.error.code, 'cel_type_error');
    assert.match(!c.ok ? c.error.message : '', /Unknown variable: nope/);
  });
});

describe('evaluate', () => {
  it('evaluates a typical Kubernetes check', () => {
    const expr = 'object.spec.containers.all(c, has(c.securityContext) && c.securityContext.privileged != true)';
    assert.equal(value(env, expr, { object: pod }), false);
    assert.equal(value(env, "object.spec.containers.all(c, !c.image.endsWith(':latest'))", { object: pod }), false);
    assert.equal(value(env, "object.spec.containers.exists(c, c.name == 'a')", { object: pod }), true);
  });

  it('treats JSON integers as CEL int and fractions as double', () => {
    assert.equal(value(env, 'object.spec.replicas + 1', { object: pod }), 4);
    assert.equal(value(env, 'type(object.spec.replicas) == int', { object: pod }), true);
    assert.equal(value(env, 'type(object.f) == double', { object: { f: 1.5 } }), true);
    assert.equal(value(env, 'object.f < 2', { object: { f: 1.5 } }), true);
  });

  it('returns plain JS values', () => {
    assert.deepEqual(value(env, 'object.spec.containers.map(c, c.name)', { object: pod }), ['a', 'b']);
    assert.deepEqual(value(env, "{'a': [1, 2]}"), { a: [1, 2] });
    assert.equal(value(env, '9223372036854775807'), 9223372036854775807n);
    assert.equal(value(env, 'null'), null);
  });

  it('a missing field is an evaluation error with the position', () => {
    const r = run(env, 'object.spec.nope == 1', { object: pod });
    assert.deepEqual(r, { ok: false, error: { code: 'cel_eval_error', message: 'No such key: nope', line: 1, column: 13 } });
  });

  it('an unbound declared variable is an evaluation error, not a crash', () => {
    const r = run(env, 'params.max > 1', {});
    assert.equal(!r.ok && r.error.code, 'cel_eval_error');
  });

  it('reuses conversions of the same activation object and never mutates it', () => {
    const obj = { spec: { n: 1 } };
    assert.equal(value(env, 'object.spec.n', { object: obj }), 1);
    assert.equal(value(env, 'object.spec.n + 1', { object: obj }), 2);
    assert.equal(obj.spec.n, 1);
  });
});

describe('LazyMap', () => {
  it('computes each entry once, on first use', () => {
    const calls: string[] = [];
    const variables = new LazyMap(['a', 'b'], (name) => {
      calls.push(name);
      return name === 'a' ? 41 : 'x';
    });
    const act = { variables };
    assert.equal(value(env, 'variables.a + 1', act), 42);
    assert.equal(value(env, 'variables.a + 2', act), 43);
    assert.deepEqual(calls, ['a']);
  });

  it('a failing entry fails only the expressions that read it, with its own error', () => {
    const variables = new LazyMap(['ok', 'bad'], (name) => {
      if (name === 'bad') throw new CelEvaluationFailure({ code: 'cel_cost_limit_exceeded', message: 'too costly' });
      return true;
    });
    assert.equal(value(env, 'variables.ok', { variables }), true);
    assert.deepEqual(run(env, 'variables.bad', { variables }), { ok: false, error: { code: 'cel_cost_limit_exceeded', message: 'too costly' } });
    assert.equal(value(env, 'variables.ok || variables.bad', { variables }), true);
  });

  it('can hold values computed by other programs (VAP variables)', () => {
    const names = { n: 'object.spec.containers.size()', twice: 'variables.n * 2' };
    const programs = Object.fromEntries(Object.entries(names).map(([k, e]) => [k, env.compile(e)]));
    const act: Record<string, unknown> = { object: pod };
    act.variables = new LazyMap(Object.keys(names), (name) => {
      const c = programs[name];
      if (!c.ok) throw new CelEvaluationFailure(c.error);
      const r = c.program.evaluate(act);
      if (!r.ok) throw new CelEvaluationFailure(r.error);
      return r.value;
    });
    assert.equal(value(env, 'variables.twice', act), 4);
  });
});

describe('cost limits and deadline', () => {
  const nested = (depth: number): string => {
    const list = '[' + Array.from({ length: 20 }, (_, i) => i).join(',') + ']';
    let body = 'true';
    for (let d = depth; d > 0; d--) body = `${list}.all(x${d}, ${body})`;
    return body;
  };

  it('stops a runaway comprehension with cel_cost_limit_exceeded', () => {
    const started = Date.now();
    const r = run(env, nested(5), {});
    assert.equal(!r.ok && r.error.code, 'cel_cost_limit_exceeded');
    assert.ok(Date.now() - started < 2000, 'stopped promptly');
  });

  it('lets the same expression through with a larger limit, and small ones under the default', () => {
    assert.equal(run(env, nested(2), {}).ok, true);
    const r = run(env, nested(3), {}, { costLimit: 100 });
    assert.equal(!r.ok && r.error.code, 'cel_cost_limit_exceeded');
  });

  it('stops two-variable comprehensions too', () => {
    const r = run(env, 'object.l.all(i, a, object.l.all(j, b, object.l.all(k, c, true)))', { object: { l: Array(200).fill(0) } });
    assert.equal(!r.ok && r.error.code, 'cel_cost_limit_exceeded');
  });

  it('charges string functions by size (quadratic string work)', () => {
    const big = 'a'.repeat(20000);
    const r = run(env, "object.l.all(x, object.s.replace('a', 'bb').size() > 0)", { object: { s: big, l: Array(100).fill(0) } });
    assert.equal(!r.ok && r.error.code, 'cel_cost_limit_exceeded');
  });

  it('charges string concatenation by size (growing strings in a loop)', () => {
    const big = 'x'.repeat(1_000_000);
    const r = run(env, 'object.l.map(i, object.s + object.s).size() > 0', { object: { s: big, l: Array(100).fill(0) } });
    assert.equal(!r.ok && r.error.code, 'cel_cost_limit_exceeded');
    assert.equal(value(env, "'a' + 'b' + 'c'"), 'abc');
    assert.deepEqual(value(env, '[1] + [2]'), [1, 2]);
  });

  it('charges join and split by result size', () => {
    const r = run(env, "object.l.all(i, object.l.join(',').size() > 0)", { object: { l: Array(3000).fill('abc') } });
    assert.equal(!r.ok && r.error.code, 'cel_cost_limit_exceeded');
  });

  it('stops at the deadline with cel_timeout (injected clock)', () => {
    let t = 0;
    const now = (): number => (t += 1000);
    const r = run(env, nested(3), {}, { costLimit: 1e12, deadline: 5000, now });
    assert.equal(!r.ok && r.error.code, 'cel_timeout');
  });

  it('a shared budget spans evaluations and stops the one that runs out', () => {
    const budget = { remaining: 10_000 };
    assert.equal(run(env, nested(2), {}, { budget }).ok, true);
    const used = 10_000 - budget.remaining;
    assert.ok(used > 400 && used < 10_000, `used ${used}`);
    let last = run(env, nested(2), {}, { budget });
    while (last.ok) last = run(env, nested(2), {}, { budget });
    assert.deepEqual(last, {
      ok: false,
      error: {
        code: 'cel_cost_limit_exceeded',
        message: 'validation failed due to running out of cost budget, no further validation rules will be run',
      },
    });
    assert.ok(budget.remaining <= 0);
  });

  it('restores the outer budget after a nested evaluation', () => {
    const inner = env.compile('[1, 2, 3].all(x, x > 0)');
    assert.ok(inner.ok);
    const variables = new LazyMap(['v'], () => {
      const r = inner.ok && inner.program.evaluate({}, { costLimit: 1e9 });
      return r && r.ok ? r.value : null;
    });
    const r = run(env, `variables.v && ${nested(3)}`, { variables }, { costLimit: 100 });
    assert.equal(!r.ok && r.error.code, 'cel_cost_limit_exceeded');
  });
});

describe('CelEnvironment', () => {
  it('accepts extra libraries with declared signatures', async () => {
    const { celOverloads, celFail } = await import('./index.js');
    const e = new CelEnvironment({
      variables: { object: 'map' },
      libraries: ({ meter }) => [
        {
          name: 'test',
          functions: celOverloads({
            'double_it(int): int': (n: bigint) => {
              meter.charge(1);
              return n * 2n;
            },
            'boom(string): bool': (s: string) => celFail(`boom: ${s}`),
          }),
        },
      ],
    });
    assert.deepEqual(run(e, 'double_it(object.n)', { object: { n: 21 } }), { ok: true, value: 42 });
    assert.equal(e.compile('double_it("x")').ok, false);
    assert.deepEqual(run(e, "boom('x')"), { ok: false, error: { code: 'cel_eval_error', message: 'boom: x' } });
  });

  it('declares variables with CEL types', () => {
    const e = new CelEnvironment({ variables: { n: 'int', s: 'list<string>' } });
    assert.equal(e.compile('n + s.size()').ok, true);
    assert.equal(e.compile('n + "x"').ok, false);
  });

  it('rawResult returns CEL runtime values (ints stay bigint) after converting the activation', () => {
    assert.deepEqual(run(env, 'object.spec', { object: { spec: { n: 1, s: 'x' } } }, { rawResult: true }), {
      ok: true,
      value: { n: 1n, s: 'x' },
    });
  });

  it('results share unchanged structure with the activation (copy-on-write)', () => {
    const labels = { app: 'web' };
    const r = run(env, 'object.metadata', { object: { metadata: { labels, generation: 2 } } });
    assert.ok(r.ok);
    const v = r.ok ? (r.value as { labels: unknown; generation: unknown }) : undefined;
    assert.equal(v?.labels, labels);
    assert.equal(v?.generation, 2);
  });

  it('celValues mode passes CEL runtime values through unchanged', () => {
    const r = run(env, 'object.x', { object: { x: 2.0 } }, { celValues: true });
    assert.deepEqual(r, { ok: true, value: 2 });
    const t = run(env, 'type(object.x) == double', { object: { x: 2.0 } }, { celValues: true });
    assert.deepEqual(t, { ok: true, value: true });
  });
});
