/**
 * Rego parser (v1 and v0 syntax). Hand-written recursive descent with the same operator precedence as OPA's
 * parser.go: `:=`/`=` < `in` < relations < `|` < `&` < `+ -` < `* / %`. Newlines separate body literals, so
 * postfix `[`/`.`/`(` and infix operators only continue an expression on the same line (or inside brackets).
 */
import type { Import, Literal, Loc, Module, Rule, RuleHead, Term, With } from './ast.js';
import { parse as parseYaml } from 'yaml';
import { parseNumber } from './value.js';

export class RegoParseError extends Error {
  constructor(
    message: string,
    readonly loc: Loc,
  ) {
    super(message);
  }
}

type TokKind = 'ident' | 'num' | 'str' | 'punct' | 'eof';
interface Tok {
  kind: TokKind;
  text: string;
  /** decoded string value for 'str' */
  value?: string;
  line: number;
  col: number;
  /** a newline came between the previous token and this one */
  nl: boolean;
}

const PUNCT3 = new Set<string>();
const PUNCT2 = new Set([':=', '==', '!=', '<=', '>=']);
const PUNCT1 = new Set(['{', '}', '[', ']', '(', ')', '.', ',', ';', ':', '=', '<', '>', '+', '-', '*', '/', '%', '|', '&']);

interface Comment {
  line: number;
  text: string;
}

function lex(src: string, file: string, comments: Comment[] = []): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let nl = true;
  const n = src.length;
  const err = (msg: string): never => {
    throw new RegoParseError(msg, { file, line, column: i - lineStart + 1 });
  };
  while (i < n) {
    const c = src[i] as string;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      nl = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      const start = i;
      while (i < n && src[i] !== '\n') i++;
      comments.push({ line, text: src.slice(start + 1, i) });
      continue;
    }
    const col = i - lineStart + 1;
    const startLine = line;
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(src[j] as string)) j++;
      toks.push({ kind: 'ident', text: src.slice(i, j), line, col, nl });
      i = j;
    } else if (/[0-9]/.test(c)) {
      const m = /^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i, i + 500));
      if (!m) err('illegal number format');
      const text = (m as RegExpExecArray)[0];
      if (/[A-Za-z_0-9.]/.test(src[i + text.length] ?? '')) {
        // e.g. 01 or 1.a
        if (src[i + text.length] !== '.') err(`illegal number format`);
      }
      toks.push({ kind: 'num', text, line, col, nl });
      i += text.length;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"') {
        if (src[j] === '\\') j++;
        if (src[j] === '\n') err('non-terminated string');
        j++;
      }
      if (j >= n) err('non-terminated string');
      const raw = src.slice(i, j + 1);
      let value: string;
      try {
        value = JSON.parse(raw) as string;
      } catch {
        err('illegal escape sequence in string');
        value = '';
      }
      toks.push({ kind: 'str', text: raw, value, line, col, nl });
      i = j + 1;
    } else if (c === '`') {
      let j = i + 1;
      while (j < n && src[j] !== '`') {
        if (src[j] === '\n') {
          line++;
          lineStart = j + 1;
        }
        j++;
      }
      if (j >= n) err('non-terminated raw string');
      toks.push({ kind: 'str', text: src.slice(i, j + 1), value: src.slice(i + 1, j), line: startLine, col, nl });
      i = j + 1;
    } else {
      const three = src.slice(i, i + 3);
      const two = src.slice(i, i + 2);
      if (PUNCT3.has(three)) {
        toks.push({ kind: 'punct', text: three, line, col, nl });
        i += 3;
      } else if (PUNCT2.has(two)) {
        toks.push({ kind: 'punct', text: two, line, col, nl });
        i += 2;
      } else if (PUNCT1.has(c)) {
        toks.push({ kind: 'punct', text: c, line, col, nl });
        i += 1;
      } else {
        err(`illegal token ${JSON.stringify(c)}`);
      }
    }
    nl = false;
  }
  toks.push({ kind: 'eof', text: '', line, col: i - lineStart + 1, nl: true });
  return toks;
}

const INFIX_REL: Record<string, string> = { '==': 'equal', '!=': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' };
const INFIX_ARITH: Record<string, string> = { '+': 'plus', '-': 'minus' };
const INFIX_FACTOR: Record<string, string> = { '*': 'mul', '/': 'div', '%': 'rem' };

const RESERVED_V1 = new Set(['if', 'contains', 'in', 'every', 'some', 'not', 'with', 'as', 'else', 'default', 'import', 'package']);

export interface ParseOptions {
  version: 'v0' | 'v1';
}

export function parseModule(src: string, file: string, opts: ParseOptions): Module {
  return new Parser(src, file, opts.version).module();
}

/** Parses a query (a body) such as `x := data.a[i]; x > 1`. */
export function parseQuery(src: string, file = '<query>'): Literal[] {
  const p = new Parser(src, file, 'v1');
  const body = p.bodyUntil('eof');
  p.expectEOF();
  return body;
}

class Parser {
  private toks: Tok[];
  private i = 0;
  /** >0 while inside ( or [ where newlines do not end an expression */
  private nest = 0;
  private futureKeywords: boolean;
  private readonly comments: Comment[] = [];
  constructor(
    src: string,
    private readonly file: string,
    private version: 'v0' | 'v1',
  ) {
    this.toks = lex(src, file, this.comments);
    this.futureKeywords = version === 'v1';
  }

  /** The `# METADATA` block ending on the line above `line`, parsed as YAML. */
  private annotationsAbove(line: number, scope: string): Record<string, unknown> | undefined {
    const byLine = new Map(this.comments.map((c) => [c.line, c.text]));
    if (!byLine.has(line - 1)) return undefined;
    let start = line - 1;
    while (byLine.has(start - 1)) start--;
    const lines: string[] = [];
    let found = false;
    for (let l = start; l < line; l++) {
      const text = byLine.get(l) as string;
      if (!found) {
        if (text.trim() === 'METADATA') found = true;
        continue;
      }
      lines.push(text.startsWith(' ') ? text.slice(1) : text);
    }
    if (!found) return undefined;
    let doc: unknown;
    try {
      doc = parseYaml(lines.join('\n'));
    } catch (e) {
      throw new RegoParseError(`invalid METADATA: ${(e as Error).message}`, { file: this.file, line: start, column: 1 });
    }
    const ann: Record<string, unknown> = { scope, ...((doc as Record<string, unknown>) ?? {}) };
    if (Array.isArray(ann.authors)) {
      ann.authors = ann.authors.map((a: unknown) => {
        if (typeof a !== 'string') return a;
        const m = /^(.*?)\s*<([^>]+)>$/.exec(a);
        return m ? (m[1] ? { name: m[1], email: m[2] } : { email: m[2] }) : { name: a };
      });
    }
    return ann;
  }

  private get tok(): Tok {
    return this.toks[this.i] as Tok;
  }
  private peek(n = 1): Tok {
    return this.toks[Math.min(this.i + n, this.toks.length - 1)] as Tok;
  }
  private loc(t: Tok = this.tok): Loc {
    return { file: this.file, line: t.line, column: t.col };
  }
  private fail(msg: string, t: Tok = this.tok): never {
    throw new RegoParseError(msg, this.loc(t));
  }
  private unexpected(): never {
    const t = this.tok;
    if (t.kind === 'eof') this.fail('unexpected eof token');
    this.fail(`unexpected ${t.kind === 'ident' ? 'ident' : t.kind === 'num' ? 'number' : t.kind === 'str' ? 'string' : t.text} token${t.kind === 'punct' ? '' : `: ${t.text}`}`);
  }
  private isP(text: string, t: Tok = this.tok): boolean {
    return t.kind === 'punct' && t.text === text;
  }
  private isKw(text: string, t: Tok = this.tok): boolean {
    return t.kind === 'ident' && t.text === text;
  }
  private eat(text: string): boolean {
    if (this.isP(text)) {
      this.i++;
      return true;
    }
    return false;
  }
  private expect(text: string): Tok {
    if (!this.isP(text)) {
      if (this.tok.kind === 'eof') this.fail(`unexpected eof token: expected ${text}`);
      this.fail(`unexpected ${this.tok.text} token: expected ${text}`);
    }
    return this.toks[this.i++] as Tok;
  }
  expectEOF(): void {
    if (this.tok.kind !== 'eof') this.unexpected();
  }
  /** True when the current token continues the expression (same line, or inside brackets). */
  private sameLine(): boolean {
    return this.nest > 0 || !this.tok.nl;
  }

  module(): Module {
    if (!this.isKw('package')) this.fail('package expected');
    const pkgLoc = this.loc();
    const pkgAnnotations = this.annotationsAbove(this.tok.line, 'package');
    this.i++;
    const pkgRef = this.term();
    const pkg = refToPath(pkgRef);
    if (!pkg) this.fail('package must be a ref', this.toks[this.i - 1]);
    const imports: Import[] = [];
    while (this.isKw('import')) {
      const loc = this.loc();
      this.i++;
      const r = this.term();
      const path = refToPath(r);
      if (!path) this.fail('import must be a ref');
      let alias: string | undefined;
      if (this.isKw('as') && !this.tok.nl) {
        this.i++;
        if (this.tok.kind !== 'ident') this.unexpected();
        alias = this.tok.text;
        this.i++;
      }
      const p = path as string[];
      if (p[0] === 'future' && p[1] === 'keywords') this.futureKeywords = true;
      else if (p[0] === 'rego' && p[1] === 'v1') {
        this.futureKeywords = true;
        this.version = 'v1';
      } else if (p[0] !== 'data' && p[0] !== 'input')
        throw new RegoParseError(`invalid import ${p.join('.')}, must begin with one of: {data, future, input, rego}`, loc);
      imports.push({ path: p, alias, loc });
    }
    const rules: Rule[] = [];
    while (this.tok.kind !== 'eof') {
      if (this.isKw('import')) this.fail('unexpected import keyword: imports must come before rules');
      if (this.isKw('package')) this.fail('unexpected package keyword');
      rules.push(...this.rule());
    }
    return { file: this.file, pkg: pkg as string[], pkgLoc, imports, rules, version: this.version, annotations: pkgAnnotations };
  }

  private rule(): Rule[] {
    const loc = this.loc();
    const annotations = this.comments.length ? this.annotationsAbove(this.tok.line, 'rule') : undefined;
    let isDefault = false;
    if (this.isKw('default') && this.peek().kind === 'ident') {
      isDefault = true;
      this.i++;
    }
    if (this.tok.kind !== 'ident') this.unexpected();
    // head ref: name, then .x / [term] without spaces across lines
    const name = this.tok.text;
    const headLoc = this.loc();
    this.i++;
    const ref: Term[] = [{ t: 'var', name, loc: headLoc }];
    let lastBracket = false;
    while (!this.tok.nl) {
      if (this.isP('.') && this.peek().kind === 'ident') {
        this.i++;
        ref.push({ t: 'scalar', v: this.tok.text, loc: this.loc() });
        this.i++;
        lastBracket = false;
      } else if (this.isP('[')) {
        lastBracket = true;
        this.i++;
        this.nest++;
        ref.push(this.exprTerm());
        this.nest--;
        this.expect(']');
      } else break;
    }
    let args: Term[] | undefined;
    if (this.isP('(') && !this.tok.nl) {
      this.i++;
      this.nest++;
      args = [];
      if (!this.isP(')')) {
        for (;;) {
          args.push(this.exprTerm());
          if (this.eat(',')) continue;
          break;
        }
      }
      this.nest--;
      this.expect(')');
    }
    let key: Term | undefined;
    let value: Term | undefined;
    let assign = false;
    if (this.futureKeywords && this.isKw('contains') && !this.tok.nl) {
      this.i++;
      key = this.exprTerm();
    } else if (this.isP(':=') || this.isP('=')) {
      assign = this.tok.text === ':=';
      this.i++;
      value = this.exprTerm();
    }
    let kind: RuleHead['kind'];
    // `f() = x` has no operands: OPA treats it as a complete rule
    if (args && args.length === 0) args = undefined;
    if (args) kind = 'function';
    else if (key) kind = 'set';
    else if (ref.length > 1) {
      if (value === undefined && this.version === 'v0' && lastBracket && ref.length === 2) {
        // v0 `p[x] { ... }`: a partial set
        kind = 'set';
        key = ref.pop();
      } else kind = refHasVar(ref) ? 'object' : 'complete';
    } else kind = 'complete';
    if (isDefault) {
      if (kind === 'set') this.fail('default rules must not be multi-value (partial) rules', this.toks[this.i - 1]);
      if (value === undefined) this.fail('default rule must have a value', this.toks[this.i - 1]);
    }
    const head: RuleHead = { ref, args, key, value, assign, kind };
    const rule: Rule = { head, body: [], elses: [], isDefault, loc, hasBody: false, annotations };
    const out: Rule[] = [rule];
    if (isDefault) return out;
    const hasIf = this.futureKeywords && this.isKw('if');
    if (hasIf) {
      this.i++;
      rule.body = this.ifBody();
      rule.hasBody = true;
    } else if (this.isP('{') ) {
      if (this.version === 'v1') this.fail('`if` keyword is required before rule body');
      rule.body = this.braceBody();
      rule.hasBody = true;
    } else if (this.version === 'v1' && kind === 'set' && !key) {
      this.fail('`contains` keyword is required for partial set rules');
    }
    if (!rule.hasBody && value === undefined && key === undefined && kind !== 'object') {
      if (this.version === 'v1') this.fail(ref.length > 1 || args ? 'rule must have a value or a body' : `rule must have a value or a body`);
      this.fail('rule must have a value or a body');
    }
    // else chains
    while (this.isKw('else')) {
      const eloc = this.loc();
      this.i++;
      let ev: Term | undefined;
      if (this.isP('=') || this.isP(':=')) {
        this.i++;
        ev = this.exprTerm();
      }
      let body: Literal[];
      if (this.futureKeywords && this.isKw('if')) {
        this.i++;
        body = this.ifBody();
      } else if (this.isP('{')) {
        if (this.version === 'v1') this.fail('`if` keyword is required before rule body');
        body = this.braceBody();
      } else body = [];
      rule.elses.push({ value: ev, body, loc: eloc });
    }
    // v0 multiple bodies: p { a } { b }
    while (this.version === 'v0' && this.isP('{') && !rule.elses.length) {
      const b = this.braceBody();
      out.push({ ...rule, body: b, elses: [] });
    }
    return out;
  }

  private ifBody(): Literal[] {
    if (this.isP('{')) {
      // `if {` is a body unless it parses as an object/set term followed by more expression
      const save = this.i;
      try {
        return this.braceBody();
      } catch (e) {
        this.i = save;
        const lit = this.literal();
        if (!lit) throw e;
        return [lit];
      }
    }
    const lit = this.literal();
    if (!lit) this.unexpected();
    return [lit];
  }

  private braceBody(): Literal[] {
    this.expect('{');
    const saveNest = this.nest;
    this.nest = 0;
    const body = this.bodyUntil('}');
    this.nest = saveNest;
    this.expect('}');
    if (body.length === 0) this.fail('found empty body', this.toks[this.i - 1]);
    return body;
  }

  bodyUntil(end: '}' | ']' | 'eof'): Literal[] {
    const out: Literal[] = [];
    for (;;) {
      while (this.eat(';'));
      if (end === 'eof' ? this.tok.kind === 'eof' : this.isP(end)) break;
      const lit = this.literal();
      if (!lit) this.unexpected();
      out.push(lit);
      if (this.isP(';')) continue;
      if (end === 'eof' ? this.tok.kind === 'eof' : this.isP(end)) break;
      if (!this.tok.nl) this.unexpected();
    }
    return out;
  }

  private literal(): Literal | undefined {
    const loc = this.loc();
    if (this.isKw('some') && !this.isP('(', this.peek()) && !this.isP('.', this.peek())) {
      return this.withs(this.someDecl(loc));
    }
    if (this.futureKeywords && this.isKw('every') && (this.peek().kind === 'ident')) {
      return this.withs(this.every(loc, false));
    }
    let negated = false;
    if (this.isKw('not') && !this.isP('(', this.peek()) || (this.isKw('not') && this.isP('(', this.peek()))) {
      negated = true;
      this.i++;
      if (this.futureKeywords && this.isKw('every') && this.peek().kind === 'ident') return this.withs(this.every(loc, true));
    }
    const term = this.literalExpr();
    return this.withs({ k: 'expr', term, negated, with: [], loc });
  }

  private withs<L extends Literal>(lit: L): L {
    // `with` may continue a literal on the next line: it cannot start one
    while (this.isKw('with')) {
      const loc = this.loc();
      this.i++;
      const target = this.term();
      if (!this.isKw('as')) this.fail('expected as keyword');
      this.i++;
      const value = this.exprTermNoIn();
      lit.with.push({ target, value, loc } satisfies With);
    }
    return lit;
  }

  private someDecl(loc: Loc): Literal {
    this.i++; // some
    const first = this.relation();
    if (this.isKw('in')) {
      this.i++;
      const coll = this.relation();
      return { k: 'somein', value: first, coll, with: [], negated: false, loc };
    }
    if (this.isP(',')) {
      // either `some x, y` or `some k, v in xs`
      const vars = [first];
      while (this.eat(',')) vars.push(this.relation());
      if (this.isKw('in')) {
        if (vars.length !== 2) this.fail('unexpected in keyword');
        this.i++;
        const coll = this.relation();
        return { k: 'somein', key: vars[0], value: vars[1] as Term, coll, with: [], negated: false, loc };
      }
      for (const v of vars) if (v.t !== 'var') this.fail('expected var in some declaration');
      return { k: 'some', vars, with: [], negated: false, loc };
    }
    if (first.t !== 'var') this.fail('expected var in some declaration');
    return { k: 'some', vars: [first], with: [], negated: false, loc };
  }

  private every(loc: Loc, negated: boolean): Literal {
    this.i++;
    const a = this.relation();
    let key: Term | undefined;
    let value = a;
    if (this.eat(',')) {
      key = a;
      value = this.relation();
    }
    if (!this.isKw('in')) this.fail('expected in keyword');
    this.i++;
    const domain = this.relation();
    if (key && key.t !== 'var') this.fail('expected var in every');
    const body = this.braceBodyAllowEmpty();
    return { k: 'every', key, value, domain, body, with: [], negated, loc };
  }

  private braceBodyAllowEmpty(): Literal[] {
    this.expect('{');
    const saveNest = this.nest;
    this.nest = 0;
    const body = this.bodyUntil('}');
    this.nest = saveNest;
    this.expect('}');
    return body;
  }

  /** expr [(= | :=) expr] with `k, v in xs` allowed at the top. */
  private literalExpr(): Term {
    const loc = this.loc();
    let lhs = this.inExpr(true);
    if ((this.isP('=') || this.isP(':=')) && this.sameLine()) {
      const op = this.tok.text === '=' ? 'eq' : 'assign';
      this.i++;
      const rhs = this.inExpr(false);
      lhs = { t: 'call', op, args: [lhs, rhs], loc };
    }
    return lhs;
  }

  /** A full expression term (used in heads, args, with values): no `=`. */
  exprTerm(): Term {
    return this.inExpr(false);
  }
  private exprTermNoIn(): Term {
    return this.relation();
  }

  private inExpr(keyVal: boolean): Term {
    const loc = this.loc();
    let lhs = this.relation();
    if (keyVal && this.isP(',') && this.sameLine()) {
      const save = this.i;
      this.i++;
      try {
        const mhs = this.relation();
        if (this.isKw('in')) {
          this.i++;
          const rhs = this.relation();
          lhs = { t: 'call', op: 'internal.member_3', args: [lhs, mhs, rhs], loc };
          while (this.isKw('in') && this.sameLine()) {
            this.i++;
            const r = this.relation();
            lhs = { t: 'call', op: 'internal.member_2', args: [lhs, r], loc };
          }
          return lhs;
        }
      } catch {
        // not a key-value membership
      }
      this.i = save;
    }
    while (this.isKw('in') && this.sameLine()) {
      this.i++;
      const rhs = this.relation();
      lhs = { t: 'call', op: 'internal.member_2', args: [lhs, rhs], loc };
    }
    return lhs;
  }

  private relation(): Term {
    const loc = this.loc();
    let lhs = this.orExpr();
    while (this.tok.kind === 'punct' && INFIX_REL[this.tok.text] && this.sameLine()) {
      const op = INFIX_REL[this.tok.text] as string;
      this.i++;
      const rhs = this.orExpr();
      lhs = { t: 'call', op, args: [lhs, rhs], loc };
    }
    return lhs;
  }

  private orExpr(): Term {
    const loc = this.loc();
    let lhs = this.andExpr();
    while (this.isP('|') && this.sameLine() && !this.noOr) {
      this.i++;
      const rhs = this.andExpr();
      lhs = { t: 'call', op: 'or', args: [lhs, rhs], loc };
    }
    return lhs;
  }
  /** set while parsing the head of a comprehension, where `|` starts the body */
  private noOr = false;

  private andExpr(): Term {
    const loc = this.loc();
    let lhs = this.arith();
    while (this.isP('&') && this.sameLine()) {
      this.i++;
      const rhs = this.arith();
      lhs = { t: 'call', op: 'and', args: [lhs, rhs], loc };
    }
    return lhs;
  }

  private arith(): Term {
    const loc = this.loc();
    let lhs = this.factor();
    while (this.tok.kind === 'punct' && INFIX_ARITH[this.tok.text] && this.sameLine()) {
      const op = INFIX_ARITH[this.tok.text] as string;
      this.i++;
      const rhs = this.factor();
      lhs = { t: 'call', op, args: [lhs, rhs], loc };
    }
    return lhs;
  }

  private factor(): Term {
    const loc = this.loc();
    let lhs = this.term();
    while (this.tok.kind === 'punct' && INFIX_FACTOR[this.tok.text] && this.sameLine()) {
      const op = INFIX_FACTOR[this.tok.text] as string;
      this.i++;
      const rhs = this.term();
      lhs = { t: 'call', op, args: [lhs, rhs], loc };
    }
    return lhs;
  }

  /** A term with its postfix ref and call parts. */
  term(): Term {
    const base = this.primary();
    return this.postfix(base);
  }

  private postfix(base: Term): Term {
    let cur = base;
    for (;;) {
      if (this.isP('.') && !this.tok.nl && this.peek().kind === 'ident' && !this.peek().nl) {
        this.i++;
        const seg: Term = { t: 'scalar', v: this.tok.text, loc: this.loc() };
        this.i++;
        cur = appendRef(cur, seg);
      } else if (this.isP('[') && !this.tok.nl) {
        this.i++;
        const saveNest = this.nest;
        this.nest = 1;
        const saveOr = this.noOr;
        this.noOr = false;
        const idx = this.exprTerm();
        this.noOr = saveOr;
        this.nest = saveNest;
        this.expect(']');
        cur = appendRef(cur, idx);
      } else if (this.isP('(') && !this.tok.nl && (cur.t === 'var' || cur.t === 'ref')) {
        const op = callName(cur);
        if (op === undefined) this.fail('invalid call target');
        this.i++;
        const saveNest = this.nest;
        this.nest = 1;
        const saveOr = this.noOr;
        this.noOr = false;
        const args: Term[] = [];
        if (!this.isP(')')) {
          for (;;) {
            args.push(this.exprTerm());
            if (this.eat(',')) {
              if (this.isP(')')) break;
              continue;
            }
            break;
          }
        }
        this.noOr = saveOr;
        this.nest = saveNest;
        this.expect(')');
        cur = { t: 'call', op: op as string, args, loc: cur.loc };
      } else break;
    }
    return cur;
  }

  private primary(): Term {
    const t = this.tok;
    const loc = this.loc();
    switch (t.kind) {
      case 'num':
        this.i++;
        return { t: 'scalar', v: parseNumber(t.text), loc };
      case 'str':
        this.i++;
        return { t: 'scalar', v: t.value as string, loc };
      case 'ident': {
        this.i++;
        if (t.text === 'true') return { t: 'scalar', v: true, loc };
        if (t.text === 'false') return { t: 'scalar', v: false, loc };
        if (t.text === 'null') return { t: 'scalar', v: null, loc };
        if (t.text === 'set' && this.isP('(') && this.isP(')', this.peek())) {
          this.i += 2;
          return { t: 'set', items: [], loc };
        }
        if (this.version === 'v1' && RESERVED_V1.has(t.text) && !(t.text === 'contains' && this.isP('('))) {
          this.i--;
          this.unexpected();
        }
        return { t: 'var', name: t.text, loc };
      }
      case 'punct':
        break;
      default:
        this.unexpected();
    }
    if (t.text === '-' ) {
      const nt = this.peek();
      if (nt.kind === 'num' && nt.line === t.line && nt.col === t.col + 1) {
        this.i += 2;
        const v = parseNumber('-' + nt.text);
        return { t: 'scalar', v, loc };
      }
      this.i++;
      const operand = this.term();
      return { t: 'call', op: 'minus', args: [{ t: 'scalar', v: 0, loc }, operand], loc };
    }
    if (t.text === '(') {
      this.i++;
      const saveNest = this.nest;
      this.nest = 1;
      const saveOr = this.noOr;
      this.noOr = false;
      const inner = this.inExpr(true);
      this.noOr = saveOr;
      this.nest = saveNest;
      this.expect(')');
      return inner;
    }
    if (t.text === '[') return this.arrayTerm(loc);
    if (t.text === '{') return this.braceTerm(loc);
    this.unexpected();
  }

  private compBody(end: '}' | ']'): Literal[] {
    const saveNest = this.nest;
    this.nest = 0;
    const saveOr = this.noOr;
    this.noOr = false;
    const body = this.bodyUntil(end);
    this.noOr = saveOr;
    this.nest = saveNest;
    if (body.length === 0) this.fail('found empty body');
    return body;
  }

  private headTerm(): Term {
    const saveOr = this.noOr;
    this.noOr = true;
    const t = this.exprTerm();
    this.noOr = saveOr;
    return t;
  }

  private arrayTerm(loc: Loc): Term {
    this.i++;
    const saveNest = this.nest;
    this.nest = 1;
    if (this.eat(']')) {
      this.nest = saveNest;
      return { t: 'array', items: [], loc };
    }
    const first = this.headTerm();
    if (this.isP('|')) {
      this.i++;
      const body = this.compBody(']');
      this.nest = saveNest;
      this.expect(']');
      return { t: 'arraycomp', term: first, body, loc };
    }
    const items = [first];
    const saveOr = this.noOr;
    this.noOr = false;
    while (this.eat(',')) {
      if (this.isP(']')) break;
      items.push(this.exprTerm());
    }
    this.noOr = saveOr;
    this.nest = saveNest;
    this.expect(']');
    return { t: 'array', items, loc };
  }

  private braceTerm(loc: Loc): Term {
    this.i++;
    const saveNest = this.nest;
    this.nest = 1;
    if (this.eat('}')) {
      this.nest = saveNest;
      return { t: 'object', items: [], loc };
    }
    const first = this.headTerm();
    if (this.isP(':')) {
      this.i++;
      const v = this.headTerm();
      if (this.isP('|')) {
        this.i++;
        const body = this.compBody('}');
        this.nest = saveNest;
        this.expect('}');
        return { t: 'objcomp', key: first, value: v, body, loc };
      }
      const items: [Term, Term][] = [[first, v]];
      const saveOr = this.noOr;
      this.noOr = false;
      while (this.eat(',')) {
        if (this.isP('}')) break;
        const k = this.exprTerm();
        this.expect(':');
        items.push([k, this.exprTerm()]);
      }
      this.noOr = saveOr;
      this.nest = saveNest;
      this.expect('}');
      return { t: 'object', items, loc };
    }
    if (this.isP('|')) {
      this.i++;
      const body = this.compBody('}');
      this.nest = saveNest;
      this.expect('}');
      return { t: 'setcomp', term: first, body, loc };
    }
    const items = [first];
    const saveOr = this.noOr;
    this.noOr = false;
    while (this.eat(',')) {
      if (this.isP('}')) break;
      items.push(this.exprTerm());
    }
    this.noOr = saveOr;
    this.nest = saveNest;
    this.expect('}');
    return { t: 'set', items, loc };
  }
}

function appendRef(base: Term, seg: Term): Term {
  if (base.t === 'ref') return { t: 'ref', head: base.head, path: [...base.path, seg], loc: base.loc };
  return { t: 'ref', head: base, path: [seg], loc: base.loc };
}

/** Dotted name of a call target (`count`, `json.marshal`, `data.lib.f`). */
function callName(t: Term): string | undefined {
  if (t.t === 'var') return t.name;
  if (t.t !== 'ref' || t.head.t !== 'var') return undefined;
  const parts = [t.head.name];
  for (const p of t.path) {
    if (p.t !== 'scalar' || typeof p.v !== 'string') return undefined;
    parts.push(p.v);
  }
  return parts.join('.');
}

/** A ground ref of strings to its path, e.g. data.a["b"].c → [data, a, b, c]. */
export function refToPath(t: Term): string[] | undefined {
  if (t.t === 'var') return [t.name];
  if (t.t !== 'ref' || t.head.t !== 'var') return undefined;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.t !== 'scalar' || typeof p.v !== 'string') return undefined;
    out.push(p.v);
  }
  return out;
}

function refHasVar(ref: Term[]): boolean {
  for (let i = 1; i < ref.length; i++) if ((ref[i] as Term).t !== 'scalar') return true;
  return false;
}
