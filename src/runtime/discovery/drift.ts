import type { KubeArmorPolicyModel, KubeArmorRule } from '../kubearmor/model.js';
import { createDecisionEngine, type DecisionOptions } from '../decision/engine.js';
import type { RuntimeEvent } from '../telemetry/event.js';

export interface DriftItem {
  operation: string;
  process: string;
  resource: string;
  count: number;
}

export interface DriftReport {
  /** Behaviour the allowlists do not cover (would be DefaultPosture under block posture). */
  newBehaviour: DriftItem[];
  /** Events a Block rule matched. */
  violations: (DriftItem & { policyName: string })[];
  /** Allow rules no event exercised: candidates to remove (least privilege). */
  unusedAllowRules: { policyName: string; rule: string; line?: number }[];
  events: number;
}

/** Drift of observed behaviour against existing policies, decided as if every posture were block. */
export function driftReport(policies: readonly KubeArmorPolicyModel[], events: readonly RuntimeEvent[], opts: DecisionOptions = {}): DriftReport {
  const engine = createDecisionEngine(policies, { ...opts, defaultPosture: { file: 'block', network: 'block', capabilities: 'block' }, namespacePosture: {}, resultMode: 'predicted' });
  const used = new Set<KubeArmorRule>();
  const fresh = new Map<string, DriftItem>();
  const viol = new Map<string, DriftItem & { policyName: string }>();
  for (const ev of events) {
    if (ev.unsupported !== undefined) continue;
    const d = engine.decide(ev);
    if (d.rule) used.add(d.rule);
    const key = `${ev.operation}\u0000${ev.process}\u0000${ev.resource}`;
    if (d.policyName === 'DefaultPosture') {
      const f = fresh.get(key) ?? { operation: ev.operation, process: ev.process, resource: ev.resource, count: 0 };
      f.count++;
      fresh.set(key, f);
    } else if (d.action === 'Block' && d.rule) {
      const v = viol.get(key) ?? { operation: ev.operation, process: ev.process, resource: ev.resource, count: 0, policyName: d.policyName };
      v.count++;
      viol.set(key, v);
    }
  }
  const unusedAllowRules: DriftReport['unusedAllowRules'] = [];
  for (const p of policies) {
    for (const r of p.rules) {
      if (r.action !== 'Allow' || used.has(r)) continue;
      unusedAllowRules.push({ policyName: p.name, rule: r.at.join('.'), ...(r.span ? { line: r.span.line } : {}) });
    }
  }
  const order = (a: DriftItem, b: DriftItem): number => b.count - a.count || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0);
  return { newBehaviour: [...fresh.values()].sort(order), violations: [...viol.values()].sort(order), unusedAllowRules, events: events.length };
}
