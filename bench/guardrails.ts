/**
 * Guardrail library throughput: the whole library (15 ValidatingAdmissionPolicies + bindings, plus PSS restricted
 * when src/engines/pss exists) compiled once and evaluated over generated pods, as the CI scan would.
 *
 *   npx tsx bench/guardrails.ts                 # 100,000 pods
 *   npx tsx bench/guardrails.ts --pods 20000
 *
 * Prints pods per CPU-second (one core; process CPU time, steadier than wall time on a shared machine), and the peer ratio against PSS restricted alone (Rampart's native TS engine)
 * evaluating the same pods in the same process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifestText } from '../src/k8s/load.js';
import { MemoryInventory } from '../src/k8s/inventory.js';
import type { KObject, LoadedObject } from '../src/k8s/object.js';
import type { CompiledPolicy } from '../src/policy/engine.js';
import { offlineContext } from '../src/evaluate/context.js';
import { guardrailLibraryDir, vapEngine } from '../src/engines/vap/index.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('--pods', 100_000);

const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4);

/** Pods in varied shapes: mostly compliant, every 3rd with one or two violations. */
function pod(i: number): KObject {
  const bad = i % 3 === 0;
  const containers = [
    {
      name: 'app',
      image: bad && i % 2 ? `nginx:latest` : `registry.example.com/team/app@${DIGEST}`,
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: !(bad && i % 5 === 0),
        privileged: bad && i % 7 === 0,
        capabilities: { drop: ['ALL'] },
      },
    },
  ];
  if (i % 4 === 0) {
    containers.push({
      name: 'sidecar',
      image: `ghcr.io/acme/proxy@${DIGEST}`,
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '64Mi' } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } },
    });
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: `team-${i % 10}`, labels: { app: 'web', owner: bad ? '' : 'team' } },
    spec: {
      automountServiceAccountToken: false,
      hostNetwork: bad && i % 11 === 0,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers,
    },
  };
}

function loadLibrary(): LoadedObject[] {
  const dir = guardrailLibraryDir();
  const out: LoadedObject[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
    out.push(...loadManifestText(readFileSync(join(dir, f), 'utf8'), join(dir, f)).objects);
  }
  const params = readFileSync(join(dir, 'tests/.data/params.yaml'), 'utf8');
  out.push(...loadManifestText(params, 'params.yaml').objects);
  return out;
}

function run(label: string, policies: CompiledPolicy[], pods: KObject[], inventory: MemoryInventory): number {
  const now = new Date();
  let fails = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const p of pods) {
    const ctx = offlineContext(p, { inventory, now });
    for (const pol of policies) {
      if (pol.mayApply && !pol.mayApply('Pod', '')) continue;
      for (const r of pol.evaluate(ctx)) if (r.status === 'fail' || r.status === 'error') fails++;
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // The machine is shared: CPU time of this process is a steadier base than wall time.
  const rate = pods.length / (cpuMs / 1000);
  console.log(
    `${label.padEnd(46)} wall ${ms.toFixed(0).padStart(7)} ms  cpu ${cpuMs.toFixed(0).padStart(7)} ms  ${Math.round(rate).toLocaleString('en-US').padStart(9)} pods/cpu-s  (${fails} failing results)`,
  );
  return rate;
}

const objects = loadLibrary();
const tc = performance.now();
const compiled = vapEngine.compile(objects.filter((o) => vapEngine.accepts(o.object)), objects);
console.log(`compiled ${compiled.policies.length} guardrails in ${(performance.now() - tc).toFixed(1)} ms; ${compiled.diagnostics.length} diagnostics`);
for (const d of compiled.diagnostics) console.log(`  ${d.code}: ${d.message}`);
// PSS restricted joins the run when its engine is there (it is another helper's module).
let pss: CompiledPolicy | undefined;
try {
  const mod = (await import('../src/engines/pss/index.js')) as { createPssPolicy?: (o: { level: string }) => { policy?: CompiledPolicy } };
  pss = mod.createPssPolicy?.({ level: 'restricted' }).policy;
} catch (e) {
  console.log(`PSS engine not loaded (${(e as Error).message.split('\n')[0]}); measuring the guardrails alone`);
}
const pods = Array.from({ length: N }, (_, i) => pod(i));
const inventory = new MemoryInventory(objects.map((o) => o.object));
// warm-up (JIT), then measure
run('warm-up (5,000 pods)', [...compiled.policies, ...(pss ? [pss] : [])], pods.slice(0, 5000), inventory);
const all = run(`guardrails (${compiled.policies.length}) + PSS restricted, ${N} pods`, [...compiled.policies, ...(pss ? [pss] : [])], pods, inventory);
const vapOnly = run(`guardrails only (${compiled.policies.length} VAPs)`, compiled.policies, pods, inventory);
const pssOnly = pss ? run('peer: PSS restricted only (native TS)', [pss], pods, inventory) : NaN;
console.log(`pods/s per core: ${Math.round(all).toLocaleString('en-US')} (goal 50,000); VAP library alone ${Math.round(vapOnly).toLocaleString('en-US')}`);
if (pss) console.log(`ratio guardrail library / PSS restricted alone: ${(vapOnly / pssOnly).toFixed(3)}`);
