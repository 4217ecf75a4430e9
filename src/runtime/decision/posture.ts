import type { KObject } from '../../k8s/object.js';
import type { Posture, PostureAction } from './engine.js';

const ANNOTATIONS: Record<keyof Posture, string> = {
  file: 'kubearmor-file-posture',
  network: 'kubearmor-network-posture',
  capabilities: 'kubearmor-capabilities-posture',
};

/** Parses "file=block,network=audit" (or "block" for all three) into a posture. Undefined when malformed. */
export function parsePosture(spec: string): Partial<Posture> | undefined {
  const out: Partial<Posture> = {};
  const ok = (v: string): v is PostureAction => v === 'audit' || v === 'block' || v === 'allow';
  const s = spec.trim().toLowerCase();
  if (ok(s)) return { file: s, network: s, capabilities: s };
  for (const part of s.split(',')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    if (!(k in ANNOTATIONS) || v === undefined || !ok(v)) return undefined;
    out[k as keyof Posture] = v;
  }
  return out;
}

export interface NamespaceSettings {
  namespacePosture: Record<string, Partial<Posture>>;
  auditedNamespaces: string[];
}

/**
 * KubeArmor's per-namespace settings from Namespace objects: the kubearmor-{file,network,capabilities}-posture
 * annotations (audit|block; anything else falls back to the global default, as KubeArmor does) and
 * kubearmor-policy: audited.
 */
export function namespaceSettings(objects: readonly KObject[]): NamespaceSettings {
  const namespacePosture: Record<string, Partial<Posture>> = {};
  const auditedNamespaces: string[] = [];
  for (const o of objects) {
    if (o.kind !== 'Namespace' || o.apiVersion !== 'v1') continue;
    const name = o.metadata?.name;
    if (!name) continue;
    const ann = o.metadata?.annotations ?? {};
    const p: Partial<Posture> = {};
    for (const [k, a] of Object.entries(ANNOTATIONS) as [keyof Posture, string][]) {
      const v = ann[a];
      if (v === 'audit' || v === 'block') p[k] = v;
    }
    if (Object.keys(p).length > 0) namespacePosture[name] = p;
    if (ann['kubearmor-policy'] === 'audited') auditedNamespaces.push(name);
  }
  return { namespacePosture, auditedNamespaces };
}
