/** Helpers shared by builtin implementations. */
import { compareNum, normInt, RObject, RSet, type Value } from '../value.js';
import { BuiltinError, typeErr } from './types.js';

export function num(v: Value): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

export function isInt(v: Value): boolean {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

export function intArg(v: Value, pos: number): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number') throw typeErr(pos, v, 'number');
  if (!Number.isInteger(v)) throw new BuiltinError('eval_type_error', `operand ${pos} must be integer number but got floating-point number`);
  return v;
}

/** Number result: integers beyond 2^53 as exact bigint when the operands were integers. */
export function numResult(n: number): number {
  return Object.is(n, -0) ? 0 : n;
}

export function bigOf(v: Value): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

export function addNum(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r) || !Number.isInteger(a) || !Number.isInteger(b)) return numResult(fixFloat(r));
  }
  if (isInt(a) && isInt(b)) return normInt(bigOf(a) + bigOf(b));
  return numResult(Number(a) + Number(b));
}

export function subNum(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r) || !Number.isInteger(a) || !Number.isInteger(b)) return numResult(fixFloat(r));
  }
  if (isInt(a) && isInt(b)) return normInt(bigOf(a) - bigOf(b));
  return numResult(Number(a) - Number(b));
}

export function mulNum(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r) || !Number.isInteger(a) || !Number.isInteger(b)) return numResult(fixFloat(r));
  }
  if (isInt(a) && isInt(b)) return normInt(bigOf(a) * bigOf(b));
  return numResult(Number(a) * Number(b));
}

/** Rounds away binary noise the way OPA's decimal arithmetic avoids it (e.g. 0.1 * 3). */
export function fixFloat(n: number): number {
  if (Number.isInteger(n) || !Number.isFinite(n)) return n;
  const p = Number(n.toPrecision(15));
  return p;
}

export function cmpNum(a: Value, b: Value): number {
  return compareNum(a as number, b as number);
}

export function strs(v: Value, pos: number): string[] {
  const items = Array.isArray(v) ? v : v instanceof RSet ? v.sorted() : undefined;
  if (!items) throw typeErr(pos, v, 'set', 'array');
  return items.map((x) => {
    if (typeof x !== 'string') throw typeErr(pos, v, 'set', 'array');
    return x;
  });
}

export function collection(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.sorted();
  if (v instanceof RObject) return v.keys().map((k) => v.get(k) as Value);
  return [];
}

/** OPA's text form of a value, used by sprintf %v and error messages. */
export function regoString(v: Value, top = true): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return formatNumber(v);
    case 'bigint':
      return v.toString();
    case 'string':
      return top ? v : JSON.stringify(v);
  }
  if (Array.isArray(v)) return '[' + v.map((x) => regoString(x, false)).join(', ') + ']';
  if (v instanceof RSet) return v.size === 0 ? 'set()' : '{' + v.sorted().map((x) => regoString(x, false)).join(', ') + '}';
  return '{' + v.keys().map((k) => regoString(k, false) + ': ' + regoString(v.get(k) as Value, false)).join(', ') + '}';
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const s = String(n);
  return s.replace(/e\+?/, 'e+').replace('e+-', 'e-');
}

/** Unicode code points of a string (Rego strings index by rune). */
export function runes(s: string): string[] {
  return Array.from(s);
}
