/**
 * Name resolution: turns variables into frame slots (`local` terms) or into refs to rules/imports, following
 * Rego scoping: `:=`, `some` and function arguments declare; other names that are not rules or imports are
 * implicit locals of the body; comprehension and `every` bodies see the variables of their enclosing body.
 */
import type { Literal, Loc, Term } from './ast.js';
import { RegoError } from './errors.js';

export interface SlotTable {
  names: string[];
}

export class Scope {
  readonly vars = new Map<string, number>();
  /** names declared here with := or some (to report redeclarations) */
  readonly declared = new Set<string>();
  constructor(
    readonly table: SlotTable,
    readonly parent?: Scope,
  ) {}
  lookup(name: string): number | undefined {
    const v = this.vars.get(name);
    if (v !== undefined) return v;
    return this.parent?.lookup(name);
  }
  fresh(name: string): number {
    const slot = this.table.names.length;
    this.table.names.push(name);
    return slot;
  }
  declare(name: string, loc: Loc, kind: 'assign' | 'some' | 'arg'): number {
    if (kind !== 'arg' && this.declared.has(name)) {
      throw new RegoError('rego_compile_error', `var ${name} assigned above`, loc);
    }
    if (kind !== 'arg' && this.vars.has(name) && !this.declared.has(name)) {
      throw new RegoError('rego_compile_error', `var ${name} referenced above`, loc);
    }
    this.declared.add(name);
    const slot = this.fresh(name);
    this.vars.set(name, slot);
    return slot;
  }
}

/** How names outside the scope resolve: rules of the package and import aliases become refs. */
export type GlobalResolver = (name: string, loc: Loc) => Term | undefined;

export class Resolver {
  constructor(private readonly global: GlobalResolver) {}

  /** Resolves a body in `scope` (a new scope for bodies of closures). */
  body(lits: Literal[], scope: Scope): Literal[] {
    // declarations first: := and some-declared names are local to this body and shadow outer ones
    const declaredHere = new Set<string>();
    for (const l of lits) collectDecls(l, declaredHere);
    // implicit names: used in this body (not inside closures), not declared here, not visible outside, not global
    const names = new Set<string>();
    for (const l of lits) collectNames(l, names);
    for (const n of names) {
      if (declaredHere.has(n) || n === '_' ) continue;
      if (scope.lookup(n) !== undefined) continue;
      if (this.global(n, { file: '', line: 0, column: 0 }) !== undefined) continue;
      scope.vars.set(n, scope.fresh(n));
    }
    return lits.map((l) => this.literal(l, scope));
  }

  private literal(l: Literal, scope: Scope): Literal {
    const withs = l.with.map((w) => ({ target: w.target, value: this.withValue(w.value, scope), loc: w.loc }));
    switch (l.k) {
      case 'expr': {
        const t = l.term;
        if (t.t === 'call' && t.op === 'assign') {
          const rhs = this.term(t.args[1] as Term, scope);
          const lhs = this.declarePattern(t.args[0] as Term, scope, 'assign');
          return { ...l, term: { ...t, args: [lhs, rhs] }, with: withs };
        }
        return { ...l, term: this.term(t, scope), with: withs };
      }
      case 'some':
        for (const v of l.vars) if (v.t === 'var') scope.declare(v.name, v.loc, 'some');
        return { ...l, vars: l.vars.map((v) => this.term(v, scope)), with: withs };
      case 'somein': {
        const coll = this.term(l.coll, scope);
        const key = l.key ? this.declarePattern(l.key, scope, 'some') : undefined;
        const value = this.declarePattern(l.value, scope, 'some');
        return { ...l, key, value, coll, with: withs };
      }
      case 'every': {
        const domain = this.term(l.domain, scope);
        const inner = new Scope(scope.table, scope);
        const key = l.key ? this.declarePattern(l.key, inner, 'some') : undefined;
        const value = this.declarePattern(l.value, inner, 'some');
        const body = this.body(l.body, inner);
        return { ...l, key, value, domain, body, with: withs };
      }
    }
  }

  /** A with value: a bare name may be a builtin or function to mock with, kept as a var when not local or global. */
  private withValue(t: Term, scope: Scope): Term {
    if (t.t === 'var' && t.name !== '_' && scope.lookup(t.name) === undefined && this.global(t.name, t.loc) === undefined) return t;
    if (t.t === 'ref' && t.head.t === 'var' && scope.lookup(t.head.name) === undefined && this.global(t.head.name, t.loc) === undefined && t.head.name !== 'input' && t.head.name !== 'data') return t;
    return this.term(t, scope);
  }

  /** Declares the vars of an assignment / some pattern and resolves its other parts. */
  private declarePattern(t: Term, scope: Scope, kind: 'assign' | 'some'): Term {
    switch (t.t) {
      case 'var':
        if (t.name === '_') return { t: 'local', slot: scope.fresh('_'), name: '_', loc: t.loc };
        if (kind === 'assign' && (t.name === 'input' || t.name === 'data'))
          throw new RegoError('rego_compile_error', `variables must not shadow ${t.name} (use a different variable name)`, t.loc);
        return { t: 'local', slot: scope.declare(t.name, t.loc, kind), name: t.name, loc: t.loc };
      case 'array':
        return { ...t, items: t.items.map((i) => this.declarePattern(i, scope, kind)) };
      case 'object':
        return { ...t, items: t.items.map(([k, v]) => [this.term(k, scope), this.declarePattern(v, scope, kind)] as [Term, Term]) };
      default:
        if (kind === 'assign' && t.t !== 'scalar')
          throw new RegoError('rego_compile_error', `cannot assign to ${termKind(t)}`, t.loc);
        return this.term(t, scope);
    }
  }

  term(t: Term, scope: Scope): Term {
    switch (t.t) {
      case 'scalar':
      case 'local':
        return t;
      case 'var': {
        if (t.name === '_') return { t: 'local', slot: scope.fresh('_'), name: '_', loc: t.loc };
        const slot = scope.lookup(t.name);
        if (slot !== undefined) {
          return { t: 'local', slot, name: t.name, loc: t.loc };
        }
        const g = this.global(t.name, t.loc);
        if (g) return g;
        // a name first seen here (e.g. inside a with value): local to this scope
        const s = scope.fresh(t.name);
        scope.vars.set(t.name, s);
        return { t: 'local', slot: s, name: t.name, loc: t.loc };
      }
      case 'ref': {
        const head = this.term(t.head, scope);
        const path = t.path.map((p) => this.term(p, scope));
        if (head.t === 'ref') return { t: 'ref', head: head.head, path: [...head.path, ...path], loc: t.loc };
        return { ...t, head, path };
      }
      case 'call':
        return { ...t, args: t.args.map((a) => this.term(a, scope)) };
      case 'array':
      case 'set':
        return { ...t, items: t.items.map((i) => this.term(i, scope)) };
      case 'object':
        return { ...t, items: t.items.map(([k, v]) => [this.term(k, scope), this.term(v, scope)] as [Term, Term]) };
      case 'arraycomp':
      case 'setcomp': {
        const inner = new Scope(scope.table, scope);
        const body = this.body(t.body, inner);
        const term = this.termInClosure(t.term, inner);
        return { ...t, body, term };
      }
      case 'objcomp': {
        const inner = new Scope(scope.table, scope);
        const body = this.body(t.body, inner);
        return { ...t, body, key: this.termInClosure(t.key, inner), value: this.termInClosure(t.value, inner) };
      }
    }
  }

  private termInClosure(t: Term, inner: Scope): Term {
    return this.term(t, inner);
  }
}

function termKind(t: Term): string {
  switch (t.t) {
    case 'ref':
      return 'ref';
    case 'call':
      return 'call';
    default:
      return t.t;
  }
}

function collectDecls(l: Literal, out: Set<string>): void {
  if (l.k === 'some') for (const v of l.vars) if (v.t === 'var') out.add(v.name);
  if (l.k === 'somein') {
    if (l.key) patternNames(l.key, out);
    patternNames(l.value, out);
  }
  if (l.k === 'expr' && l.term.t === 'call' && l.term.op === 'assign') patternNames(l.term.args[0] as Term, out);
}

function patternNames(t: Term, out: Set<string>): void {
  if (t.t === 'var') out.add(t.name);
  else if (t.t === 'array') for (const i of t.items) patternNames(i, out);
  else if (t.t === 'object') for (const [, v] of t.items) patternNames(v, out);
}

/** Var names used directly in a literal (not inside closures, not declared by every). */
function collectNames(l: Literal, out: Set<string>): void {
  switch (l.k) {
    case 'expr':
      collectNamesInTerm(l.term, out);
      break;
    case 'some':
      break;
    case 'somein':
      collectNamesInTerm(l.coll, out);
      break;
    case 'every':
      collectNamesInTerm(l.domain, out);
      break;
  }
  // a with value naming a function (count, object.union_n) is not a variable
  for (const w of l.with) {
    const v = w.value;
    const namePath = v.t === 'var' || (v.t === 'ref' && v.head.t === 'var' && v.path.every((p) => p.t === 'scalar' && typeof p.v === 'string'));
    if (!namePath) collectNamesInTerm(v, out);
  }
}

export function collectNamesInTerm(t: Term, out: Set<string>): void {
  switch (t.t) {
    case 'var':
      out.add(t.name);
      return;
    case 'ref':
      collectNamesInTerm(t.head, out);
      for (const p of t.path) collectNamesInTerm(p, out);
      return;
    case 'call':
      for (const a of t.args) collectNamesInTerm(a, out);
      return;
    case 'array':
    case 'set':
      for (const i of t.items) collectNamesInTerm(i, out);
      return;
    case 'object':
      for (const [k, v] of t.items) {
        collectNamesInTerm(k, out);
        collectNamesInTerm(v, out);
      }
      return;
    default:
      return;
  }
}
