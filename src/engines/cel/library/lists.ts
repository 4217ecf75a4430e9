import { celCompare, celEquals, typeName } from './compare.js';
import { fail, overloads, type CelLibrary, type CelLibraryContext } from './library.js';

const MAX_INT = 9223372036854775807n;
const MIN_INT = -9223372036854775808n;

/**
 * Kubernetes lists library (k8s.io/apiserver/pkg/cel/library/lists.go): isSorted, sum, min, max, indexOf,
 * lastIndexOf; plus cel-go ext lists functions Kubernetes enables: slice, flatten, reverse, distinct, sort.
 */
export function listsLibrary({ meter }: CelLibraryContext): CelLibrary {
  const isSorted = (list: unknown[]): boolean => {
    meter.charge(list.length);
    for (let i = 1; i < list.length; i++) if (celCompare(list[i - 1], list[i]) > 0) return false;
    return true;
  };
  const sum = (list: unknown[]): unknown => {
    meter.charge(list.length);
    if (list.length === 0) return 0n;
    let acc: unknown = list[0];
    for (let i = 1; i < list.length; i++) acc = add(acc, list[i]);
    if (typeof acc === 'bigint' && (acc > MAX_INT || acc < MIN_INT)) fail('integer overflow');
    return acc;
  };
  const extreme = (name: string, sign: number) => (list: unknown[]): unknown => {
    meter.charge(list.length);
    if (list.length === 0) fail(`${name} called on empty list`);
    let best = list[0];
    for (let i = 1; i < list.length; i++) if (celCompare(list[i], best) * sign > 0) best = list[i];
    return best;
  };
  const indexOf = (list: unknown[], v: unknown): bigint => {
    meter.charge(list.length);
    for (let i = 0; i < list.length; i++) if (celEquals(list[i], v)) return BigInt(i);
    return -1n;
  };
  const lastIndexOf = (list: unknown[], v: unknown): bigint => {
    meter.charge(list.length);
    for (let i = list.length - 1; i >= 0; i--) if (celEquals(list[i], v)) return BigInt(i);
    return -1n;
  };
  const slice = (list: unknown[], start: bigint, end: bigint): unknown[] => {
    if (start < 0n || end < 0n) fail(`cannot slice(${start}, ${end}), negative indexes not supported`);
    if (start > end) fail(`cannot slice(${start}, ${end}), start index must be less than or equal to end index`);
    if (end > BigInt(list.length)) fail(`cannot slice(${start}, ${end}), list is length ${list.length}`);
    meter.charge(Number(end - start));
    return list.slice(Number(start), Number(end));
  };
  const flattenDepth = (list: unknown[], depth: bigint): unknown[] => {
    if (depth < 0n) fail('level must be non-negative');
    const out: unknown[] = [];
    const walk = (l: unknown[], d: bigint): void => {
      meter.charge(l.length);
      for (const x of l) {
        if (Array.isArray(x) && d > 0n) walk(x, d - 1n);
        else out.push(x);
      }
    };
    walk(list, depth);
    return out;
  };
  const distinct = (list: unknown[]): unknown[] => {
    meter.charge(list.length * list.length);
    const out: unknown[] = [];
    for (const x of list) if (!out.some((y) => celEquals(x, y))) out.push(x);
    return out;
  };
  const sort = (list: unknown[]): unknown[] => {
    meter.charge(list.length * Math.max(1, Math.ceil(Math.log2(list.length + 1))));
    return [...list].sort(celCompare);
  };
  const reverse = (list: unknown[]): unknown[] => {
    meter.charge(list.length);
    return [...list].reverse();
  };
  return {
    name: 'lists',
    functions: overloads({
      'list.isSorted(): bool': isSorted,
      'list<int>.sum(): int': sum,
      'list<double>.sum(): double': sum,
      'list<uint>.sum(): uint': sum,
      'list<dyn>.sum(): dyn': sum,
      'list<A>.min(): A': extreme('min', -1),
      'list<A>.max(): A': extreme('max', 1),
      'list<A>.indexOf(A): int': indexOf,
      'list<A>.lastIndexOf(A): int': lastIndexOf,
      'list<A>.slice(int, int): list<A>': slice,
      'list.flatten(): list': (l: unknown[]) => flattenDepth(l, 1n),
      'list.flatten(int): list': flattenDepth,
      'list<A>.distinct(): list<A>': distinct,
      'list<A>.sort(): list<A>': sort,
      'list<A>.reverse(): list<A>': reverse,
    }),
  };
}

function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a + b;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const plus = (a as { add?: (o: unknown) => unknown } | null)?.add;
  if (typeof plus === 'function') return plus.call(a, b);
  return fail(`no such overload: sum of ${typeName(a)} and ${typeName(b)}`);
}
