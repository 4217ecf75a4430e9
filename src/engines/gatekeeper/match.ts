import type { KObject } from '../../k8s/object.js';
import { isObject, meta } from '../../k8s/object.js';
import { matchesLabelSelector } from '../../k8s/selector.js';

/** A constraint's spec.match, as Gatekeeper's match package reads it. */
export interface ConstraintMatch {
  kinds?: { apiGroups: string[]; kinds: string[] }[];
  scope?: '*' | 'Cluster' | 'Namespaced';
  namespaces?: string[];
  excludedNamespaces?: string[];
  labelSelector?: unknown;
  namespaceSelector?: unknown;
  name?: string;
}

export function parseMatch(raw: unknown): ConstraintMatch {
  if (!isObject(raw)) return {};
  const strs = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  const m: ConstraintMatch = {};
  if (Array.isArray(raw.kinds)) {
    m.kinds = raw.kinds.filter(isObject).map((k) => ({ apiGroups: strs(k.apiGroups) ?? [], kinds: strs(k.kinds) ?? [] }));
  }
  if (raw.scope === '*' || raw.scope === 'Cluster' || raw.scope === 'Namespaced') m.scope = raw.scope;
  m.namespaces = strs(raw.namespaces);
  m.excludedNamespaces = strs(raw.excludedNamespaces);
  if (raw.labelSelector !== undefined) m.labelSelector = raw.labelSelector;
  if (raw.namespaceSelector !== undefined) m.namespaceSelector = raw.namespaceSelector;
  if (typeof raw.name === 'string') m.name = raw.name;
  return m;
}

/** Gatekeeper globs: exact, `prefix*`, `*suffix` (and `*` alone). */
export function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*') && !pattern.startsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*') && !pattern.endsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.startsWith('*') && pattern.endsWith('*') && pattern.length > 1) return value.includes(pattern.slice(1, -1));
  return pattern === value;
}

export interface MatchTarget {
  group: string;
  kind: string;
  /** The object (oldObject for DELETE). */
  object: KObject;
  /** Request namespace ('' for cluster-scoped). */
  namespace: string;
  /** The Namespace object of `namespace`, when known. */
  namespaceObject?: KObject;
}

/**
 * Gatekeeper's match semantics: every set criterion must hold. namespaces / excludedNamespaces / namespaceSelector
 * look at a Namespace object's own name and labels, and do not restrict other cluster-scoped objects.
 */
export function matches(m: ConstraintMatch, t: MatchTarget): boolean {
  if (m.kinds && m.kinds.length > 0) {
    // An empty apiGroups or kinds list matches everything (Gatekeeper match.go kindsMatch).
    const any = (list: string[], v: string) => list.length === 0 || list.includes('*') || list.includes(v);
    const ok = m.kinds.some((k) => any(k.apiGroups, t.group) && any(k.kinds, t.kind));
    if (!ok) return false;
  }
  const isNamespace = t.kind === 'Namespace' && t.group === '';
  const clusterScoped = t.namespace === '' && !isNamespace;
  if (m.scope === 'Cluster' && t.namespace !== '') return false;
  if (m.scope === 'Namespaced' && t.namespace === '') return false;
  const nsName = isNamespace ? String(meta(t.object).name ?? '') : t.namespace;
  if (!clusterScoped) {
    if (m.namespaces && m.namespaces.length > 0 && !m.namespaces.some((p) => globMatch(p, nsName))) return false;
    if (m.excludedNamespaces && m.excludedNamespaces.some((p) => globMatch(p, nsName))) return false;
    if (m.namespaceSelector !== undefined) {
      const nsObj = isNamespace ? t.object : t.namespaceObject;
      if (!nsObj) return false; // Gatekeeper cannot match a namespace it does not know
      if (!matchesLabelSelector(m.namespaceSelector, meta(nsObj).labels)) return false;
    }
  }
  if (m.labelSelector !== undefined && !matchesLabelSelector(m.labelSelector, meta(t.object).labels)) return false;
  if (m.name !== undefined && !globMatch(m.name, String(meta(t.object).name ?? ''))) return false;
  return true;
}
