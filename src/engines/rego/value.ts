/**
 * Rego values. Scalars are JS primitives (numbers are `number`, or `bigint` for integers beyond 2^53 so big
 * integers stay exact); arrays are JS arrays; objects and sets are RObject / RSet keyed by a hash key (the
 * primitive itself, or a canonical string for composite keys), so any value can be a key or a set member.
 */
export type Scalar = null | boolean | number | bigint | string;
export type Value = Scalar | Value[] | RObject | RSet;
/** Map key for a value: primitives key themselves; composites key as "\u0000" + canonical text. */
export type HKey = Scalar;

export class RSet {
  readonly m = new Map<HKey, Value>();
  private sortedCache?: Value[];
  constructor(items?: Iterable<Value>) {
    if (items) for (const v of items) this.add(v);
  }
  add(v: Value): void {
    const k = hkey(v);
    if (!this.m.has(k)) {
      this.m.set(k, v);
      this.sortedCache = undefined;
    }
  }
  has(v: Value): boolean {
    return this.m.has(hkey(v));
  }
  get size(): number {
    return this.m.size;
  }
  /** Elements in Rego order (cached: sets are not changed once built). */
  sorted(): Value[] {
    if (!this.sortedCache) this.sortedCache = [...this.m.values()].sort(compare);
    return this.sortedCache;
  }
}

export class RObject {
  /** values by hash key */
  readonly m = new Map<HKey, Value>();
  /** original keys for composite-keyed entries only */
  private ck?: Map<HKey, Value>;
  private sortedCache?: Value[];
  set(k: Value, v: Value): void {
    const h = hkey(k);
    if (typeof h === 'string' && typeof k !== 'string') (this.ck ??= new Map()).set(h, k);
    if (!this.m.has(h)) this.sortedCache = undefined;
    this.m.set(h, v);
  }
  /** Fast path for string keys. */
  setStr(k: string, v: Value): void {
    if (!this.m.has(k)) this.sortedCache = undefined;
    this.m.set(k, v);
  }
  get(k: Value): Value | undefined {
    return this.m.get(hkey(k));
  }
  has(k: Value): boolean {
    return this.m.has(hkey(k));
  }
  delete(k: Value): void {
    const h = hkey(k);
    if (this.m.delete(h)) this.sortedCache = undefined;
  }
  get size(): number {
    return this.m.size;
  }
  keyOf(h: HKey): Value {
    if (typeof h === 'string' && this.ck) {
      const k = this.ck.get(h);
      if (k !== undefined) return k;
    }
    return h;
  }
  /** Keys in Rego order (cached until the next insertion). */
  keys(): Value[] {
    if (!this.sortedCache) {
      const ks: Value[] = [];
      for (const h of this.m.keys()) ks.push(this.keyOf(h));
      const allStr = ks.every((k) => typeof k === 'string');
      this.sortedCache = allStr ? (ks as string[]).sort(cmpStr) : ks.sort(compare);
    }
    return this.sortedCache;
  }
  clone(): RObject {
    const o = new RObject();
    for (const [h, v] of this.m) o.set(this.keyOf(h), v);
    return o;
  }
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hkey(v: Value): HKey {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && Object.is(v, -0)) return 0;
    return v;
  }
  return '\u0000' + canon(v);
}

/** Canonical text of a value (sorted objects and sets) used as a hash key and for debugging. */
export function canon(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return 'n' + String(v);
    case 'bigint':
      return 'n' + v.toString();
    case 'string':
      return JSON.stringify(v);
  }
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (v instanceof RSet) return 's{' + v.sorted().map(canon).join(',') + '}';
  const o = v;
  return '{' + o.keys().map((k) => canon(k) + ':' + canon(o.get(k) as Value)).join(',') + '}';
}

export function typeName(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
    case 'bigint':
      return 'number';
    case 'string':
      return 'string';
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof RSet) return 'set';
  return 'object';
}

function typeRank(v: Value): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
    case 'bigint':
      return 2;
    case 'string':
      return 3;
  }
  if (Array.isArray(v)) return 6;
  if (v instanceof RSet) return 8;
  return 7;
}

export function isNumber(v: Value): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

export function compareNum(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  // mixed: bigint vs number (number may be fractional)
  const an = Number(a);
  const bn = Number(b);
  if (an !== bn) return an < bn ? -1 : 1;
  if (typeof a === 'bigint') {
    const bf = b as number;
    if (!Number.isInteger(bf)) return BigInt(Math.floor(bf)) >= a ? -1 : 1;
    const bb = BigInt(bf);
    return a < bb ? -1 : a > bb ? 1 : 0;
  }
  return -compareNum(b, a);
}

/** Rego's total order: null < boolean < number < string < array < object < set. */
export function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2:
      return compareNum(a as number, b as number);
    case 3:
      return cmpStr(a as string, b as string);
    case 6: {
      const x = a as Value[];
      const y = b as Value[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i] as Value, y[i] as Value);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 7: {
      const x = a as RObject;
      const y = b as RObject;
      const kx = x.keys();
      const ky = y.keys();
      const n = Math.min(kx.length, ky.length);
      for (let i = 0; i < n; i++) {
        const c = compare(kx[i] as Value, ky[i] as Value);
        if (c !== 0) return c;
        const d = compare(x.get(kx[i] as Value) as Value, y.get(ky[i] as Value) as Value);
        if (d !== 0) return d;
      }
      return kx.length - ky.length;
    }
    default: {
      const x = (a as RSet).sorted();
      const y = (b as RSet).sorted();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i] as Value, y[i] as Value);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
  }
}

export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    if (isNumber(a) && isNumber(b)) return compareNum(a, b) === 0;
    return false;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i] as Value, b[i] as Value)) return false;
    return true;
  }
  if (a instanceof RSet) {
    if (!(b instanceof RSet) || a.size !== b.size) return false;
    for (const k of a.m.keys()) if (!b.m.has(k)) return false;
    return true;
  }
  if (!(b instanceof RObject) || Array.isArray(b) || a.size !== b.size) return false;
  for (const [k, v] of a.m) {
    const w = b.m.get(k);
    if (w === undefined || !equal(v, w)) return false;
  }
  return true;
}

/** Normalises a bigint back to a number when it is exactly representable. */
export function normInt(v: bigint): number | bigint {
  if (v >= -9007199254740991n && v <= 9007199254740991n) return Number(v);
  return v;
}

/** Converts plain JS (JSON-like) data to a Rego value. */
export function fromJS(x: unknown, depth = 0): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'boolean':
    case 'string':
      return x;
    case 'number':
      return Object.is(x, -0) ? 0 : x;
    case 'bigint':
      return normInt(x);
  }
  if (depth > 1000) throw new Error('value nested too deeply');
  if (Array.isArray(x)) {
    const out = new Array<Value>(x.length);
    for (let i = 0; i < x.length; i++) out[i] = fromJS(x[i], depth + 1);
    return out;
  }
  if (x instanceof RObject || x instanceof RSet) return x;
  if (x instanceof Set) return new RSet([...x].map((e) => fromJS(e, depth + 1)));
  if (x instanceof Map) {
    const o = new RObject();
    for (const [k, v] of x) o.set(fromJS(k, depth + 1), fromJS(v, depth + 1));
    return o;
  }
  if (x instanceof Date) return x.toISOString();
  const o = new RObject();
  for (const k of Object.keys(x as object)) {
    const v = (x as Record<string, unknown>)[k];
    if (v === undefined) continue;
    o.setStr(k, fromJS(v, depth + 1));
  }
  return o;
}

/**
 * Converts a Rego value to plain JS: sets become sorted arrays, objects plain objects with sorted keys
 * (non-string keys as their JSON text, as OPA does), big integers stay bigint.
 */
export function toJS(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJS);
  if (v instanceof RSet) return v.sorted().map(toJS);
  const out: Record<string, unknown> = {};
  for (const k of v.keys()) out[typeof k === 'string' ? k : toJSON(k)] = toJS(v.get(k) as Value);
  return out;
}

/** JSON text with big integers exact and object keys sorted. */
export function toJSON(v: Value, indent?: number): string {
  return jsonText(v, indent ?? 0, '');
}

function numText(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (!Number.isFinite(n)) return JSON.stringify(String(n));
  return JSON.stringify(n);
}

function jsonText(v: Value, indent: number, pad: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return numText(v);
    case 'string':
      return JSON.stringify(v);
  }
  const inner = indent ? pad + ' '.repeat(indent) : '';
  const nl = indent ? '\n' : '';
  const sep = indent ? ': ' : ':';
  let items: string[];
  let open: string;
  let close: string;
  if (Array.isArray(v) || v instanceof RSet) {
    const arr = Array.isArray(v) ? v : v.sorted();
    items = arr.map((e) => inner + jsonText(e, indent, inner));
    open = '[';
    close = ']';
  } else {
    const o = v;
    items = o.keys().map((k) => {
      const ks = typeof k === 'string' ? k : toJSON(k);
      return inner + JSON.stringify(ks) + sep + jsonText(o.get(k) as Value, indent, inner);
    });
    open = '{';
    close = '}';
  }
  if (items.length === 0) return open + close;
  return open + nl + items.join(',' + nl) + nl + (indent ? pad : '') + close;
}

/** Parses JSON keeping integers beyond 2^53 exact (as bigint). */
export function parseJSON(text: string): Value {
  const p = new JsonReader(text);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.i < text.length) throw new SyntaxError(`unexpected character at offset ${p.i}`);
  return v;
}

class JsonReader {
  i = 0;
  constructor(private readonly s: string) {}
  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.i++;
      else break;
    }
  }
  fail(): never {
    throw new SyntaxError(`unexpected ${this.i < this.s.length ? JSON.stringify(this.s[this.i]) : 'end of input'} at offset ${this.i}`);
  }
  value(depth: number): Value {
    if (depth > 1000) throw new SyntaxError('JSON nested too deeply');
    const s = this.s;
    const c = s[this.i];
    if (c === '{') {
      this.i++;
      const o = new RObject();
      this.ws();
      if (s[this.i] === '}') {
        this.i++;
        return o;
      }
      for (;;) {
        this.ws();
        if (s[this.i] !== '"') this.fail();
        const k = this.str();
        this.ws();
        if (s[this.i] !== ':') this.fail();
        this.i++;
        this.ws();
        o.setStr(k, this.value(depth + 1));
        this.ws();
        if (s[this.i] === ',') {
          this.i++;
          continue;
        }
        if (s[this.i] === '}') {
          this.i++;
          return o;
        }
        this.fail();
      }
    }
    if (c === '[') {
      this.i++;
      const a: Value[] = [];
      this.ws();
      if (s[this.i] === ']') {
        this.i++;
        return a;
      }
      for (;;) {
        this.ws();
        a.push(this.value(depth + 1));
        this.ws();
        if (s[this.i] === ',') {
          this.i++;
          continue;
        }
        if (s[this.i] === ']') {
          this.i++;
          return a;
        }
        this.fail();
      }
    }
    if (c === '"') return this.str();
    if (s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (s.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(this.i, this.i + 400));
    if (!m) this.fail();
    this.i += m[0].length;
    return parseNumber(m[0]);
  }
  str(): string {
    const s = this.s;
    const start = this.i;
    this.i++;
    let simple = true;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '"') break;
      if (c === '\\') {
        simple = false;
        this.i += 2;
        continue;
      }
      this.i++;
    }
    if (this.i >= s.length) this.fail();
    this.i++;
    const raw = s.slice(start, this.i);
    return simple ? raw.slice(1, -1) : (JSON.parse(raw) as string);
  }
}

/** Number literal text to a value: integers exact (bigint past 2^53), others as float. */
export function parseNumber(text: string): number | bigint {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return Object.is(n, -0) ? 0 : n;
    return normInt(BigInt(text));
  }
  // float written with an exponent or decimals that is really a big integer (e.g. 1e20): keep exact when integral
  const n = Number(text);
  if (Number.isInteger(n) && !Number.isSafeInteger(n) && Number.isFinite(n)) {
    const m = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/.exec(text);
    if (m) {
      const digits = (m[2] ?? '') + (m[3] ?? '');
      const exp = Number(m[4]) - (m[3]?.length ?? 0);
      if (exp >= 0 && exp < 400) return normInt(BigInt((m[1] ?? '') + digits + '0'.repeat(exp)));
    }
  }
  return Object.is(n, -0) ? 0 : n;
}
