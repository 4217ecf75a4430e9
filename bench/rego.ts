/**
 * Rego engine benchmark: gatekeeper-library templates (compiled once) evaluated against N generated pods, each
 * through the public API (query per pod with the pod as input, as the Gatekeeper layer does), and the same
 * workload run by the real `opa eval` in one process (a comprehension over the pods with `with input as`),
 * plus the same comprehension query in Rampart so the two engines run identical Rego.
 *
 *   npx tsx bench/rego.ts [pods=10000]
 *
 * opa: .cache/go-bin/opa (installed by test/tiers/rego-differential.sh) or on PATH; skipped when absent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { pathToFileURL } from 'node:url';

/**
 * The engine is compiled with tsc into .cache/rego-bench first: running it through tsx would measure esbuild's
 * keep-names wrappers around every closure instead of the engine (the CLI ships tsc output too).
 */
function buildEngine(): string {
  const out = join(process.cwd(), '.cache/rego-bench');
  execFileSync('npx', ['--no-install', 'tsc', '--outDir', out, '--rootDir', 'src', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--strict', '--types', 'node', 'src/engines/rego/index.ts'], { stdio: 'inherit' });
  return pathToFileURL(join(out, 'engines/rego/index.js')).href;
}
const { compileRego, fromJS } = (await import(buildEngine())) as typeof import('../src/engines/rego/index.js');

const N = Number(process.argv[2] ?? 10000);
const LIB = '../shared/conformance/gatekeeper-library/library/general';
const TEMPLATES: { dir: string; params: unknown }[] = [
  { dir: 'requiredlabels', params: { labels: [{ key: 'owner', allowedRegex: '^[a-z]+\\.agilebank\\.demo$' }] } },
  { dir: 'allowedrepos', params: { repos: ['gcr.io/safe/', 'docker.io/library/'] } },
  { dir: 'containerlimits', params: { cpu: '200m', memory: '1Gi' } },
  { dir: 'disallowedtags', params: { tags: ['latest'], exemptImages: [] } },
  { dir: 'block-nodeport-services', params: {} },
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makePods(n: number): unknown[] {
  const r = rng(42);
  const pods: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const containers = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, j) => ({
      name: `c${j}`,
      image: `${r() < 0.5 ? 'gcr.io/safe/' : 'quay.io/other/'}app${j}:${r() < 0.3 ? 'latest' : 'v1.' + j}`,
      resources: r() < 0.7 ? { limits: { cpu: r() < 0.5 ? '100m' : '1', memory: r() < 0.5 ? '512Mi' : '2Gi' } } : {},
    }));
    const labels: Record<string, string> = { app: `app${i}` };
    if (r() < 0.6) labels.owner = r() < 0.5 ? 'team.agilebank.demo' : 'nobody';
    pods.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace: 'default', labels }, spec: { containers } });
  }
  return pods;
}

function findOpa(): string | undefined {
  const local = join(process.cwd(), '.cache/go-bin/opa');
  if (existsSync(local)) return local;
  try {
    execFileSync('opa', ['version'], { stdio: 'ignore' });
    return 'opa';
  } catch {
    return undefined;
  }
}

function main(): void {
  if (!existsSync(LIB)) {
    console.log(`bench/rego: ${LIB} not found (shared conformance data missing); skipped`);
    return;
  }
  const pods = makePods(N);
  const opa = findOpa();
  const work = mkdtempSync(join(tmpdir(), 'rampart-rego-bench-'));
  writeFileSync(join(work, 'pods.json'), JSON.stringify({ pods }));
  console.log(`# Rego: ${TEMPLATES.length} gatekeeper-library templates x ${N} pods (node ${process.version})`);
  console.log('template                    rampart-api ms  rampart-query ms  opa-eval ms  ratio(opa/rampart-query)  violations');
  let totalApi = 0;
  let totalQ = 0;
  let totalOpa = 0;
  for (const t of TEMPLATES) {
    type Target = { rego?: string; libs?: string[]; code?: { engine: string; source: { rego?: string; libs?: string[] } }[] };
    const tpl = parse(readFileSync(join(LIB, t.dir, 'template.yaml'), 'utf8')) as { spec: { targets: Target[] } };
    const raw = tpl.spec.targets[0] as Target;
    const regoCode = raw.code?.find((c) => c.engine === 'Rego')?.source;
    const target = { rego: raw.rego ?? regoCode?.rego ?? '', libs: raw.libs ?? regoCode?.libs };
    const modules = [{ file: `${t.dir}.rego`, source: target.rego }, ...(target.libs ?? []).map((l, i) => ({ file: `${t.dir}-lib${i}.rego`, source: l }))];
    const pkg = /package\s+([\w.]+)/.exec(target.rego)?.[1] as string;
    const c = compileRego(modules, { regoVersion: 'v0' });
    if (!c.ok) {
      console.log(`${t.dir}: compile failed ${JSON.stringify(c.diagnostics)}`);
      continue;
    }
    const params = fromJS(t.params);
    const inputs = pods.map((p) => fromJS({ review: { object: p, kind: { kind: 'Pod', group: '', version: 'v1' }, operation: 'CREATE' }, parameters: t.params }));
    void params;
    // 1. API: one query per pod (what the Gatekeeper layer does)
    const q = `data.${pkg}.violation[x]`;
    c.compiled.query(q, { input: inputs[0] });
    let violations = 0;
    let t0 = performance.now();
    for (const input of inputs) {
      const r = c.compiled.queryValues(q, { input });
      if (r.ok) violations += r.results.length;
    }
    const apiMs = performance.now() - t0;
    // 2. the same comprehension query opa runs
    const bulk = `n := count([v | some i; pod := data.pods[i]; v := data.${pkg}.violation with input as {"review": {"object": pod, "kind": {"kind": "Pod", "group": "", "version": "v1"}, "operation": "CREATE"}, "parameters": ${JSON.stringify(t.params)}}])`;
    const data = fromJS({ pods });
    t0 = performance.now();
    const br = c.compiled.queryValues(bulk, { data, limits: { timeoutMs: 600_000, maxSteps: 1e10 } });
    const qMs = performance.now() - t0;
    if (!br.ok) console.log(`${t.dir}: bulk query failed ${JSON.stringify(br.error)}`);
    // 3. opa eval, same query, same data; its own parse/compile time is reported by --profile? we time the process minus an empty run
    let opaMs = NaN;
    if (opa) {
      const files = modules.map((m) => {
        writeFileSync(join(work, m.file), m.source);
        return ['-d', join(work, m.file)];
      });
      const args = ['eval', '--v0-compatible', ...files.flat(), '-d', join(work, 'pods.json'), '--format', 'json', '--metrics', bulk];
      const out = JSON.parse(execFileSync(opa, args, { maxBuffer: 256 * 1024 * 1024 }).toString()) as { metrics?: Record<string, number> };
      opaMs = (out.metrics?.timer_rego_query_eval_ns ?? NaN) / 1e6;
    }
    totalApi += apiMs;
    totalQ += qMs;
    totalOpa += opaMs;
    console.log(
      `${t.dir.padEnd(28)}${apiMs.toFixed(0).padStart(14)}${qMs.toFixed(0).padStart(18)}${(Number.isNaN(opaMs) ? 'n/a' : opaMs.toFixed(0)).padStart(13)}${(Number.isNaN(opaMs) ? 'n/a' : (opaMs / qMs).toFixed(2)).padStart(26)}${String(violations).padStart(12)}`,
    );
  }
  console.log(`total: rampart-api ${totalApi.toFixed(0)} ms, rampart-query ${totalQ.toFixed(0)} ms, opa-eval ${Number.isNaN(totalOpa) ? 'n/a' : totalOpa.toFixed(0) + ' ms'}; ratio opa/rampart ${Number.isNaN(totalOpa) ? 'n/a' : (totalOpa / totalQ).toFixed(2)}`);
  console.log('(opa time is timer_rego_query_eval_ns from --metrics: evaluation only, parse/compile/data load excluded)');
}

main();
