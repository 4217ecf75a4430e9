import { formatString } from './format.js';
import { fail, overloads, type CelLibrary, type CelLibraryContext, type CelMacro } from './library.js';

/** Namespace value behind the `strings` identifier (strings.quote(...)). */
export class StringsNamespace {}

const isAscii = (s: string): boolean => !/[^\x00-\x7f]/.test(s);
const codePoints = (s: string): string[] => (isAscii(s) ? s.split('') : Array.from(s));

/**
 * cel-go ext strings functions the base library lacks (Kubernetes enables ext.Strings): charAt, replace,
 * reverse, strings.quote, format. lowerAscii, upperAscii, trim, indexOf, lastIndexOf, split, substring and join
 * come with the base library.
 */
export function stringsLibrary({ meter }: CelLibraryContext): CelLibrary {
  const charAt = (s: string, i: bigint): string => {
    meter.charge(1 + s.length / 10);
    const cps = codePoints(s);
    if (i < 0n || i > BigInt(cps.length)) fail(`index out of range: ${i}`);
    return i === BigInt(cps.length) ? '' : cps[Number(i)];
  };
  const replace = (s: string, from: string, to: string, n: bigint = -1n): string => {
    meter.charge(s.length + to.length);
    if (n === 0n) return s;
    if (n < 0n) return from === '' ? to + codePoints(s).join(to) + to : s.split(from).join(to);
    let out = '';
    let rest = s;
    let count = 0n;
    if (from === '') {
      const cps = codePoints(s);
      let i = 0;
      for (; i < cps.length && count < n; i++, count++) out += to + cps[i];
      const tail = cps.slice(i).join('');
      return count < n ? out + to + tail : out + tail;
    }
    while (count < n) {
      const idx = rest.indexOf(from);
      if (idx < 0) break;
      out += rest.slice(0, idx) + to;
      rest = rest.slice(idx + from.length);
      count++;
    }
    return out + rest;
  };
  const reverse = (s: string): string => {
    meter.charge(s.length);
    return codePoints(s).reverse().join('');
  };
  const quote = (_ns: unknown, s: string): string => {
    meter.charge(s.length);
    return quoteString(s);
  };
  const format = (s: string, args: unknown[]): string => {
    meter.charge(s.length + args.length);
    return formatString(s, args);
  };
  return {
    name: 'strings',
    types: [{ name: 'StringsNamespace', ctor: StringsNamespace }],
    constants: [{ name: 'strings', type: 'StringsNamespace', value: new StringsNamespace() }],
    functions: overloads({
      'string.charAt(int): string': charAt,
      'string.replace(string, string): string': (s: string, a: string, b: string) => replace(s, a, b),
      'string.replace(string, string, int): string': replace,
      'string.reverse(): string': reverse,
      'StringsNamespace.quote(string): string': quote,
    }),
    macros: [formatMacro(format)],
  };
}

/**
 * `'...'.format([args])` as a macro: like cel-go's homogeneous-literal validator, a list literal passed to
 * format may mix types (['x', 42]); any other argument must be a list.
 */
function formatMacro(format: (s: string, args: unknown[]) => string): CelMacro {
  return {
    signature: 'string.format(ast): string',
    expand: ({ args, receiver }: { args: any[]; receiver: any }) => ({
      receiver,
      arg: args[0],
      async: false,
      typeCheck(checker: any, m: any, ctx: any) {
        const rt = checker.check(m.receiver, ctx);
        if (rt.kind !== 'dyn' && rt.name !== 'string') {
          throw checker.createError('no_matching_overload', `found no matching overload for '${checker.formatType(rt)}.format(list)'`, m.receiver);
        }
        if (m.arg.op === 'list') {
          for (const el of m.arg.args) checker.check(el, ctx);
        } else {
          const at = checker.check(m.arg, ctx);
          if (at.kind !== 'list' && at.kind !== 'dyn') {
            throw checker.createError('no_matching_overload', `found no matching overload for 'string.format(${checker.formatType(at)})'`, m.arg);
          }
        }
        return checker.getType('string');
      },
      evaluate(ev: any, m: any, ctx: any) {
        const s = ev.run(m.receiver, ctx);
        const list = m.arg.op === 'list' ? m.arg.args.map((el: any) => ev.run(el, ctx)) : ev.run(m.arg, ctx);
        if (typeof s !== 'string' || !Array.isArray(list)) fail('format() needs a string receiver and a list argument');
        return format(s, list);
      },
    }),
  };
}

/** strings.quote: Go-style double-quoted string with escapes (cel-go ext). */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case '"': out += '\\"'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\v': out += '\\v'; break;
      case '\x07': out += '\\a'; break;
      default: out += ch;
    }
  }
  return out + '"';
}
