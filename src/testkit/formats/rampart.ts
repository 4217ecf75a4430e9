import { diag, type Diagnostic } from '../../core/diagnostic.js';
import { MemoryInventory } from '../../k8s/inventory.js';
import { loadManifestText } from '../../k8s/load.js';
import { isObject, meta, type KObject, type LoadedObject } from '../../k8s/object.js';
import { aggregate, compileForTest, dirOf, evaluateResources, loadPaths, resolvePath } from '../offline.js';
import type { Suite, SuiteFormat, SuiteIO, TestCaseResult } from '../suite.js';

/**
 * Rampart's own policy test format (docs/testing.md):
 *   apiVersion: rampart.dev/v1alpha1, kind: PolicyTest, policies (paths), resources (paths or inline objects),
 *   params (paths or inline objects added to the inventory), namespaces (Namespace objects or {name, labels}),
 *   expect[]: {resource(s), kind?, namespace?, policy (id or name), rule?, result, message? (regex)}.
 */
export const RESULTS = ['pass', 'fail', 'skip', 'warn', 'error', 'unsupported'] as const;
const HEADER = /^apiVersion:\s*["']?rampart\.dev\/v1alpha1["']?\s*$/m;
const KIND = /^kind:\s*["']?PolicyTest["']?\s*$/m;

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

function inline(list: unknown, test: LoadedObject, key: string): LoadedObject[] {
  if (!Array.isArray(list)) return [];
  const out: LoadedObject[] = [];
  list.forEach((item, i) => {
    if (!isObject(item)) return;
    const span = test.locate([key, i]);
    out.push({ object: item as KObject, span, locate: (p) => test.locate([key, i, ...p]) });
  });
  return out;
}

function namespaceObjects(list: unknown): KObject[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((n) => {
    if (n.kind === 'Namespace') return n as KObject;
    const labels = isObject(n.labels) ? (n.labels as Record<string, string>) : {};
    const name = String(n.name ?? '');
    return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
  });
}

/** `name`, `kind/name` or `kind/namespace/name`. */
function parseRef(ref: string): { kind?: string; namespace?: string; name: string } {
  const p = ref.split('/');
  if (p.length === 3) return { kind: p[0], namespace: p[1], name: p[2] };
  if (p.length === 2) return { kind: p[0], name: p[1] };
  return { name: ref };
}

class RampartSuite implements Suite {
  readonly format = 'rampart';
  constructor(
    readonly path: string,
    private readonly doc: LoadedObject,
  ) {}

  async run(io: SuiteIO): Promise<{ results: TestCaseResult[]; diagnostics: Diagnostic[] }> {
    const diagnostics: Diagnostic[] = [];
    const results: TestCaseResult[] = [];
    const t = this.doc.object as Record<string, unknown>;
    const at = (p: (string | number)[]) => this.doc.locate(p);
    const dir = dirOf(this.path);
    const name = String(meta(this.doc.object).name ?? this.path);
    const policyPaths = strings(t.policies).map((p) => resolvePath(dir, p));
    if (policyPaths.length === 0) diagnostics.push(diag('test_invalid', `${name}: policies is empty`, { span: at(['policies']) }));
    const pol = loadPaths(policyPaths, io, at(['policies']));
    const res = loadPaths(strings(t.resources).map((p) => resolvePath(dir, p)), io, at(['resources']));
    const par = loadPaths(strings(t.params).map((p) => resolvePath(dir, p)), io, at(['params']));
    diagnostics.push(...pol.diagnostics, ...res.diagnostics, ...par.diagnostics);
    const resources = [...res.objects, ...inline(t.resources, this.doc, 'resources')].map((o) => o.object);
    const params = [...par.objects, ...inline(t.params, this.doc, 'params')].map((o) => o.object);
    const compiled = compileForTest([...pol.objects, ...inline(t.policies, this.doc, 'policies')]);
    diagnostics.push(...compiled.diagnostics.filter((d) => d.severity !== 'info'));
    const inventory = new MemoryInventory([...namespaceObjects(t.namespaces), ...params, ...resources]);
    const evaluations = evaluateResources(compiled.policies, resources, inventory, io.now);
    const expect = Array.isArray(t.expect) ? t.expect : [];
    if (expect.length === 0) diagnostics.push(diag('test_invalid', `${name}: expect is empty; a test without expectations proves nothing`, { span: at(['expect']) }));
    expect.forEach((raw, i) => {
      const span = at(['expect', i]);
      if (!isObject(raw)) return;
      const result = String(raw.result ?? '');
      const policy = String(raw.policy ?? '');
      if (!(RESULTS as readonly string[]).includes(result) || policy === '') {
        diagnostics.push(diag('test_invalid', `${name}: expect[${i}] needs policy and result (one of ${RESULTS.join(', ')})`, { span }));
        return;
      }
      let messageRe: RegExp | undefined;
      if (typeof raw.message === 'string') {
        try {
          messageRe = new RegExp(raw.message);
        } catch (e) {
          diagnostics.push(diag('test_invalid', `${name}: expect[${i}].message is not a valid regular expression: ${(e as Error).message}`, { span }));
          return;
        }
      }
      const rule = typeof raw.rule === 'string' && raw.rule !== '' ? raw.rule : undefined;
      const ids = new Set(compiled.policies.filter((p) => p.policy.meta.id === policy || p.name === policy).map((p) => p.policy.meta.id));
      for (const ref of [...strings(raw.resource), ...strings(raw.resources)]) {
        const r = parseRef(ref);
        const kind = typeof raw.kind === 'string' ? raw.kind : r.kind;
        const namespace = typeof raw.namespace === 'string' ? raw.namespace : r.namespace;
        const caseName = `${policy}${rule ? `/${rule}` : ''} ${kind ? `${kind}/` : ''}${namespace ? `${namespace}/` : ''}${r.name}`;
        const base = { format: 'rampart', suite: this.path, name: caseName, expected: result, span };
        if (ids.size === 0) {
          results.push({ ...base, status: 'fail', actual: 'missing', message: `no loaded policy has id or name ${policy}` });
          continue;
        }
        const evals = evaluations.filter(
          (ev) => meta(ev.resource).name === r.name && (kind === undefined || ev.resource.kind === kind) && (namespace === undefined || (meta(ev.resource).namespace ?? 'default') === namespace),
        );
        if (evals.length === 0) {
          results.push({ ...base, status: 'fail', actual: 'missing', message: `resource ${ref} is not among the test's resources` });
          continue;
        }
        const relevant = evals.flatMap((ev) => ev.results.filter((x) => ids.has(x.policyId) && (rule === undefined || x.rule === rule)));
        const actual = aggregate(relevant);
        if (actual !== result) {
          const why = relevant.find((x) => x.status !== 'pass' && x.message)?.message;
          results.push({ ...base, status: 'fail', actual, message: why ?? (relevant.length === 0 ? 'no rule applied to the resource' : undefined) });
          continue;
        }
        if (messageRe) {
          const messages = relevant.filter((x) => x.status !== 'pass').map((x) => x.message);
          if (!messages.some((m) => messageRe!.test(m))) {
            results.push({ ...base, status: 'fail', actual, message: `no message matches /${messageRe.source}/; messages: ${messages.map((m) => JSON.stringify(m)).join(', ') || '(none)'}` });
            continue;
          }
        }
        results.push({ ...base, status: 'pass', actual });
      }
    });
    return { results, diagnostics };
  }
}

export const rampartFormat: SuiteFormat = {
  name: 'rampart',
  collect(files: readonly string[], io: SuiteIO): Suite[] {
    const suites: Suite[] = [];
    for (const f of files) {
      if (!/\.ya?ml$/i.test(f)) continue;
      let text: string;
      try {
        text = io.readText(f);
      } catch {
        continue;
      }
      if (!HEADER.test(text) || !KIND.test(text)) continue;
      for (const o of loadManifestText(text, f).objects) {
        if (o.object.apiVersion === 'rampart.dev/v1alpha1' && o.object.kind === 'PolicyTest') suites.push(new RampartSuite(f, o));
      }
    }
    return suites;
  },
};
