import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect } from 'node:tls';
import { Agent } from 'node:https';
import { pino } from 'pino';
import { createWebhook, type Webhook } from './webhook.js';
import { fingerprintPaths } from './reload.js';
import { admissionReview, call, testCertificate, pod, podPolicy, testPolicySet } from './testing.js';
import { applyJsonPatch, type JsonPatchOp } from '../engines/mutation/index.js';
import { emptyPack } from '../policy/pack.js';
import type { Finding } from '../core/finding.js';
import type { KObject } from '../k8s/object.js';
import type { PolicySet } from '../evaluate/index.js';

const NOW = new Date('2026-05-01T00:00:00Z');
const TLS = await testCertificate(NOW);
const CA = TLS.ca;

interface Harness extends Webhook {
  port: number;
  logs: string[];
  recorded: Finding[][];
  post(path: string, body: unknown): Promise<{ status: number; json(): any; text: string }>;
}

async function start(set: PolicySet = testPolicySet(), extra: Partial<Parameters<typeof createWebhook>[0]> = {}): Promise<Harness> {
  const logs: string[] = [];
  const recorded: Finding[][] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }));
  const w = createWebhook({
    initial: set,
    load: async () => set,
    fingerprint: async () => 'fixed',
    initialFingerprint: 'fixed',
    logger,
    now: () => NOW,
    tls: { cert: TLS.cert, key: TLS.key },
    record: (f) => recorded.push(f),
    defaultMetrics: false,
    ...extra,
  });
  const { port } = await w.server.listen(0, '127.0.0.1');
  return {
    ...w,
    port,
    logs,
    recorded,
    post: (path, body) => call(port, path, { ca: CA, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  };
}

let h: Harness;
before(async () => {
  const pack = emptyPack();
  pack.admission.exemptions = [
    { namespaces: ['kube-system'], reason: 'system components manage themselves' },
    { usernames: ['system:serviceaccount:ops:deployer'], reason: 'break-glass deployer' },
    { groups: ['system:nodes'], reason: 'kubelets create mirror pods' },
  ];
  h = await start(testPolicySet(undefined, pack));
});
after(async () => {
  await h.server.shutdown(1000);
});

test('enforce: denied with policy, rule, field and remediation; uid echoed', async () => {
  const r = await h.post('/validate', admissionReview(pod('p', { securityContext: { privileged: true } }), { uid: 'uid-deny-1' }));
  assert.equal(r.status, 200);
  const body = r.json();
  assert.equal(body.apiVersion, 'admission.k8s.io/v1');
  assert.equal(body.kind, 'AdmissionReview');
  assert.equal(body.response.uid, 'uid-deny-1');
  assert.equal(body.response.allowed, false);
  assert.equal(body.response.status.code, 403);
  assert.equal(
    body.response.status.message,
    'denied by Rampart: [test.no-privileged.v1/privileged] container "app" is privileged (field: spec.containers[0].securityContext.privileged; fix: set securityContext.privileged to false)',
  );
});

test('warn: allowed with warnings; audit: allowed with an audit annotation and the finding recorded', async () => {
  const before = h.recorded.length;
  const r = await h.post('/validate', admissionReview(pod('p', { image: 'x:latest' }, {}), { uid: 'uid-warn' }));
  const res = r.json().response;
  assert.equal(res.uid, 'uid-warn');
  assert.equal(res.allowed, true);
  assert.deepEqual(res.warnings, ['[test.team-label.v1/team] no team label (field: metadata.labels)']);
  assert.deepEqual(res.auditAnnotations, { 'test.no-latest.v1': 'latest: image uses the latest tag' });
  assert.equal(h.recorded.length, before + 1);
  assert.deepEqual(
    h.recorded.at(-1)!.map((f) => `${f.policyId}:${f.mode}`),
    ['test.team-label.v1:warn', 'test.no-latest.v1:audit'],
  );
});

test('dry-run: same answer, nothing recorded', async () => {
  const before = h.recorded.length;
  const r = await h.post('/validate', admissionReview(pod('p', { image: 'x:latest' }), { dryRun: true }));
  assert.deepEqual(r.json().response.auditAnnotations, { 'test.no-latest.v1': 'latest: image uses the latest tag' });
  assert.equal(h.recorded.length, before);
});

test('compliant object: allowed with nothing else', async () => {
  const r = await h.post('/validate', admissionReview(pod('ok'), { uid: 'uid-ok' }));
  assert.deepEqual(r.json().response, { uid: 'uid-ok', allowed: true });
});

test('exemptions by namespace, username and group, with their reasons', async () => {
  const bad = pod('p', { securityContext: { privileged: true } });
  const cases: [Parameters<typeof admissionReview>[1], string][] = [
    [{ namespace: 'kube-system' }, 'system components manage themselves'],
    [{ username: 'system:serviceaccount:ops:deployer' }, 'break-glass deployer'],
    [{ groups: ['system:authenticated', 'system:nodes'] }, 'kubelets create mirror pods'],
  ];
  for (const [o, reason] of cases) {
    for (const path of ['/validate', '/mutate']) {
      const res = (await h.post(path, admissionReview(bad, o))).json().response;
      assert.equal(res.allowed, true, `${path} ${reason}`);
      assert.deepEqual(res.auditAnnotations, { exempt: reason });
      assert.equal(res.patch, undefined);
    }
  }
});

test('mutation: JSONPatch of secure defaults, idempotent on re-review', async () => {
  const obj = pod('m');
  const r1 = (await h.post('/mutate', admissionReview(obj, { uid: 'uid-m1' }))).json().response;
  assert.equal(r1.uid, 'uid-m1');
  assert.equal(r1.allowed, true);
  assert.equal(r1.patchType, 'JSONPatch');
  const patch = JSON.parse(Buffer.from(r1.patch, 'base64').toString('utf8')) as JsonPatchOp[];
  assert.deepEqual(patch, [
    { op: 'add', path: '/spec/securityContext', value: { seccompProfile: { type: 'RuntimeDefault' } } },
    { op: 'add', path: '/spec/containers/0/securityContext', value: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
  ]);
  const patched = applyJsonPatch(obj, patch);
  const r2 = (await h.post('/mutate', admissionReview(patched, { uid: 'uid-m2' }))).json().response;
  assert.deepEqual(r2, { uid: 'uid-m2', allowed: true });
  // Pods are not mutated on UPDATE (their spec is immutable); subresources never
  const upd = (await h.post('/mutate', admissionReview(obj, { operation: 'UPDATE', oldObject: obj }))).json().response;
  assert.equal(upd.patch, undefined);
});

test('malformed, oversized, wrong content type or method: 4xx with a JSON error, and the server keeps serving', async () => {
  const cases: [string, Promise<{ status: number; json(): any }>, number, string][] = [
    ['bad json', h.post('/validate', '{"apiVersion":'), 400, 'malformed_json'],
    ['not a review', h.post('/validate', { apiVersion: 'v1', kind: 'Pod' }), 400, 'invalid_review'],
    ['v1beta1', h.post('/validate', { ...admissionReview(pod('p')), apiVersion: 'admission.k8s.io/v1beta1' }), 400, 'invalid_review'],
    ['no uid', h.post('/validate', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} }), 400, 'invalid_review'],
    ['wrong type', call(h.port, '/validate', { ca: CA, body: '{}', headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type'],
    ['GET', call(h.port, '/validate', { ca: CA }), 405, 'method_not_allowed'],
    ['unknown path', call(h.port, '/nope', { ca: CA }), 404, 'not_found'],
    ['declared too large', call(h.port, '/validate', { ca: CA, body: 'x'.repeat(4 * 1024 * 1024 + 1) }), 413, 'body_too_large'],
  ];
  for (const [name, p, status, reason] of cases) {
    const r = await p;
    assert.equal(r.status, status, name);
    assert.equal(r.json().error.reason, reason, name);
  }
  const bad = await h.post('/validate', { ...admissionReview(pod('p')), request: { ...(admissionReview(pod('p')).request as object), operation: 'PATCH' } });
  assert.equal(bad.json().error.message, 'request.operation must be CREATE, UPDATE, DELETE or CONNECT');
  const ok = await h.post('/validate', admissionReview(pod('ok')));
  assert.equal(ok.status, 200);
});

test('streamed body over the limit (no Content-Length) is cut with 413', async () => {
  const w = await start(testPolicySet(), { maxBodyBytes: 1024 });
  try {
    const status = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: w.port, ca: CA, servername: 'localhost' }, () => {
        s.write('POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
        const chunk = 'a'.repeat(600);
        for (let i = 0; i < 3; i++) s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      });
      let data = '';
      s.on('data', (d) => (data += d));
      s.on('error', () => resolve(data.split('\r\n')[0]));
      s.on('close', () => resolve(data.split('\r\n')[0]));
      s.setTimeout(3000, () => reject(new Error('no answer')));
    });
    assert.equal(status, 'HTTP/1.1 413 Payload Too Large');
  } finally {
    await w.server.shutdown(500);
  }
});

test('deadline: the failure policy answers (Fail denies with 500, Ignore allows with a warning)', async () => {
  const slow = podPolicy('test.slow.v1', (_s, ctx) => {
    while (Date.now() <= (ctx.deadline ?? 0)) {
      /* busy past the deadline, like a runaway expression */
    }
    return [{ rule: 'slow', status: 'pass', message: '' }];
  });
  for (const failurePolicy of ['Fail', 'Ignore'] as const) {
    const w = await start(testPolicySet([slow]), { timeoutSeconds: 0.6, failurePolicy });
    try {
      const r = (await call(w.port, '/validate', { ca: CA, body: JSON.stringify(admissionReview(pod('p'), { uid: 'uid-slow' })) })).json().response;
      assert.equal(r.uid, 'uid-slow');
      if (failurePolicy === 'Fail') {
        assert.equal(r.allowed, false);
        assert.deepEqual(r.status, { code: 500, reason: 'InternalError', message: 'Rampart: policy evaluation exceeded its deadline; denied by failurePolicy Fail' });
      } else {
        assert.equal(r.allowed, true);
        assert.deepEqual(r.warnings, ['Rampart: policy evaluation exceeded its deadline; allowed by failurePolicy Ignore']);
      }
      const m = await w.metrics.registry.getSingleMetricAsString('rampart_admission_errors_total');
      assert.match(m, /rampart_admission_errors_total\{reason="deadline_exceeded"\} 1/);
    } finally {
      await w.server.shutdown(500);
    }
  }
});

test('a policy that errors: Fail denies, Ignore downgrades to a warning', async () => {
  const broken = podPolicy('test.broken.v1', () => [{ rule: 'r', status: 'error', message: 'expression failed' }]);
  const pack = emptyPack();
  pack.admission.failurePolicy = 'Ignore';
  const w = await start(testPolicySet([broken], pack));
  try {
    const r = (await call(w.port, '/validate', { ca: CA, body: JSON.stringify(admissionReview(pod('p'))) })).json().response;
    assert.equal(r.allowed, true);
    assert.deepEqual(r.warnings, ['[test.broken.v1/r] expression failed (allowed by failurePolicy Ignore)']);
  } finally {
    await w.server.shutdown(500);
  }
  const w2 = await start(testPolicySet([broken]));
  try {
    const r = (await call(w2.port, '/validate', { ca: CA, body: JSON.stringify(admissionReview(pod('p'))) })).json().response;
    assert.equal(r.allowed, false);
    assert.match(r.status.message, /\[test\.broken\.v1\/r\] expression failed/);
  } finally {
    await w2.server.shutdown(500);
  }
});

test("the pack's excludedNamespaces are neither validated nor mutated", async () => {
  const pack = emptyPack();
  pack.excludedNamespaces = ['legacy'];
  const w = await start(testPolicySet(undefined, pack));
  try {
    const bad = admissionReview(pod('p', { securityContext: { privileged: true } }), { namespace: 'legacy', uid: 'uid-ex' });
    for (const path of ['/validate', '/mutate']) {
      assert.deepEqual((await call(w.port, path, { ca: CA, body: JSON.stringify(bad) })).json().response, { uid: 'uid-ex', allowed: true });
    }
    assert.match(await w.metrics.registry.getSingleMetricAsString('rampart_admission_requests_total'), /outcome="unmatched"\} 1/);
  } finally {
    await w.server.shutdown(500);
  }
});

test('object and namespace selectors scope what is evaluated', async () => {
  const w = await start(testPolicySet(), {
    scope: {
      objectSelector: { matchExpressions: [{ key: 'rampart.dev/ignore', operator: 'DoesNotExist' }] },
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['sandbox'] }] },
    },
  });
  try {
    const bad = (labels: Record<string, string>) => pod('p', { securityContext: { privileged: true } }, labels);
    const post = async (o: KObject, ns = 'default') => (await call(w.port, '/validate', { ca: CA, body: JSON.stringify(admissionReview(o, { namespace: ns })) })).json().response;
    assert.equal((await post(bad({ team: 'a' }))).allowed, false);
    assert.deepEqual(await post(bad({ 'rampart.dev/ignore': 'yes' })), { uid: 'e911857d-c318-11e8-bbad-025000000001', allowed: true });
    assert.equal((await post(bad({ team: 'a' }), 'sandbox')).allowed, true);
  } finally {
    await w.server.shutdown(500);
  }
});

test('metrics: requests by outcome, latency, per-policy histograms, errors', async () => {
  const r = await call(h.port, '/metrics', { ca: CA });
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'] as string, /^text\/plain/);
  assert.match(r.text, /rampart_admission_requests_total\{webhook="validate",operation="CREATE",kind="Pod",outcome="deny"\} \d+/);
  assert.match(r.text, /rampart_admission_requests_total\{webhook="validate",operation="CREATE",kind="Pod",outcome="exempt"\} 3/);
  assert.match(r.text, /rampart_admission_requests_total\{webhook="mutate",operation="CREATE",kind="Pod",outcome="patch"\} \d+/);
  assert.match(r.text, /rampart_admission_duration_seconds_bucket\{le="0.005",webhook="validate",outcome="deny"\} \d+/);
  assert.match(r.text, /rampart_policy_evaluation_duration_seconds_count\{policy="test.no-privileged.v1",outcome="fail"\} \d+/);
  assert.match(r.text, /rampart_admission_errors_total\{reason="malformed_json"\} 1/);
  assert.match(r.text, /rampart_policies_loaded 3/);
  assert.equal((await call(h.port, '/healthz', { ca: CA })).text, 'ok\n');
  assert.equal((await call(h.port, '/readyz', { ca: CA })).status, 200);
});

test('logs: identifiers and decisions only, never objects or user extras', async () => {
  const secretish = pod('s', { securityContext: { privileged: true }, env: [{ name: 'PASSWORD', value: 'hunter2-do-not-log' }] });
  await h.post('/validate', admissionReview(secretish, { uid: 'uid-log' }));
  const line = h.logs.map((l) => JSON.parse(l)).find((l) => l.uid === 'uid-log');
  assert.ok(line, 'the decision is logged');
  assert.equal(line.outcome, 'deny');
  assert.deepEqual(line.findings, ['test.no-privileged.v1/privileged:enforce']);
  const all = h.logs.join('');
  assert.doesNotMatch(all, /hunter2-do-not-log/);
  assert.doesNotMatch(all, /secret-token-id/);
  assert.doesNotMatch(all, /is privileged/, 'finding messages may quote values: not logged');
});

test('hot reload: good → broken keeps the last good set and says why → good again', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-reload-'));
  const file = join(dir, 'policy.txt');
  const denyAll = (id: string) => podPolicy(id, () => [{ rule: 'all', status: 'fail', message: 'denied' }]);
  const { readFile } = await import('node:fs/promises');
  const load = async (): Promise<PolicySet> => {
    const text = (await readFile(file, 'utf8')).trim();
    if (text.startsWith('broken')) {
      return { ...testPolicySet([]), diagnostics: [{ code: 'yaml_parse_error', severity: 'error', message: 'bad indentation', span: { file, line: 3, column: 1 } }] };
    }
    return testPolicySet([denyAll(text)]);
  };
  try {
    await writeFile(file, 'a.first.v1');
    const initial = await load();
    const w = await start(initial, { load, fingerprint: () => fingerprintPaths([dir]), initialFingerprint: await fingerprintPaths([dir]) });
    const denier = async () => (await call(w.port, '/validate', { ca: CA, body: JSON.stringify(admissionReview(pod('p'))) })).json().response.status?.message as string;
    try {
      assert.equal(await w.holder.check(), 'unchanged');
      assert.match(await denier(), /\[a\.first\.v1\/all\]/);
      await writeFile(file, 'b.second.v1');
      assert.equal(await w.holder.check(), 'reloaded');
      assert.match(await denier(), /\[b\.second\.v1\/all\]/);
      await writeFile(file, 'broken: yes, longer');
      assert.equal(await w.holder.check(), 'rejected');
      assert.match(await denier(), /\[b\.second\.v1\/all\]/, 'last good set still served');
      assert.equal(w.holder.status().failing?.diagnostics[0].code, 'yaml_parse_error');
      const errLine = w.logs.map((l) => JSON.parse(l)).find((l) => l.msg.startsWith('policy reload rejected'));
      assert.deepEqual(errLine.problems, [`error yaml_parse_error at ${file}:3:1: bad indentation`]);
      assert.match(await w.metrics.registry.getSingleMetricAsString('rampart_policy_reload_failing'), /rampart_policy_reload_failing 1/);
      await writeFile(file, 'c.third.v1');
      assert.equal(await w.holder.check(), 'reloaded');
      assert.match(await denier(), /\[c\.third\.v1\/all\]/);
      assert.equal(w.holder.status().failing, undefined);
      const m = await w.metrics.registry.getSingleMetricAsString('rampart_policy_reloads_total');
      assert.match(m, /result="success"\} 2/);
      assert.match(m, /result="failure"\} 1/);
    } finally {
      await w.server.shutdown(500);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('graceful shutdown: not ready, in-flight request completes, new connections refused', async () => {
  const w = await start();
  const agent = new Agent({ keepAlive: true, ca: CA });
  // keep one idle keep-alive connection open: shutdown must close it
  await call(w.port, '/healthz', { ca: CA, agent });
  const body = JSON.stringify(admissionReview(pod('p', { securityContext: { privileged: true } }), { uid: 'uid-drain' }));
  let sendRest: () => void = () => {};
  const inflight = new Promise<string>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: w.port, ca: CA, servername: 'localhost' }, () => {
      s.write(`POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
      s.write(body.slice(0, 100));
      sendRest = () => s.write(body.slice(100));
    });
    let data = '';
    s.on('data', (d) => (data += d));
    s.on('close', () => resolve(data));
    s.on('error', reject);
  });
  // wait until the server is inside the request (headers read, body pending), however slow the machine is
  const inFlight = async () => ((await w.metrics.registry.getSingleMetric('rampart_admission_in_flight_requests')!.get()).values[0]?.value ?? 0);
  while ((await inFlight()) < 1) await new Promise((r) => setTimeout(r, 10));
  const shutdown = w.server.shutdown(5000);
  assert.equal(w.server.isDraining, true);
  sendRest();
  const raw = await inflight;
  assert.match(raw, /^HTTP\/1.1 200 OK/);
  assert.match(raw, /Connection: close/i);
  assert.match(raw, /"uid":"uid-drain","allowed":false/);
  assert.deepEqual(await shutdown, { drained: true });
  await assert.rejects(call(w.port, '/healthz', { ca: CA }), /ECONNREFUSED/);
  agent.destroy();
});

test('objects nested deeper than 100 levels are rejected with 400 before any policy runs', async () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 150; i++) deep = { k: deep };
  const obj = { ...pod('deep'), data: deep } as KObject;
  const r = await h.post('/validate', admissionReview(obj));
  assert.equal(r.status, 400);
  assert.deepEqual(r.json().error, { code: 400, reason: 'invalid_review', message: 'request object nests deeper than 100 levels' });
  let ok: unknown = 'leaf';
  for (let i = 0; i < 90; i++) ok = [ok];
  assert.equal((await h.post('/validate', admissionReview({ ...pod('ok'), data: ok } as KObject))).status, 200);
});

test('a body that does not arrive before the deadline gets 408 and the connection is closed', async () => {
  const w = await start(testPolicySet(), { timeoutSeconds: 0.3 });
  try {
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: w.port, ca: CA, servername: 'localhost' }, () => {
        s.write('POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":');
      });
      let data = '';
      s.on('data', (d) => (data += d));
      s.on('close', () => resolve(data));
      s.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1.1 408 Request Timeout/);
    assert.match(raw, /"reason":"body_timeout"/);
  } finally {
    await w.server.shutdown(500);
  }
});

test('an internal error is answered by the failure policy, without leaking details', async () => {
  const broken = { ...testPolicySet(), pack: { ...emptyPack(), admission: undefined } } as unknown as PolicySet;
  for (const failurePolicy of ['Fail', 'Ignore'] as const) {
    const w = await start(broken, { failurePolicy });
    try {
      const r = await call(w.port, '/validate', { ca: CA, body: JSON.stringify(admissionReview(pod('p'), { uid: 'uid-internal' })) });
      assert.equal(r.status, 200);
      const res = r.json().response;
      assert.equal(res.uid, 'uid-internal');
      if (failurePolicy === 'Fail') {
        assert.deepEqual(res.status, { code: 500, reason: 'InternalError', message: 'Rampart: internal error while evaluating the request; denied by failurePolicy Fail' });
      } else {
        assert.equal(res.allowed, true);
        assert.deepEqual(res.warnings, ['Rampart: internal error while evaluating the request; allowed by failurePolicy Ignore']);
      }
      assert.ok(w.logs.some((l) => JSON.parse(l).msg === 'admission handler failed'));
    } finally {
      await w.server.shutdown(500);
    }
  }
});
