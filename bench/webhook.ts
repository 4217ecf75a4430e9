/**
 * Admission webhook benchmark, on loopback over TLS, in one run:
 *   floor    a bare node:https server that parses the same AdmissionReview and answers a fixed response
 *   rampart  `rampart serve --pss restricted` plus every policy under policies/ (validate endpoint); rampart-w2 the
 *            same with --workers 2
 *   opa      `opa run --server` serving the equivalent Rego (bench/opa: PSS restricted + guardrails), same bodies
 *   rampart-pss / opa-pss   PSS restricted alone on both sides
 * For each: saturated throughput (autocannon, closed loop, 16 keep-alive connections) and latency at a fixed
 * 1,000 reviews/s (an open-loop paced generator: autocannon's rate limit sends each second's budget in a burst
 * and records whole milliseconds, so it cannot measure a p99 of a few ms).
 * Also `rampart-bare`: the same server with no policy at all, to show what the HTTP layer costs over the floor.
 * Targets run one at a time, in interleaved rounds; each target's best round is reported, since other processes
 * share the machine.
 * Usage: npx tsx bench/webhook.ts [--seconds 10] [--rate 1000] [--connections 16] [--rounds 2] [--skip-opa]
 *        [--only floor,rampart,opa]   (the ratios need floor and rampart)
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { join, resolve } from 'node:path';
import os from 'node:os';
import autocannon from 'autocannon';
import { admissionReview, pod } from '../src/server/testing.js';
import type { KObject } from '../src/k8s/object.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg('--seconds', 10);
const RATE = arg('--rate', 1000);
const CONNECTIONS = arg('--connections', 16);
const SKIP_OPA = process.argv.includes('--skip-opa');
/** Rounds over all targets, interleaved; each target's best round is reported (the machine is shared). */
const ROUNDS = arg('--rounds', 2);
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : undefined;
const OPA = process.env.OPA_BIN ?? join(ROOT, '.cache', 'go-bin', 'opa');

mkdirSync(OUT, { recursive: true });
const certFile = join(OUT, 'bench-cert.pem');
const keyFile = join(OUT, 'bench-key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
const CA = readFileSync(certFile, 'utf8');

// Two typical reviews, alternated: a Pod that passes PSS restricted and every guardrail (allowed), and a Deployment
// that breaks several checks (denied with a long message).
const goodPod = pod(
  'web',
  {
    image: 'registry.example.com/app@sha256:' + 'a'.repeat(64),
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, runAsNonRoot: true },
  },
  { app: 'web', owner: 'team-a' },
);
Object.assign(goodPod.spec as Record<string, unknown>, { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, automountServiceAccountToken: false });
const badDeploy: KObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'legacy', namespace: 'default', labels: { app: 'legacy' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'legacy' } },
    template: {
      metadata: { labels: { app: 'legacy' } },
      spec: {
        hostNetwork: true,
        containers: [
          { name: 'app', image: 'registry.example/legacy:2.3', ports: [{ containerPort: 8080, hostPort: 8080 }], securityContext: { privileged: true }, resources: { limits: { cpu: '500m', memory: '256Mi' } } },
          { name: 'sidecar', image: 'registry.example/proxy:1.0', env: [{ name: 'MODE', value: 'edge' }] },
        ],
        volumes: [{ name: 'host', hostPath: { path: '/var/run' } }],
      },
    },
  },
};
const BODIES = [JSON.stringify(admissionReview(goodPod, { uid: 'bench-allow' })), JSON.stringify(admissionReview(badDeploy, { uid: 'bench-deny' }))];

interface Target {
  name: string;
  path: string;
  health: string;
  start(port: number): ChildProcess;
}

function policyFlags(): string[] {
  const dir = join(ROOT, 'policies');
  const hasDocs = (d: string): boolean =>
    existsSync(d) && readdirSync(d, { withFileTypes: true }).some((e) => (e.isDirectory() ? hasDocs(join(d, e.name)) : /\.(ya?ml|json)$/.test(e.name)));
  // the approved-registries params the cluster would hold, loaded beside the policies
  return hasDocs(dir) ? ['--policy', dir, join(ROOT, 'bench', 'webhook-params')] : [];
}

const tsx = [process.execPath, '--import', 'tsx'];
const targets: Target[] = [
  { name: 'floor', path: '/validate', health: '/', start: (port) => spawn(tsx[0], [...tsx.slice(1), 'bench/floor-server.ts', String(port), certFile, keyFile], { cwd: ROOT, stdio: 'inherit' }) },
  {
    name: 'rampart-bare',
    path: '/validate',
    health: '/readyz',
    start: (port) => {
      mkdirSync(join(OUT, 'no-policies'), { recursive: true });
      return spawn(tsx[0], [...tsx.slice(1), 'src/cli/main.ts', 'serve', '--policy', join(OUT, 'no-policies'), '--tls-cert', certFile, '--tls-key', keyFile, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn', '--reload-interval', '0'], {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    },
  },
  {
    name: 'rampart-pss',
    path: '/validate',
    health: '/readyz',
    start: (port) =>
      spawn(tsx[0], [...tsx.slice(1), 'src/cli/main.ts', 'serve', '--pss', 'restricted', '--tls-cert', certFile, '--tls-key', keyFile, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn', '--reload-interval', '0'], {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
  },
  ...[1, 2].map((workers) => ({
    name: workers === 1 ? 'rampart' : `rampart-w${workers}`,
    path: '/validate',
    health: '/readyz',
    start: (port: number) =>
      spawn(tsx[0], [...tsx.slice(1), 'src/cli/main.ts', 'serve', '--pss', 'restricted', ...policyFlags(), '--workers', String(workers), '--tls-cert', certFile, '--tls-key', keyFile, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn', '--reload-interval', '0'], {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
  })),
];
if (!SKIP_OPA) {
  if (!existsSync(OPA)) throw new Error(`opa not found at ${OPA}: GOBIN=$PWD/.cache/go-bin go install github.com/open-policy-agent/opa@v1.22.2 (or --skip-opa)`);
  for (const [name, files] of [
    ['opa', ['bench/opa']],
    ['opa-pss', ['bench/opa/pss_restricted.rego']],
  ] as const) {
    targets.push({
      name,
      path: '/v0/data/rampart/admission/review',
      health: '/health',
      start: (port) =>
        spawn(OPA, ['run', '--server', '--addr', `127.0.0.1:${port}`, '--tls-cert-file', certFile, '--tls-private-key-file', keyFile, '--log-level', 'error', '--skip-version-check', ...files], { cwd: ROOT, stdio: 'inherit' }),
    });
  }
}

function get(port: number, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const r = request({ host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', ca: CA, servername: 'localhost', headers: body ? { 'Content-Type': 'application/json' } : {} }, (m) => {
      let text = '';
      m.on('data', (c) => (text += c));
      m.on('end', () => res({ status: m.statusCode ?? 0, text }));
    });
    r.on('error', rej);
    r.end(body);
  });
}

async function waitReady(port: number, path: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await get(port, path)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server on ${port} not ready`);
}

async function saturate(port: number, path: string, seconds: number): Promise<{ rps: number; non2xx: number; errors: number }> {
  const r = await autocannon({
    url: `https://127.0.0.1:${port}${path}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: BODIES.map((body) => ({ method: 'POST', body, headers: { 'content-type': 'application/json' } })),
  });
  return { rps: r.requests.average, non2xx: r.non2xx, errors: r.errors };
}

/**
 * Open loop at `rate`/s over a pool of raw keep-alive TLS connections (one request in flight per connection; a due
 * request waits for a free one). Raw sockets keep the generator's own cost far below node's https client, which
 * matters when generator and server share two cores. Latency is taken from the intended send time (no coordinated
 * omission) and, for reference, from the actual write.
 */
async function paced(port: number, path: string, rate: number, seconds: number, poolSize = 32) {
  const total = Math.round(rate * seconds);
  const fromIntended = new Float64Array(total);
  const fromSend = new Float64Array(total);
  const raw = BODIES.map((b) => Buffer.from(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`));
  let done = 0;
  let errors = 0;
  let sent = 0;
  const queue: { i: number; intended: number }[] = [];
  interface Conn { sock: TLSSocket; busy: boolean; buf: Buffer; cur?: { i: number; intended: number; t0: number } }
  const idle: Conn[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const dispatch = (c: Conn) => {
    const next = queue.shift();
    if (!next) {
      c.busy = false;
      idle.push(c);
      return;
    }
    c.busy = true;
    c.cur = { ...next, t0: performance.now() };
    c.sock.write(raw[next.i % raw.length]);
  };
  const conns = await Promise.all(
    Array.from({ length: poolSize }, () => new Promise<Conn>((res, rej) => {
      const sock = tlsConnect({ host: '127.0.0.1', port, ca: CA, servername: 'localhost' }, () => res(c));
      const c: Conn = { sock, busy: false, buf: Buffer.alloc(0) };
      sock.setNoDelay(true);
      sock.on('error', rej);
      sock.on('data', (d: Buffer) => {
        c.buf = c.buf.length ? Buffer.concat([c.buf, d]) : d;
        const head = c.buf.indexOf('\r\n\r\n');
        if (head < 0) return;
        const m = /content-length: *(\d+)/i.exec(c.buf.subarray(0, head).toString('latin1'));
        const len = m ? Number(m[1]) : 0;
        if (c.buf.length < head + 4 + len) return;
        const status = c.buf.subarray(9, 12).toString('latin1');
        c.buf = c.buf.subarray(head + 4 + len);
        const t = performance.now();
        const cur = c.cur!;
        fromIntended[cur.i] = t - cur.intended;
        fromSend[cur.i] = t - cur.t0;
        if (status !== '200') errors++;
        if (++done === total) finish();
        dispatch(c);
      });
    })),
  );
  idle.push(...conns);
  const start = performance.now() + 20;
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (sent < due) {
      const i = sent++;
      queue.push({ i, intended: start + (i * 1000) / rate });
      const c = idle.pop();
      if (c) dispatch(c);
    }
    if (sent < total) setTimeout(tick, 1);
  };
  setTimeout(tick, 20);
  await finished;
  for (const c of conns) c.sock.destroy();
  const pct = (a: Float64Array, p: number) => {
    const s = Float64Array.from(a).sort();
    return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100;
  };
  return {
    p50: pct(fromIntended, 50),
    p90: pct(fromIntended, 90),
    p99: pct(fromIntended, 99),
    max: pct(fromIntended, 100),
    p50send: pct(fromSend, 50),
    p99send: pct(fromSend, 99),
    errors,
  };
}

type Result = { rps: number; p50: number; p90: number; p99: number; max: number; p50send: number; p99send: number; errors: number; non2xx: number };
const rounds: Record<string, Result[]> = {};
console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
let port = 19443;
for (let round = 1; round <= ROUNDS; round++) {
  for (const t of targets) {
    if (ONLY && !ONLY.includes(t.name)) continue;
    port++;
    const child = t.start(port);
    try {
      await waitReady(port, t.path === '/validate' ? t.health : t.health);
      const a = JSON.parse((await get(port, t.path, BODIES[0])).text);
      const d = JSON.parse((await get(port, t.path, BODIES[1])).text);
      const judges = t.name.startsWith('rampart') && t.name !== 'rampart-bare' ? true : t.name.startsWith('opa');
      if (judges && (a.response?.allowed !== true || d.response?.allowed !== false)) throw new Error(`${t.name} answers wrongly: ${JSON.stringify([a, d]).slice(0, 500)}`);
      if (t.name.startsWith('rampart-w')) await new Promise((r) => setTimeout(r, 5000)); // let every worker finish starting
      await saturate(port, t.path, 4); // warm-up (JIT of the engines, TLS sessions)
      const sat = await saturate(port, t.path, SECONDS);
      await paced(port, t.path, RATE, 2);
      const lat = await paced(port, t.path, RATE, SECONDS);
      const r: Result = { rps: Math.round(sat.rps), non2xx: sat.non2xx + sat.errors, ...lat };
      (rounds[t.name] ??= []).push(r);
      console.log(`round ${round} ${t.name.padEnd(12)} saturated ${r.rps} reviews/s (non-2xx/errors ${r.non2xx}); at ${RATE}/s p50 ${r.p50} ms p90 ${r.p90} ms p99 ${r.p99} ms max ${r.max} ms (from actual send: p50 ${r.p50send} p99 ${r.p99send}; errors ${r.errors})`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
}
const results: Record<string, Result> = {};
for (const [name, rs] of Object.entries(rounds)) {
  const best = (k: keyof Result, hi: boolean) => (hi ? Math.max : Math.min)(...rs.map((r) => r[k]));
  results[name] = { rps: best('rps', true), p50: best('p50', false), p90: best('p90', false), p99: best('p99', false), max: best('max', false), p50send: best('p50send', false), p99send: best('p99send', false), errors: best('errors', false), non2xx: best('non2xx', false) };
}
console.log('');
console.log('best of rounds:');
for (const [name, r] of Object.entries(results)) console.log(`  ${name.padEnd(12)} ${String(r.rps).padStart(6)} reviews/s saturated; at ${RATE}/s p50 ${r.p50} ms, p99 ${r.p99} ms`);
const f = results.floor;
const r = results.rampart;
if (!f || !r) process.exit(0);
console.log('');
console.log(`rampart / floor throughput: ${(r.rps / f.rps).toFixed(2)} (goal >= 0.50); rampart saturated ${r.rps}/s (goal >= 3000)`);
if (results['rampart-w2']) console.log(`rampart --workers 2: saturated ${results['rampart-w2'].rps}/s (${(results['rampart-w2'].rps / f.rps).toFixed(2)} of the floor), p99 at ${RATE}/s ${results['rampart-w2'].p99} ms`);
if (results['rampart-bare']) console.log(`rampart-bare / floor throughput: ${(results['rampart-bare'].rps / f.rps).toFixed(2)} (cost of the HTTP layer, review parsing, metrics)`);
console.log(`rampart p99 at ${RATE}/s: ${r.p99} ms (goal <= 5)`);
if (results['rampart-pss'] && results['opa-pss']) {
  const rp = results['rampart-pss'];
  const op = results['opa-pss'];
  console.log(`PSS restricted alone: rampart ${rp.rps}/s (${(rp.rps / f.rps).toFixed(2)} of the floor), opa ${op.rps}/s; rampart/opa ${(rp.rps / op.rps).toFixed(2)}; p99 at ${RATE}/s rampart ${rp.p99} ms vs opa ${op.p99} ms`);
}
if (results.opa) {
  const o = results.opa;
  console.log(`rampart / opa throughput: ${(r.rps / o.rps).toFixed(2)}; p99 at ${RATE}/s rampart ${r.p99} ms vs opa ${o.p99} ms`);
}
writeFileSync(join(OUT, 'webhook.json'), JSON.stringify({ loadavg: os.loadavg(), cpus: os.cpus().length, seconds: SECONDS, rate: RATE, connections: CONNECTIONS, rounds, results }, null, 2) + '\n');
