import { celEquals } from './compare.js';
import { overloads, type CelLibrary, type CelLibraryContext } from './library.js';

/** Namespace value behind the `sets` identifier (sets.contains(...)). */
export class SetsNamespace {}

/** cel-go ext sets (enabled by Kubernetes): sets.contains, sets.equivalent, sets.intersects. */
export function setsLibrary({ meter }: CelLibraryContext): CelLibrary {
  const contains = (_ns: unknown, a: unknown[], b: unknown[]): boolean => {
    meter.charge(a.length * b.length);
    return b.every((x) => a.some((y) => celEquals(x, y)));
  };
  return {
    name: 'sets',
    types: [{ name: 'SetsNamespace', ctor: SetsNamespace }],
    constants: [{ name: 'sets', type: 'SetsNamespace', value: new SetsNamespace() }],
    functions: overloads({
      'SetsNamespace.contains(list, list): bool': contains,
      'SetsNamespace.equivalent(list, list): bool': (ns: unknown, a: unknown[], b: unknown[]) =>
        contains(ns, a, b) && contains(ns, b, a),
      'SetsNamespace.intersects(list, list): bool': (_ns: unknown, a: unknown[], b: unknown[]) => {
        meter.charge(a.length * b.length);
        return a.some((x) => b.some((y) => celEquals(x, y)));
      },
    }),
  };
}
