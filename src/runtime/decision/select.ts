import type { KubeArmorPolicyModel } from '../kubearmor/model.js';
import type { RuntimeWorkload } from '../telemetry/event.js';

/** The pseudo-label KubeArmor selectors use to pick containers by name (value: "name" or "[a, b]"). */
export const CONTAINER_NAME_LABEL = 'kubearmor.io/container.name';

/** True when an event comes from the host rather than a container. */
export function isHostWorkload(w: RuntimeWorkload): boolean {
  return !w.containerId && !w.namespace && !w.pod;
}

/**
 * Whether a policy applies to a workload, as KubeArmor binds policies to endpoints:
 * KubeArmorPolicy: same namespace, every matchLabels entry among the pod's labels (the container-name pseudo-label
 * compares with the container), every matchExpressions `label` In (one of the "k=v" values present) / NotIn (none).
 * KubeArmorClusterPolicy: `namespace` In/NotIn on the namespace and `label` expressions as above.
 * KubeArmorHostPolicy: host events; nodeSelector `kubernetes.io/hostname` compares with the node name, other keys
 * with `nodeLabels` when given (unknown keys are assumed to match, since events do not carry node labels); "*" matches
 * every node.
 */
export function policyApplies(p: KubeArmorPolicyModel, w: RuntimeWorkload, nodeLabels?: Record<string, string>): boolean {
  if (p.kind === 'KubeArmorHostPolicy') {
    if (!isHostWorkload(w)) return false;
    for (const [k, v] of Object.entries(p.nodeSelector)) {
      const have = k === 'kubernetes.io/hostname' && w.host !== undefined ? w.host : nodeLabels?.[k];
      if (v !== '*' && have !== undefined && have !== v) return false; // "*" selects every node
    }
    return true;
  }
  if (isHostWorkload(w)) return false;
  if (p.kind === 'KubeArmorPolicy' && (w.namespace ?? '') !== p.namespace) return false;
  for (const [k, v] of Object.entries(p.matchLabels)) {
    if (k === CONTAINER_NAME_LABEL) {
      if (!containerSelected(v, w)) return false;
    } else if (w.labels[k] !== v) return false;
  }
  for (const e of p.matchExpressions) {
    let hit: boolean;
    if (e.key === 'namespace') hit = e.values.includes(w.namespace ?? '');
    else hit = e.values.some((kv) => labelPresent(kv, w));
    if (e.operator === 'In' ? !hit : hit) return false;
  }
  return true;
}

function labelPresent(kv: string, w: RuntimeWorkload): boolean {
  const i = kv.indexOf('=');
  if (i < 0) return Object.prototype.hasOwnProperty.call(w.labels, kv);
  const k = kv.slice(0, i);
  const v = kv.slice(i + 1);
  if (k === CONTAINER_NAME_LABEL) return containerSelected(v, w);
  return w.labels[k] === v;
}

/** An empty list ("" or "[]") selects every container of the pod, as KubeArmor does (tests/k8s_env/multicontainer). */
function containerSelected(v: string, w: RuntimeWorkload): boolean {
  const names = containerNames(v);
  return names.length === 0 || names.includes(w.container ?? '');
}

function containerNames(v: string): string[] {
  const t = v.trim().replace(/^\[/, '').replace(/\]$/, '');
  return t.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
