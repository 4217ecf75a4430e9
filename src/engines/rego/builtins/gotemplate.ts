/**
 * The subset of Go text/template that strings.render_template policies use: field and variable references,
 * `if`/`else if`/`else`, `range` (with `$i, $v :=`), `with`, variable declarations, comments and `{{-`/`-}}`
 * trimming. Missing keys are errors (OPA runs templates with missingkey=error); function calls are not supported.
 */
import { RObject, RSet, type Value } from '../value.js';
import { builtinErr } from './types.js';
import { formatNumber } from './util.js';

type Node =
  | { t: 'text'; s: string }
  | { t: 'out'; expr: string }
  | { t: 'decl'; name: string; expr: string }
  | { t: 'if' | 'with'; expr: string; body: Node[]; alt: Node[] }
  | { t: 'range'; keyVar?: string; valVar?: string; expr: string; body: Node[]; alt: Node[] };

const MAX_STEPS = 100_000;

function lex(src: string): (string | { action: string })[] {
  const out: (string | { action: string })[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push(src.slice(i));
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start++;
    }
    const close = src.indexOf('}}', start);
    if (close < 0) throw builtinErr('template: unclosed action');
    let inner = src.slice(start, close);
    let next = close + 2;
    if (/\s-$/.test(inner)) {
      inner = inner.slice(0, -1);
      while (next < src.length && /\s/.test(src[next] as string)) next++;
    }
    if (text) out.push(text);
    out.push({ action: inner.trim() });
    i = next;
  }
  return out;
}

function parse(items: (string | { action: string })[]): Node[] {
  let pos = 0;
  const block = (stopAt: Set<string>): [Node[], string] => {
    const nodes: Node[] = [];
    while (pos < items.length) {
      const it = items[pos++] as string | { action: string };
      if (typeof it === 'string') {
        nodes.push({ t: 'text', s: it });
        continue;
      }
      const a = it.action;
      if (a.startsWith('/*')) continue;
      const kw = /^(\w+)\b\s*(.*)$/s.exec(a);
      const word = kw?.[1] ?? '';
      if (stopAt.has(word)) return [nodes, a];
      if (word === 'if' || word === 'with' || word === 'range') nodes.push(control(word, kw?.[2] ?? ''));
      else {
        const d = /^(\$\w+)\s*:?=\s*(.*)$/s.exec(a);
        nodes.push(d ? { t: 'decl', name: d[1] as string, expr: d[2] as string } : { t: 'out', expr: a });
      }
    }
    if (stopAt.size) throw builtinErr('template: unexpected EOF');
    return [nodes, ''];
  };
  // A control structure up to and including its `end`; `else if` nests an `if` that shares that `end`.
  const control = (word: 'if' | 'with' | 'range', exprIn: string): Node => {
    let expr = exprIn;
    let keyVar: string | undefined;
    let valVar: string | undefined;
    const decl = /^(\$\w*)\s*(?:,\s*(\$\w*)\s*)?:=\s*(.*)$/s.exec(expr);
    if (word === 'range' && decl) [keyVar, valVar, expr] = decl[2] ? [decl[1], decl[2], decl[3] as string] : [undefined, decl[1], decl[3] as string];
    const [body, term] = block(new Set(['else', 'end']));
    let alt: Node[] = [];
    if (term.startsWith('else')) {
      const rest = term.slice(4).trim();
      alt = rest.startsWith('if ') ? [control('if', rest.slice(3))] : block(new Set(['end']))[0];
    }
    return word === 'range' ? { t: 'range', keyVar, valVar, expr, body, alt } : { t: word, expr, body, alt };
  };
  return block(new Set())[0];
}

function truthy(v: Value | undefined): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === 0n || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof RObject || v instanceof RSet) return v.size > 0;
  return true;
}

/** Go's fmt %v of the decoded JSON value. */
function show(v: Value): string {
  if (v === null) return '<undefined>'; // as opa 1.22 renders a JSON null
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[' + v.map(show).join(' ') + ']';
  if (v instanceof RSet) return '[' + v.sorted().map(show).join(' ') + ']';
  return 'map[' + v.keys().map((k) => `${show(k)}:${show(v.get(k) as Value)}`).join(' ') + ']';
}

export function renderGoTemplate(src: string, data: Value): string {
  const nodes = parse(lex(src));
  let steps = 0;
  let out = '';
  const evalExpr = (expr: string, dot: Value, vars: Map<string, Value>): Value => {
    const e = expr.trim();
    if (/^"(?:[^"\\]|\\.)*"$/.test(e)) return JSON.parse(e) as string;
    if (/^`[^`]*`$/.test(e)) return e.slice(1, -1);
    if (/^-?\d+(\.\d+)?$/.test(e)) return Number(e);
    if (e === 'true' || e === 'false') return e === 'true';
    if (e === 'nil') return null;
    const m = /^(\$\w*|\.)((?:\.[\w-]+)*)$/.exec(e) ?? (/^((?:\.[\w-]+)+)$/.exec(e) ? ['', '.', e] : null);
    if (!m) throw builtinErr(`template: unsupported action {{${e}}}`);
    let cur: Value | undefined;
    if (m[1] === '.') cur = dot;
    else {
      cur = vars.get(m[1] as string);
      if (cur === undefined) throw builtinErr(`template: undefined variable "${m[1]}"`);
    }
    for (const key of (m[2] as string).split('.').filter(Boolean)) {
      if (!(cur instanceof RObject)) throw builtinErr(`template: can't evaluate field ${key} in type ${show(cur as Value)}`);
      const next: Value | undefined = cur.get(key);
      if (next === undefined) throw builtinErr(`template: ${e}: map has no entry for key "${key}"`);
      cur = next;
    }
    return cur as Value;
  };
  const run = (list: Node[], dot: Value, outer: Map<string, Value>): void => {
    const vars = new Map(outer);
    for (const n of list) {
      if (++steps > MAX_STEPS) throw builtinErr('template: too many steps');
      switch (n.t) {
        case 'text':
          out += n.s;
          break;
        case 'out':
          out += show(evalExpr(n.expr, dot, vars));
          break;
        case 'decl':
          vars.set(n.name, evalExpr(n.expr, dot, vars));
          break;
        case 'if':
          run(truthy(evalExpr(n.expr, dot, vars)) ? n.body : n.alt, dot, vars);
          break;
        case 'with': {
          const v = evalExpr(n.expr, dot, vars);
          if (truthy(v)) run(n.body, v, vars);
          else run(n.alt, dot, vars);
          break;
        }
        case 'range': {
          const v = evalExpr(n.expr, dot, vars);
          const entries: [Value, Value][] = Array.isArray(v)
            ? v.map((x, i) => [i, x])
            : v instanceof RSet
              ? v.sorted().map((x, i) => [i, x])
              : v instanceof RObject
                ? v.keys().map((k) => [k, v.get(k) as Value])
                : [];
          if (!entries.length) run(n.alt, dot, vars);
          for (const [k, x] of entries) {
            const inner = new Map(vars);
            if (n.keyVar) inner.set(n.keyVar, k);
            if (n.valVar) inner.set(n.valVar, x);
            run(n.body, x, inner);
          }
          break;
        }
      }
    }
  };
  run(nodes, data, new Map([['$', data]]));
  return out;
}
