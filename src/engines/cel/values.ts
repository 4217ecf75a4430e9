import { Optional } from '@marcbachmann/cel-js';

/**
 * A map whose entries are computed on first use (VAP `variables`): each entry is computed at most once per
 * evaluation, and a failing entry fails only the expressions that read it.
 */
export class LazyMap extends Map<string, unknown> {
  static {
    // The CEL runtime recognises maps by their constructor: a LazyMap must read as a plain Map.
    Object.defineProperty(this.prototype, 'constructor', { value: Map, writable: false, enumerable: false });
  }
  readonly #compute: (name: string) => unknown;
  readonly #names: ReadonlySet<string>;
  readonly #failures = new Map<string, unknown>();

  constructor(names: Iterable<string>, compute: (name: string) => unknown) {
    super();
    this.#names = new Set(names);
    this.#compute = compute;
  }

  override has(key: string): boolean {
    return this.#names.has(key);
  }

  override get(key: string): unknown {
    if (super.has(key)) return super.get(key);
    if (this.#failures.has(key)) throw this.#failures.get(key);
    if (!this.#names.has(key)) return undefined;
    try {
      const value = toCel(this.#compute(key));
      super.set(key, value);
      return value;
    } catch (err) {
      this.#failures.set(key, err);
      throw err;
    }
  }

  override get size(): number {
    return this.#names.size;
  }

  override *keys(): MapIterator<string> {
    yield* this.#names;
  }

  override *entries(): MapIterator<[string, unknown]> {
    for (const k of this.#names) yield [k, this.get(k)];
  }

  override *values(): MapIterator<unknown> {
    for (const k of this.#names) yield this.get(k);
  }

  override [Symbol.iterator](): MapIterator<[string, unknown]> {
    return this.entries();
  }

  override forEach(cb: (value: unknown, key: string, map: Map<string, unknown>) => void): void {
    for (const k of this.#names) cb(this.get(k), k, this);
  }
}

/**
 * Plain JSON-like value → CEL runtime value: numbers without a fraction become int (bigint) as in Kubernetes'
 * unstructured objects. Copy-on-write: subtrees with nothing to convert are shared, not copied. With a cache,
 * the top-level object is converted once (by identity) while it is among the recently converted ones.
 * (Measured: an eager copy is about twice as fast as lazily converting Map views, see bench/RESULTS.md.)
 */
export function toCel(value: unknown, cache?: ConversionCache): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (!Array.isArray(value)) {
    // Maps (e.g. LazyMap), class instances and CEL values pass through: nothing to convert, nothing to cache.
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
  }
  if (cache) {
    const hit = cache.get(value);
    if (hit !== undefined) return hit;
    const out = convert(value);
    cache.set(value, out);
    return out;
  }
  return convert(value);
}

function convert(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return convertArray(value);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return convertRecord(value as Record<string, unknown>);
}

const needsConversion = (v: unknown): boolean => typeof v === 'number' || (typeof v === 'object' && v !== null);

function convertArray(value: unknown[]): unknown[] {
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (!needsConversion(v)) continue;
    const c = convert(v);
    if (c === v) continue;
    // First change: copy what came before, convert the rest.
    const copy = value.slice(0, i);
    copy.push(c);
    for (let j = i + 1; j < value.length; j++) {
      const w = value[j];
      copy.push(needsConversion(w) ? convert(w) : w);
    }
    return copy;
  }
  return value;
}

function convertRecord(rec: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(rec);
  for (let i = 0; i < keys.length; i++) {
    const v = rec[keys[i]];
    if (!needsConversion(v)) continue;
    const c = convert(v);
    if (c === v) continue;
    const copy: Record<string, unknown> = {};
    for (let j = 0; j < i; j++) copy[keys[j]] = rec[keys[j]];
    copy[keys[i]] = c;
    for (let j = i + 1; j < keys.length; j++) {
      const w = rec[keys[j]];
      copy[keys[j]] = needsConversion(w) ? convert(w) : w;
    }
    return copy;
  }
  return rec;
}

/**
 * Remembers the last few converted objects by identity. Evaluations come in runs over one object (every policy
 * on one pod, then the next pod), so a handful of slots catch the reuse; a WeakMap holding every object of a
 * 100,000-pod scan made garbage collection several times slower than the conversions it saved.
 */
export class ConversionCache {
  readonly #keys: Array<object | undefined>;
  readonly #values: unknown[];
  #next = 0;

  constructor(readonly slots = 8) {
    this.#keys = new Array(slots).fill(undefined);
    this.#values = new Array(slots).fill(undefined);
  }

  get(key: object): unknown {
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.#values[i];
    return undefined;
  }

  set(key: object, value: unknown): void {
    this.#keys[this.#next] = key;
    this.#values[this.#next] = value;
    this.#next = (this.#next + 1) % this.slots;
  }
}

/** Objects that render themselves as a plain value in results (quantity, ip, cidr, url...). */
export interface CelPlainValue {
  toPlain(): unknown;
}

function isPlainValue(v: object): v is CelPlainValue {
  return typeof (v as Partial<CelPlainValue>).toPlain === 'function';
}

/**
 * CEL runtime value → plain JS: ints as number when safe (bigint otherwise), maps as objects, optionals unwrapped.
 * Copy-on-write: parts without CEL-only values are returned as they are, so a result may share structure with
 * the activation (treat results as read-only).
 */
export function fromCel(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return mapArrayCow(value, fromCel);
      if (value instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value) out[String(fromCel(k))] = fromCel(v);
        return out;
      }
      if (value instanceof Optional) return value.hasValue() ? fromCel(value.value()) : null;
      if (value instanceof Uint8Array || value instanceof Date) return value;
      if (isPlainValue(value)) return value.toPlain();
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return mapRecordCow(value as Record<string, unknown>, fromCel);
      if (typeof (value as { valueOf(): unknown }).valueOf === 'function') {
        const prim = (value as { valueOf(): unknown }).valueOf();
        if (prim !== value) return fromCel(prim);
      }
      return String(value);
    }
    default:
      return value;
  }
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function mapArrayCow(value: unknown[], f: (v: unknown) => unknown): unknown[] {
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'object' && typeof v !== 'bigint') continue;
    const c = f(v);
    if (c === v) continue;
    const copy = value.slice(0, i);
    copy.push(c);
    for (let j = i + 1; j < value.length; j++) copy.push(f(value[j]));
    return copy;
  }
  return value;
}

function mapRecordCow(rec: Record<string, unknown>, f: (v: unknown) => unknown): Record<string, unknown> {
  const keys = Object.keys(rec);
  for (let i = 0; i < keys.length; i++) {
    const v = rec[keys[i]];
    if (typeof v !== 'object' && typeof v !== 'bigint') continue;
    const c = f(v);
    if (c === v) continue;
    const copy: Record<string, unknown> = {};
    for (let j = 0; j < i; j++) copy[keys[j]] = rec[keys[j]];
    copy[keys[i]] = c;
    for (let j = i + 1; j < keys.length; j++) copy[keys[j]] = f(rec[keys[j]]);
    return copy;
  }
  return rec;
}
