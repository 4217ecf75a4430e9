/**
 * Public API of the Rego engine: compile modules once, then evaluate queries and document refs many times.
 * Gatekeeper templates, `rampart eval`, Rego unit tests and the conformance runner all go through here.
 */
import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { SourceSpan } from '../../core/span.js';
import type { Literal, Loc, Module } from './ast.js';
import { defaultBuiltins } from './builtins/index.js';
import type { BuiltinRegistry } from './builtins/types.js';
import { buildProgram, Gen, iterate, nodeValue, runClause, type DocNode, type Program } from './compile.js';
import { RegoError } from './errors.js';
import { parseModule, parseQuery, RegoParseError } from './parser.js';
import type { BodyFn, Ctx, EvalEnv } from './runtime.js';
import { fromJS, RObject, toJS, type Value } from './value.js';

export { RegoError } from './errors.js';
export type { Value } from './value.js';
export { fromJS, toJS, toJSON, parseJSON, RObject, RSet } from './value.js';

export interface RegoModuleSource {
  file: string;
  source: string;
}

export interface RegoLimits {
  /** Wall-clock budget per evaluation (default 5000 ms). */
  timeoutMs?: number;
  /** Maximum literal evaluations per evaluation (default 10,000,000). */
  maxSteps?: number;
  /** Maximum nesting of user function calls (default 1000). */
  maxDepth?: number;
}

export interface RegoEvalOptions {
  input?: unknown;
  /** Base documents under `data` (plain JSON, or a value from `fromJS` to skip conversion each call). */
  data?: unknown;
  limits?: RegoLimits;
  now?: Date;
  /** Receives `print()` output (default: dropped). */
  print?: (line: string) => void;
  /** Random source for rand.intn / uuid (default Math.random). */
  random?: () => number;
  strictBuiltinErrors?: boolean;
}

export interface RegoEvalError {
  code: string;
  message: string;
  span?: SourceSpan;
}

export interface RegoCompileOptions {
  regoVersion?: 'v0' | 'v1' | 'auto';
  strictBuiltinErrors?: boolean;
}

export interface RegoCompiled {
  /** Evaluate a query like 'data.k8srequiredlabels.violation[x]' or 'x := data.a.b'; results are binding sets with plain JS values (sets become arrays). */
  query(query: string, opts: RegoEvalOptions): { ok: true; results: Record<string, unknown>[] } | { ok: false; error: RegoEvalError };
  /** Same as query, with Rego values (exact big numbers, sets kept as sets). */
  queryValues(query: string, opts: RegoEvalOptions): { ok: true; results: Map<string, Value>[] } | { ok: false; error: RegoEvalError };
  /** Evaluate a document ref e.g. ['k8srequiredlabels','violation'] under data; undefined when not defined. */
  evalRef(ref: string[], opts: RegoEvalOptions): { ok: true; defined: boolean; value?: unknown } | { ok: false; error: RegoEvalError };
  /** Names of rules under a package path (e.g. to find test_ rules). */
  ruleNames(pkg: string[]): string[];
  /** Every package path with its rules' names. */
  packages(): { path: string[]; rules: string[]; file: string }[];
  readonly modules: readonly Module[];
  /** Runs every `test_` rule definition separately, as `opa test` does (`todo_test_` rules are skipped). */
  runTests(opts: RegoEvalOptions & { filter?: RegExp }): RegoTestResult[];
}

export interface RegoTestResult {
  /** data.<package>.<rule>, with #N for repeated definitions */
  name: string;
  status: 'pass' | 'fail' | 'error' | 'skip';
  message?: string;
  span?: SourceSpan;
  durationMs: number;
}

function spanOf(loc: Loc | undefined): SourceSpan | undefined {
  return loc ? { file: loc.file, line: loc.line, column: loc.column } : undefined;
}

/** Parses one module with the requested version ('auto': v1, falling back to v0 when only v0 parses). */
export function parseRegoModule(m: RegoModuleSource, version: 'v0' | 'v1' | 'auto'): Module {
  if (version !== 'auto') return parseModule(m.source, m.file, { version });
  try {
    return parseModule(m.source, m.file, { version: 'v1' });
  } catch (e1) {
    try {
      return parseModule(m.source, m.file, { version: 'v0' });
    } catch {
      throw e1;
    }
  }
}

export function compileRego(
  modules: RegoModuleSource[],
  opts: RegoCompileOptions = {},
): { ok: true; compiled: RegoCompiled } | { ok: false; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const parsed: Module[] = [];
  for (const m of modules) {
    try {
      parsed.push(parseRegoModule(m, opts.regoVersion ?? 'auto'));
    } catch (e) {
      if (e instanceof RegoParseError) diagnostics.push(diag('rego_parse_error', e.message, { span: spanOf(e.loc) }));
      else if (e instanceof RangeError) diagnostics.push(diag('rego_parse_error', 'policy nests too deeply', { span: { file: m.file, line: 1, column: 1 } }));
      else throw e;
    }
  }
  if (diagnostics.length) return { ok: false, diagnostics };
  const builtins = defaultBuiltins();
  let built: ReturnType<typeof buildProgram>;
  try {
    built = buildProgram(parsed, builtins);
  } catch (e) {
    if (e instanceof RangeError) return { ok: false, diagnostics: [diag('rego_compile_error', 'policy nests too deeply')] };
    throw e;
  }
  const { program, errors } = built;
  if (errors.length) return { ok: false, diagnostics: errors.map((e) => diag(e.code, e.message, { span: spanOf(e.loc) })) };
  return { ok: true, compiled: new CompiledRego(program, builtins, opts.strictBuiltinErrors ?? false) };
}

interface CompiledQuery {
  nslots: number;
  fn: BodyFn;
  vars: Map<string, number>;
}

class CompiledRego implements RegoCompiled {
  private readonly queries = new Map<string, CompiledQuery | RegoEvalError>();
  private readonly gen: Gen;
  constructor(
    private readonly program: Program,
    private readonly builtins: BuiltinRegistry,
    private readonly strict: boolean,
  ) {
    this.gen = new Gen(program);
  }

  get modules(): readonly Module[] {
    return this.program.modules;
  }

  private compileQuery(q: string): CompiledQuery | RegoEvalError {
    const cached = this.queries.get(q);
    if (cached) return cached;
    let out: CompiledQuery | RegoEvalError;
    try {
      const body: Literal[] = parseQuery(q);
      if (body.length === 0) throw new RegoParseError('empty query', { file: '<query>', line: 1, column: 1 });
      out = this.gen.compileQuery(body, { file: '<query>', line: 1, column: 1 });
    } catch (e) {
      if (e instanceof RegoParseError) out = { code: 'rego_parse_error', message: e.message, span: spanOf(e.loc) };
      else if (e instanceof RegoError) out = { code: e.code, message: e.message, span: spanOf(e.loc) };
      else throw e;
    }
    if (this.queries.size > 1000) this.queries.clear();
    this.queries.set(q, out);
    return out;
  }

  private ctx(opts: RegoEvalOptions): Ctx {
    const limits = opts.limits ?? {};
    const env: EvalEnv = {
      steps: 0,
      maxSteps: limits.maxSteps ?? 10_000_000,
      deadline: Date.now() + (limits.timeoutMs ?? 5000),
      strict: opts.strictBuiltinErrors ?? this.strict,
      depth: 0,
      maxDepth: limits.maxDepth ?? 1000,
      bctx: {
        now: opts.now ?? new Date(),
        strict: opts.strictBuiltinErrors ?? this.strict,
        print: opts.print ?? (() => undefined),
        cache: new Map(),
        random: opts.random ?? Math.random,
      },
    };
    const data = opts.data === undefined ? new RObject() : fromJS(opts.data);
    return { input: opts.input === undefined ? undefined : fromJS(opts.input), data, cache: new Map(), inProgress: new Set(), env, leaves: new WeakSet() };
  }

  queryValues(query: string, opts: RegoEvalOptions): { ok: true; results: Map<string, Value>[] } | { ok: false; error: RegoEvalError } {
    const cq = this.compileQuery(query);
    if (!('fn' in cq)) return { ok: false, error: cq };
    try {
      const ctx = this.ctx(opts);
      const fr = { s: new Array<Value | undefined>(cq.nslots), ctx, w: [] as Ctx[] };
      const results: Map<string, Value>[] = [];
      cq.fn(fr, () => {
        const m = new Map<string, Value>();
        for (const [name, slot] of cq.vars) {
          const v = fr.s[slot];
          if (v !== undefined) m.set(name, v);
        }
        results.push(m);
        return false;
      });
      return { ok: true, results };
    } catch (e) {
      return { ok: false, error: toEvalError(e) };
    }
  }

  query(query: string, opts: RegoEvalOptions): { ok: true; results: Record<string, unknown>[] } | { ok: false; error: RegoEvalError } {
    const r = this.queryValues(query, opts);
    if (!r.ok) return r;
    return {
      ok: true,
      results: r.results.map((m) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of m) o[k] = toJS(v);
        return o;
      }),
    };
  }

  evalRef(ref: string[], opts: RegoEvalOptions): { ok: true; defined: boolean; value?: unknown } | { ok: false; error: RegoEvalError } {
    try {
      const ctx = this.ctx(opts);
      let node: DocNode = this.program.root;
      let i = 0;
      for (; i < ref.length; i++) {
        const c = node.children.get(ref[i] as string);
        if (!c) break;
        node = c;
      }
      let v: Value | undefined = nodeValue(ctx, node);
      for (; i < ref.length && v !== undefined; i++) {
        const key = ref[i] as string;
        let next: Value | undefined;
        iterate(v, (k, val) => {
          if (k === key) {
            next = val;
            return true;
          }
          return false;
        });
        v = next;
      }
      return v === undefined ? { ok: true, defined: false } : { ok: true, defined: true, value: toJS(v) };
    } catch (e) {
      return { ok: false, error: toEvalError(e) };
    }
  }

  ruleNames(pkg: string[]): string[] {
    let node: DocNode | undefined = this.program.root;
    for (const p of pkg) node = node?.children.get(p);
    if (!node) return [];
    return [...node.children.entries()].filter(([, c]) => c.rules.length > 0).map(([n]) => n);
  }

  packages(): { path: string[]; rules: string[]; file: string }[] {
    const seen = new Map<string, { path: string[]; rules: string[]; file: string }>();
    for (const m of this.program.modules) {
      const key = m.pkg.join('.');
      if (!seen.has(key)) seen.set(key, { path: m.pkg, rules: this.ruleNames(m.pkg), file: m.file });
    }
    return [...seen.values()];
  }

  runTests(opts: RegoEvalOptions & { filter?: RegExp }): RegoTestResult[] {
    const out: RegoTestResult[] = [];
    const visit = (node: DocNode): void => {
      for (const [name, child] of node.children) {
        const isTest = name.startsWith('test_');
        const isTodo = name.startsWith('todo_test_');
        if ((isTest || isTodo) && child.rules.length) {
          const full = 'data.' + child.path.join('.');
          if (opts.filter && !opts.filter.test(full)) continue;
          child.complete.forEach((clause, i) => {
            const label = child.complete.length > 1 && i > 0 ? `${full}#${String(i).padStart(2, '0')}` : full;
            const span = spanOf(clause.loc);
            if (isTodo) {
              out.push({ name: label, status: 'skip', span, durationMs: 0 });
              return;
            }
            const start = performance.now();
            try {
              const ctx = this.ctx(opts);
              let value: Value | undefined;
              runClause(ctx, clause, undefined, (fr, cl) => {
                value = fr.s[cl.valueSlot as number];
                return true;
              });
              const durationMs = performance.now() - start;
              if (value === undefined) out.push({ name: label, status: 'fail', message: 'test rule is undefined', span, durationMs });
              else if (value === false) out.push({ name: label, status: 'fail', message: 'test rule is false', span, durationMs });
              else out.push({ name: label, status: 'pass', span, durationMs });
            } catch (e) {
              const err = toEvalError(e);
              out.push({ name: label, status: 'error', message: `${err.code}: ${err.message}`, span: err.span ?? span, durationMs: performance.now() - start });
            }
          });
        } else visit(child);
      }
    };
    visit(this.program.root);
    return out;
  }

  get registry(): BuiltinRegistry {
    return this.builtins;
  }
}

function toEvalError(e: unknown): RegoEvalError {
  if (e instanceof RegoError) return { code: e.code, message: e.message, span: spanOf(e.loc) };
  // stack exhaustion on pathological documents or policies: report, never crash the caller
  if (e instanceof RangeError) return { code: 'eval_cancel_error', message: `evaluation aborted: ${e.message}` };
  if (e instanceof Error && e.message === 'value nested too deeply') return { code: 'input_too_deep', message: 'input or data nests deeper than 1000 levels' };
  throw e;
}
