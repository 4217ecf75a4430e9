import { fail, overloads, type CelLibrary, type CelLibraryContext } from './library.js';
const MAX_CACHED_PATTERNS = 1000;

import { re2BodyToJs } from '../../../core/re2.js';
import { RE2_MATCHES } from './replaced.js';

export { RE2_MATCHES };

/**
 * Translates an RE2 pattern (the syntax Kubernetes' CEL uses) to a JS RegExp: leading flag groups `(?i)`,
 * `(?s)`, `(?m)`, `\A`, `\z`, and POSIX classes. Features RE2 lacks (backreferences, lookaround) are rejected so
 * a pattern never behaves differently than in the API server.
 */
export function re2ToRegExp(pattern: string, global = false): RegExp {
  let flags = 'u';
  let src = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]) {
      if (f === 'U') fail(`unsupported regex flag U in ${JSON.stringify(pattern)}`);
      if (!flags.includes(f)) flags += f;
    }
    src = src.slice(lead[0].length);
  }
  if (/\\[1-9]|\(\?[=!<]|\(\?<[=!]/.test(src)) {
    fail(`invalid regex ${JSON.stringify(pattern)}: backreferences and lookaround are not RE2 syntax`);
  }
  src = re2BodyToJs(src);
  const g = global ? 'g' : '';
  try {
    return new RegExp(src, flags + g);
  } catch (err) {
    // RE2 allows escapes the JS unicode mode rejects (e.g. \- outside a class); retry without it.
    try {
      return new RegExp(src, flags.replace('u', '') + g);
    } catch {
      return fail(`invalid regex ${JSON.stringify(pattern)}: ${(err as Error).message}`);
    }
  }
}

/** Kubernetes regex library (library/regex.go): find, findAll. Patterns are compiled once per environment. */
export function regexLibrary({ meter }: CelLibraryContext): CelLibrary {
  const cache = new Map<string, RegExp>();
  const compile = (pattern: string): RegExp => {
    let re = cache.get(pattern);
    if (!re) {
      re = re2ToRegExp(pattern, true);
      if (cache.size >= MAX_CACHED_PATTERNS) cache.clear();
      cache.set(pattern, re);
    }
    re.lastIndex = 0;
    return re;
  };
  const find = (s: string, pattern: string): string => {
    meter.charge(s.length);
    const m = compile(pattern).exec(s);
    return m ? m[0] : '';
  };
  const findAll = (s: string, pattern: string, limit: bigint = -1n): string[] => {
    meter.charge(s.length);
    const re = compile(pattern);
    const out: string[] = [];
    if (limit === 0n) return out;
    let m: RegExpExecArray | null;
    let prevEnd = -1;
    while ((m = re.exec(s)) !== null) {
      if (m[0] === '') {
        // Go's FindAllString skips an empty match right after the previous match.
        if (m.index === prevEnd) {
          re.lastIndex = m.index + 1;
          if (re.lastIndex > s.length) break;
          continue;
        }
        re.lastIndex = m.index + 1;
      }
      out.push(m[0]);
      prevEnd = m.index + m[0].length;
      if (limit > 0n && BigInt(out.length) >= limit) break;
      if (re.lastIndex > s.length) break;
    }
    return out;
  };
  const matches = (s: string, pattern: string): boolean => {
    meter.charge(1 + s.length / 10);
    return compile(pattern).test(s);
  };
  return {
    name: 'regex',
    functions: overloads({
      [`string.${RE2_MATCHES}(string): bool`]: matches,
      'string.find(string): string': find,
      'string.findAll(string): list<string>': (s: string, p: string) => findAll(s, p),
      'string.findAll(string, int): list<string>': findAll,
    }),
  };
}
