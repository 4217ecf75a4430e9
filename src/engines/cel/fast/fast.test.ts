/**
 * Differential test of the closure-compiled fast path against the interpreter: every CEL expression of the
 * guardrail library and of the Kyverno policy suites, over generated pods/deployments (fields present or not,
 * nulls, wrong types), and the cel-spec conformance expressions the fast path accepts. Results must be equal;
 * a fast-path evaluation that gives up (undefined) is always allowed: the interpreter then decides.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { CelEnvironment } from '../environment.js';
import type { CelEvalOptions, CelProgram, CelResult, CelType } from '../types.js';
import { FastProgram, fastPathEnabled } from './program.js';

const REPO = join(import.meta.dirname, '../../../..');
const GUARDRAILS = join(REPO, 'policies/guardrails');
const KYVERNO = join(REPO, '../shared/conformance/kyverno-policies');

interface Interp {
  fast: FastProgram | undefined;
  env: CelEnvironment;
}
const fastOf = (p: CelProgram): FastProgram | undefined => (p as unknown as Interp).fast;
/** The interpreter's answer for the same program (the path taken when the fast path is off or gives up). */
const interpret = (p: CelProgram, act: Record<string, unknown>, opts?: CelEvalOptions): CelResult =>
  (p as unknown as Interp).env.run(p as never, act, opts);

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface PolicyExprs {
  file: string;
  variables: Array<{ name: string; expression: string }>;
  expressions: string[];
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(f)) out.push(p);
  }
  return out;
}

/** CEL expressions of one policy document: variables (in order), validations, match conditions, messages. */
function extract(doc: unknown, file: string): PolicyExprs | undefined {
  const spec = (doc as { spec?: Record<string, unknown> } | null)?.spec;
  if (!spec || typeof spec !== 'object') return undefined;
  const out: PolicyExprs = { file, variables: [], expressions: [] };
  for (const v of (spec.variables as Array<{ name?: unknown; expression?: unknown }> | undefined) ?? []) {
    if (typeof v?.name === 'string' && typeof v.expression === 'string') out.variables.push({ name: v.name, expression: v.expression });
  }
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if ((k === 'expression' || k === 'messageExpression') && typeof v === 'string') out.expressions.push(v);
        else walk(v);
      }
    }
  };
  for (const key of ['validations', 'matchConditions', 'auditAnnotations', 'validation', 'rules']) walk(spec[key]);
  out.expressions.push(...out.variables.map((v) => v.expression));
  return out.expressions.length ? out : undefined;
}

function loadPolicies(dir: string): PolicyExprs[] {
  const out: PolicyExprs[] = [];
  for (const f of yamlFiles(dir)) {
    if (f.includes('/tests/') || f.endsWith('kyverno-test.yaml')) continue;
    for (const d of parseAllDocuments(readFileSync(f, 'utf8'))) {
      const p = extract(d.toJS(), f);
      if (p) out.push(p);
    }
  }
  return out;
}

/** Field names the expressions read: the generator draws keys from them so paths are often present. */
function fieldNames(exprs: string[]): string[] {
  const names = new Set<string>();
  for (const e of exprs) for (const m of e.matchAll(/\.\??([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]);
  for (const e of exprs) for (const m of e.matchAll(/'([A-Za-z0-9_./-]{1,40})'/g)) names.add(m[1]);
  return [...names];
}

const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4);

function basePod(r: () => number, i: number): Record<string, unknown> {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const container = (n: string): Record<string, unknown> => ({
    name: n,
    image: pick(['nginx', 'nginx:latest', `registry.example.com/team/app@${DIGEST}`, 'ghcr.io/acme/proxy:1.2', 'localhost:5000/x', 'docker.io/library/busybox:1']),
    ports: [{ containerPort: pick([80, 8080, 443, 22]), protocol: 'TCP' }],
    resources: r() < 0.7 ? { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: pick(['128Mi', '1Gi']), cpu: '1' } } : {},
    securityContext: {
      allowPrivilegeEscalation: r() < 0.8 ? false : true,
      readOnlyRootFilesystem: r() < 0.7,
      privileged: r() < 0.1,
      runAsNonRoot: r() < 0.7,
      runAsUser: pick([0, 1000, 65534]),
      capabilities: r() < 0.7 ? { drop: ['ALL'], add: r() < 0.2 ? ['NET_BIND_SERVICE', 'SYS_ADMIN'] : [] } : { add: ['NET_RAW'] },
      seccompProfile: { type: pick(['RuntimeDefault', 'Localhost', 'Unconfined']) },
    },
    volumeMounts: [{ name: 'data', mountPath: '/data' }],
    env: [{ name: 'A', value: 'b' }],
  });
  const spec: Record<string, unknown> = {
    automountServiceAccountToken: pick([true, false]),
    hostNetwork: r() < 0.1,
    hostPID: r() < 0.05,
    securityContext: { runAsNonRoot: r() < 0.8, seccompProfile: { type: 'RuntimeDefault' }, sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }] },
    containers: [container('app'), ...(r() < 0.4 ? [container('sidecar')] : [])],
    initContainers: r() < 0.3 ? [container('init')] : [],
    volumes: [r() < 0.2 ? { name: 'data', hostPath: { path: '/var/run/docker.sock' } } : { name: 'data', emptyDir: {} }],
    serviceAccountName: pick(['default', 'app']),
    tolerations: [{ key: 'k', operator: 'Exists' }],
  };
  const metadata = {
    name: `pod-${i}`,
    namespace: pick(['default', 'team-a', 'kube-system']),
    labels: { app: 'web', owner: pick(['', 'team']), 'app.kubernetes.io/name': 'web' },
    annotations: { 'container.apparmor.security.beta.kubernetes.io/app': pick(['runtime/default', 'unconfined']) },
  };
  const kind = pick(['Pod', 'Pod', 'Deployment', 'CronJob', 'StatefulSet']);
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata, spec };
  if (kind === 'CronJob') {
    return { apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { metadata, spec } } } } };
  }
  return { apiVersion: 'apps/v1', kind, metadata, spec: { replicas: pick([1, 3, 0.5]), selector: {}, template: { metadata, spec } } };
}

/** Random damage: deletes fields, sets nulls, wrong types, adds fields named like what expressions read. */
function mutate(obj: unknown, r: () => number, names: string[], depth = 0): unknown {
  if (Array.isArray(obj)) return obj.map((x) => mutate(x, r, names, depth + 1));
  if (!obj || typeof obj !== 'object') return obj;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const x = r();
    if (x < 0.04) continue;
    if (x < 0.06) out[k] = null;
    else if (x < 0.08) out[k] = [7, 'x', true, 1.5, {}, []][Math.floor(r() * 6)];
    else out[k] = mutate(v, r, names, depth + 1);
  }
  if (depth < 4 && r() < 0.15) {
    const k = names[Math.floor(r() * names.length)];
    out[k] = [true, false, 'x', 'ALL', 0, 3, -1, 2.5, null, ['a'], { a: 'b' }][Math.floor(r() * 11)];
  }
  return out;
}

const VARS: Record<string, CelType> = {
  object: 'dyn',
  oldObject: 'dyn',
  request: 'dyn',
  params: 'dyn',
  namespaceObject: 'dyn',
  variables: 'map<string, dyn>',
};

interface Stats {
  expressions: number;
  compiled: number;
  fastAccepted: number;
  evaluations: number;
  fastAnswered: number;
}

/** Evaluates every expression of the policies through both paths; returns counts, fails on any difference. */
function differential(policies: PolicyExprs[], objects: Array<Record<string, unknown>>, stats: Stats): void {
  const env = new CelEnvironment({ variables: VARS });
  const params = { data: { registries: 'registry.example.com\nghcr.io/acme,', maxReplicas: 3 } };
  for (const pol of policies) {
    const compiled = pol.expressions.map((e) => ({ e, c: env.compile(e) }));
    const vars = pol.variables.map((v) => ({ name: v.name, c: env.compile(v.expression) }));
    stats.expressions += compiled.length;
    for (const { c } of compiled) {
      if (!c.ok) continue;
      stats.compiled++;
      if (fastOf(c.program)) stats.fastAccepted++;
    }
    for (const object of objects) {
      const base = { object, oldObject: null, request: { operation: 'CREATE', userInfo: { username: 'u', groups: ['g'] } }, params, namespaceObject: { metadata: { name: 'default', labels: {} } } };
      // VAP-style variables, computed in order by the interpreter (plain values).
      // A new record per step: the interpreter caches converted activation objects by identity.
      let variables: Record<string, unknown> = {};
      for (const v of vars) {
        if (!v.c.ok) continue;
        const r = interpret(v.c.program, { ...base, variables });
        if (r.ok) variables = { ...variables, [v.name]: r.value };
      }
      const act = { ...base, variables };
      for (const { e, c } of compiled) {
        if (!c.ok) continue;
        const fast = fastOf(c.program);
        if (!fast) continue;
        stats.evaluations++;
        const want = interpret(c.program, act);
        const got = fast.evaluate(act, undefined);
        if (got === undefined) continue;
        stats.fastAnswered++;
        assert.deepEqual(got, want, `${pol.file}: ${e}\nobject: ${JSON.stringify(object)}`);
        // Raw results (VAP variables) must be the interpreter's CEL values too.
        const rawWant = interpret(c.program, act, { rawResult: true });
        const rawGot = fast.evaluate(act, { rawResult: true });
        if (rawGot !== undefined) assert.deepEqual(rawGot, rawWant, `raw result of ${e}`);
      }
    }
  }
}

function objects(n: number, seed: number, names: string[]): Array<Record<string, unknown>> {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const p = basePod(r, i);
    return (i % 5 === 0 ? p : mutate(p, r, names)) as Record<string, unknown>;
  });
}

describe('CEL fast path', () => {
  it('is on unless RAMPART_CEL_FAST=0', () => {
    assert.equal(fastPathEnabled({}), true);
    assert.equal(fastPathEnabled({ RAMPART_CEL_FAST: '0' }), false);
    assert.equal(fastPathEnabled({ RAMPART_CEL_FAST: '1' }), true);
  });

  it('compiles the subset and leaves the rest to the interpreter', (t) => {
    if (!fastPathEnabled()) return t.skip('RAMPART_CEL_FAST=0: the fast path is off');
    const env = new CelEnvironment({ variables: { object: 'dyn' } });
    const accepted = (e: string): boolean => {
      const c = env.compile(e);
      assert.ok(c.ok, e);
      return fastOf(c.program) !== undefined;
    };
    assert.equal(accepted("object.spec.containers.all(c, c.?securityContext.?privileged.orValue(false) != true)"), true);
    assert.equal(accepted("has(object.metadata.labels) && 'app' in object.metadata.labels"), true);
    assert.equal(accepted("object.spec.containers.map(c, c.image.split('/')[0]).join(',').matches('^[a-z]')"), true);
    assert.equal(accepted('object.spec.replicas * 2.5 > 3.0'), false);
    assert.equal(accepted("quantity('1Gi').isGreaterThan(quantity('1Mi'))"), false);
    assert.equal(accepted('object.spec.all(k, v, v != null)'), true);
    assert.equal(accepted('object.spec.transformMapEntry(k, v, {k: v})'), false);
  });

  it('keeps CEL int semantics and gives up on errors', (t) => {
    if (!fastPathEnabled()) return t.skip('RAMPART_CEL_FAST=0: the fast path is off');
    const env = new CelEnvironment({ variables: { object: 'dyn' } });
    const run = (e: string, object: unknown): CelResult | undefined => {
      const c = env.compile(e);
      assert.ok(c.ok, e);
      return fastOf(c.program)?.evaluate({ object }, undefined);
    };
    assert.deepEqual(run('object.a / 2', { a: 7 }), { ok: true, value: 3 });
    assert.deepEqual(run('object.a % 3', { a: -7 }), { ok: true, value: -1 });
    assert.equal(run('object.a / 2', { a: 7.5 }), undefined, 'double arithmetic is the interpreter\'s');
    assert.equal(run('object.a + 1', { a: 9223372036854775807n }), undefined, 'overflow is the interpreter\'s error');
    assert.equal(run('object.missing', {}), undefined);
    assert.deepEqual(run("size('h\u00e9\u{1F600}')", {}), { ok: true, value: 3 });
    // Through the public API the interpreter answers when the fast path gives up: the exact error.
    const c = env.compile('object.missing == 1');
    assert.ok(c.ok);
    const r = c.program.evaluate({ object: {} });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'cel_eval_error');
  });

  it('holds the cost limit and the deadline', (t) => {
    if (!fastPathEnabled()) return t.skip('RAMPART_CEL_FAST=0: the fast path is off');
    const env = new CelEnvironment({ variables: { object: 'dyn' } });
    const c = env.compile('object.l.all(x, object.l.all(y, x + y >= 0))');
    assert.ok(c.ok);
    assert.ok(fastOf(c.program));
    const l = Array.from({ length: 2000 }, (_, i) => i);
    const r = c.program.evaluate({ object: { l } }, { costLimit: 10_000 });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'cel_cost_limit_exceeded');
    let clock = 0;
    const late = fastOf(c.program)!.evaluate({ object: { l } }, { deadline: 5, now: () => clock++ });
    assert.deepEqual(late, { ok: false, error: { code: 'cel_timeout', message: 'operation cancelled: evaluation deadline exceeded' } });
    const budget = { remaining: 1_000_000 };
    const ok = c.program.evaluate({ object: { l: [1, 2, 3] } }, { budget });
    assert.deepEqual(ok, { ok: true, value: true });
    assert.ok(budget.remaining < 1_000_000, 'a fast evaluation is charged to the shared budget');
  });

  it('equals the interpreter on edge cases (nulls, wrong types, unicode, int limits)', (t) => {
    if (!fastPathEnabled()) return t.skip('RAMPART_CEL_FAST=0: the fast path is off');
    const exprs = [
      'object.a == null', "object.a in ['x', 'y']", "object.s in object.m", 'size(object.a)', 'object.l.size()', "object.a.startsWith('x')",
      "object.s.endsWith('c')", "object.s.contains('/')", 'object.s.lowerAscii()', 'object.s.upperAscii()', 'object.s.trim()',
      "object.s.split('/')", "object.l.join('-')", 'object.l.join()', "object.s.replace('a', 'b')", 'object.s.substring(1)',
      'object.s.substring(1, 2)', "object.s.indexOf('l')", "object.s.lastIndexOf('/')", 'object.i / 2', 'object.i % 3', '-object.i',
      'object.i * object.i', 'object.i - 1', 'object.i + 1 > 2 ? "big" : "small"', 'object.a < object.c', 'object.s >= "b"',
      'string(object.i)', 'string(object.b)', 'int(object.s)', 'int(object.i)', "object.l.exists_one(x, x == 'a')",
      "object.l.map(x, x + 'z')", "object.l.filter(x, x != 'a')", "object.l.map(x, x != 'a', x)", 'object.m.all(k, object.m[k] != null)',
      'object.m.exists(k, k == "a")', 'object.m.map(k, k)', 'has(object.m.a)', 'object.?m.?a.hasValue()', 'object.?l[?0]', 'object.?m.?a',
      'object.?m.?a.orValue(0) + 1', 'object.l[?1].orValue("none")', '[object.i, object.i]', "{'k': object.s}", 'object.s + object.s',
      'object.l + object.l', '!object.b || object.b', 'object.b && object.a == 1', "object.l.all(x, x.matches('^[a-z]+$'))",
      "object.s.matches('(?i)^A')", 'object.l[0]', 'object.m["a"]', 'object.m == {"a": 1}', 'object.l == object.l', 'object.i == object.f',
      'object.f > object.i', 'object.l.all(i, v, i >= 0 && v != null)', 'object.m.exists(k, v, v == 1)', 'object.l.existsOne(i, v, i == 0)',
      'object.l.transformList(i, v, v)', 'object.l.transformList(i, v, i > 0, i)', "object.m.transformMap(k, v, k + 'x')",
      "object.m.transformMap(k, v, k != 'a', v)", 'object.l.transformMap(i, v, v)', 'object.l.all(x, object.l.exists(y, x == y))', 'size(object.s) == object.s.size()',
    ];
    const pools: Record<string, unknown[]> = {
      s: ['', 'Abc', ' x\u00a0', 'h\u00e9llo\u{1F600}', 'a/b/c', 'ABC\uFEFF', '123', '-9223372036854775809', 'l/l', null, 7],
      i: [0, -7, 3, 9007199254740991, -9007199254740991, 4611686018427387904, 2.5, 'x', null],
      l: [[], ['a', 'b'], ['a', 1, null], [1, 2], [['x']], 'str', null, [{ a: 1 }]],
      m: [{}, { a: 1 }, { a: null }, { b: 'x' }, [], 'm', null],
      b: [true, false, 'x', null],
      a: ['x', 1, null, [], {}, 'xy', 2.5, true],
      c: ['y', 2, null, 'a'],
      f: [1.5, 2, -0.5],
    };
    const r = rng(3);
    const env = new CelEnvironment({ variables: { object: 'dyn' } });
    let answered = 0;
    let evaluations = 0;
    for (let n = 0; n < 300; n++) {
      const object: Record<string, unknown> = {};
      for (const [k, vs] of Object.entries(pools)) if (r() < 0.9) object[k] = vs[Math.floor(r() * vs.length)];
      for (const e of exprs) {
        const c = env.compile(e);
        assert.ok(c.ok, `${e}: ${!c.ok && c.error.message}`);
        const fast = fastOf(c.program);
        assert.ok(fast, `${e} is in the subset`);
        evaluations++;
        const got = fast.evaluate({ object }, undefined);
        if (got === undefined) continue;
        answered++;
        assert.deepEqual(got, interpret(c.program, { object }), `${e} on ${JSON.stringify(object)}`);
      }
    }
    t.diagnostic(`edge cases: ${evaluations} evaluations, ${answered} answered by the fast path`);
    assert.ok(answered > evaluations / 3);
  });

  it('equals the interpreter on the guardrail library', (t) => {
    if (!fastPathEnabled()) return t.skip('RAMPART_CEL_FAST=0: the fast path is off');
    const policies = loadPolicies(GUARDRAILS);
    assert.ok(policies.length >= 15);
    const names = fieldNames(policies.flatMap((p) => p.expressions));
    const stats: Stats = { expressions: 0, compiled: 0, fastAccepted: 0, evaluations: 0, fastAnswered: 0 };
    differential(policies, objects(300, 1, names), stats);
    t.diagnostic(JSON.stringify(stats));
    assert.equal(stats.fastAccepted, stats.compiled, 'every guardrail expression is in the subset');
    assert.ok(stats.fastAnswered > stats.evaluations * 0.6, JSON.stringify(stats));
  });

  it('equals the interpreter on the Kyverno policy suites', (t) => {
    if (!fastPathEnabled()) return t.skip('RAMPART_CEL_FAST=0: the fast path is off');
    if (!existsSync(KYVERNO)) return t.skip('../shared/conformance/kyverno-policies is missing');
    const policies = loadPolicies(KYVERNO);
    const names = fieldNames(policies.flatMap((p) => p.expressions));
    const stats: Stats = { expressions: 0, compiled: 0, fastAccepted: 0, evaluations: 0, fastAnswered: 0 };
    differential(policies, objects(200, 2, names), stats);
    t.diagnostic(JSON.stringify(stats));
    assert.ok(stats.fastAnswered > 1000, JSON.stringify(stats));
  });

  it('equals the interpreter on the cel-spec conformance expressions it accepts', async (t) => {
    if (!fastPathEnabled()) return t.skip('RAMPART_CEL_FAST=0: the fast path is off');
    // Loaded by path: test/ is outside the TypeScript project of src/.
    const conformance = join(REPO, 'test/cel/conformance.ts');
    const { loadConformance } = (await import(pathToFileURL(conformance).href)) as {
      loadConformance(): Array<{ skip: string } | { section: string; name: string; expr: string; decls: Record<string, string>; bindings: Record<string, Canon> }>;
    };
    let accepted = 0;
    let answered = 0;
    for (const test of loadConformance()) {
      if ('skip' in test) continue;
      const act: Record<string, unknown> = {};
      let plain = true;
      for (const [k, c] of Object.entries(test.bindings)) {
        const v = plainOf(c);
        if (v === NOT_PLAIN) plain = false;
        act[k] = v;
      }
      if (!plain) continue;
      let env: CelEnvironment;
      try {
        env = new CelEnvironment({ variables: test.decls as Record<string, CelType> });
      } catch {
        continue;
      }
      const c = env.compile(test.expr);
      if (!c.ok) continue;
      const fast = fastOf(c.program);
      if (!fast) continue;
      accepted++;
      const got = fast.evaluate(act, undefined);
      if (got === undefined) continue;
      answered++;
      assert.deepEqual(got, interpret(c.program, act), `${test.section}/${test.name}: ${test.expr}`);
    }
    t.diagnostic(`conformance: ${accepted} accepted, ${answered} answered by the fast path`);
    assert.ok(answered > 100);
  });
});

const NOT_PLAIN = Symbol('not plain');

/** test/cel/conformance.ts's engine-neutral value (tagged so int, uint and double stay distinct). */
type Canon = [string, ...any[]];

/** A conformance binding as a plain JSON-like activation value, when it has one (ints safe, no doubles). */
function plainOf(c: Canon): unknown {
  switch (c[0]) {
    case 'int': {
      const n = Number(c[1]);
      return Number.isSafeInteger(n) ? n : NOT_PLAIN;
    }
    case 'string':
    case 'bool':
      return c[1];
    case 'null':
      return null;
    case 'list': {
      const out = c[1].map(plainOf);
      return out.includes(NOT_PLAIN) ? NOT_PLAIN : out;
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of c[1]) {
        if (k[0] !== 'string') return NOT_PLAIN;
        const pv = plainOf(v);
        if (pv === NOT_PLAIN) return NOT_PLAIN;
        out[k[1]] = pv;
      }
      return out;
    }
    default:
      return NOT_PLAIN;
  }
}

