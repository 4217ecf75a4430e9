/**
 * rampart verify: what one run costs and how much the parallel sandbox saves.
 *   1. planning (pod → OCI config, controls, all expectations) per pod, pure;
 *   2. the hardened testdata pod's attack containers with concurrency 1 (the peer) and 4 (the default).
 * Part 2 needs root, runc and busybox-static; it is skipped with the reason otherwise.
 * Run: sudo npx tsx bench/verify.ts [--rounds 3]
 */
import { readFileSync } from 'node:fs';
import { loadManifestText } from '../src/k8s/load.js';
import { planVerify } from '../src/runtime/verify/plan.js';
import type { VerifyPolicies } from '../src/runtime/verify/policies.js';
import { buildProbe, defaultCacheDir } from '../src/io/sandbox/probe.js';
import { findExecutable, isStaticElf, readNodeFacts } from '../src/io/sandbox/host.js';
import { runSandbox } from '../src/io/sandbox/sandbox.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
const facts = readNodeFacts();
const policies: VerifyPolicies = { seccomp: [], kubeArmor: [], appArmor: [], diagnostics: [] };
const pod = loadManifestText(readFileSync('src/runtime/verify/testdata/hardened-pod.yaml', 'utf8'), 'hardened-pod.yaml').objects[0];

const n = 2000;
planVerify(pod, { host: facts, policies });
const t = performance.now();
for (let i = 0; i < n; i++) planVerify(pod, { host: facts, policies });
const planMs = (performance.now() - t) / n;
console.log(`planning: ${n} plans, ${(planMs * 1000).toFixed(0)} µs per pod (OCI config + ${planVerify(pod, { host: facts, policies }).plan!.attacks.length} expectations)`);

const runc = findExecutable('runc');
const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => isStaticElf(p));
if (!facts.isRoot || !runc || !busybox) {
  console.log(`sandbox: skipped (${!facts.isRoot ? 'not root' : !runc ? 'no runc' : 'no busybox-static'})`);
  process.exit(0);
}
const probe = (await buildProbe(defaultCacheDir())).path;
const { plan } = planVerify(pod, { host: facts, policies });
const jobs = plan!.attacks.map((a) => ({ name: a.attack.id, args: a.args }));
const timeRun = async (concurrency: number): Promise<number> => {
  const s = performance.now();
  await runSandbox({ runc, busybox, probe, config: plan!.spec as unknown as Record<string, unknown>, volumes: plan!.volumes, jobs, concurrency, timeoutMs: 10_000 });
  return performance.now() - s;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seq: number[] = [];
const par: number[] = [];
for (let r = 0; r < rounds; r++) {
  seq.push(await timeRun(1));
  par.push(await timeRun(4));
}
const s1 = median(seq);
const s4 = median(par);
console.log(`sandbox, ${jobs.length} attack containers, median of ${rounds}:`);
console.log(`  concurrency 1: ${s1.toFixed(0)} ms (${(s1 / jobs.length).toFixed(0)} ms per container)`);
console.log(`  concurrency 4: ${s4.toFixed(0)} ms`);
console.log(`  ratio sequential/parallel: ${(s1 / s4).toFixed(2)}`);
