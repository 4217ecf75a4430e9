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
 * A read-only CEL map view of a plain JSON object that converts fields on first access (numbers without a
 * fraction become int, as in Kubernetes' unstructured objects) and remembers them. Policies read a few fields of
 * large objects (managedFields, status...), so converting lazily beats converting whole objects up front.
 */
export class JsonObjectView extends Map<string, unknown> {
  static {
    Object.defineProperty(this.prototype, 'constructor', { value: Map, writable: false, enumerable: false });
  }
  readonly #src: Record<string, unknown>;

  constructor(src: Record<string, unknown>) {
    super();
    this.#src = src;
  }

  override has(key: string): boolean {
    return typeof key === 'string' && Object.hasOwn(this.#src, key) && this.#src[key] !== undefined;
  }

  override get(key: string): unknown {
    const hit = super.get(key);
    if (hit !== undefined) return hit;
    if (typeof key !== 'string' || !Object.hasOwn(this.#src, key)) return undefined;
    const raw = this.#src[key];
    if (raw === undefined) return undefined;
    const v = toCel(raw);
    if (v !== raw) super.set(key, v);
    return v;
  }

  override get size(): number {
    let n = 0;
    for (const k in this.#src) if (Object.hasOwn(this.#src, k) && this.#src[k] !== undefined) n++;
    return n;
  }

  override *keys(): MapIterator<string> {
    for (const k in this.#src) if (Object.hasOwn(this.#src, k) && this.#src[k] !== undefined) yield k;
  }

  override *entries(): MapIterator<[string, unknown]> {
    for (const k of this.keys()) yield [k, this.get(k)];
  }

  override *values(): MapIterator<unknown> {
    for (const k of this.keys()) yield this.get(k);
  }

  override [Symbol.iterator](): MapIterator<[string, unknown]> {
    return this.entries();
  }

  override forEach(cb: (value: unknown, key: string, map: Map<string, unknown>) => void): void {
    for (const k of this.keys()) cb(this.get(k), k, this);
  }

  override set(): this {
    throw new TypeError('JsonObjectView is read-only');
  }

  override delete(): boolean {
    throw new TypeError('JsonObjectView is read-only');
  }

  /** The plain object behind the view. */
  get source(): Record<string, unknown> {
    return this.#src;
  }
}

/**
 * Plain JSON-like value → CEL runtime value: integers become bigint, plain objects become lazily converting
 * views, arrays are converted one level deep (their objects become views). Other values pass through.
 */
export function toCel(value: unknown, cache?: WeakMap<object, unknown>): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) ? BigInt(value) : value;
    case 'object': {
      if (value === null) return null;
      if (cache) {
        const hit = cache.get(value);
        if (hit !== undefined) return hit;
      }
      let out: unknown = value;
      if (Array.isArray(value)) out = convertArray(value);
      else {
        const proto = Object.getPrototypeOf(value);
        if (proto === Object.prototype || proto === null) out = new JsonObjectView(value as Record<string, unknown>);
      }
      cache?.set(value, out);
      return out;
    }
    default:
      return value;
  }
}

function convertArray(value: unknown[]): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    const c = typeof v === 'object' || typeof v === 'number' ? toCel(v) : v;
    if (c !== v && !copy) copy = value.slice(0, i);
    if (copy) copy.push(c);
  }
  return copy ?? value;
}

/** Objects that render themselves as a plain value in results (quantity, ip, cidr, url...). */
export interface CelPlainValue {
  toPlain(): unknown;
}

function isPlainValue(v: object): v is CelPlainValue {
  return typeof (v as Partial<CelPlainValue>).toPlain === 'function';
}

/** CEL runtime value → plain JS: ints as number when safe (bigint otherwise), maps as objects, optionals unwrapped. */
export function fromCel(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map(fromCel);
      if (value instanceof JsonObjectView) return value.source;
      if (value instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value) out[String(fromCel(k))] = fromCel(v);
        return out;
      }
      if (value instanceof Optional) return value.hasValue() ? fromCel(value.value()) : null;
      if (value instanceof Uint8Array || value instanceof Date) return value;
      if (isPlainValue(value)) return value.toPlain();
      if (Object.getPrototypeOf(value) === Object.prototype) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = fromCel(v);
        return out;
      }
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
