/** Strings, sprintf, regular expressions (RE2 syntax mapped to JS) and globs. */
import { RObject, RSet, typeName, type Value } from '../value.js';
import { re2BodyToJs } from '../../../core/re2.js';
import { globsIntersect } from './globs.js';
import { renderGoTemplate } from './gotemplate.js';
import { BuiltinError, builtinErr, typeErr, type BuiltinRegistry } from './types.js';
import { formatNumber, intArg, num, regoString, runes, strs } from './util.js';

export function registerStrings(r: BuiltinRegistry): void {
  const regexCache = new Map<string, RegExp>();
  const re = (pattern: string, global = false): RegExp => {
    const key = (global ? 'g' : '') + pattern;
    let rx = regexCache.get(key);
    if (!rx) {
      rx = compileRE2(pattern, global);
      if (regexCache.size > 500) regexCache.clear();
      regexCache.set(key, rx);
    }
    return rx;
  };
  const globCache = new Map<string, RegExp>();

  r.register('concat', ([d, xs]) => strs(xs as Value, 2).join(d as string));
  r.register('contains', ([s, sub]) => (s as string).includes(sub as string));
  r.register('startswith', ([s, p]) => (s as string).startsWith(p as string));
  r.register('endswith', ([s, p]) => (s as string).endsWith(p as string));
  r.register('format_int', ([n, b]) => {
    const base = num(b as Value);
    if (![2, 8, 10, 16].includes(base)) throw new BuiltinError('eval_type_error', 'operand 2 must be one of {2, 8, 10, 16}');
    const v = typeof n === 'bigint' ? n : BigInt(Math.trunc(n as number));
    return v.toString(base);
  });
  r.register('indexof', ([s, sub]) => {
    const rs = runes(s as string);
    const sb = sub as string;
    if (sb === '') throw builtinErr('empty search character');
    const idx = (s as string).indexOf(sb);
    if (idx < 0) return -1;
    return runes((s as string).slice(0, idx)).length + (rs.length ? 0 : 0);
  });
  r.register('indexof_n', ([s, sub]) => {
    const str = s as string;
    const sb = sub as string;
    if (sb === '') throw builtinErr('empty search character');
    const out: Value[] = [];
    let i = str.indexOf(sb);
    while (i >= 0) {
      out.push(runes(str.slice(0, i)).length);
      i = str.indexOf(sb, i + 1);
    }
    return out;
  });
  r.register('lower', ([s]) => (s as string).toLowerCase());
  r.register('upper', ([s]) => (s as string).toUpperCase());
  r.register('replace', ([s, o, n]) => {
    // Go's strings.ReplaceAll: an empty old string matches at every rune boundary
    if (o === '') return (n as string) + runes(s as string).join(n as string) + ((s as string) === '' ? '' : (n as string));
    return (s as string).split(o as string).join(n as string);
  });
  r.register('strings.replace_n', ([patterns, s]) => {
    const pats = patterns as RObject;
    const pairs: [string, string][] = [];
    for (const k of pats.keys()) {
      const v = pats.get(k);
      if (typeof k !== 'string') throw new BuiltinError('eval_type_error', 'operand 1 non-string key found in pattern object');
      if (typeof v !== 'string') throw new BuiltinError('eval_type_error', 'operand 1 non-string value found in pattern object');
      pairs.push([k, v]);
    }
    // Go's strings.NewReplacer: at each position the first matching old string in argument order wins
    const str = s as string;
    let out = '';
    let i = 0;
    outer: while (i < str.length) {
      for (const [o, n] of pairs) {
        if (o !== '' && str.startsWith(o, i)) {
          out += n;
          i += o.length;
          continue outer;
        }
      }
      out += str[i];
      i++;
    }
    return out;
  });
  r.register('strings.reverse', ([s]) => runes(s as string).reverse().join(''));
  const anyMatch = (f: (s: string, p: string) => boolean) => ([a, b]: Value[]): boolean => {
    const xs = typeof a === 'string' ? [a] : strsOf(a as Value, 1);
    const ps = typeof b === 'string' ? [b] : strsOf(b as Value, 2);
    return xs.some((x) => ps.some((p) => f(x, p)));
  };
  r.register('strings.any_prefix_match', anyMatch((s, p) => s.startsWith(p)));
  r.register('strings.any_suffix_match', anyMatch((s, p) => s.endsWith(p)));
  r.register('strings.count', ([s, sub]) => {
    const str = s as string;
    const sb = sub as string;
    if (sb === '') return runes(str).length + 1;
    return str.split(sb).length - 1;
  });
  r.register('strings.render_template', ([tpl, vars]) => renderGoTemplate(tpl as string, vars as RObject));
  r.register('split', ([s, d]) => {
    if (d === '') return runes(s as string);
    return (s as string).split(d as string);
  });
  r.register('sprintf', ([f, args]) => sprintf(f as string, args as Value[]));
  r.register('substring', ([s, st, ln]) => {
    const rs = runes(s as string);
    const start = intArg(st as Value, 2);
    const len = intArg(ln as Value, 3);
    if (start < 0) throw builtinErr('negative offset');
    if (start >= rs.length) return '';
    if (len < 0) return rs.slice(start).join('');
    return rs.slice(start, start + len).join('');
  });
  const cutset = (s: string, cs: string, left: boolean, right: boolean): string => {
    const set = new Set(runes(cs));
    const rs = runes(s);
    let a = 0;
    let b = rs.length;
    if (left) while (a < b && set.has(rs[a] as string)) a++;
    if (right) while (b > a && set.has(rs[b - 1] as string)) b--;
    return rs.slice(a, b).join('');
  };
  r.register('trim', ([s, c]) => cutset(s as string, c as string, true, true));
  r.register('trim_left', ([s, c]) => cutset(s as string, c as string, true, false));
  r.register('trim_right', ([s, c]) => cutset(s as string, c as string, false, true));
  r.register('trim_prefix', ([s, p]) => ((s as string).startsWith(p as string) ? (s as string).slice((p as string).length) : s));
  r.register('trim_suffix', ([s, p]) => (p !== '' && (s as string).endsWith(p as string) ? (s as string).slice(0, (s as string).length - (p as string).length) : s));
  r.register('trim_space', ([s]) => (s as string).replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, ''));

  const match = ([p, s]: Value[]): boolean => {
    let rx: RegExp;
    try {
      rx = re(p as string);
    } catch (e) {
      throw builtinErr(`error parsing regexp: ${(e as Error).message}`);
    }
    return rx.test(s as string);
  };
  r.register('re_match', match);
  r.register('regex.match', match);
  r.register('regex.is_valid', ([p]) => {
    if (typeof p !== 'string') return false;
    try {
      re(p);
      return true;
    } catch {
      return false;
    }
  });
  r.register('regex.split', ([p, s]) => (s as string).split(re(p as string, true)));
  r.register('regex.find_n', ([p, s, n]) => {
    const lim = num(n as Value);
    const out: Value[] = [];
    for (const m of (s as string).matchAll(re(p as string, true))) {
      if (lim >= 0 && out.length >= lim) break;
      out.push(m[0]);
    }
    return out;
  });
  r.register('regex.find_all_string_submatch_n', ([p, s, n]) => {
    const lim = num(n as Value);
    const out: Value[] = [];
    for (const m of (s as string).matchAll(re(p as string, true))) {
      if (lim >= 0 && out.length >= lim) break;
      out.push(Array.from(m, (g) => g ?? ''));
      if (m[0] === '') continue;
    }
    return out;
  });
  r.register('regex.replace', ([s, p, v]) => {
    const repl = (v as string).replace(/\$(\d+|\{\w+\})/g, (_m, g: string) => '$' + (g.startsWith('{') ? g.slice(1, -1) : g)).replace(/\$\$/g, '$$$$');
    return (s as string).replace(re(p as string, true), repl);
  });
  r.register('regex.template_match', ([tpl, s, d1, d2]) => {
    const t = tpl as string;
    const ds = d1 as string;
    const de = d2 as string;
    let src = '^';
    let i = 0;
    while (i < t.length) {
      const a = t.indexOf(ds, i);
      if (a < 0) {
        src += escapeRe(t.slice(i));
        break;
      }
      const b = t.indexOf(de, a + ds.length);
      if (b < 0) throw builtinErr(`unbalanced braces in template`);
      src += escapeRe(t.slice(i, a)) + '(?:' + re2BodyToJs(t.slice(a + ds.length, b)) + ')';
      i = b + de.length;
    }
    return new RegExp(src + '$').test(s as string);
  });
  r.register('regex.globs_match', ([a, b]) => globsIntersect(a as string, b as string));
  r.register('glob.match', ([p, d, s]) => {
    const delims = d === null ? [] : (d as Value[]).length === 0 ? ['.'] : (d as Value[]).map((x) => String(x));
    const key = JSON.stringify([p, delims]);
    let rx = globCache.get(key);
    if (!rx) {
      rx = globToRegExp(p as string, delims);
      if (globCache.size > 500) globCache.clear();
      globCache.set(key, rx);
    }
    return rx.test(s as string);
  });
  r.register('glob.quote_meta', ([s]) => (s as string).replace(/[*?\\[\]{}]/g, (c) => '\\' + c));
}

function strsOf(v: Value, pos: number): string[] {
  const items = Array.isArray(v) ? v : v instanceof RSet ? v.sorted() : undefined;
  if (!items) throw typeErr(pos, v, 'string', 'set', 'array');
  return items.map((x) => {
    if (typeof x !== 'string') throw new BuiltinError('eval_type_error', `operand ${pos} must be ${typeName(v)} of strings but got ${typeName(v)} containing ${typeName(x)}`);
    return x;
  });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function compileRE2(pattern: string, global: boolean): RegExp {
  let flags = global ? 'g' : '';
  let p = pattern;
  const m = /^\(\?([imsU]+)\)/.exec(p);
  if (m) {
    p = p.slice(m[0].length);
    if (m[1]?.includes('i')) flags += 'i';
    if (m[1]?.includes('s')) flags += 's';
    if (m[1]?.includes('m')) flags += 'm';
  }
  const src = re2BodyToJs(p);
  // RE2 rejects backreferences and lookarounds; JS would accept them
  if (/\\[1-9]/.test(src) || /\(\?[=!]|\(\?<[=!]/.test(src)) throw new SyntaxError(`invalid or unsupported Perl syntax`);
  try {
    return new RegExp(src, flags + 'u');
  } catch {
    return new RegExp(src, flags);
  }
}

/** gobwas/glob semantics: * stops at delimiters, ** does not, ?, [...], [!...], {a,b}, \ escapes. */
export function globToRegExp(pattern: string, delims: string[]): RegExp {
  const notDelim = delims.length ? `[^${delims.map((d) => escapeRe(d)).join('')}]` : '[\\s\\S]';
  let out = '';
  let i = 0;
  let braceDepth = 0;
  const p = pattern;
  while (i < p.length) {
    const c = p[i] as string;
    if (c === '\\') {
      i++;
      if (i < p.length) out += escapeRe(p[i] as string);
      i++;
    } else if (c === '*') {
      if (p[i + 1] === '*') {
        out += '[\\s\\S]*';
        i += 2;
      } else {
        out += notDelim + '*';
        i++;
      }
    } else if (c === '?') {
      out += notDelim;
      i++;
    } else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) throw builtinErr(`unexpected end of input`);
      let body = p.slice(i + 1, end);
      let neg = false;
      if (body.startsWith('!')) {
        neg = true;
        body = body.slice(1);
      }
      out += '[' + (neg ? '^' : '') + body.replace(/\\/g, '\\\\').replace(/]/g, '\\]') + ']';
      i = end + 1;
    } else if (c === '{') {
      braceDepth++;
      out += '(?:';
      i++;
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
      i++;
    } else if (c === ',' && braceDepth > 0) {
      out += '|';
      i++;
    } else {
      out += escapeRe(c);
      i++;
    }
  }
  if (braceDepth > 0) throw builtinErr('unexpected end of input');
  return new RegExp('^' + out + '$', 'u');
}

/** Go fmt for the verbs Rego policies use. */
export function sprintf(f: string, args: Value[]): string {
  let out = '';
  let ai = 0;
  for (let i = 0; i < f.length; i++) {
    const c = f[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = /^([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/.exec(f.slice(i + 1));
    if (!m) {
      out += '%!(NOVERB)';
      continue;
    }
    i += m[0].length;
    const flags = m[1] ?? '';
    const width = m[2] ? Number(m[2]) : undefined;
    const prec = m[3] !== undefined ? Number(m[3]) : m[0].includes('.') ? 0 : undefined;
    const verb = m[4] as string;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (ai >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[ai++] as Value;
    out += pad(formatVerb(verb, a, flags, prec), width, flags);
  }
  if (ai < args.length) {
    out += '%!(EXTRA ' + args.slice(ai).map((a) => `${goTypeName(a)}=${formatVerb('v', a, '', undefined)}`).join(', ') + ')';
  }
  return out;
}

function pad(s: string, width: number | undefined, flags: string): string {
  if (width === undefined || s.length >= width) return s;
  if (flags.includes('-')) return s + ' '.repeat(width - s.length);
  if (flags.includes('0')) {
    const neg = s.startsWith('-');
    const body = neg ? s.slice(1) : s;
    return (neg ? '-' : '') + '0'.repeat(width - s.length) + body;
  }
  return ' '.repeat(width - s.length) + s;
}

/** How OPA hands a value to Go's fmt: int64, *big.Int, float64, bool, or a string (composites, null). */
type GoArg = { k: 'int64'; v: number } | { k: '*big.Int'; v: bigint } | { k: 'float64'; v: number } | { k: 'bool'; v: boolean } | { k: 'string'; v: string };

function goArg(a: Value): GoArg {
  if (typeof a === 'bigint') return { k: '*big.Int', v: a };
  if (typeof a === 'number') return Number.isInteger(a) ? { k: 'int64', v: a } : { k: 'float64', v: a };
  if (typeof a === 'string') return { k: 'string', v: a };
  // OPA passes every non-number, non-string operand (booleans included) as its text.
  return { k: 'string', v: regoString(a) };
}

/** math/big's (*Int).Format: b/o/O/d/s/v/x/X print digits in their base; other verbs `%!c(big.Int=N)`. */
function formatBigInt(verb: string, v: bigint, flags: string, prec: number | undefined): string {
  const base = ({ b: 2, o: 8, O: 8, d: 10, s: 10, v: 10, x: 16, X: 16 } as Record<string, number>)[verb];
  if (base === undefined) return `%!${verb}(big.Int=${v.toString()})`;
  const sign = v < 0n ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  let prefix = '';
  if (flags.includes('#')) prefix = ({ b: '0b', o: '0', x: '0x', X: '0X' } as Record<string, string>)[verb] ?? '';
  if (verb === 'O') prefix = '0o';
  let digits = (v < 0n ? -v : v).toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  if (prec !== undefined) {
    if (prec === 0 && v === 0n) return '';
    if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
  }
  return sign + prefix + digits;
}

function goTypeName(v: Value): string {
  return goArg(v).k;
}

function plain(g: GoArg): string {
  switch (g.k) {
    case 'float64':
      return formatNumber(g.v);
    default:
      return String(g.v);
  }
}

function badVerb(verb: string, g: GoArg, prec?: number): string {
  const text = g.k === 'string' && prec !== undefined ? g.v.slice(0, prec) : plain(g);
  return `%!${verb}(${g.k}=${text})`;
}

function formatVerb(verb: string, a: Value, flags: string, prec: number | undefined): string {
  const g = goArg(a);
  if (g.k === '*big.Int' && verb !== 'T') return formatBigInt(verb, g.v, flags, prec);
  const sign = (n: number | bigint): string => (flags.includes('+') && n >= 0 ? '+' : flags.includes(' ') && n >= 0 ? ' ' : '');
  switch (verb) {
    case 'v':
      if (g.k === 'string') return prec !== undefined ? g.v.slice(0, prec) : g.v;
      if (g.k === 'float64' && prec !== undefined) return String(Number(g.v.toPrecision(prec || 1)));
      return plain(g);
    case 's':
      if (g.k === 'string') return prec !== undefined ? g.v.slice(0, prec) : g.v;
      return badVerb('s', g);
    case 'q':
      if (g.k === 'string') return JSON.stringify(prec !== undefined ? g.v.slice(0, prec) : g.v);
      if (g.k === 'int64') return `'${String.fromCodePoint(g.v)}'`;
      return badVerb('q', g);
    case 'd':
      if (g.k === 'int64' || g.k === '*big.Int') return sign(g.v) + String(g.v);
      return badVerb('d', g, prec);
    case 'f':
    case 'F':
      if (g.k === 'float64') return sign(g.v) + g.v.toFixed(prec ?? 6);
      if (g.k === '*big.Int') return sign(g.v) + g.v.toString() + '.' + '0'.repeat(prec ?? 6);
      return badVerb(verb, g, prec);
    case 'e':
    case 'E': {
      if (g.k !== 'float64') return badVerb(verb, g, prec);
      const t = g.v.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      return sign(g.v) + (verb === 'E' ? t.toUpperCase() : t);
    }
    case 'g':
    case 'G':
      if (g.k !== 'float64') return badVerb(verb, g, prec);
      return sign(g.v) + (prec !== undefined ? String(Number(g.v.toPrecision(prec || 1))) : formatNumber(g.v));
    case 'x':
    case 'X': {
      let t: string;
      if (g.k === 'string') t = Buffer.from(g.v, 'utf8').toString('hex');
      else if (g.k === 'int64' || g.k === '*big.Int') t = (g.v < 0 ? '-' : '') + (g.v < 0 ? -g.v : g.v).toString(16);
      else return badVerb(verb, g);
      return verb === 'X' ? t.toUpperCase() : t;
    }
    case 'o':
      return g.k === 'int64' || g.k === '*big.Int' ? g.v.toString(8) : badVerb('o', g);
    case 'b':
      return g.k === 'int64' || g.k === '*big.Int' ? g.v.toString(2) : badVerb('b', g);
    case 't':
      return g.k === 'bool' ? String(g.v) : badVerb('t', g);
    case 'c':
      return g.k === 'int64' ? String.fromCodePoint(g.v) : badVerb('c', g);
    case 'T':
      return g.k;
    default:
      return badVerb(verb, g);
  }
}
