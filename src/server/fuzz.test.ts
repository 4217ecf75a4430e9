/**
 * Thousands of malformed AdmissionReviews against a live TLS server: every one gets a 4xx with a JSON error or a
 * well-formed AdmissionReview echoing its uid, never a 5xx or a dropped connection, and the server keeps serving.
 * FUZZ_COUNT (default 2000) and FUZZ_SEED choose the run; test/tiers/webhook-fuzz.sh runs a long one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { pino } from 'pino';
import { createWebhook } from './webhook.js';
import { admissionReview, call, testCertificate, pod, testPolicies, testPolicySet } from './testing.js';
import { loadPolicySet } from '../app/policy-set.js';

const COUNT = Number(process.env.FUZZ_COUNT ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20260501);
const NOW = new Date('2026-05-01T00:00:00Z');
const MAX_BODY = 256 * 1024;

/** mulberry32: small, seeded, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIRD: unknown[] = [null, 0, -1, 1.5e308, '', 'x', true, [], {}, [null], { a: [] }, 'ALL', ['ALL'], { privileged: 'true' }, '\u0000\ud800', 'a'.repeat(5000)];

function deep(n: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

function basePods(): Record<string, unknown>[] {
  const full = pod('full', { securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'], drop: ['NET_RAW'] } }, ports: [{ hostPort: 80 }] });
  (full.spec as Record<string, unknown>).volumes = [{ name: 'h', hostPath: { path: '/' } }];
  (full.spec as Record<string, unknown>).initContainers = [{ name: 'i', image: 'x' }];
  const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { template: { metadata: {}, spec: full.spec } } };
  return [admissionReview(pod('p')), admissionReview(full), admissionReview(deploy), admissionReview(null, { operation: 'DELETE', oldObject: full })];
}

/** All paths to values inside a JSON value. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function setAt(root: any, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  let cur = root;
  for (const seg of path.slice(0, -1)) cur = cur[seg];
  cur[path[path.length - 1]] = value;
  return root;
}

function mutateBody(r: () => number, bases: Record<string, unknown>[]): { body: Buffer; contentType: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const base = structuredClone(pick(bases));
  const kind = r();
  if (kind < 0.45) {
    // structural: replace 1–3 random values (types, sizes, nesting) and keep the JSON valid
    let doc: unknown = base;
    for (let i = 0, n = 1 + Math.floor(r() * 3); i < n; i++) {
      const ps = paths(doc);
      const v = r() < 0.1 ? deep(50 + Math.floor(r() * 200)) : structuredClone(pick(WEIRD));
      doc = setAt(doc, pick(ps), v);
    }
    return { body: Buffer.from(JSON.stringify(doc) ?? 'null'), contentType: 'application/json' };
  }
  const text = Buffer.from(JSON.stringify(base));
  if (kind < 0.8) {
    // bytes: flips, deletions, insertions, truncation
    const b = Buffer.from(text);
    for (let i = 0, n = 1 + Math.floor(r() * 8); i < n; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    if (r() < 0.3) return { body: b.subarray(0, Math.floor(r() * b.length)), contentType: 'application/json' };
    return { body: b, contentType: 'application/json' };
  }
  if (kind < 0.9) {
    // random bytes or random JSON scalars
    const n = Math.floor(r() * 200);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
    return { body: r() < 0.5 ? b : Buffer.from(JSON.stringify(pick(WEIRD))), contentType: 'application/json' };
  }
  if (kind < 0.92) {
    // oversized: a valid review padded past the server's 256 KiB limit
    const padded = structuredClone(base) as { request: { object?: Record<string, unknown> } };
    if (padded.request.object) padded.request.object.data = 'x'.repeat(300 * 1024);
    return { body: Buffer.from(JSON.stringify(padded)), contentType: 'application/json' };
  }
  return { body: text, contentType: pick(['text/plain', 'application/yaml', '', 'application/json; charset=utf-8', 'APPLICATION/JSON']) };
}

test(`fuzz: ${COUNT} malformed AdmissionReviews (seed ${SEED})`, async (t) => {
  const pss = await loadPolicySet({ pss: 'restricted' }, { now: NOW });
  if (pss.policies.length === 0) t.diagnostic('PSS engine not available: fuzzing the test policies only');
  const set = testPolicySet([...pss.policies, ...testPolicies()]);
  const tls = await testCertificate(NOW);
  const w = createWebhook({
    initial: set,
    load: async () => set,
    fingerprint: async () => '',
    logger: pino({ level: 'silent' }),
    now: () => NOW,
    tls: { cert: tls.cert, key: tls.key },
    maxBodyBytes: MAX_BODY,
    defaultMetrics: false,
  });
  const { port } = await w.server.listen(0, '127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: 8, ca: tls.ca });
  const r = rng(SEED);
  const bases = basePods();
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < COUNT) {
      const i = next++;
      const { body, contentType } = mutateBody(r, bases);
      const path = i % 3 === 0 ? '/mutate' : '/validate';
      let res;
      try {
        res = await call(port, path, { agent, body, headers: { 'Content-Type': contentType } });
      } catch (e) {
        // an oversized upload may be cut while the client is still writing it (the 413 is sent, then the socket closed)
        const code = (e as NodeJS.ErrnoException).code;
        if (body.length > MAX_BODY && (code === 'EPIPE' || code === 'ECONNRESET')) {
          statuses.set(413, (statuses.get(413) ?? 0) + 1);
          continue;
        }
        failures.push(`#${i}: ${code ?? (e as Error).message}`);
        continue;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      let parsed: any;
      try {
        parsed = res.json();
      } catch {
        failures.push(`#${i}: status ${res.status} with a non-JSON body`);
        continue;
      }
      if (res.status === 200) {
        let sentUid: unknown;
        try {
          sentUid = JSON.parse(body.toString('utf8')).request.uid;
        } catch {
          sentUid = undefined;
        }
        const ok = parsed.kind === 'AdmissionReview' && typeof parsed.response?.allowed === 'boolean' && parsed.response.uid === sentUid;
        if (!ok) failures.push(`#${i}: 200 without a well-formed AdmissionReview echoing uid ${String(sentUid)}`);
        if (parsed.response?.status?.code === 500) failures.push(`#${i}: failure policy answered (${parsed.response.status.message})`);
      } else if (![400, 413, 415].includes(res.status) || typeof parsed.error?.reason !== 'string') {
        failures.push(`#${i}: status ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: 8 }, worker));
    t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    assert.deepEqual(failures.slice(0, 10), []);
    assert.ok((statuses.get(200) ?? 0) > COUNT / 10, 'a fair share of mutated reviews stay valid and are evaluated');
    assert.ok((statuses.get(400) ?? 0) > COUNT / 10, 'a fair share are rejected');
    assert.ok((statuses.get(413) ?? 0) > 0, 'oversized bodies are cut');
    const internal = await w.metrics.registry.getSingleMetricAsString('rampart_admission_errors_total');
    assert.doesNotMatch(internal, /reason="internal"/);
    // still serving, and still right
    const ok = await call(port, '/validate', { agent, body: JSON.stringify(admissionReview(pod('after', { securityContext: { privileged: true } }))) });
    assert.equal(ok.json().response.allowed, false);
  } finally {
    agent.destroy();
    await w.server.shutdown(1000);
  }
});
