/** Operators, comparison, arithmetic, aggregates, arrays, sets, objects, types and casts. */
import { compare, equal, isNumber, normInt, RObject, RSet, typeName, type Value } from '../value.js';
import { BuiltinError, builtinErr, typeErr, type BuiltinRegistry } from './types.js';
import { addNum, bigOf, cmpNum, collection, intArg, isInt, mulNum, num, numResult, subNum } from './util.js';

export function registerCore(r: BuiltinRegistry): void {
  r.register('equal', ([a, b]) => equal(a as Value, b as Value));
  r.register('neq', ([a, b]) => !equal(a as Value, b as Value));
  r.register('lt', ([a, b]) => compare(a as Value, b as Value) < 0);
  r.register('lte', ([a, b]) => compare(a as Value, b as Value) <= 0);
  r.register('gt', ([a, b]) => compare(a as Value, b as Value) > 0);
  r.register('gte', ([a, b]) => compare(a as Value, b as Value) >= 0);

  r.register('plus', ([a, b]) => addNum(a as number, b as number));
  r.register('minus', ([a, b]) => {
    if (isNumber(a as Value) && isNumber(b as Value)) return subNum(a as number, b as number);
    if (a instanceof RSet && b instanceof RSet) {
      const out = new RSet();
      for (const e of a.sorted()) if (!b.has(e)) out.add(e);
      return out;
    }
    if (!isNumber(a as Value) && !(a instanceof RSet)) throw typeErr(1, a as Value, 'number', 'set');
    throw typeErr(2, b as Value, typeName(a as Value));
  });
  r.register('mul', ([a, b]) => mulNum(a as number, b as number));
  r.register('div', ([a, b]) => {
    if (num(b as Value) === 0) throw builtinErr('divide by zero');
    if (isInt(a as Value) && isInt(b as Value)) {
      const x = bigOf(a as Value);
      const y = bigOf(b as Value);
      if (x % y === 0n) return normInt(x / y);
    }
    return numResult(num(a as Value) / num(b as Value));
  });
  r.register('rem', ([a, b]) => {
    if (!isInt(a as Value) || !isInt(b as Value)) throw builtinErr('modulo on floating-point number');
    if (num(b as Value) === 0) throw builtinErr('modulo by zero');
    return normInt(bigOf(a as Value) % bigOf(b as Value));
  });
  r.register('abs', ([a]) => (typeof a === 'bigint' ? (a < 0n ? -a : a) : Math.abs(a as number)));
  r.register('round', ([a]) => (typeof a === 'bigint' ? a : numResult(Math.sign(a as number) * Math.round(Math.abs(a as number)))));
  r.register('ceil', ([a]) => (typeof a === 'bigint' ? a : numResult(Math.ceil(a as number))));
  r.register('floor', ([a]) => (typeof a === 'bigint' ? a : numResult(Math.floor(a as number))));
  r.register('numbers.range', ([a, b]) => {
    const x = intArg(a as Value, 1);
    const y = intArg(b as Value, 2);
    if (Math.abs(y - x) > 10_000_000) throw builtinErr('range too large');
    const out: Value[] = [];
    if (x <= y) for (let i = x; i <= y; i++) out.push(i);
    else for (let i = x; i >= y; i--) out.push(i);
    return out;
  });
  r.register('numbers.range_step', ([a, b, s]) => {
    const x = intArg(a as Value, 1);
    const y = intArg(b as Value, 2);
    const step = intArg(s as Value, 3);
    if (step <= 0) throw builtinErr('step must be a positive number above zero');
    if (Math.abs(y - x) / step > 10_000_000) throw builtinErr('range too large');
    const out: Value[] = [];
    if (x <= y) for (let i = x; i <= y; i += step) out.push(i);
    else for (let i = x; i >= y; i -= step) out.push(i);
    return out;
  });
  r.register('rand.intn', ([s, n], b) => {
    const key = `rand.intn:${String(s)}:${String(n)}`;
    const c = b.cache.get(key);
    if (c !== undefined) return c;
    const max = intArg(n as Value, 2);
    const v = max === 0 ? 0 : Math.floor(b.random() * Math.abs(max));
    b.cache.set(key, v);
    return v;
  });

  r.register('and', ([a, b]) => {
    const out = new RSet();
    for (const e of (a as RSet).sorted()) if ((b as RSet).has(e)) out.add(e);
    return out;
  });
  r.register('or', ([a, b]) => new RSet([...(a as RSet).m.values(), ...(b as RSet).m.values()]));
  r.register('internal.member_2', ([x, c]) => {
    if (Array.isArray(c)) return c.some((e) => equal(e, x as Value));
    if (c instanceof RSet) return c.has(x as Value);
    if (c instanceof RObject) {
      for (const v of c.m.values()) if (equal(v, x as Value)) return true;
      return false;
    }
    return false;
  });
  r.register('internal.member_3', ([k, x, c]) => {
    if (Array.isArray(c) || c instanceof RObject) {
      const v = Array.isArray(c) ? (typeof k === 'number' && Number.isInteger(k) ? c[k] : undefined) : c.get(k as Value);
      return v !== undefined && equal(v, x as Value);
    }
    if (c instanceof RSet) return equal(k as Value, x as Value) && c.has(x as Value);
    return false;
  });

  r.register('count', ([a]) => {
    if (typeof a === 'string') return Array.from(a).length;
    if (Array.isArray(a)) return a.length;
    return (a as RSet | RObject).size;
  });
  const nums = (v: Value, name: string): (number | bigint)[] => {
    const items = Array.isArray(v) ? v : (v as RSet).sorted();
    return items.map((x) => {
      if (!isNumber(x)) throw typeErr(1, v, `${typeName(v)} of numbers`.replace('array of numbers', 'array').replace('set of numbers', 'set'));
      void name;
      return x;
    });
  };
  r.register('sum', ([a]) => {
    let s: number | bigint = 0;
    for (const x of numsChecked(a as Value)) s = addNum(s, x);
    return s;
  });
  r.register('product', ([a]) => {
    let s: number | bigint = 1;
    for (const x of numsChecked(a as Value)) s = mulNum(s, x);
    return s;
  });
  void nums;
  r.register('max', ([a]) => {
    const items = collection(a as Value);
    if (items.length === 0) return undefined;
    return items.reduce((m, x) => (compare(x, m) > 0 ? x : m));
  });
  r.register('min', ([a]) => {
    const items = collection(a as Value);
    if (items.length === 0) return undefined;
    return items.reduce((m, x) => (compare(x, m) < 0 ? x : m));
  });
  r.register('sort', ([a]) => (Array.isArray(a) ? a.slice().sort(compare) : (a as RSet).sorted().slice()));
  r.register('all', ([a]) => collection(a as Value).every((x) => x === true));
  r.register('any', ([a]) => collection(a as Value).some((x) => x === true));

  r.register('array.concat', ([a, b]) => [...(a as Value[]), ...(b as Value[])]);
  r.register('array.slice', ([a, s, e]) => {
    const arr = a as Value[];
    let start = Math.floor(num(s as Value));
    let end = Math.floor(num(e as Value));
    if (start < 0) start = 0;
    if (end > arr.length) end = arr.length;
    if (start >= end) return [];
    return arr.slice(start, end);
  });
  r.register('array.reverse', ([a]) => (a as Value[]).slice().reverse());
  // One level only, as OPA: non-array elements are kept.
  r.register('array.flatten', ([a]) => (a as Value[]).flatMap((x) => (Array.isArray(x) ? x : [x])));
  r.register('intersection', ([s]) => {
    const sets = (s as RSet).sorted();
    if (sets.length === 0) return new RSet();
    for (const x of sets) if (!(x instanceof RSet)) throw typeErr(1, s as Value, 'set of sets');
    let out = sets[0] as RSet;
    for (const x of sets.slice(1)) {
      const n = new RSet();
      for (const e of out.sorted()) if ((x as RSet).has(e)) n.add(e);
      out = n;
    }
    return out;
  });
  r.register('union', ([s]) => {
    const out = new RSet();
    for (const x of (s as RSet).sorted()) {
      if (!(x instanceof RSet)) throw typeErr(1, s as Value, 'set of sets');
      for (const e of x.m.values()) out.add(e);
    }
    return out;
  });

  r.register('object.get', ([o, k, d]) => {
    const obj = o as RObject;
    if (Array.isArray(k)) {
      let cur: Value = obj;
      for (const seg of k) {
        let next: Value | undefined;
        if (cur instanceof RObject) next = cur.get(seg);
        else if (Array.isArray(cur) && typeof seg === 'number') next = cur[seg];
        else if (cur instanceof RSet) next = cur.has(seg) ? seg : undefined;
        if (next === undefined) return d as Value;
        cur = next;
      }
      return cur;
    }
    const v = obj.get(k as Value);
    return v === undefined ? (d as Value) : v;
  });
  r.register('object.keys', ([o]) => new RSet((o as RObject).keys()));
  r.register('object.remove', ([o, ks]) => {
    const obj = (o as RObject).clone();
    const keys = ks instanceof RObject ? ks.keys() : collection(ks as Value);
    for (const k of keys) obj.delete(k);
    return obj;
  });
  r.register('object.filter', ([o, ks]) => {
    const obj = o as RObject;
    const out = new RObject();
    const keys = ks instanceof RObject ? ks.keys() : collection(ks as Value);
    for (const k of keys) {
      const v = obj.get(k);
      if (v !== undefined) out.set(k, v);
    }
    return out;
  });
  r.register('object.union', ([a, b]) => mergeUnion(a as RObject, b as RObject));
  r.register('object.union_n', ([arr]) => {
    let out = new RObject();
    for (const o of arr as Value[]) {
      if (!(o instanceof RObject)) throw typeErr(1, arr as Value, 'array of objects');
      out = mergeUnion(out, o);
    }
    return out;
  });
  r.register('object.subset', ([sup, sub]) => isSubset(sup as Value, sub as Value));
  r.register('json.filter', ([o, paths]) => jsonFilter(o as RObject, paths as Value));
  r.register('json.remove', ([o, paths]) => jsonRemove(o as RObject, paths as Value));
  r.register('json.patch', ([doc, ops]) => jsonPatch(doc as Value, ops as Value[]));

  r.register('to_number', ([v]) => {
    if (v === null) return 0;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (isNumber(v as Value)) return v as number;
    const s = (v as string).trim();
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) {
      if (/^[-+]?(inf|infinity|nan)$/i.test(s)) throw new BuiltinError('eval_type_error', `operand 1 must be a valid number string`);
      throw builtinErr(`invalid syntax`);
    }
    if (/^[-+]?\d+$/.test(s)) return normInt(BigInt(s.replace('+', '')));
    return numResult(Number(s));
  });
  for (const [name, t] of [
    ['is_number', 'number'],
    ['is_string', 'string'],
    ['is_boolean', 'boolean'],
    ['is_array', 'array'],
    ['is_set', 'set'],
    ['is_object', 'object'],
    ['is_null', 'null'],
  ] as const) {
    r.register(name, ([v]) => typeName(v as Value) === t);
  }
  r.register('type_name', ([v]) => typeName(v as Value));
  r.register('cast_array', ([v]) => (Array.isArray(v) ? v : v instanceof RSet ? v.sorted().slice() : undefined));
  r.register('cast_set', ([v]) => (Array.isArray(v) ? new RSet(v) : v instanceof RSet ? v : undefined));
  r.register('cast_string', ([v]) => (typeof v === 'string' ? v : undefined));
  r.register('cast_boolean', ([v]) => (typeof v === 'boolean' ? v : undefined));
  r.register('cast_null', ([v]) => (v === null ? null : undefined));
  r.register('cast_object', ([v]) => (v instanceof RObject ? v : undefined));

  const bits = (f: (a: bigint, b: bigint) => bigint, unsignedRhs = false) => ([a, b]: Value[]) => {
    intArg(a as Value, 1);
    intArg(b as Value, 2);
    if (unsignedRhs && bigOf(b as Value) < 0n) throw new BuiltinError('eval_type_error', 'operand 2 must be an unsigned integer number but got a negative integer');
    return normInt(f(bigOf(a as Value), bigOf(b as Value)));
  };
  r.register('bits.or', bits((a, b) => a | b));
  r.register('bits.and', bits((a, b) => a & b));
  r.register('bits.xor', bits((a, b) => a ^ b));
  r.register('bits.lsh', bits((a, b) => a << b, true));
  r.register('bits.rsh', bits((a, b) => a >> b, true));
  r.register('bits.negate', ([a]) => normInt(~bigOf(a as Value)));

  r.registerRelation('walk', ([x], _b, emit) => walkValue(x as Value, [], emit));
  r.register('print', (args, b) => {
    b.print(args.map((a) => (typeof a === 'string' ? a : regoStr(a))).join(' '));
    return true;
  });
  r.register('trace', () => true);
  // evaluated by the compiler from the rule's annotations; registered so the declarations stay callable
  r.register('rego.metadata.rule', () => undefined);
  r.register('rego.metadata.chain', () => undefined);
  // As OPA embedded without runtime information (the Go SDK / rego package): an empty object, no host env.
  r.register('opa.runtime', () => new RObject());
  r.register('graph.reachable', ([g, init]) => {
    const graph = g as RObject;
    const out = new RSet();
    const queue = collection(init as Value).slice();
    while (queue.length) {
      const n = queue.shift() as Value;
      if (out.has(n)) continue;
      const edges = graph.get(n);
      if (edges === undefined) continue;
      out.add(n);
      for (const e of collection(edges)) if (!out.has(e)) queue.push(e);
    }
    return out;
  });
  r.register('graph.reachable_paths', ([g, init]) => {
    const graph = g as RObject;
    const out = new RSet();
    const rec = (node: Value, path: Value[]): void => {
      const edges = graph.get(node);
      if (edges === undefined) return;
      const p = [...path, node];
      const next = collection(edges).filter((e) => !p.some((x) => equal(x, e)) && graph.get(e) !== undefined);
      if (next.length === 0) {
        out.add(p);
        return;
      }
      for (const e of next) rec(e, p);
    };
    for (const n of collection(init as Value)) rec(n, []);
    return out;
  });
}

function regoStr(v: Value): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return '[' + v.map(regoStrInner).join(', ') + ']';
  if (v instanceof RSet) return v.size === 0 ? 'set()' : '{' + v.sorted().map(regoStrInner).join(', ') + '}';
  return '{' + v.keys().map((k) => regoStrInner(k) + ': ' + regoStrInner(v.get(k) as Value)).join(', ') + '}';
}
function regoStrInner(v: Value): string {
  return typeof v === 'string' ? JSON.stringify(v) : regoStr(v);
}

function numsChecked(v: Value): (number | bigint)[] {
  const items = Array.isArray(v) ? v : (v as RSet).sorted();
  for (const x of items) if (!isNumber(x)) throw typeErr(1, v, Array.isArray(v) ? 'array' : 'set');
  return items as (number | bigint)[];
}

function walkValue(v: Value, path: Value[], emit: (v: Value) => boolean): boolean {
  if (emit([path.slice(), v])) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (walkValue(v[i] as Value, [...path, i], emit)) return true;
  } else if (v instanceof RObject) {
    for (const k of v.keys()) if (walkValue(v.get(k) as Value, [...path, k], emit)) return true;
  } else if (v instanceof RSet) {
    for (const e of v.sorted()) if (walkValue(e, [...path, e], emit)) return true;
  }
  return false;
}

function mergeUnion(a: RObject, b: RObject): RObject {
  const out = a.clone();
  for (const k of b.keys()) {
    const bv = b.get(k) as Value;
    const av = out.get(k);
    if (av instanceof RObject && bv instanceof RObject) out.set(k, mergeUnion(av, bv));
    else out.set(k, bv);
  }
  return out;
}

function subsetComparable(sup: Value, sub: Value): boolean {
  return (sup instanceof RObject && sub instanceof RObject) || (sup instanceof RSet && sub instanceof RSet) || (Array.isArray(sup) && Array.isArray(sub));
}

function isSubset(sup: Value, sub: Value): boolean {
  if (sup instanceof RObject && sub instanceof RObject) {
    for (const k of sub.keys()) {
      const sv = sup.get(k);
      const bv = sub.get(k) as Value;
      if (sv === undefined) return false;
      // OPA recurses into every nested pair of collections it can compare (objects, sets, arrays of the same kind).
      if (subsetComparable(sv, bv)) {
        if (!isSubset(sv, bv)) return false;
      } else if (!equal(sv, bv)) return false;
    }
    return true;
  }
  if (sup instanceof RSet && sub instanceof RSet) {
    for (const e of sub.m.values()) if (!sup.has(e)) return false;
    return true;
  }
  if (Array.isArray(sup) && sub instanceof RSet) {
    for (const e of sub.m.values()) if (!sup.some((x) => equal(x, e))) return false;
    return true;
  }
  if (Array.isArray(sup) && Array.isArray(sub)) {
    if (sub.length === 0) return true;
    for (let i = 0; i + sub.length <= sup.length; i++) {
      let ok = true;
      for (let j = 0; j < sub.length; j++)
        if (!equal(sup[i + j] as Value, sub[j] as Value)) {
          ok = false;
          break;
        }
      if (ok) return true;
    }
    return false;
  }
  if (!(sup instanceof RObject) && !(sup instanceof RSet) && !Array.isArray(sup)) throw typeErr(1, sup, 'object', 'set', 'array');
  throw builtinErr(`both arguments object.subset must be of the same type or array and set`);
}

/** Paths given as "a/b/c" strings or arrays of segments. */
function parsePaths(paths: Value): Value[][] {
  const out: Value[][] = [];
  for (const p of collection(paths)) {
    if (typeof p === 'string') out.push(p.split('/').filter((s) => s !== '').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));
    else if (Array.isArray(p)) out.push(p);
    else throw new BuiltinError('eval_type_error', `operand 2 must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`);
  }
  return out;
}

function toJSONKey(v: Value): string {
  return JSON.stringify(v);
}

function jsonFilter(o: Value, paths: Value): Value {
  const ps = parsePaths(paths);
  const build = (v: Value, ps: Value[][]): Value | undefined => {
    if (ps.some((p) => p.length === 0)) return v;
    if (v instanceof RObject) {
      const out = new RObject();
      const groups = new Map<string, { key: Value; rest: Value[][] }>();
      for (const p of ps) {
        const k = p[0] as Value;
        const g = groups.get(JSON.stringify(k)) ?? { key: k, rest: [] };
        g.rest.push(p.slice(1));
        groups.set(JSON.stringify(k), g);
      }
      for (const g of groups.values()) {
        let child = v.get(g.key);
        if (child === undefined && typeof g.key === 'string') child = undefined;
        if (child === undefined) continue;
        const c = build(child, g.rest);
        if (c !== undefined) out.set(g.key, c);
      }
      return out;
    }
    if (Array.isArray(v)) {
      const out: Value[] = [];
      for (let i = 0; i < v.length; i++) {
        const rest = ps.filter((p) => String(p[0]) === String(i)).map((p) => p.slice(1));
        if (rest.length) {
          const c = build(v[i] as Value, rest);
          if (c !== undefined) out.push(c);
        }
      }
      return out;
    }
    if (v instanceof RSet) {
      const out = new RSet();
      for (const e of v.sorted()) {
        const rest = ps.filter((p) => equal(p[0] as Value, e)).map((p) => p.slice(1));
        if (rest.length) {
          const c = build(e, rest);
          if (c !== undefined) out.add(c);
        }
      }
      return out;
    }
    return undefined;
  };
  return build(o, ps) ?? new RObject();
}

function jsonRemove(o: Value, paths: Value): Value {
  const ps = parsePaths(paths);
  const rm = (v: Value, ps: Value[][]): Value | undefined => {
    if (ps.some((p) => p.length === 0)) return undefined;
    if (v instanceof RObject) {
      const out = new RObject();
      for (const k of v.keys()) {
        const rest = ps.filter((p) => equal(p[0] as Value, k) || (typeof k !== 'string' && String(p[0]) === String(k))).map((p) => p.slice(1));
        const c = rest.length ? rm(v.get(k) as Value, rest) : v.get(k);
        if (c !== undefined) out.set(k, c);
      }
      return out;
    }
    if (Array.isArray(v)) {
      const out: Value[] = [];
      for (let i = 0; i < v.length; i++) {
        const rest = ps.filter((p) => String(p[0]) === String(i)).map((p) => p.slice(1));
        const c = rest.length ? rm(v[i] as Value, rest) : v[i];
        if (c !== undefined) out.push(c);
      }
      return out;
    }
    if (v instanceof RSet) {
      const out = new RSet();
      for (const e of v.sorted()) {
        const rest = ps.filter((p) => equal(p[0] as Value, e)).map((p) => p.slice(1));
        const c = rest.length ? rm(e, rest) : e;
        if (c !== undefined) out.add(c);
      }
      return out;
    }
    return v;
  };
  return rm(o, ps) ?? new RObject();
}

/** An array index in a JSON pointer: a decimal integer without sign, exponent or leading zeros. */
function arrIdx(k: Value): number {
  if (typeof k === 'number') return Number.isInteger(k) ? k : NaN;
  return typeof k === 'string' && /^(0|[1-9][0-9]*)$/.test(k) ? Number(k) : NaN;
}

function jsonPatch(doc: Value, ops: Value[]): Value | undefined {
  let cur: Value = doc;
  const parse = (p: Value): Value[] | undefined => {
    if (Array.isArray(p)) return p;
    if (typeof p !== 'string') return undefined;
    if (p === '') return [];
    return (p.startsWith('/') ? p.slice(1) : p)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  };
  const get = (v: Value, path: Value[]): Value | undefined => {
    let c: Value | undefined = v;
    for (const s of path) {
      if (c instanceof RObject) c = c.get(s);
      else if (Array.isArray(c)) {
        const i = arrIdx(s);
        c = Number.isInteger(i) ? c[i] : undefined;
      } else if (c instanceof RSet) c = c.has(s) ? s : undefined;
      else return undefined;
      if (c === undefined) return undefined;
    }
    return c;
  };
  const set = (v: Value, path: Value[], val: Value, mode: 'add' | 'replace'): Value | undefined => {
    if (path.length === 0) return val;
    const [k, ...rest] = path as [Value, ...Value[]];
    if (v instanceof RObject) {
      const o = v.clone();
      if (rest.length === 0) {
        if (mode === 'replace' && o.get(k) === undefined) return undefined;
        o.set(k, val);
        return o;
      }
      const child = o.get(k);
      if (child === undefined) return undefined;
      const c = set(child, rest, val, mode);
      if (c === undefined) return undefined;
      o.set(k, c);
      return o;
    }
    if (Array.isArray(v)) {
      const a = v.slice();
      if (rest.length === 0) {
        if (k === '-' && mode === 'add') return [...a, val];
        const i = arrIdx(k);
        if (!Number.isInteger(i) || i < 0 || i > a.length || (mode === 'replace' && i >= a.length)) return undefined;
        if (mode === 'add') a.splice(i, 0, val);
        else a[i] = val;
        return a;
      }
      const i = arrIdx(k);
      if (!Number.isInteger(i) || i < 0 || i >= a.length) return undefined;
      const c = set(a[i] as Value, rest, val, mode);
      if (c === undefined) return undefined;
      a[i] = c;
      return a;
    }
    if (v instanceof RSet) {
      if (rest.length === 0 && mode === 'add') {
        // a set member is addressed by itself
        if (!equal(k, val) && !(typeof val !== 'string' && k === toJSONKey(val))) return undefined;
        const s = new RSet(v.sorted());
        s.add(val);
        return s;
      }
      // descending into a member replaces that member with its patched value
      if (rest.length > 0 && v.has(k)) {
        const c = set(k, rest, val, mode);
        return c === undefined ? undefined : new RSet([...v.sorted().filter((e) => !equal(e, k)), c]);
      }
      return undefined;
    }
    return undefined;
  };
  const remove = (v: Value, path: Value[]): Value | undefined => {
    if (path.length === 0) return undefined;
    const [k, ...rest] = path as [Value, ...Value[]];
    if (v instanceof RObject) {
      if (v.get(k) === undefined) return undefined;
      const o = v.clone();
      if (rest.length === 0) {
        o.delete(k);
        return o;
      }
      const c = remove(o.get(k) as Value, rest);
      if (c === undefined) return undefined;
      o.set(k, c);
      return o;
    }
    if (Array.isArray(v)) {
      const i = arrIdx(k);
      if (!Number.isInteger(i) || i < 0 || i >= v.length) return undefined;
      const a = v.slice();
      if (rest.length === 0) {
        a.splice(i, 1);
        return a;
      }
      const c = remove(a[i] as Value, rest);
      if (c === undefined) return undefined;
      a[i] = c;
      return a;
    }
    if (v instanceof RSet && v.has(k)) {
      const others = v.sorted().filter((e) => !equal(e, k));
      if (rest.length === 0) return new RSet(others);
      const c = remove(k, rest);
      return c === undefined ? undefined : new RSet([...others, c]);
    }
    return undefined;
  };
  for (const op of ops) {
    if (!(op instanceof RObject)) return undefined;
    const kind = op.get('op');
    const path = parse(op.get('path') as Value);
    if (!path) return undefined;
    let next: Value | undefined;
    switch (kind) {
      case 'add':
        if (op.get('value') === undefined) return undefined;
        next = set(cur, path, op.get('value') as Value, 'add');
        break;
      case 'replace':
        if (op.get('value') === undefined) return undefined;
        next = set(cur, path, op.get('value') as Value, 'replace');
        break;
      case 'remove':
        next = remove(cur, path);
        break;
      case 'move':
      case 'copy': {
        const from = parse(op.get('from') as Value);
        if (!from) return undefined;
        const v = get(cur, from);
        if (v === undefined) return undefined;
        let base: Value | undefined = cur;
        if (kind === 'move') base = remove(cur, from);
        if (base === undefined) return undefined;
        next = set(base, path, v, 'add');
        break;
      }
      case 'test': {
        const v = get(cur, path);
        if (v === undefined || !equal(v, op.get('value') as Value)) return undefined;
        next = cur;
        break;
      }
      default:
        return undefined;
    }
    if (next === undefined) return undefined;
    cur = next;
  }
  return cur;
}

export { cmpNum };
