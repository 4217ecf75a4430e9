/**
 * Differential test of the Rego engine against the real opa: generated expressions over random values, and
 * gatekeeper-library templates over random pods, each evaluated by both. A disagreement is printed and written
 * as a conformance case (opa's answer as want_result) under test/rego-cases/, which `rampart rego conformance`
 * (and the rego-conformance tier) then runs. Deterministic: the seed is fixed (REGO_DIFF_SEED to vary it).
 *
 *   OPA=.cache/go-bin/opa npx tsx test/tiers/rego-differential/run.ts
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { compileRego, parseJSON, toJS } from '../../../src/engines/rego/index.js';
import { canon, type Value } from '../../../src/engines/rego/value.js';

const OPA = process.env.OPA ?? '.cache/go-bin/opa';
const SEED = Number(process.env.REGO_DIFF_SEED ?? 7);
const N_EXPR = Number(process.env.REGO_DIFF_EXPRS ?? 250);
const N_PODS = Number(process.env.REGO_DIFF_PODS ?? 40);
const CASES_DIR = 'test/rego-cases';
const LIB = '../shared/conformance/gatekeeper-library/library/general';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const rand = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const int = (a: number, b: number): number => a + Math.floor(rand() * (b - a + 1));

const WORDS = ['a', 'b', 'foo', 'bar', 'Foo', 'x.y', 'a-b', '', ' pad ', 'ünï', '10', '1.5', 'true'];
function scalar(): string {
  switch (int(0, 4)) {
    case 0:
      return String(int(-20, 20));
    case 1:
      return (rand() * 100 - 50).toFixed(int(0, 3));
    case 2:
      return JSON.stringify(pick(WORDS));
    case 3:
      return pick(['true', 'false', 'null']);
    default:
      return String(int(0, 5));
  }
}
function value(depth = 0): string {
  if (depth > 2) return scalar();
  switch (int(0, 5)) {
    case 0:
      return `[${Array.from({ length: int(0, 4) }, () => value(depth + 1)).join(', ')}]`;
    case 1:
      return `{${Array.from({ length: int(0, 3) }, () => `${JSON.stringify(pick(WORDS))}: ${value(depth + 1)}`).join(', ')}}`;
    case 2: {
      const items = Array.from({ length: int(0, 4) }, () => scalar());
      return items.length ? `{${items.join(', ')}}` : 'set()';
    }
    default:
      return scalar();
  }
}
const num = (): string => pick([String(int(-50, 50)), (rand() * 20 - 10).toFixed(2), '12345678901234567890', '0']);
const str = (): string => JSON.stringify(pick(WORDS));
const strs = (): string => `[${Array.from({ length: int(0, 4) }, str).join(', ')}]`;
const nums = (): string => `[${Array.from({ length: int(0, 5) }, num).join(', ')}]`;
const set = (): string => {
  const items = Array.from({ length: int(0, 4) }, () => pick([scalar(), str()]));
  return items.length ? `{${items.join(', ')}}` : 'set()';
};

const TEMPLATES: (() => string)[] = [
  () => `${num()} ${pick(['+', '-', '*'])} ${num()}`,
  () => `${num()} / ${pick(['2', '3', '4', '0.5', '7'])}`,
  () => `${int(-30, 30)} % ${pick(['2', '3', '7'])}`,
  () => `${value()} ${pick(['==', '!=', '<', '<=', '>', '>='])} ${value()}`,
  () => `count(${pick([value(), strs(), set(), str()])})`,
  () => `${pick(['sum', 'max', 'min', 'product', 'sort'])}(${nums()})`,
  () => `${pick(['upper', 'lower', 'trim_space', 'strings.reverse'])}(${str()})`,
  () => `${pick(['startswith', 'endswith', 'contains', 'indexof'])}(${str()}, ${str()})`,
  () => `split(${str()}, ${pick(['"."', '"-"', '""', '"a"'])})`,
  () => `concat(${pick(['", "', '"-"', '""'])}, ${strs()})`,
  () => `replace(${str()}, ${str()}, ${str()})`,
  () => `substring(${str()}, ${int(0, 3)}, ${int(-1, 4)})`,
  () => `trim(${str()}, ${pick(['" "', '"a"', '"ab"'])})`,
  () => `sprintf(${pick(['"%v"', '"%s-%d"', '"%v %v"', '"%q"', '"x=%.2f"'])}, [${value()}, ${num()}])`,
  () => `${set()} ${pick(['|', '&', '-'])} ${set()}`,
  () => `${value()} in ${pick([value(), strs(), set()])}`,
  () => `[x | some x in ${pick([value(), strs(), nums()])}]`,
  () => `{k: v | some k, v in ${value()}}`,
  () => `{x | some x in ${strs()}; x != ${str()}}`,
  () => `object.get(${value()}, ${pick([str(), `[${str()}, ${str()}]`])}, "dflt")`,
  () => `object.union(${value()}, ${value()})`,
  () => `object.remove(${value()}, ${strs()})`,
  () => `array.concat(${nums()}, ${strs()})`,
  () => `array.slice(${nums()}, ${int(-1, 3)}, ${int(0, 5)})`,
  () => `json.marshal(${value()})`,
  () => `json.unmarshal(${JSON.stringify(JSON.stringify({ a: [1, 2.5, 'x'], b: null }))})`,
  () => `base64.encode(${str()})`,
  () => `is_number(${value()})`,
  () => `type_name(${value()})`,
  () => `to_number(${pick(['"12"', '"-3.5"', '"abc"', 'true', 'null', '7'])})`,
  () => `regex.match(${pick(['"^a"', '"o+"', '"[0-9]+"', '"^$"'])}, ${str()})`,
  () => `glob.match(${pick(['"*.y"', '"a*"', '"**"', '"?"'])}, [${pick(['"."', ''])}], ${str()})`,
  () => `units.parse_bytes(${pick(['"10Mi"', '"1K"', '"5"', '"2G"', '"1.5Ki"'])})`,
  () => `units.parse(${pick(['"100m"', '"2"', '"1.5k"', '"3Mi"'])})`,
  () => `net.cidr_contains(${pick(['"10.0.0.0/8"', '"192.168.1.0/24"'])}, ${pick(['"10.1.2.3"', '"192.168.1.7"', '"192.168.2.0/24"'])})`,
  () => `semver.compare(${pick(['"1.2.3"', '"1.10.0"', '"1.2.3-rc.1"'])}, ${pick(['"1.2.3"', '"1.9.9"', '"1.2.3-beta"'])})`,
  () => `format_int(${int(-300, 300)}, ${pick(['2', '8', '10', '16'])})`,
  // ceil of a negative fraction: opa 1.22 answers 1 for ceil(-0.64); Rampart answers -0 → 0 (see docs/rego.md)
  () => `[abs(${num()}), round(${num()}), ceil(${String(int(0, 9))}.${int(1, 9)}), floor(${num()})]`,
  () => `walk(${value()}, [p, v])`,
  () => `every x in ${nums()} { x > ${int(-5, 5)} }`,
  () => `numbers.range(${int(-3, 3)}, ${int(-3, 3)})`,
];

interface Outcome {
  defined: boolean;
  /** canonical text of each result (sorted) */
  values: string[];
  /** opa's JSON values, to write as a case's expectation */
  raw?: unknown[];
  error?: string;
}

function opaEval(args: string[]): Outcome {
  try {
    const out = execFileSync(OPA, ['eval', '--format', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).toString();
    const j = JSON.parse(out) as { result?: { bindings?: Record<string, unknown> }[] };
    const raw = (j.result ?? []).map((r) => r.bindings?.x ?? null);
    const values = raw.map((x) => canon(parseJSON(JSON.stringify(x))));
    return { defined: values.length > 0, values: values.sort(), raw };
  } catch (e) {
    const text = String((e as { stdout?: Buffer }).stdout ?? '');
    let code = 'error';
    try {
      code = (JSON.parse(text) as { errors?: { code: string }[] }).errors?.[0]?.code ?? 'error';
    } catch {
      // not JSON
    }
    return { defined: false, values: [], error: code };
  }
}

function ourEval(modules: { file: string; source: string }[], query: string, input: unknown, v0: boolean): Outcome {
  const c = compileRego(modules, { regoVersion: v0 ? 'v0' : 'v1' });
  if (!c.ok) return { defined: false, values: [], error: c.diagnostics[0]?.code ?? 'error' };
  const r = c.compiled.queryValues(query, { input, limits: { timeoutMs: 10_000 } });
  if (!r.ok) return { defined: false, values: [], error: r.error.code };
  const values = r.results.map((b) => canon(parseJSON(JSON.stringify(toJS(b.get('x') as Value), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)))));
  return { defined: values.length > 0, values: values.sort() };
}

function same(a: Outcome, b: Outcome): boolean {
  if (a.error || b.error) return !!a.error === !!b.error && (a.error === b.error || (a.error?.startsWith('rego_') ?? false) === (b.error?.startsWith('rego_') ?? false));
  return a.values.join('|') === b.values.join('|');
}

let passed = 0;
let failed = 0;
/** opa's static type checker rejects the expression; Rampart checks operand types of constants only */
let typeGaps = 0;
const work = mkdtempSync(join(tmpdir(), 'rego-diff-'));
mkdirSync(CASES_DIR, { recursive: true });

function record(note: string, modules: string[], query: string, input: unknown, opa: Outcome, ours: Outcome): void {
  failed++;
  console.log(`DIFF ${note}\n  query: ${query}\n  opa:  ${opa.error ?? opa.values.join(' | ')}\n  ours: ${ours.error ?? ours.values.join(' | ')}`);
  const c: Record<string, unknown> = { note, query, modules };
  if (input !== undefined) c.input = input;
  if (opa.error) c.want_error_code = opa.error;
  else c.want_result = (opa.raw ?? []).map((x) => ({ x }));
  const hash = createHash('sha256').update(note + query + JSON.stringify(input ?? null)).digest('hex').slice(0, 12);
  // only values that survive JSON text are written; the canonical form is close enough for scalars/arrays
  writeFileSync(join(CASES_DIR, `diff-${hash}.yaml`), stringify({ cases: [c] }));
}

// 1. generated expressions
for (let i = 0; i < N_EXPR; i++) {
  const expr = (TEMPLATES[i % TEMPLATES.length] as () => string)();
  const query = expr.startsWith('every') ? `x := true; ${expr}` : expr.startsWith('walk') ? `${expr}; x := [p, v]` : `x := ${expr}`;
  const opa = opaEval([query]);
  const ours = ourEval([], query, undefined, false);
  if (same(opa, ours)) passed++;
  else if (opa.error === 'rego_type_error' && !ours.error) {
    typeGaps++;
    console.log(`TYPE-GAP ${query} (opa: rego_type_error)`);
  } else record(`differential/expr ${i}`, [], query, undefined, opa, ours);
}

// 2. gatekeeper-library templates over random pods
const GK: { dir: string; params: unknown }[] = [
  { dir: 'requiredlabels', params: { labels: [{ key: 'owner', allowedRegex: '^[a-z]+$' }, { key: 'app' }] } },
  { dir: 'allowedrepos', params: { repos: ['gcr.io/safe/', 'docker.io/'] } },
  { dir: 'containerlimits', params: { cpu: '200m', memory: '1Gi' } },
  { dir: 'disallowedtags', params: { tags: ['latest', 'dev'], exemptImages: ['gcr.io/safe/exempt:*'] } },
];
function pod(): unknown {
  const containers = Array.from({ length: int(1, 3) }, (_, j) => {
    const c: Record<string, unknown> = { name: `c${j}`, image: `${pick(['gcr.io/safe/', 'docker.io/', 'quay.io/x/'])}${pick(['app', 'exempt'])}:${pick(['latest', 'v1', 'dev'])}` };
    if (rand() < 0.8) c.resources = { limits: { cpu: pick(['100m', '1', '250m', '2']), memory: pick(['512Mi', '2Gi', '1Gi', '100M']) } };
    return c;
  });
  const labels: Record<string, string> = {};
  if (rand() < 0.7) labels.owner = pick(['team', 'Team1', 'ops']);
  if (rand() < 0.5) labels.app = 'x';
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${int(0, 999)}`, labels }, spec: { containers } };
}
if (existsSync(LIB)) {
  for (const g of GK) {
    type Target = { rego?: string; libs?: string[]; code?: { engine: string; source: { rego?: string; libs?: string[] } }[] };
    const tpl = parse(readFileSync(join(LIB, g.dir, 'template.yaml'), 'utf8')) as { spec: { targets: Target[] } };
    const raw = tpl.spec.targets[0] as Target;
    const src = raw.rego ?? raw.code?.find((c) => c.engine === 'Rego')?.source.rego ?? '';
    const libs = raw.libs ?? raw.code?.find((c) => c.engine === 'Rego')?.source.libs ?? [];
    const pkg = /package\s+([\w.]+)/.exec(src)?.[1] as string;
    const files = [src, ...libs].map((s, i) => {
      const f = join(work, `${g.dir}-${i}.rego`);
      writeFileSync(f, s);
      return f;
    });
    const query = `x := data.${pkg}.violation`;
    for (let i = 0; i < N_PODS; i++) {
      const input = { review: { object: pod(), kind: { kind: 'Pod', group: '', version: 'v1' }, operation: 'CREATE' }, parameters: g.params };
      const inputFile = join(work, 'input.json');
      writeFileSync(inputFile, JSON.stringify(input));
      const opa = opaEval(['--v0-compatible', ...files.flatMap((f) => ['-d', f]), '-i', inputFile, query]);
      const ours = ourEval([src, ...libs].map((s, j) => ({ file: `m${j}.rego`, source: s })), query, input, true);
      if (same(opa, ours)) passed++;
      else record(`differential/${g.dir} ${i}`, [src, ...libs].map((s) => (s.includes('import rego.v1') ? s : s)), query, input, opa, ours);
    }
  }
} else console.log(`rego-differential: ${LIB} missing, Gatekeeper templates skipped`);

if (typeGaps) console.log(`${typeGaps} expressions rejected by opa's static type checker only (not counted)`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
