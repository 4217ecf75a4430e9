import { Optional } from '@marcbachmann/cel-js';
import { isAst, nodeCount, type AstLike } from '../ast.js';
import type { CostMeter } from '../cost.js';
import { re2ToRegExp } from '../library/regex.js';
import { REPLACED_METHODS } from '../library/replaced.js';

/**
 * Compile-to-closures fast path for a subset of CEL. Each checked AST (from @marcbachmann/cel-js) is turned once
 * into a tree of JS closures reading the plain JSON-like activation directly: integral numbers become CEL ints
 * (bigint) only when an expression reads them, so no object graph is converted per evaluation.
 *
 * Correctness rule: the fast path only ever produces values on its happy path. Any error, any value of a type
 * it does not model (doubles in arithmetic, uints, timestamps...) throws FALLBACK and the caller re-runs the
 * expression through the interpreter, which then gives the exact result or error. So error-absorbing `&&`,
 * `||`, all() and exists() need no error values here: an error anywhere means the interpreter decides.
 */

/** Per-evaluation state: the activation, iteration-variable slots and the cost meter. */
export interface FastState {
  act: Record<string, unknown>;
  vars: unknown[];
  meter: CostMeter;
}

export type FastFn = (s: FastState) => unknown;

/** Thrown when the fast path cannot decide: the interpreter evaluates the expression instead. */
export class FastFallback {
  constructor(readonly reason: string) {}
}

function fallback(reason: string): never {
  throw new FastFallback(reason);
}

/** Raised at compile time for constructs outside the subset. */
class Unsupported extends Error {}

function unsupported(what: string): never {
  throw new Unsupported(what);
}

export interface CompiledFast {
  fn: FastFn;
  slots: number;
}

/** cel-go's cost factor for traversing strings (same as the interpreter's size charges). */
const STRING_COST_FACTOR = 0.1;
const MAX_INT = 9223372036854775807n;
const MIN_INT = -9223372036854775808n;
const MAX_CACHED_PATTERNS = 100;
/** Internal names the environment gives cel-go-compatible `matches`, `lowerAscii`, `upperAscii`, `trim`. */
const RE2_MATCHES = REPLACED_METHODS.get('matches') ?? 'matches';
const LOWER_ASCII = REPLACED_METHODS.get('lowerAscii') ?? 'lowerAscii';
const UPPER_ASCII = REPLACED_METHODS.get('upperAscii') ?? 'upperAscii';
const TRIM = REPLACED_METHODS.get('trim') ?? 'trim';
/** Go's unicode.IsSpace, as library/replaced.ts trims (cel-go's trim). */
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRIM_RE = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');

/** Compiles a checked AST, or returns the reason it is outside the subset. */
export function compileFast(ast: unknown, variables: readonly string[]): CompiledFast | { unsupported: string } {
  const compiler = new Compiler(new Set(variables));
  try {
    const fn = compiler.compile(ast, new Map());
    return { fn, slots: compiler.slots };
  } catch (err) {
    if (err instanceof Unsupported) return { unsupported: err.message };
    if (err instanceof RangeError) return { unsupported: 'expression too deep' };
    throw err;
  }
}

type Scope = ReadonlyMap<string, number>;

/** JSON number → CEL value: integral numbers are ints (as in Kubernetes' unstructured objects). */
function cv(v: unknown): unknown {
  return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Map from the CEL runtime (e.g. the VAP `variables` map), recognised like the runtime does: by constructor. */
function isMap(v: unknown): v is Map<unknown, unknown> {
  return typeof v === 'object' && v !== null && (v as object).constructor === Map;
}

function select(v: unknown, key: string): unknown {
  if (isRecord(v)) {
    if (!Object.hasOwn(v, key)) fallback('no such key');
    return cv(v[key]);
  }
  if (isMap(v)) {
    if (!v.has(key)) fallback('no such key');
    return cv(v.get(key));
  }
  return fallback('select on a non-map');
}

/** An empty optional inside a `.?` chain: chains only build an Optional where one escapes. */
const NONE: unique symbol = Symbol('optional.none');
type Opt = unknown;

function optSelect(v: unknown, key: string): Opt {
  if (v === NONE) return NONE;
  if (v instanceof Optional) {
    if (!v.hasValue()) return NONE;
    v = v.value();
  }
  if (isRecord(v)) return Object.hasOwn(v, key) ? cv(v[key]) : NONE;
  if (isMap(v)) return v.has(key) ? cv(v.get(key)) : NONE;
  return fallback('optional select on a non-map');
}

function isOptChain(node: unknown): node is AstLike {
  return isAst(node) && (node.op === '.?' || node.op === '[?]');
}

/** `v[?i]`: a list element or map entry when present, else NONE. */
function optIndex(v: unknown, i: unknown): Opt {
  if (v === NONE) return NONE;
  if (v instanceof Optional) {
    if (!v.hasValue()) return NONE;
    v = v.value();
  }
  if (Array.isArray(v)) {
    if (typeof i !== 'bigint') return fallback('list index type');
    return i >= 0n && i < BigInt(v.length) ? cv(v[Number(i)]) : NONE;
  }
  if (typeof i !== 'string') return fallback('map index type');
  return optSelect(v, i);
}

/** A `.?` chain's result (value or NONE) as the Optional the runtime would hold. */
function toOptional(v: unknown): Optional {
  return v === NONE ? Optional.none() : Optional.of(v);
}

/** An Optional value's content, or NONE (receivers of orValue/hasValue that are not `.?` chains). */
function unboxOptional(v: unknown): unknown {
  if (v instanceof Optional) return v.hasValue() ? v.value() : NONE;
  return fallback('not an optional');
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : fallback('not a string');
}

function int(v: unknown): bigint {
  return typeof v === 'bigint' ? v : fallback('not an int');
}

function bool(v: unknown): boolean {
  return v === true || v === false ? v : fallback('not a bool');
}

function checked(r: bigint): bigint {
  return r > MAX_INT || r < MIN_INT ? fallback('integer overflow') : r;
}

/** Kind of a value for equality: values of different known kinds are never equal (CEL heterogeneous equality). */
function kindOf(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return 1;
    case 'bigint':
      return 2;
    case 'boolean':
      return 3;
    case 'object':
      if (v === null) return 4;
      if (Array.isArray(v)) return 5;
      return isRecord(v) || isMap(v) ? 6 : 0;
    default:
      return 0; // doubles and anything else: the interpreter compares them
  }
}

/** Equality on the values the fast path models exactly; anything else goes to the interpreter. */
function eq(a: unknown, b: unknown): boolean {
  const ta = typeof a;
  if (ta === typeof b && (ta === 'string' || ta === 'bigint' || ta === 'boolean')) return a === b;
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 0 || kb === 0) return fallback('equality on other types');
  if (ka !== kb) return false;
  if (ka === 4) return true;
  return fallback('equality of lists or maps');
}

function ordered(a: unknown, b: unknown): void {
  const ta = typeof a;
  if (ta !== typeof b || (ta !== 'string' && ta !== 'bigint')) fallback('comparison on other types');
}

function sizeCharge(s: FastState, r: unknown): void {
  if (typeof r === 'string') s.meter.charge(Math.ceil(r.length * STRING_COST_FACTOR));
  else if (Array.isArray(r)) s.meter.charge(r.length);
}

function codePointCount(x: string): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < x.length) {
      const d = x.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function size(v: unknown): bigint {
  if (typeof v === 'string') return BigInt(codePointCount(v));
  if (Array.isArray(v)) return BigInt(v.length);
  if (isRecord(v)) return BigInt(Object.keys(v).length);
  if (isMap(v)) return BigInt(v.size);
  return fallback('size of another type');
}

/** Items a comprehension ranges over: list elements, or map keys. */
function rangeOf(v: unknown): readonly unknown[] {
  if (Array.isArray(v)) return v;
  if (isRecord(v)) return Object.keys(v);
  if (isMap(v)) {
    const keys = [...v.keys()];
    for (const k of keys) if (typeof k !== 'string') fallback('map with non-string keys');
    return keys;
  }
  return fallback('range over another type');
}

class Compiler {
  slots = 0;
  readonly #regexes = new Map<string, RegExp>();

  constructor(readonly variables: ReadonlySet<string>) {}

  compile(node: unknown, scope: Scope): FastFn {
    if (!isAst(node)) return unsupported('not an AST node');
    const args = node.args as any;
    switch (node.op) {
      case 'value':
        return this.#literal(args);
      case 'id':
        return this.#ident(args, scope);
      case '.': {
        const recv = this.compile(args[0], scope);
        const key = args[1] as string;
        return (s) => select(recv(s), key);
      }
      case '.?':
      case '[?]': {
        const chain = this.#optChain(node, scope);
        return (s) => toOptional(chain(s));
      }
      case '[]':
        return this.#index(this.compile(args[0], scope), this.compile(args[1], scope));
      case 'in': {
        const a = this.compile(args[0], scope);
        const b = this.compile(args[1], scope);
        return (s) => contains(b(s), a(s));
      }
      case '&&': {
        const a = this.compile(args[0], scope);
        const b = this.compile(args[1], scope);
        return (s) => (bool(a(s)) ? bool(b(s)) : false);
      }
      case '||': {
        const a = this.compile(args[0], scope);
        const b = this.compile(args[1], scope);
        return (s) => (bool(a(s)) ? true : bool(b(s)));
      }
      case '!_': {
        const a = this.compile(args, scope);
        return (s) => !bool(a(s));
      }
      case '-_': {
        const a = this.compile(args, scope);
        return (s) => checked(-int(a(s)));
      }
      case '?:': {
        const c = this.compile(args[0], scope);
        const t = this.compile(args[1], scope);
        const f = this.compile(args[2], scope);
        return (s) => (bool(c(s)) ? t(s) : f(s));
      }
      case '==':
      case '!=': {
        const a = this.compile(args[0], scope);
        const b = this.compile(args[1], scope);
        return node.op === '==' ? (s) => eq(a(s), b(s)) : (s) => !eq(a(s), b(s));
      }
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.#compare(node.op, this.compile(args[0], scope), this.compile(args[1], scope));
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return this.#arith(node.op, this.compile(args[0], scope), this.compile(args[1], scope));
      case 'list': {
        const items = (args as unknown[]).map((x) => this.compile(x, scope));
        return (s) => items.map((f) => f(s));
      }
      case 'map':
        return this.#mapLiteral(args as unknown[][], scope);
      case 'call':
        return this.#call(node, args[0] as string, args[1] as unknown[], scope);
      case 'rcall':
        return this.#rcall(node, args[0] as string, args[1], args[2] as unknown[], scope);
      default:
        return unsupported(`operator ${node.op}`);
    }
  }

  #literal(v: unknown): FastFn {
    // Doubles are left to the interpreter: an integral double read back from a list would look like an int.
    if (typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean' || v === null) return () => v;
    return unsupported('literal type');
  }

  #ident(name: unknown, scope: Scope): FastFn {
    if (typeof name !== 'string') return unsupported('identifier');
    const slot = scope.get(name);
    if (slot !== undefined) return (s) => s.vars[slot];
    if (!this.variables.has(name)) return unsupported(`identifier ${name}`);
    return (s) => {
      const v = s.act[name];
      return v === undefined ? fallback('unbound variable') : cv(v);
    };
  }

  /** `a.?b[?c]` evaluated to the selected value or NONE, without allocating an Optional per step. */
  #optChain(node: AstLike, scope: Scope): FastFn {
    const [recvNode, keyNode] = node.args as [unknown, unknown];
    const recv = isOptChain(recvNode) ? this.#optChain(recvNode, scope) : this.compile(recvNode, scope);
    if (node.op === '.?') {
      const key = keyNode as string;
      return (s) => optSelect(recv(s), key);
    }
    const index = this.compile(keyNode, scope);
    return (s) => optIndex(recv(s), index(s));
  }

  /** An optional receiver evaluated to its value or NONE: `.?` chains stay unboxed, other Optionals are opened. */
  #optional(node: unknown, scope: Scope): FastFn {
    if (isOptChain(node)) return this.#optChain(node, scope);
    const f = this.compile(node, scope);
    return (s) => unboxOptional(f(s));
  }

  #index(recv: FastFn, index: FastFn): FastFn {
    return (s) => {
      const v = recv(s);
      const i = index(s);
      if (Array.isArray(v)) {
        if (typeof i !== 'bigint' || i < 0n || i >= BigInt(v.length)) return fallback('list index');
        return cv(v[Number(i)]);
      }
      if (typeof i !== 'string') return fallback('map index type');
      return select(v, i);
    };
  }

  #compare(op: string, a: FastFn, b: FastFn): FastFn {
    switch (op) {
      case '<':
        return (s) => {
          const x = a(s) as string, y = b(s) as string;
          ordered(x, y);
          return x < y;
        };
      case '<=':
        return (s) => {
          const x = a(s) as string, y = b(s) as string;
          ordered(x, y);
          return x <= y;
        };
      case '>':
        return (s) => {
          const x = a(s) as string, y = b(s) as string;
          ordered(x, y);
          return x > y;
        };
      default:
        return (s) => {
          const x = a(s) as string, y = b(s) as string;
          ordered(x, y);
          return x >= y;
        };
    }
  }

  #arith(op: string, a: FastFn, b: FastFn): FastFn {
    switch (op) {
      case '+':
        return (s) => {
          const x = a(s);
          const y = b(s);
          if (typeof x === 'bigint' && typeof y === 'bigint') return checked(x + y);
          let r: unknown;
          if (typeof x === 'string' && typeof y === 'string') r = x + y;
          else if (Array.isArray(x) && Array.isArray(y)) r = x.length === 0 ? y : y.length === 0 ? x : x.concat(y);
          else return fallback('+ on other types');
          sizeCharge(s, r);
          return r;
        };
      case '-':
        return (s) => checked(int(a(s)) - int(b(s)));
      case '*':
        return (s) => checked(int(a(s)) * int(b(s)));
      case '/':
        return (s) => {
          const x = int(a(s));
          const y = int(b(s));
          return y === 0n ? fallback('division by zero') : checked(x / y);
        };
      default:
        return (s) => {
          const x = int(a(s));
          const y = int(b(s));
          return y === 0n ? fallback('modulus by zero') : x % y;
        };
    }
  }

  #mapLiteral(entries: unknown[][], scope: Scope): FastFn {
    const keys: string[] = [];
    const values: FastFn[] = [];
    for (const [k, v] of entries) {
      if (!isAst(k) || k.op !== 'value' || typeof k.args !== 'string') return unsupported('map literal key');
      if (keys.includes(k.args)) return unsupported('duplicate map key');
      keys.push(k.args);
      values.push(this.compile(v, scope));
    }
    return (s) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) out[keys[i]] = values[i](s);
      return out;
    };
  }

  #call(node: AstLike, name: string, args: unknown[], scope: Scope): FastFn {
    if (name === 'has' && args.length === 1 && node.meta.macro) {
      const sel = args[0];
      if (!isAst(sel) || sel.op !== '.') return unsupported('has() argument');
      const [recvNode, key] = sel.args as [unknown, string];
      const recv = this.compile(recvNode, scope);
      return (s) => {
        const v = recv(s);
        if (isRecord(v)) return Object.hasOwn(v, key);
        if (isMap(v)) return v.has(key);
        return fallback('has() on a non-map');
      };
    }
    if (node.meta.macro || node.meta.alternate) return unsupported(`macro ${name}`);
    if (args.length !== 1) return unsupported(`function ${name}/${args.length}`);
    const a = this.compile(args[0], scope);
    switch (name) {
      case 'size':
        return (s) => size(a(s));
      case 'string':
        return (s) => {
          const v = a(s);
          if (typeof v === 'string') return v;
          if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
          return fallback('string() of another type');
        };
      case 'int':
        return (s) => {
          const v = a(s);
          if (typeof v === 'bigint') return v;
          if (typeof v === 'string' && /^-?[0-9]{1,18}$/.test(v)) return BigInt(v);
          return fallback('int() of another value');
        };
      default:
        return unsupported(`function ${name}`);
    }
  }

  #rcall(node: AstLike, name: string, recvNode: unknown, args: unknown[], scope: Scope): FastFn {
    const alt = node.meta.alternate as (AstLike & { args: any }) | undefined;
    if (alt) return this.#comprehension(name, recvNode, args, alt, scope);
    const macro = node.meta.macro;
    if (macro) {
      // The optional library's receiver macros (cel-js): orValue(x) evaluates x only when the optional is empty.
      if (name === 'orValue' && args.length === 1 && 'onHasValue' in macro) {
        const opt = this.#optional(recvNode, scope);
        const dflt = this.compile(args[0], scope);
        return (s) => {
          const o = opt(s);
          return o === NONE ? dflt(s) : o;
        };
      }
      if ('iName' in macro && 'vName' in macro && 'kind' in macro) return this.#twoVar(recvNode, macro as unknown as TwoVarMacro, scope);
      return unsupported(`macro ${name}`);
    }
    if (name === 'hasValue' && args.length === 0) {
      const opt = this.#optional(recvNode, scope);
      return (s) => opt(s) !== NONE;
    }
    const recv = this.compile(recvNode, scope);
    const a = args.map((x) => this.compile(x, scope));
    const sig = `${name}/${a.length}`;
    switch (sig) {
      case 'size/0':
        return (s) => size(recv(s));
      case 'startsWith/1':
        return (s) => str(recv(s)).startsWith(str(a[0](s)));
      case 'endsWith/1':
        return (s) => str(recv(s)).endsWith(str(a[0](s)));
      case 'contains/1':
        return (s) => str(recv(s)).includes(str(a[0](s)));
      case `${RE2_MATCHES}/1`:
        return this.#matches(recv, args[0], a[0]);
      case `${LOWER_ASCII}/0`:
        return (s) => {
          const x = str(recv(s));
          s.meter.charge(Math.ceil(x.length * STRING_COST_FACTOR));
          return x.replace(/[A-Z]+/g, (m) => m.toLowerCase());
        };
      case `${UPPER_ASCII}/0`:
        return (s) => {
          const x = str(recv(s));
          s.meter.charge(Math.ceil(x.length * STRING_COST_FACTOR));
          return x.replace(/[a-z]+/g, (m) => m.toUpperCase());
        };
      case `${TRIM}/0`:
        return (s) => {
          const x = str(recv(s));
          s.meter.charge(Math.ceil(x.length * STRING_COST_FACTOR));
          return x.replace(TRIM_RE, '');
        };
      // UTF-16 offsets, as the interpreter's base library (cel-js) computes them.
      case 'indexOf/1':
        return (s) => BigInt(str(recv(s)).indexOf(str(a[0](s))));
      case 'lastIndexOf/1':
        return (s) => BigInt(str(recv(s)).lastIndexOf(str(a[0](s))));
      case 'substring/1':
      case 'substring/2':
        return (s) => {
          const x = str(recv(s));
          const start = Number(int(a[0](s)));
          const end = a.length === 2 ? Number(int(a[1](s))) : x.length;
          if (start < 0 || start > x.length || end < start || end > x.length) return fallback('substring range');
          const r = x.substring(start, end);
          sizeCharge(s, r);
          return r;
        };
      case 'split/1':
        return (s) => {
          const r = str(recv(s)).split(str(a[0](s)));
          sizeCharge(s, r);
          return r;
        };
      case 'join/0':
      case 'join/1':
        return (s) => {
          const l = recv(s);
          if (!Array.isArray(l)) return fallback('join on a non-list');
          for (const x of l) if (typeof x !== 'string') fallback('join of non-strings');
          const r = l.join(a.length ? str(a[0](s)) : '');
          sizeCharge(s, r);
          return r;
        };
      case 'replace/2':
        return (s) => {
          const x = str(recv(s));
          const from = str(a[0](s));
          const to = str(a[1](s));
          s.meter.charge(x.length + to.length);
          return from === '' ? fallback('replace of empty string') : x.split(from).join(to);
        };
      default:
        return unsupported(`method ${sig}`);
    }
  }

  #matches(recv: FastFn, patternNode: unknown, pattern: FastFn): FastFn {
    const compileRe = (p: string): RegExp => {
      let re = this.#regexes.get(p);
      if (!re) {
        try {
          re = re2ToRegExp(p);
        } catch {
          return fallback('invalid pattern');
        }
        if (this.#regexes.size >= MAX_CACHED_PATTERNS) this.#regexes.clear();
        this.#regexes.set(p, re);
      }
      return re;
    };
    // A constant pattern is translated once, at compile time (an invalid one stays the interpreter's to report).
    if (isAst(patternNode) && patternNode.op === 'value' && typeof patternNode.args === 'string') {
      let re: RegExp | undefined;
      try {
        re = re2ToRegExp(patternNode.args);
      } catch {
        return unsupported('invalid constant pattern');
      }
      const fixed = re;
      return (s) => {
        const x = str(recv(s));
        s.meter.charge(1 + x.length / 10);
        return fixed.test(x);
      };
    }
    return (s) => {
      const x = str(recv(s));
      const re = compileRe(str(pattern(s)));
      s.meter.charge(1 + x.length / 10);
      return re.test(x);
    };
  }

  /** cel-go ext two-variable comprehensions (library/comprehensions.ts): index or key, then value. */
  #twoVar(recvNode: unknown, m: TwoVarMacro, scope: Scope): FastFn {
    if (m.kind === 'transformMapEntry' || typeof m.cost !== 'number') return unsupported(`macro ${m.kind}`);
    const recv = this.compile(recvNode, scope);
    const s1 = this.slots++;
    const s2 = this.slots++;
    const inner = new Map(scope);
    inner.set(m.iName, s1);
    inner.set(m.vName, s2);
    const filter = m.filter ? this.compile(m.filter, inner) : undefined;
    const body = this.compile(m.body, inner);
    const cost = m.cost;
    const kind = m.kind;
    return (s) => {
      const coll = recv(s);
      const vars = s.vars;
      let count = 0;
      const list: unknown[] = [];
      const map = new Map<unknown, unknown>();
      /** One step; false stops the iteration (all/exists decided). */
      const step = (k: unknown, v: unknown): boolean => {
        s.meter.charge(cost);
        vars[s1] = k;
        vars[s2] = v;
        if (filter && !bool(filter(s))) return true;
        switch (kind) {
          case 'all':
            return bool(body(s));
          case 'exists':
            return !bool(body(s));
          case 'existsOne':
            if (bool(body(s))) count++;
            return true;
          case 'transformList':
            list.push(body(s));
            return true;
          default:
            map.set(k, body(s));
            return true;
        }
      };
      let stopped = false;
      if (Array.isArray(coll)) {
        for (let i = 0; i < coll.length && !stopped; i++) stopped = !step(BigInt(i), cv(coll[i]));
      } else if (isRecord(coll)) {
        for (const k of Object.keys(coll)) if ((stopped = !step(k, cv(coll[k])))) break;
      } else if (isMap(coll)) {
        for (const [k, v] of coll) if ((stopped = !step(k, cv(v)))) break;
      } else {
        return fallback('range over another type');
      }
      switch (kind) {
        case 'all':
          return !stopped;
        case 'exists':
          return stopped;
        case 'existsOne':
          return count === 1;
        case 'transformList':
          return list;
        default:
          return mapResult(map);
      }
    };
  }

  /** The standard one-variable macros: all, exists, exists_one, map (2 or 3 arguments), filter. */
  #comprehension(name: string, recvNode: unknown, args: unknown[], alt: AstLike & { args: any }, scope: Scope): FastFn {
    if (alt.op !== 'comprehension') return unsupported(`macro ${name}`);
    const iter = args[0];
    if (!isAst(iter) || iter.op !== 'id' || typeof iter.args !== 'string') return unsupported('iteration variable');
    if (alt.args.iterVarName !== iter.args || alt.args.iterVar2Name !== undefined) return unsupported('two-variable comprehension');
    const recv = this.compile(recvNode, scope);
    const slot = this.slots++;
    const inner = new Map(scope);
    inner.set(iter.args, slot);
    const step = alt.args.step;
    const cost = isAst(step) ? nodeCount(step) : 1;
    const shape = `${name}/${args.length}`;
    switch (shape) {
      case 'all/2':
      case 'exists/2': {
        const pred = this.compile(args[1], inner);
        const stopOn = name === 'exists';
        return (s) => {
          const items = rangeOf(recv(s));
          const vars = s.vars;
          for (let i = 0; i < items.length; i++) {
            s.meter.charge(cost);
            vars[slot] = cv(items[i]);
            if (bool(pred(s)) === stopOn) return stopOn;
          }
          return !stopOn;
        };
      }
      case 'exists_one/2':
      case 'existsOne/2': {
        const pred = this.compile(args[1], inner);
        return (s) => {
          const items = rangeOf(recv(s));
          let n = 0;
          for (let i = 0; i < items.length; i++) {
            s.meter.charge(cost);
            s.vars[slot] = cv(items[i]);
            if (bool(pred(s))) n++;
          }
          return n === 1;
        };
      }
      case 'filter/2': {
        const pred = this.compile(args[1], inner);
        return (s) => {
          const items = rangeOf(recv(s));
          const out: unknown[] = [];
          for (let i = 0; i < items.length; i++) {
            s.meter.charge(cost);
            const v = cv(items[i]);
            s.vars[slot] = v;
            if (bool(pred(s))) out.push(v);
          }
          return out;
        };
      }
      case 'map/2':
      case 'map/3': {
        const filter = args.length === 3 ? this.compile(args[1], inner) : undefined;
        const expr = this.compile(args[args.length - 1], inner);
        return (s) => {
          const items = rangeOf(recv(s));
          const out: unknown[] = [];
          for (let i = 0; i < items.length; i++) {
            s.meter.charge(cost);
            s.vars[slot] = cv(items[i]);
            if (filter && !bool(filter(s))) continue;
            out.push(expr(s));
          }
          return out;
        };
      }
      default:
        return unsupported(`macro ${shape}`);
    }
  }
}

/** The shape library/comprehensions.ts gives its two-variable macros. */
interface TwoVarMacro {
  kind: 'all' | 'exists' | 'existsOne' | 'transformList' | 'transformMap' | 'transformMapEntry';
  iName: string;
  vName: string;
  filter?: unknown;
  body: unknown;
  cost: number;
}

/** As the interpreter builds transformMap results: a plain object when every key is a string. */
function mapResult(map: Map<unknown, unknown>): unknown {
  for (const k of map.keys()) if (typeof k !== 'string') return map;
  return Object.fromEntries(map);
}

function contains(container: unknown, x: unknown): boolean {
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) if (eq(x, cv(container[i]))) return true;
    return false;
  }
  if (typeof x !== 'string') return fallback('in: key type');
  if (isRecord(container)) return Object.hasOwn(container, x);
  if (isMap(container)) return container.has(x);
  return fallback('in: container type');
}
