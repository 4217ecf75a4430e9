import { createDecisionEngine } from '../decision/engine.js';
import type { KubeArmorPolicyModel } from '../kubearmor/model.js';
import type { RuntimeEvent, RuntimeWorkload } from '../telemetry/event.js';
import type { Attack } from './attacks.js';
import type { RuntimePolicyCoverage, UnverifiableHit } from './expect.js';
import type { Controls, HostFacts } from './pod-to-oci.js';

export interface CoverageInput {
  kubeArmor: readonly KubeArmorPolicyModel[];
  workload: { namespace: string; labels: Record<string, string> };
  host: HostFacts;
}

/**
 * Which runtime-policy layers the sandbox cannot enforce would stop an attack: KubeArmor (decided by Rampart's
 * KubeArmor decision engine on the attack's footprint as runtime events) and AppArmor (the runtime's default
 * profile when the pod asks for it on a node without the AppArmor LSM). These make an attack not-verifiable,
 * never blocked.
 */
export function runtimePolicyCoverage(input: CoverageInput): RuntimePolicyCoverage {
  const engine = input.kubeArmor.length > 0 ? createDecisionEngine(input.kubeArmor, { resultMode: 'predicted' }) : undefined;
  return (attack: Attack, c: Controls): UnverifiableHit[] => {
    const hits: UnverifiableHit[] = [];
    if (engine) {
      const workload: RuntimeWorkload = { namespace: input.workload.namespace, pod: c.pod, container: c.container, labels: input.workload.labels };
      for (const ev of footprintEvents(attack, workload, c.uid)) {
        try {
          const d = engine.decide(ev);
          if (d.wouldBlock) {
            hits.push({ layer: 'kubearmor', why: `KubeArmor policy ${d.policyName || '(default posture)'} blocks ${ev.operation} ${ev.resource}` });
            break;
          }
        } catch (e) {
          hits.push({ layer: 'kubearmor', why: `KubeArmor decision failed: ${(e as Error).message}` });
          break;
        }
      }
    }
    if (!input.host.appArmor && c.appArmor.type === 'RuntimeDefault') {
      const why = appArmorDefaultDenies(attack);
      if (why) hits.push({ layer: 'apparmor', why: `the runtime's default AppArmor profile ${why} (no AppArmor LSM on this node)` });
    }
    return hits;
  };
}

/** The runtime events an attack produces, as KubeArmor would see them. */
export function footprintEvents(attack: Attack, workload: RuntimeWorkload, uid: number): RuntimeEvent[] {
  const f = attack.footprint;
  const actor = f.exec?.[0] ?? '/bin/sh';
  const evs: RuntimeEvent[] = [];
  const base = { workload, uid, origin: 'rampart' as const };
  for (const p of f.exec ?? []) evs.push({ ...base, operation: 'Process', process: p, parentProcess: '/bin/sh', resource: p });
  for (const file of f.files ?? []) {
    evs.push({ ...base, operation: 'File', process: actor, resource: file.path, data: file.write ? 'flags=O_WRONLY|O_CREAT|O_TRUNC' : 'flags=O_RDONLY' });
  }
  for (const n of f.network ?? []) {
    const resource =
      n === 'tcp'
        ? 'domain=AF_INET type=SOCK_STREAM protocol=TCP'
        : n === 'udp'
          ? 'domain=AF_INET type=SOCK_DGRAM protocol=UDP'
          : 'domain=AF_INET type=SOCK_RAW protocol=ICMP';
    evs.push({ ...base, operation: 'Network', process: actor, resource });
  }
  for (const cap of f.capabilities ?? []) evs.push({ ...base, operation: 'Capabilities', process: actor, resource: cap });
  return evs;
}

/**
 * The parts of containerd's default AppArmor profile (cri-containerd.apparmor.d, the docker-default template)
 * that stop library attacks: `deny mount`, `deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w` (core_pattern).
 */
function appArmorDefaultDenies(attack: Attack): string | undefined {
  if (attack.id === 'unshare-mount') return 'denies mount';
  const w = (attack.footprint.files ?? []).find((x) => x.write && /^\/proc\/sys\/kernel\/(?!shm)/.test(x.path));
  return w ? `denies writes to ${w.path}` : undefined;
}
