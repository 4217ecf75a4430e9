import { isObject } from '../../k8s/object.js';

/**
 * Kyverno's JMESPath `preconditions`, for the subset that needs no JMESPath engine: keys and values that are
 * literals or a single `{{ request.<path> }}` reference, with the set/equality operators. Anything else makes the
 * rule `unsupported` (never a silent pass).
 */
export type PreconditionCheck = (request: Record<string, unknown>) => boolean;

const REF = /^\{\{\s*(request(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\}\}$/;

type Operand = (request: Record<string, unknown>) => unknown;

function operand(v: unknown): Operand | undefined {
  if (typeof v === 'string') {
    if (!v.includes('{{')) return () => v;
    const m = REF.exec(v.trim());
    if (!m) return undefined;
    const path = m[1].split('.').slice(1);
    return (request) => {
      let cur: unknown = request;
      for (const seg of path) cur = isObject(cur) ? cur[seg] : undefined;
      return cur ?? '';
    };
  }
  if (Array.isArray(v)) {
    if (v.some((x) => typeof x === 'string' && x.includes('{{'))) return undefined;
    return () => v;
  }
  return () => v;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
const eq = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const OPERATORS: Record<string, (k: unknown, v: unknown) => boolean> = {
  equals: eq,
  notequals: (k, v) => !eq(k, v),
  in: (k, v) => asList(k).every((x) => asList(v).some((y) => eq(x, y))),
  anyin: (k, v) => asList(k).some((x) => asList(v).some((y) => eq(x, y))),
  allin: (k, v) => asList(k).every((x) => asList(v).some((y) => eq(x, y))),
  notin: (k, v) => !asList(k).every((x) => asList(v).some((y) => eq(x, y))),
  anynotin: (k, v) => asList(k).some((x) => !asList(v).some((y) => eq(x, y))),
  allnotin: (k, v) => asList(k).every((x) => !asList(v).some((y) => eq(x, y))),
};

function condition(raw: unknown): PreconditionCheck | undefined {
  if (!isObject(raw) || typeof raw.operator !== 'string') return undefined;
  const op = OPERATORS[raw.operator.toLowerCase()];
  const key = operand(raw.key);
  const value = operand(raw.value);
  if (!op || !key || !value) return undefined;
  return (req) => op(key(req), value(req));
}

/** Compiles `preconditions` ({any, all} or a legacy list); undefined when a part is outside the subset. */
export function compilePreconditions(raw: unknown): PreconditionCheck | undefined {
  if (raw === undefined || raw === null) return () => true;
  if (Array.isArray(raw)) {
    const all = raw.map(condition);
    if (all.some((c) => !c)) return undefined;
    return (req) => all.every((c) => c!(req));
  }
  if (!isObject(raw)) return undefined;
  const any = Array.isArray(raw.any) ? raw.any.map(condition) : [];
  const all = Array.isArray(raw.all) ? raw.all.map(condition) : [];
  if (any.some((c) => !c) || all.some((c) => !c)) return undefined;
  return (req) => (any.length === 0 || any.some((c) => c!(req))) && all.every((c) => c!(req));
}
