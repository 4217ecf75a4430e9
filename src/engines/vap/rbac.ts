import { isObject, meta, type KObject } from '../../k8s/object.js';
import type { Inventory, UserInfo } from '../../policy/engine.js';
import type { CelAuthorizationDecision, CelAuthorizer } from '../cel/index.js';
// Not re-exported by the CEL engine's index (yet): the request shape of an authorization check.
import type { CelAuthorizationRequest } from '../cel/library/authz.js';

/**
 * The `authorizer` of admission policies, answered offline from the RBAC objects of the input (Roles,
 * ClusterRoles, RoleBindings, ClusterRoleBindings), the way the API server's RBAC authorizer would. RBAC only ever
 * allows; without a matching rule the decision is "no opinion" (so `.allowed()` is false), as in a cluster where RBAC
 * is the only authorizer. Aggregated ClusterRoles are not expanded.
 */
export class InventoryRbacAuthorizer implements CelAuthorizer {
  constructor(
    private readonly inventory: Inventory,
    private readonly user: UserInfo,
  ) {}

  authorize(req: CelAuthorizationRequest): CelAuthorizationDecision {
    const username = req.user ?? this.user.username ?? '';
    const groups = req.user !== undefined ? groupsOf(req.user) : [...(this.user.groups ?? []), ...groupsOf(username)];
    if (groups.includes('system:masters')) return { decision: 'allow', reason: 'system:masters' };
    const bindings = [...this.inventory.list('ClusterRoleBinding'), ...this.inventory.list('RoleBinding')];
    for (const b of bindings) {
      const bns = String(meta(b).namespace ?? 'default');
      const isRoleBinding = b.kind === 'RoleBinding';
      if (isRoleBinding && (req.namespace ?? '') !== bns) continue;
      if (!subjectMatches(b, username, groups, bns)) continue;
      const ref = isObject(b.roleRef) ? b.roleRef : {};
      const roleKind = String(ref.kind ?? '');
      const roleName = String(ref.name ?? '');
      const role = roleKind === 'Role' ? this.inventory.get('Role', bns, roleName) : this.inventory.get('ClusterRole', undefined, roleName);
      if (!role) continue;
      const rules = Array.isArray(role.rules) ? role.rules.filter(isObject) : [];
      if (rules.some((r) => ruleAllows(r, req))) {
        return { decision: 'allow', reason: `RBAC: allowed by ${b.kind} "${String(meta(b).name ?? '')}" of ${roleKind} "${roleName}"` };
      }
    }
    return { decision: 'noopinion', reason: 'no RBAC rule of the input allows it' };
  }
}

function groupsOf(username: string): string[] {
  const m = /^system:serviceaccount:([^:]+):[^:]+$/.exec(username);
  const groups = ['system:authenticated'];
  if (m) groups.push('system:serviceaccounts', `system:serviceaccounts:${m[1]}`);
  return groups;
}

function subjectMatches(binding: KObject, username: string, groups: string[], bindingNamespace: string): boolean {
  const subjects = Array.isArray(binding.subjects) ? binding.subjects.filter(isObject) : [];
  return subjects.some((s) => {
    const name = String(s.name ?? '');
    if (s.kind === 'User') return name === username;
    if (s.kind === 'Group') return groups.includes(name);
    if (s.kind === 'ServiceAccount') return username === `system:serviceaccount:${String(s.namespace ?? bindingNamespace)}:${name}`;
    return false;
  });
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function ruleAllows(rule: Record<string, unknown>, req: CelAuthorizationRequest): boolean {
  const verbs = list(rule.verbs);
  if (!verbs.includes('*') && !verbs.includes(req.verb)) return false;
  if (req.path !== undefined) {
    return list(rule.nonResourceURLs).some((u) => u === '*' || u === req.path || (u.endsWith('*') && req.path!.startsWith(u.slice(0, -1))));
  }
  const groups = list(rule.apiGroups);
  if (!groups.includes('*') && !groups.includes(req.group ?? '')) return false;
  const resource = req.subresource ? `${req.resource ?? ''}/${req.subresource}` : (req.resource ?? '');
  const resources = list(rule.resources);
  const resOk = resources.some((r) => r === '*' || r === resource || (req.subresource && r === `*/${req.subresource}`));
  if (!resOk) return false;
  const names = list(rule.resourceNames);
  return names.length === 0 || (req.name !== undefined && names.includes(req.name));
}
