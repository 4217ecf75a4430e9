/**
 * CEL library comparison: conformance pass rate (cel-spec data, per section) and ops/s on typical Kubernetes
 * expressions, for Rampart's engine and the candidate libraries side by side.
 *
 *   npx tsx bench/cel.ts            # everything (about a minute)
 *   npx tsx bench/cel.ts --quick    # fewer iterations
 *
 * Rampart = @marcbachmann/cel-js + Kubernetes libraries + int conversion + cost metering + result conversion.
 */
import { candidates, type BenchCandidate } from '../test/cel/candidates.js';
import { loadConformance, NOT_IN_KUBERNETES, passRate, runConformance, type ConformanceReport } from '../test/cel/conformance.js';

const quick = process.argv.includes('--quick');

const EXPRESSIONS: Record<string, string> = {
  privileged: 'object.spec.containers.all(c, has(c.securityContext) && c.securityContext.privileged != true)',
  latestTag: "object.spec.containers.all(c, !c.image.endsWith(':latest'))",
  labels: "has(object.metadata.labels) && 'app' in object.metadata.labels",
  limits: "object.spec.containers.all(c, has(c.resources) && has(c.resources.limits) && 'memory' in c.resources.limits)",
  hostNetwork: '!has(object.spec.hostNetwork) || object.spec.hostNetwork == false',
  ports: 'object.spec.containers.all(c, !has(c.ports) || c.ports.all(p, p.containerPort > 1024))',
};

function pod(i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'web', tier: i % 2 ? 'front' : 'back' } },
    spec: {
      hostNetwork: false,
      containers: [
        {
          name: 'app',
          image: `registry.example.com/web:${i % 7 === 0 ? 'latest' : '1.2.3'}`,
          ports: [{ containerPort: 8080 }, { containerPort: 8443 }],
          securityContext: { privileged: false, runAsNonRoot: true, allowPrivilegeEscalation: false },
          resources: { limits: { memory: '128Mi', cpu: '500m' }, requests: { memory: '64Mi', cpu: '250m' } },
        },
        {
          name: 'sidecar',
          image: 'registry.example.com/proxy:2.0',
          securityContext: { privileged: i % 13 === 0 },
          resources: { limits: { memory: '32Mi' } },
        },
      ],
    },
  };
}

interface Speed {
  opsPerSec: Record<string, number | string>;
  podsPerSec: number | string;
  /** Pods per CPU-second of this process (robust when the machine is shared). */
  podsPerCpuSec: number | string;
}

function measure(c: BenchCandidate): Speed {
  const opsPerSec: Record<string, number | string> = {};
  const sample = c.prepare(pod(1));
  const iterations = quick ? 20_000 : 200_000;
  for (const [name, expr] of Object.entries(EXPRESSIONS)) {
    try {
      const p = c.compile(expr, ['object']);
      const act = { object: sample };
      const r = p.run(act);
      if (r && typeof r === 'object' && 'ok' in r && !(r as { ok: boolean }).ok) throw new Error(JSON.stringify(r));
      if (r instanceof Error) throw r;
      for (let i = 0; i < iterations / 10; i++) p.run(act);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) p.run(act);
      const dt = Number(process.hrtime.bigint() - t0) / 1e9;
      opsPerSec[name] = Math.round(iterations / dt);
    } catch (err) {
      opsPerSec[name] = `fails: ${String((err as Error).message ?? err).split('\n')[0].slice(0, 60)}`;
    }
  }
  // A guardrail scenario: every expression on each of N distinct pods (conversion of each new object included).
  let podsPerSec: number | string;
  let podsPerCpuSec: number | string;
  try {
    const programs = Object.values(EXPRESSIONS).map((e) => c.compile(e, ['object']));
    const n = quick ? 5_000 : 50_000;
    const jsonPods = Array.from({ length: n }, (_, i) => JSON.parse(JSON.stringify(pod(i))));
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    for (const jp of jsonPods) {
      const act = { object: c.prepare(jp) };
      for (const p of programs) p.run(act);
    }
    const cpu = process.cpuUsage(cpu0);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    podsPerSec = Math.round(n / dt);
    podsPerCpuSec = Math.round(n / ((cpu.user + cpu.system) / 1e6));
  } catch (err) {
    podsPerSec = `fails: ${String((err as Error).message).slice(0, 60)}`;
    podsPerCpuSec = podsPerSec;
  }
  return { opsPerSec, podsPerSec, podsPerCpuSec };
}

function pct(r: ConformanceReport): string {
  return `${(passRate(r) * 100).toFixed(1)}%`;
}

function main(): void {
  const cands = candidates();
  const cases = loadConformance();
  const reports = cands.map((c) => runConformance(c, cases));
  const names = cands.map((c) => c.name);
  const w = 14;
  const row = (label: string, cells: string[]): string => label.padEnd(20) + cells.map((x) => x.padStart(w)).join('');

  console.log('## Conformance (cel-spec v0.25.1 via @bufbuild/cel-spec; passed/(passed+failed), proto-message tests skipped)');
  console.log(row('section', names));
  for (const section of reports[0].sections.keys()) {
    const cells = reports.map((r) => {
      const s = r.sections.get(section)!;
      return s.passed + s.failed === 0 ? '-' : `${s.passed}/${s.passed + s.failed}`;
    });
    console.log(row(section, cells));
  }
  console.log(row('TOTAL', reports.map((r) => `${r.passed}/${r.passed + r.failed}`)));
  console.log(row('pass rate', reports.map(pct)));
  console.log(row('skipped (proto)', reports.map((r) => String(r.skipped))));
  const k8s = cands.map((c) => runConformance(c, cases, { kubernetesOnly: true }));
  console.log(row('k8s-enabled', k8s.map((r) => `${r.passed}/${r.passed + r.failed}`)));
  console.log(row('k8s-enabled rate', k8s.map(pct)));
  console.log(`(k8s-enabled: without ${[...NOT_IN_KUBERNETES].join(', ')}, which the API server does not enable)`);

  console.log('\n## Speed (ops/s, one pod object, compiled once; higher is better)');
  console.log(row('expression', names));
  const speeds = cands.map(measure);
  for (const name of Object.keys(EXPRESSIONS)) {
    console.log(row(name, speeds.map((s) => (typeof s.opsPerSec[name] === 'number' ? s.opsPerSec[name].toLocaleString('en-US') : 'fails'))));
  }
  console.log(row(`pods/s (${Object.keys(EXPRESSIONS).length} exprs)`, speeds.map((s) => (typeof s.podsPerSec === 'number' ? s.podsPerSec.toLocaleString('en-US') : 'fails'))));
  console.log(row('pods/CPU-second', speeds.map((s) => (typeof s.podsPerCpuSec === 'number' ? s.podsPerCpuSec.toLocaleString('en-US') : 'fails'))));
  const base = speeds[0].podsPerCpuSec;
  for (let i = 1; i < cands.length; i++) {
    const other = speeds[i].podsPerCpuSec;
    if (typeof base === 'number' && typeof other === 'number') console.log(`rampart / ${names[i]} pods per CPU-second ratio: ${(base / other).toFixed(2)}x`);
  }
  for (const [i, s] of speeds.entries()) {
    for (const [k, v] of Object.entries(s.opsPerSec)) if (typeof v === 'string') console.log(`note: ${names[i]} ${k}: ${v}`);
  }
}

main();
