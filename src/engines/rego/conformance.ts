/**
 * Runs OPA's YAML conformance cases (v1/test/cases format) against this engine. Pure: callers read the files.
 * A case passes when its bindings (compared as a set) or its error code and message fragment match.
 */
import { parseAllDocuments } from 'yaml';
import { compileRego } from './index.js';
import { canon, fromJS, RObject, RSet, toJSON, type Value } from './value.js';

export interface ConformanceCase {
  note: string;
  query: string;
  modules?: string[];
  data?: unknown;
  input?: unknown;
  input_term?: string;
  want_result?: Record<string, unknown>[];
  sort_bindings?: boolean;
  want_error_code?: string;
  want_error?: string;
  strict_error?: boolean;
  want_defined?: boolean;
  skip?: boolean | string;
}

export interface CaseOutcome {
  file: string;
  index: number;
  note: string;
  status: 'pass' | 'fail' | 'skip';
  message?: string;
}

/** Builtins whose results depend on the network or the host: cases using them are skipped. */
const ENV_BUILTINS = ['http.send', 'net.lookup_ip_addr', 'opa.runtime'];

export function parseCaseFile(text: string): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  for (const doc of parseAllDocuments(text, { intAsBigInt: true })) {
    if (doc.errors.length) throw new Error(doc.errors[0]?.message ?? 'YAML error');
    const v = doc.toJS({ maxAliasCount: 100 }) as { cases?: ConformanceCase[] } | null;
    if (v?.cases) out.push(...v.cases);
  }
  return out;
}

/** Sets become sorted arrays and non-string keys their JSON text, as a result goes over the wire. */
function wire(v: Value): Value {
  if (v instanceof RSet) return v.sorted().map(wire);
  if (Array.isArray(v)) return v.map(wire);
  if (v instanceof RObject) {
    const o = new RObject();
    for (const k of v.keys()) o.setStr(typeof k === 'string' ? k : toJSON(k), wire(v.get(k) as Value));
    return o;
  }
  return v;
}

function bindingKey(b: Map<string, Value>, sort: boolean): string {
  const keys = [...b.keys()].sort();
  return keys
    .map((k) => {
      let v = wire(b.get(k) as Value);
      if (sort && Array.isArray(v)) v = v.slice().sort((x, y) => (canon(x) < canon(y) ? -1 : canon(x) > canon(y) ? 1 : 0));
      return k + '=' + canon(v);
    })
    .join(';');
}

export function runCase(c: ConformanceCase, file: string, index: number): CaseOutcome {
  const base = { file, index, note: c.note ?? `case ${index}` };
  const src = (c.modules ?? []).join('\n') + '\n' + c.query;
  if (c.skip) return { ...base, status: 'skip', message: typeof c.skip === 'string' ? c.skip : 'marked skip' };
  if (ENV_BUILTINS.some((b) => src.includes(b + '('))) return { ...base, status: 'skip', message: 'depends on the network or host environment' };
  const wantErr = c.want_error_code !== undefined || c.want_error !== undefined;
  const fail = (message: string): CaseOutcome => ({ ...base, status: 'fail', message });
  const checkErr = (code: string, message: string, span?: { file: string; line: number }): CaseOutcome => {
    if (!wantErr) return fail(`unexpected error ${code}: ${message}`);
    if (c.want_error_code !== undefined && c.want_error_code !== code) return fail(`want error code ${c.want_error_code}, got ${code}: ${message}`);
    // OPA's error text is "file:line: code: message"
    const full = `${span ? `${span.file}:${span.line}: ` : ''}${code}: ${message}`;
    if (c.want_error !== undefined && !full.includes(c.want_error)) return fail(`want error containing ${JSON.stringify(c.want_error)}, got ${full}`);
    return { ...base, status: 'pass' };
  };
  const compiled = compileRego(
    (c.modules ?? []).map((source, i) => ({ file: `test-${i}.rego`, source })),
    { regoVersion: 'v1', strictBuiltinErrors: c.strict_error === true },
  );
  if (!compiled.ok) {
    const d = compiled.diagnostics[0];
    return checkErr(d?.code ?? 'rego_compile_error', d?.message ?? '', d?.span);
  }
  let input: Value | undefined = c.input === undefined ? undefined : fromJS(c.input);
  if (c.input_term !== undefined) {
    const r = compiled.compiled.queryValues(`__input__ := ${c.input_term}`, {});
    if (!r.ok) return checkErr(r.error.code, r.error.message, r.error.span);
    input = r.results[0]?.get('__input__');
  }
  const r = compiled.compiled.queryValues(c.query, {
    input,
    data: c.data === undefined ? undefined : fromJS(c.data),
    strictBuiltinErrors: c.strict_error === true,
    now: new Date(),
    limits: { timeoutMs: 10_000 },
  });
  if (!r.ok) return checkErr(r.error.code, r.error.message, r.error.span);
  if (wantErr) return fail(`want error ${c.want_error_code ?? ''} ${c.want_error ?? ''}, got ${r.results.length} result(s)`);
  if (c.want_defined !== undefined) {
    const defined = r.results.length > 0;
    return defined === c.want_defined ? { ...base, status: 'pass' } : fail(`want defined=${c.want_defined}, got ${defined}`);
  }
  if (c.want_result === undefined) return fail('case has no expectation');
  const sort = c.sort_bindings === true;
  const want = new Set(c.want_result.map((b) => bindingKey(new Map(Object.entries(b ?? {}).map(([k, v]) => [k, fromJS(v)])), sort)));
  const got = new Set(r.results.map((b) => bindingKey(b, sort)));
  const same = want.size === got.size && [...want].every((w) => got.has(w));
  if (same) return { ...base, status: 'pass' };
  return fail(`want ${[...want].join(' | ') || '(undefined)'}\n     got  ${[...got].join(' | ') || '(undefined)'}`);
}
