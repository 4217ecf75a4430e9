import { fail } from './library.js';

/** CEL equality on runtime values: numbers compare across int/uint/double, lists and maps deeply. */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
    return numericCompare(a as number | bigint, b as number | bigint) === 0;
  }
  if (a === null || b === null || ta !== 'object' || tb !== 'object') return isUint(a) || isUint(b) ? uintEq(a, b) : false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!celEquals(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  const eq = (a as { equals?: (o: unknown) => boolean }).equals;
  if (typeof eq === 'function') return eq.call(a, b);
  if (isUint(a) || isUint(b)) return uintEq(a, b);
  const ea = entriesOf(a as object);
  const eb = entriesOf(b as object);
  if (!ea || !eb || ea.size !== eb.size) return false;
  for (const [k, v] of ea) {
    if (!eb.has(k) || !celEquals(v, eb.get(k))) return false;
  }
  return true;
}

function isUint(v: unknown): boolean {
  return typeof v === 'object' && v !== null && v.constructor?.name === 'UnsignedInt';
}

function uintEq(a: unknown, b: unknown): boolean {
  const na = numericOf(a);
  const nb = numericOf(b);
  return na !== undefined && nb !== undefined && numericCompare(na, nb) === 0;
}

function numericOf(v: unknown): number | bigint | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (isUint(v)) return (v as { valueOf(): bigint }).valueOf();
  return undefined;
}

function entriesOf(v: object): Map<unknown, unknown> | undefined {
  if (v instanceof Map) return v;
  if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
    return new Map(Object.entries(v));
  }
  return undefined;
}

/** Compares int/uint/double values exactly (bigint vs fractional double included). */
export function numericCompare(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const [x, y, flip] = typeof a === 'number' ? [a, b as bigint, 1] : [b as number, a as bigint, -1];
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return flip;
  if (x === -Infinity) return -flip;
  const fl = BigInt(Math.floor(x));
  if (fl < y) return -flip;
  if (fl > y) return flip;
  return x === Math.floor(x) ? 0 : flip;
}

/** Ordering for comparable CEL values (numbers, strings, bools, bytes, timestamps, durations, quantities). */
export function celCompare(a: unknown, b: unknown): number {
  const na = numericOf(a);
  const nb = numericOf(b);
  if (na !== undefined && nb !== undefined) return numericCompare(na, nb);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }
  const cmp = (a as { compareTo?: (o: unknown) => number } | null)?.compareTo;
  if (typeof cmp === 'function' && a && b && a.constructor === (b as object).constructor) return cmp.call(a, b);
  const va = (a as { valueOf?: () => unknown } | null)?.valueOf?.();
  const vb = (b as { valueOf?: () => unknown } | null)?.valueOf?.();
  if (a && b && a.constructor === (b as object).constructor && (typeof va === 'bigint' || typeof va === 'number')) {
    return numericCompare(va, vb as number | bigint);
  }
  return fail(`no such overload: values of types ${typeName(a)} and ${typeName(b)} are not comparable`);
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'object') return Array.isArray(v) ? 'list' : (v.constructor?.name ?? 'map');
  return typeof v;
}
