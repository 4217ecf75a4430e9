import { isObject } from './object.js';

/** metav1.LabelSelector semantics: matchLabels AND every matchExpressions entry; an empty selector matches all. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function matchesLabelSelector(selector: unknown, labels: Record<string, string> | undefined): boolean {
  if (selector === undefined || selector === null) return true;
  if (!isObject(selector)) return false;
  const l = labels ?? {};
  const ml = selector.matchLabels;
  if (isObject(ml)) {
    for (const [k, v] of Object.entries(ml)) if (l[k] !== v) return false;
  }
  const me = selector.matchExpressions;
  if (Array.isArray(me)) {
    for (const e of me) {
      if (!isObject(e) || typeof e.key !== 'string') return false;
      const has = Object.prototype.hasOwnProperty.call(l, e.key);
      const values = Array.isArray(e.values) ? (e.values as string[]) : [];
      switch (e.operator) {
        case 'In':
          if (!has || !values.includes(l[e.key])) return false;
          break;
        case 'NotIn':
          if (has && values.includes(l[e.key])) return false;
          break;
        case 'Exists':
          if (!has) return false;
          break;
        case 'DoesNotExist':
          if (has) return false;
          break;
        default:
          return false; // unknown operator: Kubernetes rejects such a selector; never match
      }
    }
  }
  return true;
}
