/**
 * Runs the CEL specification's conformance data (@bufbuild/cel-spec, cel-spec v0.25.1) against CEL engines.
 * Used by bench/cel.ts (all candidates side by side) and test/tiers/cel-conformance.sh (the chosen engine).
 *
 * Scope: tests needing protobuf messages (a container, message types, objectValue bindings/results) are
 * skipped for every engine — Kubernetes CEL has no protobuf messages; so are type-deduction-only tests
 * (checkOnly). Expected errors match any error (messages differ between implementations).
 *
 *   npx tsx test/cel/conformance.ts [--engine rampart|marcbachmann|bufbuild|cel-js] [--kubernetes]
 *                                   [--min-rate 0.87] [--failures]
 */
import { getConformanceSuite } from '@bufbuild/cel-spec/testdata/tests.js';
import { pathToFileURL } from 'node:url';

/** Engine-neutral value: tagged so int 1, uint 1 and double 1 stay distinct. */
export type Canon =
  | ['int', string]
  | ['uint', string]
  | ['double', number]
  | ['string', string]
  | ['bytes', string]
  | ['bool', boolean]
  | ['null']
  | ['list', Canon[]]
  | ['map', Array<[Canon, Canon]>]
  | ['type', string]
  | ['timestamp', string]
  | ['duration', string]
  | ['opaque', string];

export interface ConformanceCase {
  section: string;
  name: string;
  expr: string;
  /** Declared variables: name → CEL type name ('int', 'list<string>', 'dyn', ...). */
  decls: Record<string, string>;
  bindings: Record<string, Canon>;
  disableCheck: boolean;
  expected: { kind: 'value'; value: Canon } | { kind: 'error' };
}

export type Outcome = { kind: 'value'; value: Canon } | { kind: 'error'; message: string };

export interface Candidate {
  name: string;
  /** Ints and doubles are one JS number type in this engine: compare numbers by value only. */
  looseNumbers?: boolean;
  run(test: ConformanceCase): Outcome;
}

export interface SectionStats {
  passed: number;
  failed: number;
  skipped: number;
}

export interface ConformanceReport {
  engine: string;
  sections: Map<string, SectionStats>;
  passed: number;
  failed: number;
  skipped: number;
  failures: Array<{ section: string; name: string; expr: string; got: string; want: string }>;
}

type Proto = any;

const PRIMITIVES: Record<number, string> = { 1: 'bool', 2: 'int', 3: 'uint', 4: 'double', 5: 'string', 6: 'bytes' };
const WELL_KNOWN: Record<number, string> = { 1: 'dyn', 2: 'google.protobuf.Timestamp', 3: 'google.protobuf.Duration' };

class Skip extends Error {}

function declType(t: Proto): string {
  const k = t?.typeKind;
  switch (k?.case) {
    case 'primitive':
      return PRIMITIVES[k.value] ?? 'dyn';
    case 'listType':
      return `list<${declType(k.value.elemType)}>`;
    case 'mapType':
      return `map<${declType(k.value.keyType)}, ${declType(k.value.valueType)}>`;
    case 'wellKnown':
      return WELL_KNOWN[k.value] ?? 'dyn';
    case 'dyn':
      return 'dyn';
    case 'null':
      return 'null_type';
    case 'messageType':
    case 'wrapper':
      throw new Skip('protobuf message type');
    default:
      return 'dyn';
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function canonFromProto(v: Proto): Canon {
  const k = v?.kind;
  switch (k?.case) {
    case 'nullValue':
      return ['null'];
    case 'boolValue':
      return ['bool', k.value];
    case 'int64Value':
      return ['int', String(k.value)];
    case 'uint64Value':
      return ['uint', String(k.value)];
    case 'doubleValue':
      return ['double', k.value];
    case 'stringValue':
      return ['string', k.value];
    case 'bytesValue':
      return ['bytes', hex(k.value)];
    case 'listValue':
      return ['list', k.value.values.map(canonFromProto)];
    case 'mapValue':
      return ['map', k.value.entries.map((e: Proto) => [canonFromProto(e.key), canonFromProto(e.value)])];
    case 'typeValue':
      return ['type', k.value];
    case 'enumValue':
      return ['int', String(k.value.value)];
    default:
      throw new Skip(`protobuf ${k?.case ?? 'empty'} value`);
  }
}

/** Loads the conformance suite as engine-neutral cases; proto-dependent tests come back as skip reasons. */
export function loadConformance(): Array<ConformanceCase | { section: string; name: string; skip: string }> {
  const out: Array<ConformanceCase | { section: string; name: string; skip: string }> = [];
  const walk = (suite: Proto, section: string): void => {
    for (const t of suite.tests ?? []) {
      const o = t.original;
      const name = `${section}/${o.name}`;
      try {
        if (o.container) throw new Skip('protobuf container');
        if (o.checkOnly) throw new Skip('type deduction only');
        if (/TestAllTypes|google\.protobuf\.|proto[23]\./.test(o.expr)) throw new Skip('protobuf message in expression');
        const decls: Record<string, string> = {};
        for (const d of o.typeEnv) {
          if (d.declKind.case !== 'ident') throw new Skip('custom function declaration');
          decls[d.name] = declType(d.declKind.value.type);
        }
        const bindings: Record<string, Canon> = {};
        for (const [bn, ev] of Object.entries<Proto>(o.bindings)) {
          if (ev.kind.case !== 'value') throw new Skip('non-value binding');
          bindings[bn] = canonFromProto(ev.kind.value);
          decls[bn] ??= 'dyn';
        }
        const m = o.resultMatcher;
        let expected: ConformanceCase['expected'];
        if (m.case === undefined) expected = { kind: 'value', value: ['bool', true] };
        else if (m.case === 'value') expected = { kind: 'value', value: canonFromProto(m.value) };
        else if (m.case === 'typedResult' && m.value.result) expected = { kind: 'value', value: canonFromProto(m.value.result) };
        else if (m.case === 'evalError' || m.case === 'anyEvalErrors') expected = { kind: 'error' };
        else throw new Skip(`result matcher ${m.case}`);
        out.push({ section, name, expr: o.expr, decls, bindings, disableCheck: o.disableCheck, expected });
      } catch (err) {
        if (!(err instanceof Skip)) throw err;
        out.push({ section, name, skip: err.message });
      }
    }
    for (const s of suite.suites ?? []) walk(s, section === '' ? s.name : section);
  };
  walk(getConformanceSuite(), '');
  return out;
}

export function canonEquals(a: Canon, b: Canon, looseNumbers = false): boolean {
  if (looseNumbers) {
    const na = numericOf(a);
    const nb = numericOf(b);
    if (na !== undefined && nb !== undefined) return na === nb || (Number.isNaN(na) && Number.isNaN(nb));
  }
  if (a[0] !== b[0]) return false;
  switch (a[0]) {
    case 'double': {
      const x = a[1];
      const y = (b as ['double', number])[1];
      return x === y || (Number.isNaN(x) && Number.isNaN(y));
    }
    case 'list': {
      const bl = (b as ['list', Canon[]])[1];
      return a[1].length === bl.length && a[1].every((x, i) => canonEquals(x, bl[i], looseNumbers));
    }
    case 'map': {
      const bm = (b as ['map', Array<[Canon, Canon]>])[1];
      if (a[1].length !== bm.length) return false;
      return a[1].every(([k, v]) => bm.some(([k2, v2]) => canonEquals(k, k2, looseNumbers) && canonEquals(v, v2, looseNumbers)));
    }
    default:
      return JSON.stringify(a) === JSON.stringify(b);
  }
}

function numericOf(c: Canon): number | undefined {
  if (c[0] === 'int' || c[0] === 'uint') return Number(c[1]);
  if (c[0] === 'double') return c[1];
  return undefined;
}

export function showCanon(c: Canon): string {
  return JSON.stringify(c, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/**
 * Extension libraries the Kubernetes API server does not enable (environment/base.go): with `kubernetesOnly`
 * their tests count as skipped, since a policy using them would be rejected by the API server anyway.
 */
export const NOT_IN_KUBERNETES: ReadonlySet<string> = new Set(['math_ext', 'encoders_ext', 'block_ext']);

export function runConformance(
  candidate: Candidate,
  cases = loadConformance(),
  opts: { kubernetesOnly?: boolean } = {},
): ConformanceReport {
  const report: ConformanceReport = { engine: candidate.name, sections: new Map(), passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const c of cases) {
    let stats = report.sections.get(c.section);
    if (!stats) report.sections.set(c.section, (stats = { passed: 0, failed: 0, skipped: 0 }));
    if ('skip' in c || (opts.kubernetesOnly && NOT_IN_KUBERNETES.has(c.section))) {
      stats.skipped++;
      report.skipped++;
      continue;
    }
    let got: Outcome;
    try {
      got = candidate.run(c);
    } catch (err) {
      got = { kind: 'error', message: `threw: ${(err as Error)?.message ?? String(err)}` };
    }
    const ok =
      c.expected.kind === 'error'
        ? got.kind === 'error'
        : got.kind === 'value' && canonEquals(got.value, c.expected.value, candidate.looseNumbers);
    if (ok) {
      stats.passed++;
      report.passed++;
    } else {
      stats.failed++;
      report.failed++;
      report.failures.push({
        section: c.section,
        name: c.name,
        expr: c.expr,
        got: got.kind === 'value' ? showCanon(got.value) : `error: ${got.message.split('\n')[0]}`,
        want: c.expected.kind === 'value' ? showCanon(c.expected.value) : 'an error',
      });
    }
  }
  return report;
}

export function passRate(r: ConformanceReport): number {
  return r.passed / Math.max(1, r.passed + r.failed);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const engine = args.includes('--engine') ? args[args.indexOf('--engine') + 1] : 'rampart';
  const minRate = args.includes('--min-rate') ? Number(args[args.indexOf('--min-rate') + 1]) : 0;
  const kubernetesOnly = args.includes('--kubernetes');
  const { candidates } = await import('./candidates.js');
  const candidate = candidates().find((c) => c.name === engine);
  if (!candidate) {
    console.error(`unknown engine ${engine}`);
    process.exit(2);
  }
  const report = runConformance(candidate, loadConformance(), { kubernetesOnly });
  for (const [section, s] of report.sections) {
    console.log(`${section.padEnd(18)} ${String(s.passed).padStart(4)} passed ${String(s.failed).padStart(4)} failed ${String(s.skipped).padStart(4)} skipped`);
  }
  if (args.includes('--failures')) {
    for (const f of report.failures) console.log(`FAIL ${f.name}: ${f.expr}\n     got ${f.got}\n     want ${f.want}`);
  }
  const rate = passRate(report);
  console.log(`pass rate ${(rate * 100).toFixed(1)}% (threshold ${(minRate * 100).toFixed(1)}%)`);
  console.log(`${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`);
  if (rate < minRate) process.exit(1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
