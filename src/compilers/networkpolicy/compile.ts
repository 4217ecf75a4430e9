import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { KObject } from '../../k8s/object.js';
import type { KubeArmorPolicyModel, NetworkRule } from '../../runtime/kubearmor/model.js';

/**
 * Label-based KubeArmor network rules → Kubernetes NetworkPolicy (egress). NetworkPolicy selects pods by label and
 * allows traffic by protocol/port; it has no deny, no per-binary scope, and no ICMP/raw control. So:
 * - Allow rules (no fromSource) of a KubeArmorPolicy become an egress allowlist for the selected pods
 *   (TCP/UDP/SCTP; DNS stays reachable only if UDP or TCP is allowed);
 * - Block tcp/udp/sctp become an allowlist of the other two;
 * - raw, icmp, stream types and fromSource rules cannot be expressed (diagnostic `networkpolicy_cannot_express`).
 * KubeArmorClusterPolicy with `namespace In` gives one NetworkPolicy per namespace; NotIn cannot be enumerated.
 */
export interface NetworkPolicyBuild {
  objects: KObject[];
  diagnostics: Diagnostic[];
}

const L4: Record<string, string> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };

export function compileNetworkPolicies(policies: readonly KubeArmorPolicyModel[]): NetworkPolicyBuild {
  const objects: KObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of policies) {
    const net = p.rules.filter((r): r is NetworkRule => r.kind === 'network');
    if (net.length === 0) continue;
    if (p.kind === 'KubeArmorHostPolicy') {
      diagnostics.push(diag('networkpolicy_cannot_express', `${p.name}: host policies are not pod traffic; NetworkPolicy cannot express them`, { severity: 'warning', span: p.span }));
      continue;
    }
    const allows = new Set<string>();
    const blocks = new Set<string>();
    let hasAllow = false;
    for (const r of net) {
      const say = (why: string): void => void diagnostics.push(diag('networkpolicy_cannot_express', `${p.name}: ${why}`, { severity: 'warning', span: r.span, path: r.at }));
      if (r.action === 'Audit') continue;
      if (r.fromSource.length > 0) {
        if (r.action === 'Block') {
          say(`network ${r.protocol} from ${r.fromSource.join(', ')}: NetworkPolicy has no per-process scope; not blocked here`);
          continue;
        }
        // An allowlist entry that cannot be scoped to one binary is widened to the pod rather than dropped.
        say(`network ${r.protocol} from ${r.fromSource.join(', ')}: NetworkPolicy has no per-process scope; allowed for the whole pod`);
      }
      const l4 = r.protocol === 'all' ? Object.values(L4) : L4[r.protocol] ? [L4[r.protocol]] : undefined;
      if (!l4) {
        say(`${r.action === 'Allow' ? 'allowing' : 'blocking'} ${r.protocol} is beyond NetworkPolicy (TCP, UDP, SCTP only; no ICMP/raw); AppArmor or BPF-LSM enforce it`);
        continue;
      }
      if (r.action === 'Allow') {
        hasAllow = true;
        l4.forEach((x) => allows.add(x));
      } else l4.forEach((x) => blocks.add(x));
    }
    const any = hasAllow || blocks.size > 0;
    // An allowlist keeps what it allows minus what is blocked; blocks alone keep the other protocols.
    const allowed = new Set([...(hasAllow ? allows : Object.values(L4))].filter((x) => !blocks.has(x)));
    if (!any) continue;
    const namespaces = targetNamespaces(p, diagnostics);
    for (const ns of namespaces) {
      const np: KObject = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: {
          name: `rampart-${p.name}`.slice(0, 253),
          namespace: ns,
          labels: { 'app.kubernetes.io/managed-by': 'rampart' },
          annotations: { 'rampart.dev/source-policy': `${p.kind}/${p.name}` },
        },
        spec: {
          podSelector: podSelector(p),
          policyTypes: ['Egress'],
          egress: allowed.size === 0 ? [] : [{ ports: [...allowed].sort().map((protocol) => ({ protocol })) }],
        },
      };
      objects.push(np);
    }
  }
  return { objects, diagnostics };
}

function podSelector(p: KubeArmorPolicyModel): Record<string, unknown> {
  const matchLabels = Object.fromEntries(Object.entries(p.matchLabels).filter(([k]) => k !== 'kubearmor.io/container.name'));
  const matchExpressions = p.matchExpressions
    .filter((e) => e.key === 'label')
    .flatMap((e) =>
      e.values.map((kv) => {
        const [k, v = ''] = kv.split('=');
        return { key: k, operator: e.operator, values: [v] };
      }),
    );
  return {
    ...(Object.keys(matchLabels).length ? { matchLabels } : {}),
    ...(matchExpressions.length ? { matchExpressions } : {}),
  };
}

function targetNamespaces(p: KubeArmorPolicyModel, diagnostics: Diagnostic[]): string[] {
  if (p.kind === 'KubeArmorPolicy') return [p.namespace ?? 'default'];
  const ins = p.matchExpressions.filter((e) => e.key === 'namespace' && e.operator === 'In').flatMap((e) => e.values);
  if (ins.length === 0) {
    diagnostics.push(
      diag('networkpolicy_cannot_express', `${p.name}: a cluster policy without "namespace In" would need a NetworkPolicy in every namespace; list them with In`, {
        severity: 'warning',
        span: p.span,
      }),
    );
  }
  return [...new Set(ins)].sort();
}
