// Helper of test/tiers/apparmor.sh: writes one AppArmor profile file per KubeArmor example policy (audit and block
// postures) and one merged profile per namespace into OUT_DIR. Usage: apparmor-compile.ts EXAMPLES_DIR OUT_DIR
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifestText } from '../../src/k8s/load.js';
import { createKubeArmorLoader } from '../../src/runtime/kubearmor/load.js';
import { compileAppArmor, profileName } from '../../src/compilers/apparmor/compile.js';
import type { KubeArmorPolicyModel } from '../../src/runtime/kubearmor/model.js';

const [dir, out] = process.argv.slice(2);
const walk = (d: string, acc: string[] = []): string[] => {
  for (const n of readdirSync(d).sort()) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p, acc);
    else if (/\.ya?ml$/.test(n)) acc.push(p);
  }
  return acc;
};
const loader = createKubeArmorLoader();
const all: KubeArmorPolicyModel[] = [];
for (const f of walk(dir)) all.push(...loader.load(loadManifestText(readFileSync(f, 'utf8'), f).objects, all.length).policies);
let n = 0;
const write = (name: string, text: string) => {
  writeFileSync(join(out, `${String(n++).padStart(3, '0')}-${name}.apparmor`), text);
};
for (const p of all) {
  for (const posture of ['audit', 'block']) {
    // Unique names: the tier parses profiles in batches, and example directories repeat policy names.
    const name = `${profileName(p.namespace, p.name)}-${posture}-${n}`;
    const r = compileAppArmor([p], { name, posture: { file: posture, network: posture, capabilities: posture } });
    write(`${r.profile.name}-${posture}`, r.profile.text);
  }
}
const byNs = new Map<string, KubeArmorPolicyModel[]>();
for (const p of all) byNs.set(p.namespace ?? p.kind, [...(byNs.get(p.namespace ?? p.kind) ?? []), p]);
for (const [ns, ps] of byNs) {
  const r = compileAppArmor(ps, { name: `rampart-merged-${ns.toLowerCase()}`, posture: { file: 'block', network: 'block', capabilities: 'block' } });
  write(`merged-${ns}`, r.profile.text);
}
console.log(`apparmor tier: ${all.length} policies → ${n} profiles`);
