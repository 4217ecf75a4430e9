// Runtime decision engine benchmark: 100 KubeArmor policies, a synthetic event stream, events/s on one core,
// against a peer run without the per-workload index (policies bound and rules compiled for every event).
// Also times loading + validating + compiling (AppArmor and seccomp) the whole ../shared/conformance/kubearmor
// example set. Run: npx tsx bench/runtime.ts [events]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadManifestText } from '../src/k8s/load.js';
import { createKubeArmorLoader } from '../src/runtime/kubearmor/load.js';
import { createDecisionEngine } from '../src/runtime/decision/engine.js';
import { createRuntimeEvent, type RuntimeEvent } from '../src/runtime/telemetry/event.js';
import { compileAppArmor } from '../src/compilers/apparmor/compile.js';
import { compileKubeArmorToSeccomp } from '../src/compilers/seccomp/from-kubearmor.js';

const N = Number(process.argv[2] ?? 2_000_000);
const NAMESPACES = 10;
const APPS = 5;

function policiesYaml(): string {
  const docs: string[] = [];
  for (let i = 0; i < 100; i++) {
    const ns = `ns-${i % NAMESPACES}`;
    const app = `app-${i % APPS}`;
    const kind = i % 5;
    const body = [
      `  process:\n    matchPaths:\n    - path: /usr/bin/tool-${i}\n    - path: /bin/nc\n      fromSource: [{path: /bin/sh}]\n    matchDirectories:\n    - dir: /opt/bin-${i}/\n      recursive: true\n  action: Block`,
      `  file:\n    matchPaths:\n    - path: /etc/secret-${i}\n      readOnly: true\n    matchDirectories:\n    - dir: /run/secrets-${i}/\n      recursive: true\n    matchPatterns:\n    - pattern: /tmp/*.key${i}\n  action: Block`,
      `  network:\n    matchProtocols:\n    - protocol: raw\n    - protocol: icmp\n  action: Audit`,
      `  process:\n    matchPaths:\n    - path: /usr/sbin/server-${i}\n    - path: /bin/sh\n  file:\n    matchDirectories:\n    - dir: /srv/data-${i}/\n      recursive: true\n  action: Allow`,
      `  syscalls:\n    matchSyscalls:\n    - syscall: [unshare, mount, ptrace]\n  capabilities:\n    matchCapabilities:\n    - capability: net_raw\n  action: Block`,
    ][kind];
    docs.push(`apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata: {name: p-${i}, namespace: ${ns}}\nspec:\n  severity: 5\n  selector: {matchLabels: {app: ${app}}}\n${body}\n`);
  }
  return docs.join('---\n');
}

function syntheticEvents(count: number): RuntimeEvent[] {
  // A pool of distinct events; the stream cycles through it (like real traffic: few workloads, repeated operations).
  const pool: RuntimeEvent[] = [];
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  for (let i = 0; i < 4096; i++) {
    const ns = `ns-${rnd(NAMESPACES)}`;
    const app = `app-${rnd(APPS)}`;
    const workload = { namespace: ns, pod: `${app}-pod-${rnd(3)}`, container: app, containerId: `c-${ns}-${app}`, labels: { app, 'pod-template-hash': 'abc' } };
    const k = rnd(10);
    const base = { workload, origin: 'kubearmor' as const, uid: 0, result: 'Passed' };
    if (k < 3) pool.push({ ...base, operation: 'Process', process: rnd(2) ? `/usr/bin/tool-${rnd(100)}` : '/bin/ls', parentProcess: '/bin/sh', source: '/bin/sh', resource: '/bin/ls -l', data: 'syscall=SYS_EXECVE' });
    else if (k < 7) pool.push({ ...base, operation: 'File', process: '/usr/bin/cat', parentProcess: '/bin/sh', source: '/usr/bin/cat', resource: rnd(2) ? `/etc/secret-${rnd(100)}` : `/run/secrets-${rnd(100)}/token`, data: `syscall=SYS_OPENAT flags=${rnd(2) ? 'O_RDONLY' : 'O_WRONLY'}` });
    else if (k < 9) pool.push({ ...base, operation: 'Network', process: '/usr/bin/curl', source: '/usr/bin/curl x', resource: rnd(2) ? 'domain=AF_INET type=SOCK_STREAM protocol=TCP' : 'domain=AF_INET type=SOCK_RAW protocol=ICMP', data: 'syscall=SYS_SOCKET' });
    else pool.push({ ...base, operation: 'Syscall', process: '/usr/bin/unshare', source: '/usr/bin/unshare -m', resource: '', data: 'syscall=SYS_UNSHARE' });
  }
  // Parsers build every event through createRuntimeEvent (one object shape); so does the synthetic stream.
  return Array.from({ length: Math.min(count, pool.length) }, (_, i) => createRuntimeEvent(pool[i]));
}

function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.ya?ml$/.test(n)) out.push(p);
  }
  return out;
}

const loaded = createKubeArmorLoader().load(loadManifestText(policiesYaml(), 'bench.yaml').objects);
if (loaded.diagnostics.some((d) => d.severity === 'error')) throw new Error(JSON.stringify(loaded.diagnostics));
const policies = loaded.policies;
const pool = syntheticEvents(4096);

// Warm up, then measure the indexed engine. The stream is traffic recorded without these policies (all Passed):
// merge mode predicts what the policies would deny, the replay path of a candidate policy (`--result merge`).
const engine = createDecisionEngine(policies, { namespacePosture: { 'ns-1': { file: 'block' } }, resultMode: 'merge' });
let blocks = 0;
for (let i = 0; i < 200_000; i++) engine.decide(pool[i & 4095]);
// The machine is shared: rates are per CPU-second of this process (process.cpuUsage), wall time is shown too.
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let c0 = cpu();
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) if (engine.decide(pool[i & 4095]).wouldBlock) blocks++;
const indexedWall = Number(process.hrtime.bigint() - t0) / 1e9;
const indexedCpu = cpu() - c0;
const indexedRate = N / indexedCpu;

// Peer: same semantics without the per-workload index (a fresh engine per event binds policies and compiles rules).
const PEER = 20_000;
c0 = cpu();
for (let i = 0; i < PEER; i++) createDecisionEngine(policies, { namespacePosture: { 'ns-1': { file: 'block' } }, resultMode: 'merge' }).decide(pool[i & 4095]);
const peerRate = PEER / (cpu() - c0);

console.log(`decision engine: ${policies.length} policies, ${N.toLocaleString('en')} events`);
console.log(`  indexed + precompiled: ${Math.round(indexedRate).toLocaleString('en')} events per CPU-second (${((indexedCpu / N) * 1e9).toFixed(0)} ns/event; wall ${Math.round(N / indexedWall).toLocaleString('en')}/s), ${blocks} would-block`);
console.log(`  peer (no index, compile per event): ${Math.round(peerRate).toLocaleString('en')} events per CPU-second`);
console.log(`  ratio: ${(indexedRate / peerRate).toFixed(1)}x`);

const SHARED = resolve(process.cwd(), '../shared/conformance/kubearmor/examples');
if (existsSync(SHARED)) {
  const files = walk(SHARED).map((f) => [f, readFileSync(f, 'utf8')] as const);
  const runs: number[] = [];
  let count = 0;
  for (let r = 0; r < 5; r++) {
    const t = cpu();
    const loader = createKubeArmorLoader();
    const all = [];
    for (const [f, text] of files) all.push(...loader.load(loadManifestText(text, f).objects).policies);
    for (const p of all) {
      compileAppArmor([p]);
      compileKubeArmorToSeccomp([p]);
    }
    count = all.length;
    runs.push((cpu() - t) * 1000);
  }
  runs.sort((a, b) => a - b);
  console.log(`example set: ${files.length} files, ${count} policies: load+validate+compile (AppArmor+seccomp) median ${runs[2].toFixed(1)} ms CPU, slowest (first, cold) ${runs[runs.length - 1].toFixed(1)} ms CPU`);
} else console.log('example set: ../shared/conformance/kubearmor missing; skipped');
