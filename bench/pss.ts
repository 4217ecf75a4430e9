/**
 * PSS engine throughput: `npx tsx bench/pss.ts [--pods 20000]`.
 * Evaluates a fixed corpus of pods (half hardened, half not, 1-3 containers, volumes, annotations) at
 * restricted:latest, baseline:latest and restricted:v1.24, and builds the aggregated message for each.
 * Peer: the real k8s.io/pod-security-admission v0.37.2 through the Go harness of the pss-upstream tier
 * (.cache/pss-upstream/pss-upstream; build it with `bash test/tiers/pss-upstream.sh`), fed the same pods as JSON
 * lines; both sides are timed including JSON decoding of each pod, the Go side also includes process start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { evaluatePod, formatPsaMessage, parseLevel, parseVersion } from '../src/engines/pss/index.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = arg('--pods', 20000);
const LVS: [string, string][] = [['restricted', 'latest'], ['baseline', 'latest'], ['restricted', 'v1.24']];

function pod(i: number): Record<string, unknown> {
  const hardened = i % 2 === 0;
  const containers = Array.from({ length: 1 + (i % 3) }, (_, c) => ({
    name: `c${c}`,
    image: 'registry.example/app:1',
    ports: [{ containerPort: 8080, ...(i % 7 === 0 ? { hostPort: 8080 } : {}) }],
    securityContext: hardened
      ? { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true }
      : { privileged: i % 5 === 0, capabilities: { add: ['NET_ADMIN'] } },
  }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, annotations: hardened ? {} : { 'container.apparmor.security.beta.kubernetes.io/c0': 'unconfined' } },
    spec: {
      securityContext: hardened ? { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } : { sysctls: [{ name: 'kernel.msgmax', value: '1' }] },
      containers,
      volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }, ...(hardened ? [] : [{ name: 'h', hostPath: { path: '/' } }])],
    },
  };
}

const lines: string[] = [];
for (let i = 0; i < N; i++) {
  const p = pod(i);
  for (const [level, version] of LVS) lines.push(JSON.stringify({ id: `${i}/${level}/${version}`, level, version, pod: p }));
}

// Rampart: decode each line, evaluate, build the message.
for (let w = 0; w < 2000; w++) {
  const c = JSON.parse(lines[w % lines.length]);
  evaluatePod(parseLevel(c.level).value, parseVersion(c.version).value, c.pod.metadata, c.pod.spec);
}
const t0 = process.hrtime.bigint();
let denied = 0;
for (const line of lines) {
  const c = JSON.parse(line);
  const level = parseLevel(c.level).value;
  const version = parseVersion(c.version).value;
  const results = evaluatePod(level, version, c.pod.metadata, c.pod.spec);
  if (formatPsaMessage(level, version, results) !== undefined) denied++;
}
const oursMs = Number(process.hrtime.bigint() - t0) / 1e6;
const oursRate = lines.length / (oursMs / 1000);

console.log(`machine: ${cpus().length} cpus, ${cpus()[0]?.model ?? 'unknown'}, node ${process.version}`);
console.log(`evaluations: ${lines.length} (${N} pods x ${LVS.length} level/versions), denied: ${denied}`);
console.log(`rampart:  ${oursMs.toFixed(0)} ms, ${Math.round(oursRate)} evaluations/s, ${((oursMs * 1000) / lines.length).toFixed(1)} us/evaluation`);

const bin = '.cache/pss-upstream/pss-upstream';
if (!existsSync(bin)) {
  console.log(`upstream: skipped (${bin} not built; run bash test/tiers/pss-upstream.sh once)`);
} else {
  const input = lines.join('\n') + '\n';
  const t1 = process.hrtime.bigint();
  const r = spawnSync(bin, [], { input, maxBuffer: 1 << 30 });
  const goMs = Number(process.hrtime.bigint() - t1) / 1e6;
  if (r.status !== 0) {
    console.log(`upstream: failed (${r.stderr})`);
  } else {
    const goRate = lines.length / (goMs / 1000);
    console.log(`upstream: ${goMs.toFixed(0)} ms, ${Math.round(goRate)} evaluations/s (Go library + JSON in/out + process start)`);
    console.log(`ratio rampart/upstream throughput: ${(oursRate / goRate).toFixed(2)}`);
  }
}
