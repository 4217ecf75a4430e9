import { isObject } from '../../k8s/object.js';
import { matchesLabelSelector } from '../../k8s/selector.js';

/** What admission matching looks at, computed once per evaluation from the EvalContext. */
export interface RequestFacts {
  operation: string;
  group: string;
  version: string;
  resource: string;
  subResource: string;
  kind: string;
  name: string;
  /** '' for cluster-scoped requests. */
  namespace: string;
  /** True when the request is about the Namespace object itself. */
  isNamespaceObject: boolean;
  objectLabels: Record<string, string> | undefined;
  oldObjectLabels: Record<string, string> | undefined;
  /** Labels of the request's namespace (or of the Namespace object itself). */
  namespaceLabels: Record<string, string> | undefined;
  /**
   * Everything resource rules look at except the name (operation, group, version, resource, subresource, scope
   * class): rule matching is cached by it. Absent: no caching.
   */
  ruleKey?: string;
  /** The namespace labels as an exact key (see labelsKeyOf): namespaceSelector results are cached by it. */
  namespaceLabelsKey?: string;
}

/**
 * An exact key for a label map: its own keys and values, in order, NUL-separated. Undefined (no caching) for
 * anything but a plain object of string values without NUL (where the key could be ambiguous). Undefined reads as {}.
 */
export function labelsKeyOf(labels: Record<string, string> | undefined): string | undefined {
  if (labels === undefined) return '';
  // Selectors read own properties (and, for absent keys, Object.prototype's, which are never strings).
  const proto: unknown = Object.getPrototypeOf(labels);
  if (proto !== Object.prototype && proto !== null) return undefined;
  let key = '';
  for (const k of Object.getOwnPropertyNames(labels)) {
    const v = (labels as Record<string, unknown>)[k];
    if (typeof v !== 'string' || k.includes('\u0000') || v.includes('\u0000')) return undefined;
    key += `${k}\u0000${v}\u0000`;
  }
  return key;
}

/** RequestFacts.ruleKey of these facts. */
export function ruleKeyOf(f: Omit<RequestFacts, 'ruleKey'>): string {
  const scope = f.isNamespaceObject ? 'N' : f.namespace === '' ? 'C' : 'n';
  return `${f.operation}\u0000${f.group}\u0000${f.version}\u0000${f.resource}\u0000${f.subResource}\u0000${scope}`;
}

/** Bound on the rule-match and namespace-selector caches of one MatchResources (distinct request shapes are few in practice). */
const RULE_CACHE_MAX = 256;

/** One admissionregistration.k8s.io RuleWithOperations (NamedRuleWithOperations), precompiled to sets. */
interface CompiledRule {
  operations: Set<string>;
  groups: Set<string>;
  versions: Set<string>;
  /** [resource, subresource] pairs; '*' wildcards kept as '*'. */
  resources: [string, string][];
  scope: string;
  resourceNames: Set<string> | undefined;
}

export interface CompiledMatchResources {
  /** True when the request matches: namespaceSelector, objectSelector, not excluded, and a resource rule. */
  matches(facts: RequestFacts): boolean;
  /** False only when no rule can match an object of this API group (cheap pre-filter). */
  mayMatchGroup(group: string): boolean;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function compileRule(raw: unknown): CompiledRule {
  const r = isObject(raw) ? raw : {};
  const resources = strings(r.resources).map((res): [string, string] => {
    const i = res.indexOf('/');
    return i < 0 ? [res, ''] : [res.slice(0, i), res.slice(i + 1)];
  });
  const names = strings(r.resourceNames);
  return {
    operations: new Set(strings(r.operations)),
    groups: new Set(strings(r.apiGroups)),
    versions: new Set(strings(r.apiVersions)),
    resources,
    scope: typeof r.scope === 'string' ? r.scope : '*',
    resourceNames: names.length > 0 ? new Set(names) : undefined,
  };
}

function has(set: Set<string>, v: string): boolean {
  return set.has('*') || set.has(v);
}

/** rules.go Matcher: operation, group, version, resource/subresource, scope and resourceNames. */
function ruleMatches(rule: CompiledRule, f: RequestFacts, group: string, version: string, resource: string): boolean {
  if (!has(rule.operations, f.operation)) return false;
  if (!has(rule.groups, group) || !has(rule.versions, version)) return false;
  let resOk = false;
  for (const [res, sub] of rule.resources) {
    if ((res === '*' || res === resource) && (sub === '*' || sub === f.subResource)) {
      resOk = true;
      break;
    }
  }
  if (!resOk) return false;
  switch (rule.scope) {
    case 'Namespaced':
      if (f.isNamespaceObject || f.namespace === '') return false;
      break;
    case 'Cluster':
      if (!f.isNamespaceObject && f.namespace !== '') return false;
      break;
    default:
      break;
  }
  if (rule.resourceNames && !rule.resourceNames.has(f.name)) return false;
  return true;
}

/**
 * Group aliases the API server treats as the same resource under matchPolicy Equivalent (the old extensions group
 * served what apps, networking and policy serve now).
 */
const EQUIVALENT_GROUPS: Record<string, string[]> = {
  'extensions/deployments': ['apps'],
  'extensions/daemonsets': ['apps'],
  'extensions/replicasets': ['apps'],
  'extensions/networkpolicies': ['networking.k8s.io'],
  'extensions/ingresses': ['networking.k8s.io'],
  'extensions/podsecuritypolicies': ['policy'],
  'apps/deployments': ['extensions'],
  'apps/daemonsets': ['extensions'],
  'apps/replicasets': ['extensions'],
  'networking.k8s.io/networkpolicies': ['extensions'],
  'networking.k8s.io/ingresses': ['extensions'],
  'policy/podsecuritypolicies': ['extensions'],
};

function rulesMatch(rules: CompiledRule[], equivalent: boolean, f: RequestFacts): boolean {
  for (const rule of rules) if (ruleMatches(rule, f, f.group, f.version, f.resource)) return true;
  if (!equivalent) return false;
  // Equivalent: the same resource served under another version (or an aliased group) matches too; the API
  // server would convert the object to the rule's version, which offline evaluation cannot do (same shape assumed).
  const groups = [f.group, ...(EQUIVALENT_GROUPS[`${f.group}/${f.resource}`] ?? [])];
  for (const rule of rules) {
    for (const g of groups) {
      for (const v of rule.versions) {
        if (ruleMatches(rule, f, g, v === '*' ? f.version : v, f.resource)) return true;
      }
    }
  }
  return false;
}

/** Compiles admissionregistration.k8s.io/v1 MatchResources (policy matchConstraints or binding matchResources). */
export function compileMatchResources(raw: unknown): CompiledMatchResources {
  const m = isObject(raw) ? raw : {};
  const include = Array.isArray(m.resourceRules) ? m.resourceRules.map(compileRule) : [];
  const exclude = Array.isArray(m.excludeResourceRules) ? m.excludeResourceRules.map(compileRule) : [];
  const equivalent = m.matchPolicy !== 'Exact';
  const nsSelector = isObject(m.namespaceSelector) ? m.namespaceSelector : undefined;
  const objSelector = isObject(m.objectSelector) ? m.objectSelector : undefined;
  const nsSelectorEmpty = !nsSelector || isEmptySelector(nsSelector);
  const objSelectorEmpty = !objSelector || isEmptySelector(objSelector);
  const groups = new Set<string>();
  for (const r of include) for (const g of r.groups) groups.add(g);
  const anyGroup = include.length === 0 || groups.has('*') || include.some((r) => r.versions.size === 0);
  const rulesOutcome = (f: RequestFacts): boolean => {
    if (exclude.length > 0 && rulesMatch(exclude, equivalent, f)) return false;
    if (include.length === 0) return true;
    return rulesMatch(include, equivalent, f);
  };
  // Rules naming resources depend on the request's name too: those are not cached.
  const cacheable = ![...include, ...exclude].some((r) => r.resourceNames !== undefined);
  const ruleCache = new Map<string, boolean>();
  const nsCache = new Map<string, boolean>();
  const nsSelectorMatches = (f: RequestFacts): boolean => {
    const key = f.namespaceLabelsKey;
    if (key === undefined) return matchesLabelSelector(nsSelector, f.namespaceLabels ?? {});
    let hit = nsCache.get(key);
    if (hit === undefined) {
      if (nsCache.size >= RULE_CACHE_MAX) nsCache.clear();
      nsCache.set(key, (hit = matchesLabelSelector(nsSelector, f.namespaceLabels ?? {})));
    }
    return hit;
  };
  return {
    mayMatchGroup(group: string): boolean {
      if (anyGroup || groups.has(group)) return true;
      // aliased groups under Equivalent
      return equivalent && (group === 'extensions' || groups.has('extensions'));
    },
    matches(f: RequestFacts): boolean {
      if (!nsSelectorEmpty) {
        // cluster-scoped requests other than Namespace objects are never filtered by the namespace selector
        if (f.namespace !== '' || f.isNamespaceObject) {
          if (!nsSelectorMatches(f)) return false;
        }
      }
      if (!objSelectorEmpty) {
        const objOk = f.objectLabels !== undefined && matchesLabelSelector(objSelector, f.objectLabels);
        const oldOk = f.oldObjectLabels !== undefined && matchesLabelSelector(objSelector, f.oldObjectLabels);
        if (!objOk && !oldOk) return false;
      }
      const key = cacheable ? f.ruleKey : undefined;
      if (key === undefined) return rulesOutcome(f);
      let hit = ruleCache.get(key);
      if (hit === undefined) {
        if (ruleCache.size >= RULE_CACHE_MAX) ruleCache.clear();
        ruleCache.set(key, (hit = rulesOutcome(f)));
      }
      return hit;
    },
  };
}

function isEmptySelector(sel: Record<string, unknown>): boolean {
  const ml = sel.matchLabels;
  const me = sel.matchExpressions;
  return (!isObject(ml) || Object.keys(ml).length === 0) && (!Array.isArray(me) || me.length === 0);
}
