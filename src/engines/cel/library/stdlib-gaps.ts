import { Optional } from '@marcbachmann/cel-js';
import { celEquals, numericCompare } from './compare.js';
import { fail, overloads, type CelLibrary } from './library.js';

/**
 * Standard-library functions and operators the base library lacks, that cel-go (and so the API server) has:
 * heterogeneous numeric equality, bytes ordering, int(uint), timestamp/duration conversions, optional
 * equality and optional.ofNonZeroValue.
 */
const TS = 'google.protobuf.Timestamp';
const DUR = 'google.protobuf.Duration';
const MAX_INT = 9223372036854775807n;

function bytesCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

const num = (v: unknown): number | bigint => (typeof v === 'number' || typeof v === 'bigint' ? v : (v as { valueOf(): bigint }).valueOf());

/** cel-go's zero values: optional.ofNonZeroValue(x) is none for these. */
function isZero(v: unknown): boolean {
  if (v === null || v === false || v === '' || v === 0 || v === 0n) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.keys(v).length === 0;
  if (typeof v === 'object' && v.constructor?.name === 'UnsignedInt') return (v as { valueOf(): bigint }).valueOf() === 0n;
  return false;
}

function formatTimestamp(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, 'Z');
}

export function stdlibGapsLibrary(): CelLibrary {
  const numEq = (a: unknown, b: unknown): boolean => numericCompare(num(a), num(b)) === 0;
  return {
    name: 'stdlib-gaps',
    functions: overloads({
      'int(uint): int': (u: { valueOf(): bigint }) => {
        const v = u.valueOf();
        return v > MAX_INT ? fail('range error: uint out of int range') : v;
      },
      [`int(${TS}): int`]: (d: Date) => BigInt(Math.floor(d.getTime() / 1000)),
      [`string(${TS}): string`]: formatTimestamp,
      [`string(${DUR}): string`]: (d: object) => String(d),
      [`timestamp(${TS}): ${TS}`]: (d: Date) => d,
      [`duration(${DUR}): ${DUR}`]: (d: unknown) => d,
      'OptionalNamespace.ofNonZeroValue(dyn): optional<dyn>': (_ns: unknown, v: unknown) => (isZero(v) ? Optional.none() : Optional.of(v)),
    }),
    operators: overloads({
      'int == uint': numEq,
      'int == double': numEq,
      'uint == double': numEq,
      'bytes < bytes': (a: Uint8Array, b: Uint8Array) => bytesCompare(a, b) < 0,
      'bytes <= bytes': (a: Uint8Array, b: Uint8Array) => bytesCompare(a, b) <= 0,
      'bytes > bytes': (a: Uint8Array, b: Uint8Array) => bytesCompare(a, b) > 0,
      'bytes >= bytes': (a: Uint8Array, b: Uint8Array) => bytesCompare(a, b) >= 0,
      'optional<A> == optional<A>': (a: Optional, b: Optional) =>
        a.hasValue() === b.hasValue() && (!a.hasValue() || celEquals(a.value(), b.value())),
    }),
  };
}
