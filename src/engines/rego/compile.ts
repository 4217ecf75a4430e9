/**
 * Compiler and evaluator core. Modules are resolved, checked and turned into closures once ("plans"): each body
 * literal becomes a function `(frame, k) => stop?` chained to the next, variables are frame slots, rules are
 * grouped in a document tree by path, and complete/partial rule values are cached per query.
 */
import type { Literal, Loc, Module, Rule, Term } from './ast.js';
import { litAnalysis, reorder, type CallArity } from './analyze.js';
import { BuiltinError, HaltError, typeMatches, type BuiltinDecl, type BuiltinRegistry } from './builtins/types.js';
import { RegoError } from './errors.js';
import { Resolver, Scope, type SlotTable } from './resolve.js';
import { newFrame, tick, UNDEF, type BodyFn, type Ctx, type Frame, type K, type Mock } from './runtime.js';
import { compare, equal, fromJS, RObject, RSet, typeName, type Value } from './value.js';

export interface TC {
  get?: (fr: Frame) => Value | undefined;
  each: (fr: Frame, cb: (v: Value) => boolean) => boolean;
}
type Pat = (fr: Frame, v: Value, k: K) => boolean;
type RefStep = (fr: Frame, v: Value, cb: (v: Value) => boolean) => boolean;

const pathKey = (p: readonly string[]): string => p.join('\u0001');

/** A compiled rule body with its head: one definition (or one else branch) of a rule. */
export interface Clause {
  nslots: number;
  body: BodyFn;
  /** slots holding the head parts after the body succeeds */
  keySlots: number[];
  setKeySlot?: number;
  valueSlot?: number;
  /** constant head value (lets complete rules stop at the first solution) */
  constValue?: Value;
  argPats?: Pat[];
  elses: Clause[];
  loc: Loc;
  rule: Rule;
}

export class DocNode {
  readonly children = new Map<string, DocNode>();
  complete: Clause[] = [];
  partial: Clause[] = [];
  partialKind?: 'set' | 'object';
  funcs: Clause[] = [];
  defaultValue?: Clause;
  funcArity?: number;
  /** rules of this node before compilation */
  rules: { rule: Rule; mod: Module }[] = [];
  isPackage = false;
  constructor(readonly path: string[]) {}
  child(name: string): DocNode {
    let c = this.children.get(name);
    if (!c) {
      c = new DocNode([...this.path, name]);
      this.children.set(name, c);
    }
    return c;
  }
  /** the default rule is `default f(_) := x` */
  defaultIsFunc = false;
  get hasValueRules(): boolean {
    return this.complete.length > 0 || this.partial.length > 0 || (this.defaultValue !== undefined && !this.defaultIsFunc);
  }
  get hasFuncs(): boolean {
    return this.funcs.length > 0;
  }
}

export interface CompileOptions {
  strict: boolean;
}

/** The compiled program: document tree of rules plus the builtins it uses. */
export class Program {
  readonly root = new DocNode([]);
  constructor(
    readonly builtins: BuiltinRegistry,
    readonly modules: Module[],
  ) {}
}

/** Leading string segments of a rule head ref, and the rest. */
function splitHeadRef(ref: Term[]): { prefix: string[]; rest: Term[] } {
  const first = ref[0] as Term;
  const prefix = [first.t === 'var' ? first.name : ''];
  let i = 1;
  for (; i < ref.length; i++) {
    const t = ref[i] as Term;
    if (t.t === 'scalar' && typeof t.v === 'string') prefix.push(t.v);
    else break;
  }
  return { prefix, rest: ref.slice(i) };
}

export function buildProgram(modules: Module[], builtins: BuiltinRegistry): { program: Program; errors: RegoError[] } {
  const program = new Program(builtins, modules);
  const errors: RegoError[] = [];
  // 1. place rules in the tree
  for (const mod of modules) {
    let pkgNode = program.root;
    for (const p of mod.pkg) pkgNode = pkgNode.child(p);
    pkgNode.isPackage = true;
    for (const rule of mod.rules) {
      const { prefix, rest } = splitHeadRef(rule.head.ref);
      let node = pkgNode;
      for (const p of prefix) node = node.child(p);
      if (rule.head.kind === 'function' || rest.length === 0 || rule.head.kind === 'set') node.rules.push({ rule, mod });
      else node.rules.push({ rule, mod });
    }
  }
  // 2. compile rules
  const gen = new Gen(program);
  const visit = (node: DocNode): void => {
    for (const { rule, mod } of node.rules) {
      try {
        gen.compileRule(node, rule, mod);
      } catch (e) {
        if (e instanceof RegoError) errors.push(e);
        else throw e;
      }
    }
    for (const c of node.children.values()) visit(c);
  };
  visit(program.root);
  // 3. conflicting rule kinds
  const check = (node: DocNode): void => {
    if (node.hasFuncs && node.hasValueRules) {
      const r = node.rules[0];
      errors.push(new RegoError('rego_type_error', `conflicting rules data.${node.path.join('.')} found`, r?.rule.loc));
    }
    for (const c of node.children.values()) check(c);
  };
  check(program.root);
  if (errors.length === 0) errors.push(...checkRecursion(program));
  return { program, errors };
}

/** Rules that (transitively) depend on themselves. */
function checkRecursion(program: Program): RegoError[] {
  const deps = new Map<DocNode, Set<DocNode>>();
  const collect = (node: DocNode): void => {
    if (node.rules.length) {
      const s = new Set<DocNode>();
      for (const { rule, mod } of node.rules) {
        const refs: string[][] = [];
        const terms: Term[] = [];
        if (rule.head.value) terms.push(rule.head.value);
        if (rule.head.key) terms.push(rule.head.key);
        terms.push(...rule.head.ref.slice(1));
        for (const l of rule.body) litTerms(l, terms);
        for (const e of rule.elses) {
          if (e.value) terms.push(e.value);
          for (const l of e.body) litTerms(l, terms);
        }
        const locals = localNames(rule);
        for (const t of terms) refsOf(t, mod, program, refs, locals);
        for (const r of refs) {
          let n: DocNode = program.root;
          let left = false;
          for (const seg of r) {
            const c: DocNode | undefined = n.children.get(seg);
            if (!c) {
              // the ref leaves the rule tree: base data unless it indexes into a rule's value
              left = n.rules.length === 0;
              break;
            }
            n = c;
          }
          if (!left && n !== program.root) s.add(n);
        }
      }
      deps.set(node, s);
    }
    for (const c of node.children.values()) collect(c);
  };
  collect(program.root);
  // a dependency on node N means: N's rules and all rules below N
  const below = (n: DocNode, out: DocNode[]): void => {
    if (n.rules.length) out.push(n);
    for (const c of n.children.values()) below(c, out);
  };
  const errors: RegoError[] = [];
  const state = new Map<DocNode, number>();
  const stack: DocNode[] = [];
  const reported = new Set<DocNode>();
  const dfs = (n: DocNode): void => {
    state.set(n, 1);
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const targets: DocNode[] = [];
      below(d, targets);
      // refs to an ancestor that holds rules count too
      for (const t of targets) {
        const st = state.get(t);
        if (st === 1) {
          if (!reported.has(t)) {
            reported.add(t);
            const cyc = stack.slice(stack.indexOf(t)).concat(t).map((x) => 'data.' + x.path.join('.'));
            const r = t.rules[0];
            errors.push(new RegoError('rego_recursion_error', `rule data.${t.path.join('.')} is recursive: ${cyc.join(' -> ')}`, r?.rule.loc));
          }
        } else if (st === undefined) dfs(t);
      }
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of deps.keys()) if (!state.has(n)) dfs(n);
  return errors;
}

/** Names a rule declares itself (operands, :=, some, every): they shadow rules of the package. */
function localNames(rule: Rule): Set<string> {
  const out = new Set<string>();
  const pat = (t: Term | undefined): void => {
    if (!t) return;
    if (t.t === 'var') out.add(t.name);
    else if (t.t === 'array') t.items.forEach(pat);
    else if (t.t === 'object') t.items.forEach(([, v]) => pat(v));
  };
  (rule.head.args ?? []).forEach(pat);
  const lits = (ls: Literal[]): void => {
    for (const l of ls) {
      if (l.k === 'expr' && l.term.t === 'call' && l.term.op === 'assign') pat(l.term.args[0]);
      else if (l.k === 'some') l.vars.forEach(pat);
      else if (l.k === 'somein') {
        pat(l.key);
        pat(l.value);
      } else if (l.k === 'every') {
        pat(l.key);
        pat(l.value);
        lits(l.body);
      }
    }
  };
  lits(rule.body);
  rule.elses.forEach((e) => lits(e.body));
  return out;
}

function litTerms(l: Literal, out: Term[]): void {
  switch (l.k) {
    case 'expr':
      out.push(l.term);
      break;
    case 'somein':
      out.push(l.coll);
      break;
    case 'every':
      out.push(l.domain);
      for (const b of l.body) litTerms(b, out);
      break;
    default:
      break;
  }
  for (const w of l.with) out.push(w.value);
}

/** Data paths a term refers to (rules of the package by name, imports, data refs, function calls). */
function refsOf(t: Term, mod: Module, program: Program, out: string[][], locals: ReadonlySet<string> = new Set()): void {
  const rec = (x: Term): void => refsOf(x, mod, program, out, locals);
  switch (t.t) {
    case 'var': {
      if (locals.has(t.name)) return;
      const p = globalPath(t.name, mod, program);
      if (p) out.push(p);
      return;
    }
    case 'ref': {
      let base: string[] | undefined;
      if (t.head.t === 'var' && !locals.has(t.head.name)) base = t.head.name === 'data' ? [] : globalPath(t.head.name, mod, program);
      if (base) {
        const p = [...base];
        for (const s of t.path) {
          if (s.t === 'scalar' && typeof s.v === 'string') p.push(s.v);
          else break;
        }
        out.push(p);
      } else rec(t.head);
      t.path.forEach(rec);
      return;
    }
    case 'call': {
      const p = funcPath(t.op, mod, program);
      if (p) out.push(p);
      t.args.forEach(rec);
      return;
    }
    case 'array':
    case 'set':
      t.items.forEach(rec);
      return;
    case 'object':
      for (const [k, v] of t.items) {
        rec(k);
        rec(v);
      }
      return;
    case 'arraycomp':
    case 'setcomp':
      rec(t.term);
      for (const l of t.body) {
        const ts: Term[] = [];
        litTerms(l, ts);
        ts.forEach(rec);
      }
      return;
    case 'objcomp':
      rec(t.key);
      rec(t.value);
      for (const l of t.body) {
        const ts: Term[] = [];
        litTerms(l, ts);
        ts.forEach(rec);
      }
      return;
    default:
      return;
  }
}

function pkgNode(program: Program, pkg: string[]): DocNode | undefined {
  let n: DocNode | undefined = program.root;
  for (const p of pkg) {
    n = n?.children.get(p);
    if (!n) return undefined;
  }
  return n;
}

/** `name` in module `mod`: a rule of the package, or an import alias; the data path it stands for. */
function globalPath(name: string, mod: Module, program: Program): string[] | undefined {
  const pn = pkgNode(program, mod.pkg);
  if (pn && pn.children.has(name) && hasRulesBelow(pn.children.get(name) as DocNode)) return [...mod.pkg, name];
  for (const imp of mod.imports) {
    const alias = imp.alias ?? imp.path[imp.path.length - 1];
    if (alias === name && imp.path[0] === 'data') return imp.path.slice(1);
  }
  return undefined;
}

function hasRulesBelow(n: DocNode): boolean {
  if (n.rules.length) return true;
  for (const c of n.children.values()) if (hasRulesBelow(c)) return true;
  return false;
}

function funcPath(op: string, mod: Module | undefined, program: Program): string[] | undefined {
  const parts = op.split('.');
  if (parts[0] === 'data') return parts.slice(1);
  if (!mod) return undefined;
  const first = parts[0] as string;
  const pn = pkgNode(program, mod.pkg);
  if (pn && pn.children.has(first) && hasRulesBelow(pn.children.get(first) as DocNode)) return [...mod.pkg, ...parts];
  for (const imp of mod.imports) {
    const alias = imp.alias ?? imp.path[imp.path.length - 1];
    if (alias === first && imp.path[0] === 'data') return [...imp.path.slice(1), ...parts.slice(1)];
  }
  return undefined;
}

function nodeAt(program: Program, path: string[]): DocNode | undefined {
  return pkgNode(program, path);
}

// ---------------------------------------------------------------------------------------------------------------
// Values: indexing and iteration

export function index(v: Value, key: Value): Value | undefined {
  if (v instanceof RObject) return v.get(key);
  if (Array.isArray(v)) {
    if (typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < v.length) return v[key];
    return undefined;
  }
  if (v instanceof RSet) return v.has(key) ? key : undefined;
  return undefined;
}

export function iterate(v: Value, f: (k: Value, val: Value) => boolean): boolean {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (f(i, v[i] as Value)) return true;
    return false;
  }
  if (v instanceof RObject) {
    for (const k of v.keys()) if (f(k, v.get(k) as Value)) return true;
    return false;
  }
  if (v instanceof RSet) {
    for (const e of v.sorted()) if (f(e, e)) return true;
    return false;
  }
  return false;
}

/** Walks base data; a number also finds an object key with its text (data.nested[2] reads {"2": ...}). */
function getPath(v: Value | undefined, path: readonly Value[]): Value | undefined {
  let cur = v;
  for (const p of path) {
    if (cur === undefined) return undefined;
    const next: Value | undefined = index(cur, p);
    cur = next === undefined && typeof p === 'number' && cur instanceof RObject ? cur.get(String(p)) : next;
  }
  return cur;
}

/** Returns a copy of `v` with `value` placed at `path` (creating objects on the way). */
export function upsert(v: Value | undefined, path: readonly Value[], value: Value): Value {
  if (path.length === 0) return value;
  const o = v instanceof RObject ? v.clone() : new RObject();
  const [k, ...rest] = path as [Value, ...Value[]];
  o.set(k, upsert(o.get(k), rest, value));
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// Documents

function baseLookup(ctx: Ctx, path: readonly Value[]): Value | undefined {
  if (ctx.overrides) {
    for (const o of ctx.overrides) {
      if (o.path.length <= path.length && o.path.every((s, i) => s === path[i])) return getPath(o.value, path.slice(o.path.length));
    }
    let v = getPath(ctx.data, path);
    for (const o of ctx.overrides) {
      if (o.path.length > path.length && path.every((s, i) => s === o.path[i])) v = upsert(v, o.path.slice(path.length), o.value);
    }
    return v;
  }
  return getPath(ctx.data, path);
}

export function nodeValue(ctx: Ctx, node: DocNode): Value | undefined {
  if (ctx.overrides) {
    for (const o of ctx.overrides) {
      if (o.path.length <= node.path.length && o.path.every((s, i) => s === node.path[i])) return getPath(o.value, node.path.slice(o.path.length));
    }
  }
  const cached = ctx.cache.get(node);
  if (cached !== undefined) return cached === UNDEF ? undefined : cached;
  if (ctx.inProgress.has(node)) throw new RegoError('rego_recursion_error', `rule data.${node.path.join('.')} is recursive`);
  ctx.inProgress.add(node);
  let result: Value | undefined;
  try {
    result = computeNode(ctx, node);
  } finally {
    ctx.inProgress.delete(node);
  }
  if (ctx.overrides) {
    for (const o of ctx.overrides) {
      if (o.path.length > node.path.length && node.path.every((s, i) => s === o.path[i])) result = upsert(result, o.path.slice(node.path.length), o.value);
    }
  }
  ctx.cache.set(node, result === undefined ? UNDEF : result);
  return result;
}

function computeNode(ctx: Ctx, node: DocNode): Value | undefined {
  let v: Value | undefined;
  if (node.hasValueRules) v = evalRuleSet(ctx, node);
  const hasChildren = node.children.size > 0;
  if (!hasChildren && node.hasValueRules) return v === undefined ? baseLookup(ctx, node.path) : v;
  if (!hasChildren && node.hasFuncs) return undefined;
  if (!hasChildren && !node.isPackage) return baseLookup(ctx, node.path);
  let obj: RObject;
  if (v === undefined) obj = new RObject();
  else if (v instanceof RObject) obj = v.clone();
  else return v;
  for (const [name, c] of node.children) {
    const cv = nodeValue(ctx, c);
    if (cv !== undefined) {
      const prev = obj.get(name);
      if (prev instanceof RObject && cv instanceof RObject) obj.setStr(name, mergeObjects(prev, cv, true, ctx.leaves));
      else if (prev instanceof RSet && cv instanceof RSet) obj.setStr(name, new RSet([...prev.m.values(), ...cv.m.values()]));
      else if (prev !== undefined && !equal(prev, cv)) throw conflict('object keys must be unique');
      else obj.setStr(name, cv);
    }
  }
  const base = baseLookup(ctx, node.path);
  if (base instanceof RObject) {
    for (const k of base.keys()) {
      const bv = base.get(k) as Value;
      const cur = obj.get(k);
      if (cur === undefined) obj.set(k, bv);
      else if (cur instanceof RObject && bv instanceof RObject) obj.set(k, mergeObjects(bv, cur));
    }
  }
  return obj;
}

/** Merges two documents; `strict` (two rules defining the same path) makes differing leaves a conflict. */
function mergeObjects(a: RObject, b: RObject, strict = false, leaves?: WeakSet<object>): RObject {
  if (strict && leaves && (leaves.has(a) || leaves.has(b)) && !equal(a, b)) throw conflict('object keys must be unique');
  const o = a.clone();
  for (const k of b.keys()) {
    const bv = b.get(k) as Value;
    const av = o.get(k);
    if (av instanceof RObject && bv instanceof RObject) o.set(k, mergeObjects(av, bv, strict, leaves));
    else if (av instanceof RSet && bv instanceof RSet) o.set(k, new RSet([...av.m.values(), ...bv.m.values()]));
    else if (strict && av !== undefined && !equal(av, bv)) throw conflict('object keys must be unique');
    else o.set(k, bv);
  }
  return o;
}

function conflict(msg: string, loc?: Loc): RegoError {
  return new RegoError('eval_conflict_error', msg, loc);
}

/** Runs a clause (and its else chain) and reports each head value; stops when `onValue` returns true. */
export function runClause(ctx: Ctx, c: Clause, args: Value[] | undefined, onValue: (fr: Frame, clause: Clause) => boolean): void {
  for (let cur: Clause | undefined = c, i = -1; cur; i++, cur = c.elses[i]) {
    const fr = newFrame(cur.nslots, ctx);
    let found = false;
    const k: K = () => {
      found = true;
      return onValue(fr, cur as Clause);
    };
    if (args && cur.argPats) {
      const pats = cur.argPats;
      const body = cur.body;
      const matchArg = (i: number): boolean => (i === pats.length ? body(fr, k) : (pats[i] as Pat)(fr, args[i] as Value, () => matchArg(i + 1)));
      matchArg(0);
    } else cur.body(fr, k);
    if (found) return;
  }
}

function evalRuleSet(ctx: Ctx, node: DocNode): Value | undefined {
  if (node.complete.length) {
    let value: Value | undefined;
    let loc: Loc | undefined;
    const first = node.complete[0]?.constValue;
    const allConst = node.complete.every((c) => c.constValue !== undefined && c.elses.length === 0 && equal(c.constValue, first as Value));
    for (const c of node.complete) {
      runClause(ctx, c, undefined, (fr, cl) => {
        const v = fr.s[cl.valueSlot as number] as Value;
        if (value === undefined) {
          value = v;
          loc = c.loc;
        } else if (!equal(value, v)) throw conflict('complete rules must not produce multiple outputs', loc);
        return allConst;
      });
      if (allConst && value !== undefined) break;
    }
    if (value instanceof RObject) ctx.leaves?.add(value);
    if (value === undefined && node.defaultValue) {
      runClause(ctx, node.defaultValue, undefined, (fr) => {
        value = fr.s[node.defaultValue?.valueSlot as number] as Value;
        return true;
      });
    }
    return value;
  }
  if (node.partial.length) {
    if (node.partialKind === 'set') {
      const set = new RSet();
      for (const c of node.partial) {
        runClause(ctx, c, undefined, (fr) => {
          set.add(fr.s[c.setKeySlot as number] as Value);
          return false;
        });
      }
      return set;
    }
    const obj = new RObject();
    for (const c of node.partial) {
      runClause(ctx, c, undefined, (fr) => {
        const keys = c.keySlots.map((s) => fr.s[s] as Value);
        const value = c.setKeySlot !== undefined ? (fr.s[c.setKeySlot] as Value) : (fr.s[c.valueSlot as number] as Value);
        if (value instanceof RObject && c.setKeySlot === undefined) ctx.leaves?.add(value);
        insertNested(obj, keys, value, c.setKeySlot !== undefined, c.loc, ctx.leaves);
        return false;
      });
    }
    return obj;
  }
  if (node.defaultValue) {
    let value: Value | undefined;
    runClause(ctx, node.defaultValue, undefined, (fr) => {
      value = fr.s[node.defaultValue?.valueSlot as number] as Value;
      return true;
    });
    return value;
  }
  return undefined;
}

function insertNested(obj: RObject, keys: Value[], value: Value, isSet: boolean, loc: Loc, leaves?: WeakSet<object>): void {
  let cur = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i] as Value;
    let next = cur.get(k);
    if (next === undefined) {
      next = new RObject();
      cur.set(k, next);
    } else if (!(next instanceof RObject) || leaves?.has(next)) throw conflict('object keys must be unique', loc);
    cur = next;
  }
  const last = keys[keys.length - 1] as Value;
  const prev = cur.get(last);
  if (isSet) {
    if (prev === undefined) cur.set(last, new RSet([value]));
    else if (prev instanceof RSet) prev.add(value);
    else throw conflict('object keys must be unique', loc);
    return;
  }
  if (prev !== undefined && !equal(prev, value)) throw conflict('object keys must be unique', loc);
  cur.set(last, value);
}

/** Calls a user function: unify args, run each definition, check outputs agree, fall back to the default. */
function callFunction(ctx: Ctx, node: DocNode, args: Value[], loc: Loc): Value | undefined {
  const env = ctx.env;
  if (++env.depth > env.maxDepth) {
    env.depth--;
    throw new RegoError('eval_cancel_error', `evaluation exceeded the call depth limit (${env.maxDepth})`, loc);
  }
  try {
    let value: Value | undefined;
    let vloc: Loc | undefined;
    for (const c of node.funcs) {
      runClause(ctx, c, args, (fr, cl) => {
        const v = fr.s[cl.valueSlot as number] as Value;
        if (value === undefined) {
          value = v;
          vloc = c.loc;
        } else if (!equal(value, v)) throw conflict('functions must not produce multiple outputs for same inputs', vloc);
        return c.constValue !== undefined;
      });
    }
    if (value === undefined && node.defaultValue) {
      const d = node.defaultValue;
      runClause(ctx, d, undefined, (fr) => {
        value = fr.s[d.valueSlot as number] as Value;
        return true;
      });
    }
    return value;
  } finally {
    env.depth--;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Code generation

interface Body {
  table: SlotTable;
  withCount: number;
}

export class Gen implements CallArity {
  constructor(readonly program: Program) {}
  private mod?: Module;
  private rule?: Rule;

  arity(op: string): number | undefined {
    const fp = funcPath(op, this.mod, this.program);
    if (fp) {
      const n = nodeAt(this.program, fp);
      if (n && n.funcArity !== undefined) return n.funcArity;
      if (n) {
        const fr = n.rules.find((r) => r.rule.head.kind === 'function');
        if (fr) return fr.rule.head.args?.length;
      }
    }
    const d = this.program.builtins.decls.get(op);
    if (d) return d.variadic ? undefined : d.args.length;
    return undefined;
  }

  private resolver(mod: Module | undefined): Resolver {
    const program = this.program;
    return new Resolver((name, loc) => {
      if (name === 'input' || name === 'data') return { t: 'var', name, loc };
      if (!mod) return undefined;
      const p = globalPath(name, mod, program);
      if (p) return { t: 'ref', head: { t: 'var', name: 'data', loc }, path: p.map((s) => ({ t: 'scalar', v: s, loc }) as Term), loc };
      for (const imp of mod.imports) {
        const alias = imp.alias ?? imp.path[imp.path.length - 1];
        if (alias === name && imp.path[0] === 'input') {
          return imp.path.length === 1
            ? { t: 'var', name: 'input', loc }
            : { t: 'ref', head: { t: 'var', name: 'input', loc }, path: imp.path.slice(1).map((s) => ({ t: 'scalar', v: s, loc }) as Term), loc };
        }
      }
      return undefined;
    });
  }

  compileRule(node: DocNode, rule: Rule, mod: Module): void {
    this.mod = mod;
    this.rule = rule;
    const head = rule.head;
    if (rule.isDefault) {
      const clause = this.clause(rule, mod, [], head.value, undefined, undefined, head.args);
      if (node.defaultValue) throw new RegoError('rego_type_error', `multiple default rules data.${node.path.join('.')} found`, rule.loc);
      node.defaultValue = clause;
      node.defaultIsFunc = head.args !== undefined;
      return;
    }
    const { rest } = splitHeadRef(head.ref);
    if (head.kind === 'function') {
      node.funcArity = head.args?.length;
      const c = this.clause(rule, mod, rule.body, head.value ?? { t: 'scalar', v: true, loc: rule.loc }, undefined, undefined, head.args);
      c.elses = rule.elses.map((e) => this.clause(rule, mod, e.body, e.value ?? { t: 'scalar', v: true, loc: e.loc }, undefined, undefined, head.args));
      node.funcs.push(c);
      return;
    }
    if (head.kind === 'set' && rest.length === 0) {
      if (node.partialKind === 'object' || node.complete.length) throw new RegoError('rego_type_error', `conflicting rules data.${node.path.join('.')} found`, rule.loc);
      node.partialKind = 'set';
      node.partial.push(this.clause(rule, mod, rule.body, undefined, head.key, [], undefined));
      return;
    }
    if (rest.length > 0) {
      if (node.partialKind === 'set' || node.complete.length) throw new RegoError('rego_type_error', `conflicting rules data.${node.path.join('.')} found`, rule.loc);
      node.partialKind = 'object';
      const value = head.kind === 'set' ? undefined : (head.value ?? { t: 'scalar', v: true, loc: rule.loc });
      node.partial.push(this.clause(rule, mod, rule.body, value, head.kind === 'set' ? head.key : undefined, rest, undefined));
      return;
    }
    if (node.partial.length) throw new RegoError('rego_type_error', `conflicting rules data.${node.path.join('.')} found`, rule.loc);
    const value = head.value ?? { t: 'scalar', v: true, loc: rule.loc };
    const c = this.clause(rule, mod, rule.body, value, undefined, undefined, undefined);
    c.elses = rule.elses.map((e) => this.clause(rule, mod, e.body, e.value ?? { t: 'scalar', v: true, loc: e.loc }, undefined, undefined, undefined));
    if (c.elses.length) c.constValue = undefined;
    node.complete.push(c);
  }

  /** Compiles one body with its head terms (as trailing unifications so refs and calls in heads work). */
  private clause(rule: Rule, mod: Module | undefined, body: Literal[], value: Term | undefined, setKey: Term | undefined, keys: Term[] | undefined, args: Term[] | undefined): Clause {
    const table: SlotTable = { names: [] };
    const scope = new Scope(table);
    const res = this.resolver(mod);
    const argSlots = new Set<number>();
    let argTerms: Term[] | undefined;
    if (args) {
      argTerms = args.map((a) => this.declareArg(a, scope, res, argSlots));
    }
    const loc = rule.loc;
    const headLits: Literal[] = [];
    const mk = (t: Term): number => {
      const slot = scope.fresh('$head');
      headLits.push({ k: 'expr', term: { t: 'call', op: 'eq', args: [{ t: 'local', slot, name: '$head', loc }, t], loc: t.loc }, negated: false, with: [], loc: t.loc });
      return slot;
    };
    // resolve the body and the head terms in the same scope
    const fullBody = [...body];
    const rbody = res.body(fullBody, scope);
    const keySlots = (keys ?? []).map((k) => mk(res.term(k, scope)));
    const setKeySlot = setKey ? mk(res.term(setKey, scope)) : undefined;
    const valueSlot = value ? mk(res.term(value, scope)) : undefined;
    const all = [...rbody, ...headLits];
    const b: Body = { table, withCount: 0 };
    const fn = this.body(all, argSlots, b, rule.loc);
    const argPats = argTerms?.map((a) => this.pattern(a, argSlots, b));
    const constValue = value && value.t === 'scalar' ? value.v : undefined;
    return { nslots: table.names.length, body: fn, keySlots, setKeySlot, valueSlot, constValue, argPats, elses: [], loc, rule };
  }

  private declareArg(a: Term, scope: Scope, res: Resolver, argSlots: Set<number>): Term {
    switch (a.t) {
      case 'var': {
        if (a.name === '_') {
          const s = scope.fresh('_');
          argSlots.add(s);
          return { t: 'local', slot: s, name: '_', loc: a.loc };
        }
        const existing = scope.vars.get(a.name);
        if (existing !== undefined) return { t: 'local', slot: existing, name: a.name, loc: a.loc };
        const s = scope.declare(a.name, a.loc, 'arg');
        argSlots.add(s);
        return { t: 'local', slot: s, name: a.name, loc: a.loc };
      }
      case 'array':
        return { ...a, items: a.items.map((i) => this.declareArg(i, scope, res, argSlots)) };
      case 'object':
        return { ...a, items: a.items.map(([k, v]) => [res.term(k, scope), this.declareArg(v, scope, res, argSlots)] as [Term, Term]) };
      default:
        return res.term(a, scope);
    }
  }

  /** Compiles a query body (no package). Returns the runner and the user-visible variables. */
  compileQuery(body: Literal[], loc: Loc): { nslots: number; fn: BodyFn; vars: Map<string, number> } {
    this.mod = undefined;
    this.rule = undefined;
    const table: SlotTable = { names: [] };
    const scope = new Scope(table);
    const rbody = this.resolver(undefined).body(body, scope);
    const b: Body = { table, withCount: 0 };
    const fn = this.body(rbody, new Set(), b, loc);
    const vars = new Map<string, number>();
    for (const [name, slot] of scope.vars) if (name !== '_' && !name.startsWith('$')) vars.set(name, slot);
    return { nslots: table.names.length, fn, vars };
  }

  // --- bodies and literals -----------------------------------------------------------------------------------

  private body(lits: Literal[], bound: ReadonlySet<number>, b: Body, loc: Loc): BodyFn {
    for (const l of lits) this.checkCalls(l);
    const { body, unsafe } = reorder(lits, bound, this);
    if (unsafe && unsafe.size) {
      const errs: string[] = [];
      let firstLoc: Loc | undefined;
      const named = [...unsafe.entries()].filter(([s]) => !(b.table.names[s] ?? '').startsWith('$'));
      const list = named.length ? named : [...unsafe.entries()];
      for (const [s, l] of list) {
        errs.push(`var ${b.table.names[s]} is unsafe`);
        firstLoc ??= l.loc;
      }
      throw new RegoError('rego_unsafe_var_error', errs[0] as string, firstLoc ?? loc);
    }
    // compile back to front, tracking bound slots front to back
    const boundAt: Set<number>[] = [];
    let cur = new Set(bound);
    for (const l of body) {
      boundAt.push(cur);
      const needs = new Set<number>();
      const outs = new Set<number>();
      litAnalysis(l, cur, needs, outs, false, this);
      cur = new Set([...cur, ...outs]);
    }
    let next: BodyFn = (_fr, k) => k();
    for (let i = body.length - 1; i >= 0; i--) next = this.literal(body[i] as Literal, boundAt[i] as Set<number>, next, b);
    return next;
  }

  /** Rejects calls to unknown functions and wrong operand counts (rego_type_error). */
  private checkCalls(l: Literal): void {
    const visit = (t: Term, top: boolean): void => {
      switch (t.t) {
        case 'call': {
          if (t.op !== 'eq' && t.op !== 'assign') {
            const fp = funcPath(t.op, this.mod, this.program);
            const node = fp ? nodeAt(this.program, fp) : undefined;
            const isFunc = node && node.rules.some((r) => r.rule.head.kind === 'function');
            const decl = this.program.builtins.decls.get(t.op);
            if (!isFunc && !decl) {
              if (t.args.length === 0 && this.zeroArgRule(t.op)) return;
              if (node && node.rules.length) throw new RegoError('rego_type_error', `function data.${node.path.join('.')} is not a function`, t.loc);
              throw new RegoError('rego_type_error', `undefined function ${t.op}`, t.loc);
            }
            const n = this.arity(t.op);
            if (n !== undefined) {
              const max = top ? n + 1 : n;
              if (t.args.length < n || t.args.length > max) {
                const name = isFunc ? `data.${(node as DocNode).path.join('.')}` : t.op;
                throw new RegoError('rego_type_error', `${name}: arity mismatch\n\thave: (${t.args.map(() => 'any').join(', ')})\n\twant: (${n})`, t.loc);
              }
            }
            if (decl && !isFunc) this.checkConstTypes(t, decl);
          }
          t.args.forEach((a) => visit(a, false));
          return;
        }
        case 'ref':
          visit(t.head, false);
          t.path.forEach((p) => visit(p, false));
          return;
        case 'array':
        case 'set':
          t.items.forEach((i) => visit(i, false));
          return;
        case 'object':
          t.items.forEach(([k, v]) => {
            visit(k, false);
            visit(v, false);
          });
          return;
        case 'arraycomp':
        case 'setcomp':
          visit(t.term, false);
          return;
        case 'objcomp':
          visit(t.key, false);
          visit(t.value, false);
          return;
        default:
          return;
      }
    };
    if (l.k === 'expr') visit(l.term, true);
    else if (l.k === 'somein') visit(l.coll, false);
    else if (l.k === 'every') visit(l.domain, false);
    for (const w of l.with) visit(w.value, false);
  }

  /** Static operand type check for literal operands (rego_type_error), like OPA's checker for constants. */
  private checkConstTypes(t: Extract<Term, { t: 'call' }>, decl: BuiltinDecl): void {
    for (let i = 0; i < decl.args.length && i < t.args.length; i++) {
      const a = t.args[i] as Term;
      const spec = decl.args[i] as string;
      let tn: string | undefined;
      if (a.t === 'scalar') tn = typeName(a.v);
      else if (a.t === 'array' || a.t === 'arraycomp') tn = 'array';
      else if (a.t === 'set' || a.t === 'setcomp') tn = 'set';
      else if (a.t === 'object' || a.t === 'objcomp') tn = 'object';
      if (tn && spec !== 'any' && !spec.split('|').includes(tn)) {
        throw new RegoError('rego_type_error', `${t.op}: invalid argument(s)\n\thave: ${tn} at operand ${i + 1}\n\twant: ${spec.split('|').join(' or ')}`, t.loc);
      }
    }
  }

  private literal(l: Literal, bound: ReadonlySet<number>, next: BodyFn, b: Body): BodyFn {
    if (l.with.length) return this.withLiteral(l, bound, next, b);
    const inner = this.literalCore(l, bound, next, b);
    return (fr, k) => {
      tick(fr.ctx.env);
      return inner(fr, k);
    };
  }

  private literalCore(l: Literal, bound: ReadonlySet<number>, next: BodyFn, b: Body): BodyFn {
    if (l.negated) {
      const pos = { ...l, negated: false } as Literal;
      const inner = this.literalCore(pos, bound, () => true, b);
      return (fr, k) => (inner(fr, k) ? false : next(fr, k));
    }
    switch (l.k) {
      case 'some':
        return next;
      case 'somein':
        return this.someIn(l, bound, next, b);
      case 'every':
        return this.every(l, bound, next, b);
      case 'expr':
        return this.expr(l.term, bound, next, b);
    }
  }

  private expr(t: Term, bound: ReadonlySet<number>, next: BodyFn, b: Body): BodyFn {
    if (t.t === 'call' && (t.op === 'eq' || t.op === 'assign')) return this.unify(t.args[0] as Term, t.args[1] as Term, bound, next, b, t.loc);
    if (t.t === 'call') {
      const n = this.arity(t.op);
      if (n !== undefined && t.args.length === n + 1) {
        const call = this.call({ ...t, args: t.args.slice(0, n) }, bound, b);
        const out = t.args[n] as Term;
        const pat = this.pattern(out, bound, b);
        return (fr, k) => call.each(fr, (v) => pat(fr, v, () => next(fr, k)));
      }
    }
    const tc = this.term(t, bound, b);
    const get = tc.get;
    if (get) {
      return (fr, k) => {
        const v = get(fr);
        return v !== undefined && v !== false ? next(fr, k) : false;
      };
    }
    return (fr, k) => tc.each(fr, (v) => (v !== false ? next(fr, k) : false));
  }

  private unify(a: Term, c: Term, bound: ReadonlySet<number>, next: BodyFn, b: Body, loc: Loc): BodyFn {
    const canEval = (t: Term): boolean => {
      const needs = new Set<number>();
      const outs = new Set<number>();
      litAnalysis({ k: 'expr', term: t, negated: false, with: [], loc }, bound, needs, outs, false, this);
      for (const n of needs) if (!bound.has(n)) return false;
      return true;
    };
    const patOk = (t: Term): boolean => {
      // the non-pattern parts of t must be evaluable
      const needs = new Set<number>();
      const outs = new Set<number>();
      const visit = (x: Term): void => {
        if (x.t === 'local' || x.t === 'scalar') return;
        if (x.t === 'array') return x.items.forEach(visit);
        if (x.t === 'object') return x.items.forEach(([, v]) => visit(v));
        litAnalysis({ k: 'expr', term: x, negated: false, with: [], loc }, bound, needs, outs, false, this);
      };
      visit(t);
      for (const n of needs) if (!bound.has(n)) return false;
      return true;
    };
    let src: Term | undefined;
    let dst: Term | undefined;
    if (canEval(c) && patOk(a)) {
      src = c;
      dst = a;
    } else if (canEval(a) && patOk(c)) {
      src = a;
      dst = c;
    }
    if (src && dst) {
      const tc = this.term(src, bound, b);
      const outs = new Set(bound);
      const needs = new Set<number>();
      litAnalysis({ k: 'expr', term: src, negated: false, with: [], loc }, bound, needs, outs, false, this);
      const pat = this.pattern(dst, outs, b);
      const get = tc.get;
      if (get) {
        return (fr, k) => {
          const v = get(fr);
          return v === undefined ? false : pat(fr, v, () => next(fr, k));
        };
      }
      return (fr, k) => tc.each(fr, (v) => pat(fr, v, () => next(fr, k)));
    }
    if ((a.t === 'array' && c.t === 'array' && a.items.length === c.items.length) || (a.t === 'object' && c.t === 'object' && a.items.length === c.items.length)) {
      // pairwise, in an order where each pair can run
      const pairs: Literal[] =
        a.t === 'array' && c.t === 'array'
          ? a.items.map((x, i) => ({ k: 'expr', term: { t: 'call', op: 'eq', args: [x, c.items[i] as Term], loc }, negated: false, with: [], loc }) as Literal)
          : (a as Extract<Term, { t: 'object' }>).items.map(
              ([, x], i) => ({ k: 'expr', term: { t: 'call', op: 'eq', args: [x, ((c as Extract<Term, { t: 'object' }>).items[i] as [Term, Term])[1]], loc }, negated: false, with: [], loc }) as Literal,
            );
      const { body } = reorder(pairs, bound, this);
      const boundAt: Set<number>[] = [];
      let cur = new Set(bound);
      for (const l of body) {
        boundAt.push(cur);
        const needs = new Set<number>();
        const outs = new Set<number>();
        litAnalysis(l, cur, needs, outs, false, this);
        cur = new Set([...cur, ...outs]);
      }
      let chain = next;
      for (let i = body.length - 1; i >= 0; i--) chain = this.literalCore(body[i] as Literal, boundAt[i] as Set<number>, chain, b);
      return chain;
    }
    throw new RegoError('rego_unsafe_var_error', 'unsafe unification', loc);
  }

  private someIn(l: Extract<Literal, { k: 'somein' }>, bound: ReadonlySet<number>, next: BodyFn, b: Body): BodyFn {
    const coll = this.term(l.coll, bound, b);
    const outs = new Set(bound);
    litAnalysis({ k: 'expr', term: l.coll, negated: false, with: [], loc: l.loc }, bound, new Set(), outs, false, this);
    const kp = l.key ? this.pattern(l.key, outs, b) : undefined;
    const vp = this.pattern(l.value, outs, b);
    return (fr, k) =>
      coll.each(fr, (c) =>
        iterate(c, (key, val) => {
          const cont = (): boolean => vp(fr, val, () => next(fr, k));
          return kp ? kp(fr, key, cont) : cont();
        }),
      );
  }

  private every(l: Extract<Literal, { k: 'every' }>, bound: ReadonlySet<number>, next: BodyFn, b: Body): BodyFn {
    const dom = this.term(l.domain, bound, b);
    const inner = new Set(bound);
    const kp = l.key ? this.pattern(l.key, inner, b) : undefined;
    const vp = this.pattern(l.value, inner, b);
    const pv = new Set<number>();
    litAnalysis({ k: 'somein', key: l.key, value: l.value, coll: { t: 'scalar', v: null, loc: l.loc }, with: [], negated: false, loc: l.loc }, inner, new Set(), pv, false, this);
    for (const s of pv) inner.add(s);
    const body = this.body(l.body, inner, b, l.loc);
    const stop: K = () => true;
    return (fr, k) => {
      let ok = true;
      dom.each(fr, (d) => {
        iterate(d, (key, val) => {
          const run = (): boolean => vp(fr, val, () => body(fr, stop));
          const found = kp ? kp(fr, key, run) : run();
          if (!found) ok = false;
          return !ok;
        });
        return !ok;
      });
      return ok ? next(fr, k) : false;
    };
  }

  private withLiteral(l: Literal, bound: ReadonlySet<number>, next: BodyFn, b: Body): BodyFn {
    const slot = b.withCount++;
    const restore: BodyFn = (fr, k) => {
      const inner = fr.ctx;
      fr.ctx = fr.w[slot] as Ctx;
      const r = next(fr, k);
      fr.ctx = inner;
      return r;
    };
    const core = this.literalCore({ ...l, with: [] } as Literal, bound, restore, b);
    const mods = l.with.map((w) => this.withMod(w.target, w.value, bound, b));
    return (fr, k) => {
      tick(fr.ctx.env);
      const outer = fr.ctx;
      const ctx: Ctx = { ...outer, cache: new Map(), inProgress: new Set() };
      for (const m of mods) if (!m(fr, ctx)) return false;
      fr.w[slot] = outer;
      fr.ctx = ctx;
      try {
        return core(fr, k);
      } finally {
        fr.ctx = outer;
      }
    };
  }

  /** One `with target as value`: returns an updater of the new context (false when the value is undefined). */
  private withMod(target: Term, value: Term, bound: ReadonlySet<number>, b: Body): (fr: Frame, ctx: Ctx) => boolean {
    const path = targetPath(target);
    if (!path) throw new RegoError('rego_compile_error', 'with keyword target must reference existing input, data, or a function', target.loc);
    const head = path[0] as string;
    // function mocks
    if (head !== 'input' && head !== 'data' || (head === 'data' && this.isFunctionPath(path.slice(1)))) {
      const name = head === 'data' ? path.join('.') : path.join('.');
      const key = this.canonicalFunc(name, target.loc);
      // value may be another function or a value
      const vt = value;
      if (vt.t === 'var' || (vt.t === 'ref' && refIsNamePath(vt))) {
        const vname = vt.t === 'var' ? vt.name : (targetPath(vt) as string[]).join('.');
        const fnKey = this.tryCanonicalFunc(vname);
        if (fnKey) {
          const targetArity = this.arity(key.startsWith('data.') ? key : key);
          const mockArity = this.arity(fnKey.startsWith('data.') ? fnKey : fnKey);
          if (targetArity !== undefined && mockArity !== undefined && targetArity !== mockArity)
            throw new RegoError('rego_type_error', `${vname}: arity mismatch`, vt.loc);
          const invoke = this.invoker(fnKey, target.loc);
          return (_fr, ctx) => {
            const mocks = new Map(ctx.mocks ?? []);
            // a mock runs without mocks: it may call the original it replaces, and never another mock
            mocks.set(key, { kind: 'fn', call: (args, fr) => invoke({ ...fr, ctx: { ...fr.ctx, mocks: undefined, cache: new Map(), inProgress: new Set() } }, args) });
            ctx.mocks = mocks;
            return true;
          };
        }
      }
      const tc = this.term(value, bound, b);
      return (fr, ctx) => {
        const v = tc.get ? tc.get(fr) : firstValue(tc, fr);
        if (v === undefined) return false;
        const mocks = new Map(ctx.mocks ?? []);
        mocks.set(key, { kind: 'value', v });
        ctx.mocks = mocks;
        return true;
      };
    }
    const tc = this.term(value, bound, b);
    if (head === 'input') {
      const rest = path.slice(1);
      return (fr, ctx) => {
        const v = tc.get ? tc.get(fr) : firstValue(tc, fr);
        if (v === undefined) return false;
        ctx.input = rest.length ? upsert(ctx.input, rest, v) : v;
        return true;
      };
    }
    const rest = path.slice(1);
    return (fr, ctx) => {
      const v = tc.get ? tc.get(fr) : firstValue(tc, fr);
      if (v === undefined) return false;
      const list = (ctx.overrides ?? []).filter((o) => !(rest.length <= o.path.length && rest.every((s, i) => s === o.path[i])));
      // an override below a new one is replaced; a new one below an existing override patches it
      const parent = list.find((o) => o.path.length < rest.length && o.path.every((s, i) => s === rest[i]));
      if (parent) parent.value = upsert(parent.value, rest.slice(parent.path.length), v);
      else list.push({ path: rest, value: v });
      ctx.overrides = list.map((o) => (o === parent ? { ...o } : o));
      return true;
    };
  }

  private isFunctionPath(path: string[]): boolean {
    const n = nodeAt(this.program, path);
    return !!n && n.rules.some((r) => r.rule.head.kind === 'function');
  }

  /** The mock key of a function name: `data.x.f` for user functions, the builtin name otherwise. */
  private canonicalFunc(name: string, loc: Loc): string {
    const k = this.tryCanonicalFunc(name);
    if (!k) throw new RegoError('rego_compile_error', `with keyword target must reference existing input, data, or a function`, loc);
    return k;
  }

  private tryCanonicalFunc(name: string): string | undefined {
    const fp = funcPath(name, this.mod, this.program);
    if (fp && this.isFunctionPath(fp)) return 'data.' + fp.join('.');
    if (this.program.builtins.decls.has(name)) return name;
    return undefined;
  }

  /** Invokes a function by canonical name (used by mocks that point at another function). */
  private invoker(key: string, loc: Loc): (fr: Frame, args: Value[]) => Value | undefined {
    if (key.startsWith('data.')) {
      const node = nodeAt(this.program, key.split('.').slice(1)) as DocNode;
      return (fr, args) => callFunction(fr.ctx, node, args, loc);
    }
    const decl = this.program.builtins.decls.get(key) as BuiltinDecl;
    return (fr, args) => this.invokeBuiltin(fr, decl, args, loc);
  }

  // --- terms ---------------------------------------------------------------------------------------------------

  term(t: Term, bound: ReadonlySet<number>, b: Body): TC {
    switch (t.t) {
      case 'scalar': {
        const v = t.v;
        return { get: () => v, each: (_fr, cb) => cb(v) };
      }
      case 'local': {
        const s = t.slot;
        const get = (fr: Frame): Value | undefined => fr.s[s];
        return { get, each: (fr, cb) => { const v = fr.s[s]; return v === undefined ? false : cb(v); } };
      }
      case 'var': {
        if (t.name === 'input') return fromGet((fr) => fr.ctx.input);
        if (t.name === 'data') return fromGet((fr) => nodeValue(fr.ctx, this.program.root));
        throw new RegoError('rego_unsafe_var_error', `var ${t.name} is unsafe`, t.loc);
      }
      case 'ref':
        return this.ref(t, bound, b);
      case 'call':
        return this.call(t, bound, b);
      case 'array': {
        const items = t.items.map((i) => this.term(i, bound, b));
        return composite(items, (vals) => vals.slice());
      }
      case 'set': {
        const items = t.items.map((i) => this.term(i, bound, b));
        return composite(items, (vals) => new RSet(vals));
      }
      case 'object': {
        const items = t.items.flatMap(([k, v]) => [this.term(k, bound, b), this.term(v, bound, b)]);
        return composite(items, (vals) => {
          const o = new RObject();
          for (let i = 0; i < vals.length; i += 2) o.set(vals[i] as Value, vals[i + 1] as Value);
          return o;
        });
      }
      case 'arraycomp':
      case 'setcomp':
      case 'objcomp':
        return this.comprehension(t, bound, b);
    }
  }

  private comprehension(t: Extract<Term, { t: 'arraycomp' | 'setcomp' | 'objcomp' }>, bound: ReadonlySet<number>, b: Body): TC {
    const headLits: Literal[] = [];
    const heads = t.t === 'objcomp' ? [t.key, t.value] : [t.term];
    const slots: number[] = [];
    for (const h of heads) {
      const slot = b.table.names.length;
      b.table.names.push('$comp');
      slots.push(slot);
      headLits.push({ k: 'expr', term: { t: 'call', op: 'eq', args: [{ t: 'local', slot, name: '$comp', loc: h.loc }, h], loc: h.loc }, negated: false, with: [], loc: h.loc });
    }
    const body = this.body([...t.body, ...headLits], bound, b, t.loc);
    const s0 = slots[0] as number;
    const s1 = slots[1] as number;
    let get: (fr: Frame) => Value;
    if (t.t === 'arraycomp') {
      get = (fr) => {
        const out: Value[] = [];
        body(fr, () => {
          out.push(fr.s[s0] as Value);
          return false;
        });
        return out;
      };
    } else if (t.t === 'setcomp') {
      get = (fr) => {
        const out = new RSet();
        body(fr, () => {
          out.add(fr.s[s0] as Value);
          return false;
        });
        return out;
      };
    } else {
      const loc = t.loc;
      get = (fr) => {
        const out = new RObject();
        body(fr, () => {
          const k = fr.s[s0] as Value;
          const v = fr.s[s1] as Value;
          const prev = out.get(k);
          if (prev !== undefined && !equal(prev, v)) throw conflict('object keys must be unique', loc);
          out.set(k, v);
          return false;
        });
        return out;
      };
    }
    return fromGet(get);
  }

  private ref(t: Extract<Term, { t: 'ref' }>, bound: ReadonlySet<number>, b: Body): TC {
    const segs = t.path;
    // data refs: walk the rule tree at compile time along constant segments
    if (t.head.t === 'var' && t.head.name === 'data') {
      let node = this.program.root;
      let i = 0;
      while (i < segs.length) {
        const s = segs[i] as Term;
        const key = s.t === 'scalar' && (typeof s.v === 'string' || typeof s.v === 'number') ? String(s.v) : undefined;
        // a node with rules of its own (e.g. p[q].r) may also define what lies below it: read its whole document
        if (node.rules.length > 0) break;
        if (key !== undefined && node.children.has(key)) {
          node = node.children.get(key) as DocNode;
          i++;
        } else break;
      }
      const rest = this.refSteps(segs.slice(i), bound, b);
      if (node.rules.length === 0 && i < segs.length) {
        // the ref leaves the rule tree: read base data along the constant part directly
        const constPath: Value[] = [...node.path];
        // numbers index arrays in base data; at the root data keys are strings
        let j = i;
        while (j < segs.length) {
          const s = segs[j] as Term;
          if (s.t === 'scalar' && (typeof s.v === 'string' || typeof s.v === 'number')) {
            constPath.push(s.v as string);
            j++;
          } else break;
        }
        if (j > i) {
          const after = this.refSteps(segs.slice(j), bound, b);
          return refTC((fr) => baseLookup(fr.ctx, constPath), after);
        }
      }
      const n = node;
      const keySeg = segs[i];
      if (n.rules.length === 0 && n.children.size > 0 && keySeg && keySeg.t === 'local') {
        // data[x]... over packages: visit children one by one instead of computing (and recursing into) all of data
        const slot = keySeg.slot;
        const after = this.refSteps(segs.slice(i + 1), new Set([...bound, slot]), b);
        const visit = (fr: Frame, key: Value, cb: (v: Value) => boolean): boolean => {
          const child = typeof key === 'string' ? n.children.get(key) : undefined;
          const v = child ? nodeValue(fr.ctx, child) : index(baseLookup(fr.ctx, n.path) ?? new RObject(), key);
          return v === undefined ? false : runSteps(after, 0, fr, v, cb);
        };
        return {
          each: (fr, cb) => {
            const bv = fr.s[slot];
            if (bv !== undefined) return visit(fr, bv, cb);
            const keys = new Set<Value>(n.children.keys());
            const base = baseLookup(fr.ctx, n.path);
            if (base instanceof RObject) for (const k of base.keys()) keys.add(k);
            for (const k of [...keys].sort(compare)) {
              fr.s[slot] = k;
              const r = visit(fr, k, cb);
              fr.s[slot] = undefined;
              if (r) return true;
            }
            return false;
          },
        };
      }
      return refTC((fr) => nodeValue(fr.ctx, n), rest);
    }
    const head = this.term(t.head, bound, b);
    const steps = this.refSteps(segs, bound, b);
    if (head.get) return refTC(head.get, steps);
    return {
      each: (fr, cb) => head.each(fr, (v) => runSteps(steps, 0, fr, v, cb)),
    };
  }

  private refSteps(segs: Term[], bound: ReadonlySet<number>, b: Body): { steps: RefStep[]; ground: ((fr: Frame) => Value | undefined)[] | undefined } {
    const steps: RefStep[] = [];
    const ground: ((fr: Frame) => Value | undefined)[] = [];
    let allGround = true;
    const cur = new Set(bound);
    for (const s of segs) {
      if (s.t === 'scalar') {
        const key = s.v;
        steps.push((_fr, v, cb) => {
          const w = index(v, key);
          return w === undefined ? false : cb(w);
        });
        ground.push(() => key);
      } else if (s.t === 'local' && !cur.has(s.slot)) {
        allGround = false;
        const slot = s.slot;
        cur.add(slot);
        steps.push((fr, v, cb) => {
          const bv = fr.s[slot];
          if (bv !== undefined) {
            const w = index(v, bv);
            return w === undefined ? false : cb(w);
          }
          return iterate(v, (k, w) => {
            fr.s[slot] = k;
            const r = cb(w);
            fr.s[slot] = undefined;
            return r;
          });
        });
      } else if (s.t === 'local') {
        const slot = s.slot;
        steps.push((fr, v, cb) => {
          const w = index(v, fr.s[slot] as Value);
          return w === undefined ? false : cb(w);
        });
        ground.push((fr) => fr.s[slot]);
      } else if ((s.t === 'array' || s.t === 'object') && hasUnbound(s, cur)) {
        allGround = false;
        const pat = this.pattern(s, cur, b);
        const outs = new Set<number>();
        const needs = new Set<number>();
        litAnalysis({ k: 'somein', value: s, coll: { t: 'scalar', v: null, loc: s.loc }, with: [], negated: false, loc: s.loc }, cur, needs, outs, false, this);
        for (const o of outs) cur.add(o);
        steps.push((fr, v, cb) => iterate(v, (k, w) => pat(fr, k, () => cb(w))));
      } else {
        const tc = this.term(s, cur, b);
        const needs = new Set<number>();
        const outs = new Set<number>();
        litAnalysis({ k: 'expr', term: s, negated: false, with: [], loc: s.loc }, cur, needs, outs, false, this);
        for (const o of outs) cur.add(o);
        if (tc.get && outs.size === 0) {
          const get = tc.get;
          ground.push(get);
          steps.push((fr, v, cb) => {
            const key = get(fr);
            if (key === undefined) return false;
            const w = index(v, key);
            return w === undefined ? false : cb(w);
          });
        } else {
          allGround = false;
          steps.push((fr, v, cb) =>
            tc.each(fr, (key) => {
              const w = index(v, key);
              return w === undefined ? false : cb(w);
            }),
          );
        }
      }
    }
    return { steps, ground: allGround ? ground : undefined };
  }

  private call(t: Extract<Term, { t: 'call' }>, bound: ReadonlySet<number>, b: Body): TC {
    if (t.op === 'rego.metadata.rule' || t.op === 'rego.metadata.chain') {
      const v = t.op === 'rego.metadata.rule' ? this.metadataRule() : this.metadataChain();
      return { get: () => v, each: (_fr, cb) => cb(v) };
    }
    const zero = t.args.length === 0 ? this.zeroArgRule(t.op) : undefined;
    if (zero) return refTC((fr) => nodeValue(fr.ctx, zero), { steps: [], ground: [] });
    const args = t.args.map((a) => this.term(a, bound, b));
    const invoke = this.callTarget(t);
    const n = args.length;
    if (args.every((a) => a.get)) {
      const gets = args.map((a) => a.get as (fr: Frame) => Value | undefined);
      if (invoke.relation) {
        const rel = invoke.relation;
        return {
          each: (fr, cb) => {
            const vals = new Array<Value>(n);
            for (let i = 0; i < n; i++) {
              const v = (gets[i] as (fr: Frame) => Value | undefined)(fr);
              if (v === undefined) return false;
              vals[i] = v;
            }
            return rel(fr, vals, cb);
          },
        };
      }
      const fn = invoke.fn;
      const get = (fr: Frame): Value | undefined => {
        const vals = new Array<Value>(n);
        for (let i = 0; i < n; i++) {
          const v = (gets[i] as (fr: Frame) => Value | undefined)(fr);
          if (v === undefined) return undefined;
          vals[i] = v;
        }
        return fn(fr, vals);
      };
      return fromGet(get);
    }
    // operands that bind variables (refs with unbound indexes) run first: `x == input.xs[x]`
    const order = t.args.map((a, i) => {
      const needs = new Set<number>();
      const outs = new Set<number>();
      litAnalysis({ k: 'expr', term: a, negated: false, with: [], loc: a.loc }, bound, needs, outs, false, this);
      return { i, outs: outs.size };
    });
    if (order.some((o) => o.outs > 0) && order.some((o) => o.outs === 0)) {
      const idx = [...order.filter((o) => o.outs > 0), ...order.filter((o) => o.outs === 0)].map((o) => o.i);
      const sorted = idx.map((i) => args[i] as TC);
      return {
        each: (fr, cb) =>
          eachAll(sorted, fr, (vals) => {
            const real = new Array<Value>(n);
            idx.forEach((i, j) => (real[i] = vals[j] as Value));
            if (invoke.relation) return invoke.relation(fr, real, cb);
            const v = invoke.fn(fr, real);
            return v === undefined ? false : cb(v);
          }),
      };
    }
    return {
      each: (fr, cb) =>
        eachAll(args, fr, (vals) => {
          if (invoke.relation) return invoke.relation(fr, vals.slice(), cb);
          const v = invoke.fn(fr, vals.slice());
          return v === undefined ? false : cb(v);
        }),
    };
  }

  /** rego.metadata.rule(): the rule-scope annotations of the rule being compiled ({} when none). */
  private metadataRule(): Value {
    const ann = this.rule?.annotations;
    return ann && ann.scope === 'rule' ? fromJS(ann) : new RObject();
  }

  /** rego.metadata.chain(): the rule, document and package annotations that apply, innermost first. */
  private metadataChain(): Value {
    const rule = this.rule;
    const mod = this.mod;
    if (!rule || !mod) return [];
    const path = [...mod.pkg, ...splitHeadRef(rule.head.ref).prefix];
    const entry = (p: string[], ann?: Record<string, unknown>): Value => fromJS(ann ? { path: p, annotations: ann } : { path: p });
    const out: Value[] = [entry(path, rule.annotations?.scope === 'rule' ? rule.annotations : undefined)];
    const node = nodeAt(this.program, path);
    for (const r of node?.rules ?? []) if (r.rule.annotations?.scope === 'document') out.push(entry(path, r.rule.annotations));
    for (const m of this.program.modules) {
      if (m.annotations && m.pkg.join('.') === mod.pkg.join('.')) {
        out.push(entry(mod.pkg, m.annotations));
        break;
      }
    }
    return out;
  }

  /** `f()` naming a rule without operands (OPA's `f() = x`): a ref to that rule. */
  private zeroArgRule(op: string): DocNode | undefined {
    const fp = funcPath(op, this.mod, this.program);
    const node = fp ? nodeAt(this.program, fp) : undefined;
    return node && node.rules.length && !node.rules.some((r) => r.rule.head.kind === 'function') ? node : undefined;
  }

  /** How to invoke the target of a call: user function, builtin, with mocks checked first. */
  private callTarget(t: Extract<Term, { t: 'call' }>): { fn: (fr: Frame, args: Value[]) => Value | undefined; relation?: (fr: Frame, args: Value[], cb: (v: Value) => boolean) => boolean } {
    const loc = t.loc;
    const fp = funcPath(t.op, this.mod, this.program);
    const node = fp ? nodeAt(this.program, fp) : undefined;
    if (node && node.rules.some((r) => r.rule.head.kind === 'function')) {
      const key = 'data.' + node.path.join('.');
      return {
        fn: (fr, args) => {
          const mocks = fr.ctx.mocks;
          if (mocks) {
            const m = mocks.get(key);
            if (m) return applyMock(m, fr, args);
          }
          return callFunction(fr.ctx, node, args, loc);
        },
      };
    }
    const decl = this.program.builtins.decls.get(t.op);
    if (!decl) throw new RegoError('rego_type_error', `undefined function ${t.op}`, loc);
    const name = decl.name;
    const rel = this.program.builtins.relations.get(name);
    if (rel) {
      return {
        fn: () => undefined,
        relation: (fr, args, cb) => {
          try {
            return rel(args, fr.ctx.env.bctx, cb);
          } catch (e) {
            return this.builtinFailure(fr, e, name, loc);
          }
        },
      };
    }
    return {
      fn: (fr, args) => {
        const mocks = fr.ctx.mocks;
        if (mocks) {
          const m = mocks.get(name);
          if (m) return applyMock(m, fr, args);
        }
        return this.invokeBuiltin(fr, decl, args, loc);
      },
    };
  }

  private builtinFailure(fr: Frame, e: unknown, name: string, loc: Loc): false {
    if (e instanceof BuiltinError) {
      if (fr.ctx.env.strict || e instanceof HaltError) throw new RegoError(e.code, `${name}: ${e.message}`, loc);
      return false;
    }
    throw e;
  }

  invokeBuiltin(fr: Frame, decl: BuiltinDecl, args: Value[], loc: Loc): Value | undefined {
    const impl = this.program.builtins.impls.get(decl.name);
    if (!impl) throw new RegoError('rego_type_error', `undefined function ${decl.name}`, loc);
    try {
      if (!decl.variadic) {
        const specs = decl.args;
        for (let i = 0; i < args.length; i++) {
          const spec = specs[i] as string;
          if (spec !== 'any' && !typeMatches(spec, args[i] as Value)) {
            const exp = spec.split('|');
            const got = typeName(args[i] as Value);
            throw new BuiltinError('eval_type_error', exp.length === 1 ? `operand ${i + 1} must be ${exp[0]} but got ${got}` : `operand ${i + 1} must be one of {${exp.join(', ')}} but got ${got}`);
          }
        }
      }
      return impl(args, fr.ctx.env.bctx);
    } catch (e) {
      if ((e instanceof RangeError || e instanceof SyntaxError) && !(e instanceof BuiltinError)) {
        this.builtinFailure(fr, new BuiltinError('eval_builtin_error', e.message), decl.name, loc);
        return undefined;
      }
      this.builtinFailure(fr, e, decl.name, loc);
      return undefined;
    }
  }

  // --- patterns --------------------------------------------------------------------------------------------------

  pattern(t: Term, bound: ReadonlySet<number>, b: Body): Pat {
    switch (t.t) {
      case 'local': {
        const slot = t.slot;
        return (fr, v, k) => {
          const cur = fr.s[slot];
          if (cur === undefined) {
            fr.s[slot] = v;
            const r = k();
            fr.s[slot] = undefined;
            return r;
          }
          return equal(cur, v) ? k() : false;
        };
      }
      case 'scalar': {
        const c = t.v;
        return (_fr, v, k) => (equal(c, v) ? k() : false);
      }
      case 'array': {
        const pats = t.items.map((i) => this.pattern(i, bound, b));
        const n = pats.length;
        return (fr, v, k) => {
          if (!Array.isArray(v) || v.length !== n) return false;
          const rec = (i: number): boolean => (i === n ? k() : (pats[i] as Pat)(fr, v[i] as Value, () => rec(i + 1)));
          return rec(0);
        };
      }
      case 'object': {
        const keys = t.items.map(([k]) => this.term(k, bound, b));
        const pats = t.items.map(([, v]) => this.pattern(v, bound, b));
        const n = pats.length;
        return (fr, v, k) => {
          if (!(v instanceof RObject) || v.size !== n) return false;
          const rec = (i: number): boolean => {
            if (i === n) return k();
            const kt = keys[i] as TC;
            const key = kt.get ? kt.get(fr) : firstValue(kt, fr);
            if (key === undefined) return false;
            const w = v.get(key);
            return w === undefined ? false : (pats[i] as Pat)(fr, w, () => rec(i + 1));
          };
          return rec(0);
        };
      }
      default: {
        const tc = this.term(t, bound, b);
        return (fr, v, k) => tc.each(fr, (w) => (equal(v, w) ? k() : false));
      }
    }
  }
}

function hasUnbound(t: Term, bound: ReadonlySet<number>): boolean {
  if (t.t === 'local') return !bound.has(t.slot);
  if (t.t === 'array') return t.items.some((i) => hasUnbound(i, bound));
  if (t.t === 'object') return t.items.some(([, v]) => hasUnbound(v, bound));
  return false;
}

function applyMock(m: Mock, fr: Frame, args: Value[]): Value | undefined {
  if (m.kind === 'value') return m.v;
  return m.call(args, fr);
}

function firstValue(tc: TC, fr: Frame): Value | undefined {
  let out: Value | undefined;
  tc.each(fr, (v) => {
    out = v;
    return true;
  });
  return out;
}

function fromGet(get: (fr: Frame) => Value | undefined): TC {
  return {
    get,
    each: (fr, cb) => {
      const v = get(fr);
      return v === undefined ? false : cb(v);
    },
  };
}

function runSteps(steps: { steps: RefStep[] }, i: number, fr: Frame, v: Value, cb: (v: Value) => boolean): boolean {
  const st = steps.steps;
  if (i === st.length) return cb(v);
  return (st[i] as RefStep)(fr, v, (w) => runSteps(steps, i + 1, fr, w, cb));
}

function refTC(base: (fr: Frame) => Value | undefined, rest: { steps: RefStep[]; ground: ((fr: Frame) => Value | undefined)[] | undefined }): TC {
  const g = rest.ground;
  if (g) {
    const n = g.length;
    const get = (fr: Frame): Value | undefined => {
      let v = base(fr);
      for (let i = 0; i < n && v !== undefined; i++) {
        const key = (g[i] as (fr: Frame) => Value | undefined)(fr);
        if (key === undefined) return undefined;
        v = index(v, key);
      }
      return v;
    };
    return fromGet(get);
  }
  return {
    each: (fr, cb) => {
      const v = base(fr);
      return v === undefined ? false : runSteps(rest, 0, fr, v, cb);
    },
  };
}

function eachAll(tcs: TC[], fr: Frame, cb: (vals: Value[]) => boolean): boolean {
  const vals = new Array<Value>(tcs.length);
  const rec = (i: number): boolean =>
    i === tcs.length
      ? cb(vals)
      : (tcs[i] as TC).each(fr, (v) => {
          vals[i] = v;
          return rec(i + 1);
        });
  return rec(0);
}

function composite(items: TC[], build: (vals: Value[]) => Value): TC {
  if (items.every((i) => i.get)) {
    const gets = items.map((i) => i.get as (fr: Frame) => Value | undefined);
    const n = gets.length;
    return fromGet((fr) => {
      const vals = new Array<Value>(n);
      for (let i = 0; i < n; i++) {
        const v = (gets[i] as (fr: Frame) => Value | undefined)(fr);
        if (v === undefined) return undefined;
        vals[i] = v;
      }
      return build(vals);
    });
  }
  return { each: (fr, cb) => eachAll(items, fr, (vals) => cb(build(vals))) };
}

/** `input.a.b`, `data.x.f`, `count`, `time.now_ns` → path segments; undefined for other terms. */
function targetPath(t: Term): string[] | undefined {
  if (t.t === 'var') return [t.name];
  if (t.t !== 'ref' || t.head.t !== 'var') return undefined;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.t !== 'scalar' || typeof p.v !== 'string') return undefined;
    out.push(p.v);
  }
  return out;
}

function refIsNamePath(t: Term): boolean {
  return targetPath(t) !== undefined;
}

export { pathKey };
