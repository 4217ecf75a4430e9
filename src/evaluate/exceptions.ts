import type { KObject } from '../k8s/object.js';
import { meta } from '../k8s/object.js';
import { matchesLabelSelector } from '../k8s/selector.js';
import type { PackException } from '../policy/pack.js';

/** The first unexpired exception of the pack covering this policy, rule and object; expired ones never match. */
export function findException(
  exceptions: readonly PackException[],
  policyId: string,
  rule: string,
  obj: KObject,
  namespace: string | undefined,
  now: Date,
): PackException | undefined {
  for (const ex of exceptions) {
    if (ex.policy !== policyId) continue;
    if (ex.expiresAt.getTime() < now.getTime()) continue;
    if (ex.rules && ex.rules.length > 0 && !ex.rules.includes(rule)) continue;
    const s = ex.scope;
    if (s.namespaces && s.namespaces.length > 0 && !s.namespaces.includes(namespace ?? '')) continue;
    if (s.kinds && s.kinds.length > 0 && !s.kinds.includes(String(obj.kind ?? ''))) continue;
    const name = String(meta(obj).name ?? '');
    if (s.names && s.names.length > 0 && !s.names.some((n) => (n.endsWith('*') ? name.startsWith(n.slice(0, -1)) : n === name))) continue;
    if (s.selector && !matchesLabelSelector(s.selector, meta(obj).labels)) continue;
    return ex;
  }
  return undefined;
}
