/**
 * Safety analysis: which slots a literal needs bound before it can run and which it binds, and the reordering
 * of a body so every literal runs after the literals binding its inputs (OPA's reorderBodyForSafety).
 */
import type { Literal, Term } from './ast.js';

/** Slots a term needs bound when evaluated as a value; ref index vars are outputs. */
export function termNeeds(t: Term, bound: ReadonlySet<number>, needs: Set<number>, outs: Set<number>): void {
  switch (t.t) {
    case 'local':
      if (!bound.has(t.slot)) needs.add(t.slot);
      return;
    case 'scalar':
    case 'var':
      return;
    case 'ref':
      termNeeds(t.head, bound, needs, outs);
      for (const p of t.path) {
        if (isPattern(p)) patternVars(p, bound, outs, needs);
        else termNeeds(p, bound, needs, outs);
      }
      return;
    case 'call': {
      // vars bound by one operand's ref indexes are available to the others
      const own = new Set<number>();
      const ownNeeds = new Set<number>();
      for (const a of t.args) termNeeds(a, bound, ownNeeds, own);
      for (const o of own) outs.add(o);
      for (const n of ownNeeds) if (!own.has(n)) needs.add(n);
      return;
    }
    case 'array':
    case 'set':
      for (const i of t.items) termNeeds(i, bound, needs, outs);
      return;
    case 'object':
      for (const [k, v] of t.items) {
        termNeeds(k, bound, needs, outs);
        termNeeds(v, bound, needs, outs);
      }
      return;
    case 'arraycomp':
    case 'setcomp':
    case 'objcomp':
      for (const s of closureFreeSlots(t)) if (!bound.has(s)) needs.add(s);
      return;
  }
}

/** A term that can be matched against a value, binding its unbound vars (vars, scalars, arrays/objects of them). */
export function isPattern(t: Term): boolean {
  switch (t.t) {
    case 'local':
    case 'scalar':
      return true;
    case 'array':
      return t.items.every(isPattern);
    case 'object':
      return t.items.every(([, v]) => isPattern(v));
    default:
      return false;
  }
}

/** Unbound vars of a pattern (into outs); non-pattern subterms' needs into needs. */
export function patternVars(t: Term, bound: ReadonlySet<number>, outs: Set<number>, needs: Set<number>): void {
  switch (t.t) {
    case 'local':
      if (!bound.has(t.slot)) outs.add(t.slot);
      return;
    case 'scalar':
      return;
    case 'array':
      for (const i of t.items) patternVars(i, bound, outs, needs);
      return;
    case 'object':
      for (const [k, v] of t.items) {
        termNeeds(k, bound, needs, outs);
        patternVars(v, bound, outs, needs);
      }
      return;
    default:
      termNeeds(t, bound, needs, outs);
  }
}

/** Slots used inside a closure that belong to enclosing bodies (all slots of the closure that it does not bind). */
export function closureFreeSlots(t: Term): Set<number> {
  const used = new Set<number>();
  const local = new Set<number>();
  const visit = (x: Term): void => {
    switch (x.t) {
      case 'local':
        used.add(x.slot);
        return;
      case 'ref':
        visit(x.head);
        x.path.forEach(visit);
        return;
      case 'call':
        x.args.forEach(visit);
        return;
      case 'array':
      case 'set':
        x.items.forEach(visit);
        return;
      case 'object':
        for (const [k, v] of x.items) {
          visit(k);
          visit(v);
        }
        return;
      case 'arraycomp':
      case 'setcomp':
      case 'objcomp': {
        const inner = x.t === 'objcomp' ? [x.key, x.value] : [x.term];
        inner.forEach(visit);
        const { bound } = bodyBinds(x.body);
        for (const b of bound) local.add(b);
        for (const l of x.body) visitLit(l);
        return;
      }
      default:
        return;
    }
  };
  const visitLit = (l: Literal): void => {
    switch (l.k) {
      case 'expr':
        visit(l.term);
        break;
      case 'some':
        for (const v of l.vars) if (v.t === 'local') local.add(v.slot);
        break;
      case 'somein':
        if (l.key) visit(l.key);
        visit(l.value);
        visit(l.coll);
        break;
      case 'every':
        if (l.key) {
          visit(l.key);
          collectPatternSlots(l.key, local);
        }
        visit(l.value);
        collectPatternSlots(l.value, local);
        visit(l.domain);
        for (const b of bodyBinds(l.body).bound) local.add(b);
        l.body.forEach(visitLit);
        break;
    }
    for (const w of l.with) visit(w.value);
  };
  visit(t);
  for (const s of local) used.delete(s);
  return used;
}

function collectPatternSlots(t: Term, out: Set<number>): void {
  if (t.t === 'local') out.add(t.slot);
  else if (t.t === 'array') t.items.forEach((i) => collectPatternSlots(i, out));
  else if (t.t === 'object') t.items.forEach(([, v]) => collectPatternSlots(v, out));
}

/** All slots a body may bind (vars of patterns and ref indexes, ignoring order). */
export function bodyBinds(body: Literal[]): { bound: Set<number> } {
  const bound = new Set<number>();
  const empty = new Set<number>();
  for (const l of body) {
    const needs = new Set<number>();
    litAnalysis(l, empty, needs, bound, true);
  }
  return { bound };
}

export interface LitInfo {
  /** can run given the bound set */
  ok: boolean;
  needs: Set<number>;
  outs: Set<number>;
}

export interface CallArity {
  /** declared operand count of a call op, when known */
  arity(op: string): number | undefined;
}

/**
 * Needs and outputs of one literal. For unification either side may be the evaluated one; `loose` collects the
 * outputs of both sides (used to find a closure's own variables).
 */
export function litAnalysis(l: Literal, bound: ReadonlySet<number>, needs: Set<number>, outs: Set<number>, loose = false, arity?: CallArity): boolean {
  for (const w of l.with) termNeeds(w.value, bound, needs, outs);
  switch (l.k) {
    case 'some':
      return true;
    case 'somein':
      termNeeds(l.coll, bound, needs, outs);
      if (l.key) patternVars(l.key, bound, outs, needs);
      patternVars(l.value, bound, outs, needs);
      return needsOk(needs, bound);
    case 'every': {
      termNeeds(l.domain, bound, needs, outs);
      const f = closureFreeSlotsOfEvery(l);
      for (const s of f) if (!bound.has(s)) needs.add(s);
      // outputs of the domain ref stay local to the every
      outs.clear();
      return needsOk(needs, bound);
    }
    case 'expr': {
      const t = l.term;
      if (l.negated) {
        const n = new Set<number>();
        const o = new Set<number>();
        exprAnalysis(t, bound, n, o, loose, arity);
        for (const s of n) needs.add(s);
        // a negation binds nothing: every variable in it (wildcards too) must be bound before it, as in OPA
        if (!loose) for (const s of o) needs.add(s);
        return needsOk(needs, bound);
      }
      return exprAnalysis(t, bound, needs, outs, loose, arity);
    }
  }
}

function closureFreeSlotsOfEvery(l: Extract<Literal, { k: 'every' }>): Set<number> {
  // treat as a set comprehension over the body with key/value locals
  const fake: Term = { t: 'setcomp', term: { t: 'scalar', v: null, loc: l.loc }, body: l.body, loc: l.loc };
  const free = closureFreeSlots(fake);
  if (l.key) removePatternSlots(l.key, free);
  removePatternSlots(l.value, free);
  return free;
}

function removePatternSlots(t: Term, s: Set<number>): void {
  const o = new Set<number>();
  collectPatternSlots(t, o);
  for (const x of o) s.delete(x);
}

function needsOk(needs: Set<number>, bound: ReadonlySet<number>): boolean {
  for (const n of needs) if (!bound.has(n)) return false;
  return true;
}

function exprAnalysis(t: Term, bound: ReadonlySet<number>, needs: Set<number>, outs: Set<number>, loose: boolean, arity?: CallArity): boolean {
  if (t.t === 'call' && (t.op === 'eq' || t.op === 'assign')) {
    const [a, b] = t.args as [Term, Term];
    const nb = new Set<number>();
    const ob = new Set<number>();
    termNeeds(b, bound, nb, ob);
    const na = new Set<number>();
    const oa = new Set<number>();
    patternVars(a, bound, oa, na);
    const rightFirst = needsOk(nb, bound) && needsOk(na, bound);
    const nb2 = new Set<number>();
    const ob2 = new Set<number>();
    patternVars(b, bound, ob2, nb2);
    const na2 = new Set<number>();
    const oa2 = new Set<number>();
    termNeeds(a, bound, na2, oa2);
    const leftFirst = needsOk(na2, bound) && needsOk(nb2, bound);
    if (rightFirst || loose) {
      for (const s of ob) outs.add(s);
      for (const s of oa) outs.add(s);
    }
    if (leftFirst || loose) {
      for (const s of ob2) outs.add(s);
      for (const s of oa2) outs.add(s);
    }
    if (rightFirst || leftFirst) return true;
    // both sides composite patterns: [x, 1] = [2, y]
    if (a.t === 'array' && b.t === 'array' && a.items.length === b.items.length) {
      let cur = new Set(bound);
      let ok = true;
      for (let i = 0; i < a.items.length; i++) {
        const sub: Term = { t: 'call', op: 'eq', args: [a.items[i] as Term, b.items[i] as Term], loc: t.loc };
        const n = new Set<number>();
        const o = new Set<number>();
        if (!exprAnalysis(sub, cur, n, o, loose, arity)) {
          for (const x of n) needs.add(x);
          ok = false;
        }
        for (const x of o) outs.add(x);
        cur = new Set([...cur, ...o]);
      }
      return ok;
    }
    if (a.t === 'object' && b.t === 'object' && a.items.length === b.items.length) {
      let ok = true;
      let cur = new Set(bound);
      for (let i = 0; i < a.items.length; i++) {
        const sub: Term = { t: 'call', op: 'eq', args: [(a.items[i] as [Term, Term])[1], (b.items[i] as [Term, Term])[1]], loc: t.loc };
        const n = new Set<number>();
        const o = new Set<number>();
        if (!exprAnalysis(sub, cur, n, o, loose, arity)) {
          for (const x of n) needs.add(x);
          ok = false;
        }
        for (const x of o) outs.add(x);
        cur = new Set([...cur, ...o]);
      }
      return ok;
    }
    for (const s of nb) needs.add(s);
    for (const s of na) needs.add(s);
    // report the unbound pattern vars too: neither side could be evaluated
    for (const s of oa) needs.add(s);
    for (const s of ob2) needs.add(s);
    return false;
  }
  if (t.t === 'call') {
    const n = arity?.arity(t.op);
    const args = t.args;
    if (n !== undefined && args.length === n + 1) {
      for (let i = 0; i < n; i++) termNeeds(args[i] as Term, bound, needs, outs);
      patternVars(args[n] as Term, bound, outs, needs);
      return needsOk(needs, bound);
    }
    if (n === undefined && loose && args.length > 0) {
      // arity unknown here (closure analysis): the last operand may be an output
      for (let i = 0; i < args.length - 1; i++) termNeeds(args[i] as Term, bound, needs, outs);
      patternVars(args[args.length - 1] as Term, bound, outs, new Set());
      return true;
    }
  }
  termNeeds(t, bound, needs, outs);
  return needsOk(needs, bound);
}

/**
 * Orders a body for safety: repeatedly takes, in source order, every literal whose inputs are bound. Returns the
 * ordered body, or the slots that can never be bound.
 */
export function reorder(body: Literal[], initial: ReadonlySet<number>, arity: CallArity): { body: Literal[]; unsafe?: Map<number, Literal> } {
  const bound = new Set(initial);
  const out: Literal[] = [];
  let rest = body.slice();
  while (rest.length) {
    const next: Literal[] = [];
    let progress = false;
    for (const l of rest) {
      const needs = new Set<number>();
      const outs = new Set<number>();
      if (litAnalysis(l, bound, needs, outs, false, arity)) {
        out.push(l);
        for (const o of outs) bound.add(o);
        progress = true;
      } else next.push(l);
    }
    rest = next;
    if (!progress) {
      const unsafe = new Map<number, Literal>();
      for (const l of rest) {
        const needs = new Set<number>();
        const outs = new Set<number>();
        litAnalysis(l, bound, needs, outs, false, arity);
        for (const n of needs) if (!bound.has(n) && !unsafe.has(n)) unsafe.set(n, l);
      }
      return { body: out.concat(rest), unsafe };
    }
  }
  return { body: out };
}
