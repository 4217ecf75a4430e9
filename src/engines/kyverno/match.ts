import { isObject } from '../../k8s/object.js';
import { matchesLabelSelector } from '../../k8s/selector.js';
import type { RequestFacts } from '../vap/match.js';

/** Kyverno wildcard: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 's');
  return re.test(value);
}

interface KindSelector {
  group: string;
  version: string;
  kind: string;
  subresource: string;
}

/** Kinds as Kyverno writes them: `Pod`, `v1/Pod`, `apps/v1/Deployment`, `batch/*\/CronJob`, `Pod/status`. */
export function parseKind(text: string): KindSelector {
  const parts = text.split('/');
  if (parts.length === 1) return { group: '*', version: '*', kind: parts[0], subresource: '' };
  if (parts.length === 2) {
    // `Pod/status` (kind + subresource) vs `v1/Pod` (version + kind): kinds start upper-case
    if (/^[A-Z*]/.test(parts[0]) && !/^[A-Z*]/.test(parts[1])) return { group: '*', version: '*', kind: parts[0], subresource: parts[1] };
    return { group: '*', version: parts[0], kind: parts[1], subresource: '' };
  }
  if (parts.length === 3) return { group: parts[0], version: parts[1], kind: parts[2], subresource: '' };
  return { group: parts[0], version: parts[1], kind: parts[2], subresource: parts.slice(3).join('/') };
}

/** Facts a Kyverno filter reads besides the admission ones. */
export interface KyvernoFacts extends RequestFacts {
  annotations: Record<string, string>;
  username: string;
  groups: string[];
}

interface CompiledDescription {
  kinds: KindSelector[];
  names: string[];
  namespaces: string[];
  operations: string[];
  annotations?: Record<string, string>;
  selector?: Record<string, unknown>;
  namespaceSelector?: Record<string, unknown>;
}

interface CompiledFilter {
  resources?: CompiledDescription;
  subjects: { kind: string; name: string }[];
  /** roles/clusterRoles cannot be resolved offline: a filter that needs them never matches. */
  needsRoles: boolean;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function compileDescription(raw: unknown): CompiledDescription | undefined {
  if (!isObject(raw)) return undefined;
  const names = strings(raw.names);
  if (typeof raw.name === 'string' && raw.name !== '') names.push(raw.name);
  const d: CompiledDescription = {
    kinds: strings(raw.kinds).map(parseKind),
    names,
    namespaces: strings(raw.namespaces),
    operations: strings(raw.operations),
  };
  if (isObject(raw.annotations)) d.annotations = raw.annotations as Record<string, string>;
  if (isObject(raw.selector)) d.selector = raw.selector;
  if (isObject(raw.namespaceSelector)) d.namespaceSelector = raw.namespaceSelector;
  return d;
}

function compileFilter(raw: unknown): CompiledFilter {
  const o = isObject(raw) ? raw : {};
  const subjects = (Array.isArray(o.subjects) ? o.subjects : [])
    .filter(isObject)
    .map((s) => ({ kind: String(s.kind ?? ''), name: String(s.name ?? '') }));
  const f: CompiledFilter = {
    subjects,
    needsRoles: strings(o.roles).length > 0 || strings(o.clusterRoles).length > 0,
  };
  const res = compileDescription(o.resources);
  if (res) f.resources = res;
  return f;
}

function kindMatches(sel: KindSelector, f: KyvernoFacts): boolean {
  if (sel.group !== '*' && !wildcardMatch(sel.group, f.group)) return false;
  if (sel.version !== '*' && !wildcardMatch(sel.version, f.version)) return false;
  if (!wildcardMatch(sel.kind, f.kind)) return false;
  if (sel.subresource === '') return f.subResource === '';
  return wildcardMatch(sel.subresource, f.subResource);
}

function labelsMatch(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  return matchesLabelSelector(selector, labels);
}

function descriptionMatches(d: CompiledDescription, f: KyvernoFacts): boolean {
  if (d.kinds.length > 0 && !d.kinds.some((k) => kindMatches(k, f))) return false;
  if (d.names.length > 0 && !d.names.some((n) => wildcardMatch(n, f.name))) return false;
  if (d.namespaces.length > 0 && !d.namespaces.some((n) => wildcardMatch(n, f.namespace))) return false;
  if (d.operations.length > 0 && !d.operations.includes(f.operation)) return false;
  if (d.annotations) {
    for (const [k, v] of Object.entries(d.annotations)) {
      const key = Object.keys(f.annotations).find((ak) => wildcardMatch(k, ak));
      if (key === undefined || !wildcardMatch(String(v), f.annotations[key])) return false;
    }
  }
  if (d.selector && !labelsMatch(d.selector, f.objectLabels ?? f.oldObjectLabels ?? {})) return false;
  if (d.namespaceSelector) {
    if (f.namespace === '' && !f.isNamespaceObject) return false;
    if (!labelsMatch(d.namespaceSelector, f.namespaceLabels ?? {})) return false;
  }
  return true;
}

function filterMatches(filter: CompiledFilter, f: KyvernoFacts): boolean {
  if (filter.needsRoles) return false;
  if (filter.resources && !descriptionMatches(filter.resources, f)) return false;
  if (filter.subjects.length > 0) {
    const ok = filter.subjects.some((s) =>
      s.kind === 'Group' ? f.groups.includes(s.name) : s.kind === 'ServiceAccount' || s.kind === 'User' ? wildcardMatch(s.name, f.username) : false,
    );
    if (!ok) return false;
  }
  return true;
}

/** kyverno.io/v1 MatchResources (any / all / the legacy single filter). */
export interface CompiledKyvernoMatch {
  /** Every kind selector the match names (for autogen and pre-filtering). */
  kinds: string[];
  matches(f: KyvernoFacts): boolean;
  isEmpty: boolean;
}

export function compileKyvernoMatch(raw: unknown): CompiledKyvernoMatch {
  const o = isObject(raw) ? raw : {};
  const any = Array.isArray(o.any) ? o.any.map(compileFilter) : [];
  const all = Array.isArray(o.all) ? o.all.map(compileFilter) : [];
  const legacy = isObject(o.resources) || Array.isArray(o.subjects) || Array.isArray(o.roles) || Array.isArray(o.clusterRoles) ? compileFilter(o) : undefined;
  const kinds: string[] = [];
  for (const f of [...any, ...all, ...(legacy ? [legacy] : [])]) for (const k of f.resources?.kinds ?? []) kinds.push(k.kind);
  const isEmpty = any.length === 0 && all.length === 0 && !legacy;
  return {
    kinds,
    isEmpty,
    matches(f: KyvernoFacts): boolean {
      if (any.length > 0) return any.some((x) => filterMatches(x, f));
      if (all.length > 0) return all.every((x) => filterMatches(x, f));
      if (legacy) return filterMatches(legacy, f);
      return false;
    },
  };
}
