import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { RuleResult } from '../../core/policy-types.js';
import type { SourceSpan } from '../../core/span.js';
import { MemoryInventory } from '../../k8s/inventory.js';
import { loadManifestText } from '../../k8s/load.js';
import { isObject, meta, type KObject } from '../../k8s/object.js';
import { aggregate, compileForTest, dirOf, evaluateResources, loadPaths, resolvePath, type Submission } from '../offline.js';
import type { Suite, SuiteFormat, SuiteIO, TestCaseResult } from '../suite.js';

/**
 * Kyverno CLI tests (`cli.kyverno.io/v1alpha1 Test`, files named kyverno-test.yaml, usually in .kyverno-test/),
 * run unchanged: policies and resources relative to the test file, results[] with policy, rule, kind,
 * resources (`name` or `namespace/name`), result, isValidatingPolicy / isValidatingAdmissionPolicy, and the
 * `variables` values file (namespaces, namespaceSelector).
 */
const FILE_NAME = /(^|\/)kyverno-test\.ya?ml$/;

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

interface Expectation {
  policy: string;
  rule?: string;
  kind?: string;
  namespace?: string;
  resources: string[];
  result: string;
  vpol: boolean;
  line: number;
}

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

interface ValuesFile {
  namespaces: KObject[];
  /** `globalValues["request.operation"]`. */
  operation?: Submission['operation'];
  /** `policies[].resources[].values["request.operation"]` by resource name. */
  operationByResource: Map<string, Submission['operation']>;
}

function operationOf(values: unknown): Submission['operation'] | undefined {
  const op = isObject(values) ? values['request.operation'] : undefined;
  return typeof op === 'string' && OPERATIONS.has(op.toUpperCase()) ? (op.toUpperCase() as Submission['operation']) : undefined;
}

/**
 * A Values file: `namespaces` (objects) and `namespaceSelector` ({name, labels}) give namespaces; the
 * `request.operation` of globalValues or of a resource's values sets how resources are submitted.
 */
function readValues(text: string, file: string): ValuesFile {
  const out: ValuesFile = { namespaces: [], operationByResource: new Map() };
  for (const o of loadManifestText(text, file).objects) {
    const v = o.object as Record<string, unknown>;
    const global = operationOf(v.globalValues);
    if (global) out.operation = global;
    for (const p of Array.isArray(v.policies) ? v.policies : []) {
      if (!isObject(p)) continue;
      for (const r of Array.isArray(p.resources) ? p.resources : []) {
        const op = isObject(r) ? operationOf(r.values) : undefined;
        if (op && isObject(r) && typeof r.name === 'string') out.operationByResource.set(r.name, op);
      }
    }
  }
  out.namespaces = valuesNamespaces(text, file);
  return out;
}

/** Namespace objects from a Values file: `namespaces` (objects) and `namespaceSelector` ({name, labels}). */
function valuesNamespaces(text: string, file: string): KObject[] {
  const out: KObject[] = [];
  for (const o of loadManifestText(text, file).objects) {
    const v = o.object as Record<string, unknown>;
    for (const ns of Array.isArray(v.namespaces) ? v.namespaces : []) {
      if (!isObject(ns)) continue;
      out.push({ ...(ns as KObject), apiVersion: 'v1', kind: 'Namespace' });
    }
    for (const sel of Array.isArray(v.namespaceSelector) ? v.namespaceSelector : []) {
      if (!isObject(sel) || typeof sel.name !== 'string') continue;
      out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: sel.name, labels: isObject(sel.labels) ? (sel.labels as Record<string, string>) : {} } });
    }
  }
  return out;
}

/** `cli.kyverno.io/v1alpha1 UserInfo`: the request's user (username, groups). Roles are not resolved offline. */
function readUserInfo(text: string, file: string): Submission['userInfo'] {
  for (const o of loadManifestText(text, file).objects) {
    const u = (o.object as Record<string, unknown>).userInfo;
    if (isObject(u)) {
      return {
        username: typeof u.username === 'string' ? u.username : '',
        groups: Array.isArray(u.groups) ? u.groups.map(String) : [],
      };
    }
  }
  return undefined;
}

function shift(span: SourceSpan, lines: number): SourceSpan {
  return { ...span, line: Math.max(1, span.line - lines) };
}

function ruleMatches(want: string | undefined, got: string): boolean {
  if (!want) return true;
  return got === want || got === `autogen-${want}` || got === `autogen-cronjob-${want}` || got === `autogen-cronjobs-${want}`;
}

/** Kyverno reports failures of policies annotated `policies.kyverno.io/scored: "false"` as warn. */
function kyvernoStatus(results: RuleResult[], unscored: boolean): string {
  const a = aggregate(results.map((r) => ({ ...r, mode: undefined })));
  if (a === 'fail' && unscored) return 'warn';
  return a;
}

class KyvernoSuite implements Suite {
  readonly format = 'kyverno';
  constructor(readonly path: string) {}

  async run(io: SuiteIO): Promise<{ results: TestCaseResult[]; diagnostics: Diagnostic[] }> {
    const diagnostics: Diagnostic[] = [];
    const results: TestCaseResult[] = [];
    const dir = dirOf(this.path);
    const text = io.readText(this.path);
    // Kyverno's legacy test files (before cli.kyverno.io/v1alpha1) have no apiVersion/kind: give them one so the
    // loader keeps their positions.
    const legacy = !/^apiVersion:/m.test(text) && /^results:/m.test(text);
    const loaded = loadManifestText(legacy ? `apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\n${text}` : text, this.path);
    const lineShift = legacy ? 2 : 0;
    diagnostics.push(...loaded.diagnostics);
    const found = loaded.objects.find((o) => o.object.kind === 'Test' && String(o.object.apiVersion).startsWith('cli.kyverno.io/'));
    if (!found) {
      // e.g. a chainsaw Test that happens to use the same file name: not a Kyverno CLI test
      if (loaded.objects.some((o) => o.object.kind === 'Test')) return { results, diagnostics };
      diagnostics.push(diag('test_invalid', `${this.path}: no cli.kyverno.io Test document`, { span: { file: this.path, line: 1, column: 1 } }));
      return { results, diagnostics };
    }
    const test = lineShift === 0 ? found : { ...found, locate: (p: (string | number)[]) => shift(found.locate(p), lineShift) };
    const t = test.object as Record<string, unknown>;
    const at = (path: (string | number)[]) => test.locate(path);
    const policyFiles = strings(t.policies).map((p) => resolvePath(dir, p));
    const resourceFiles = strings(t.resources).map((p) => resolvePath(dir, p));
    const exceptionFiles = strings(t.exceptions).map((p) => resolvePath(dir, p));
    const pol = loadPaths([...policyFiles, ...exceptionFiles], io, at(['policies']));
    const res = loadPaths(resourceFiles, io, at(['resources']));
    diagnostics.push(...pol.diagnostics, ...res.diagnostics);
    const namespaces: KObject[] = [];
    let values: ValuesFile | undefined;
    if (typeof t.variables === 'string') {
      const vf = resolvePath(dir, t.variables);
      if (io.exists(vf)) {
        values = readValues(io.readText(vf), vf);
        namespaces.push(...values.namespaces);
      } else diagnostics.push(diag('file_read_error', `${vf} does not exist`, { span: at(['variables']) }));
    }
    let userInfo: Submission['userInfo'];
    if (typeof t.userinfo === 'string') {
      const uf = resolvePath(dir, t.userinfo);
      if (io.exists(uf)) userInfo = readUserInfo(io.readText(uf), uf);
      else diagnostics.push(diag('file_read_error', `${uf} does not exist`, { span: at(['userinfo']) }));
    }
    // A ValidatingAdmissionPolicy without a binding in a Kyverno test is evaluated as if bound with Deny.
    const policyObjects = [...pol.objects];
    const bound = new Set(pol.objects.filter((o) => o.object.kind === 'ValidatingAdmissionPolicyBinding').map((o) => String((o.object.spec as Record<string, unknown> | undefined)?.policyName ?? '')));
    for (const o of pol.objects) {
      const name = String(meta(o.object).name ?? '');
      if (o.object.kind === 'ValidatingAdmissionPolicy' && !bound.has(name)) {
        policyObjects.push({ object: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: `${name}-binding` }, spec: { policyName: name, validationActions: ['Deny'] } }, span: o.span, locate: () => o.span });
      }
    }
    const compiled = compileForTest(policyObjects);
    diagnostics.push(...compiled.diagnostics.filter((d) => d.severity !== 'info'));
    const resources = res.objects.map((o) => o.object);
    const inventory = new MemoryInventory([...namespaces, ...resources, ...pol.objects.map((o) => o.object)]);
    const submission = (r: KObject): Submission => {
      const s: Submission = {};
      const op = values?.operationByResource.get(String(meta(r).name ?? '')) ?? values?.operation;
      if (op) s.operation = op;
      if (userInfo) s.userInfo = userInfo;
      return s;
    };
    const evaluations = evaluateResources(compiled.policies, resources, inventory, io.now, submission);
    const unscored = new Set(
      pol.objects.filter((o) => meta(o.object).annotations?.['policies.kyverno.io/scored'] === 'false').map((o) => String(meta(o.object).name ?? '')),
    );
    const expectations = (Array.isArray(t.results) ? t.results : []).flatMap((raw, i): Expectation[] => {
      if (!isObject(raw)) return [];
      const e: Expectation = {
        policy: String(raw.policy ?? ''),
        resources: [...strings(raw.resources), ...strings(raw.resource)],
        result: String(raw.result ?? raw.status ?? ''),
        vpol: raw.isValidatingPolicy === true || raw.isValidatingAdmissionPolicy === true,
        line: at(['results', i]).line,
      };
      if (typeof raw.rule === 'string' && raw.rule !== '') e.rule = raw.rule;
      if (typeof raw.kind === 'string') e.kind = raw.kind;
      if (typeof raw.namespace === 'string') e.namespace = raw.namespace;
      return [e];
    });
    for (const e of expectations) {
      const policies = compiled.policies.filter((p) => p.name === e.policy);
      for (const ref of e.resources) {
        const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [e.namespace, ref];
        const caseName = `${e.policy}${e.rule ? `/${e.rule}` : ''} ${e.kind ?? ''} ${ref}`.replace(/\s+/g, ' ').trim();
        const base = { format: 'kyverno', suite: this.path, name: caseName, expected: e.result, span: { file: this.path, line: e.line, column: 1 } };
        if (policies.length === 0) {
          results.push({ ...base, status: 'fail', actual: 'missing', message: `policy ${e.policy} is not among the test's policies (or failed to load)` });
          continue;
        }
        const evals = evaluations.filter(
          (ev) =>
            meta(ev.resource).name === name &&
            (e.kind === undefined || ev.resource.kind === e.kind) &&
            (ns === undefined || (meta(ev.resource).namespace ?? 'default') === ns),
        );
        if (evals.length === 0) {
          results.push({ ...base, status: 'fail', actual: 'missing', message: `resource ${ref}${e.kind ? ` of kind ${e.kind}` : ''} is not among the test's resources` });
          continue;
        }
        const ids = new Set(policies.map((p) => p.policy.meta.id));
        const relevant = evals.flatMap((ev) => ev.results.filter((r) => ids.has(r.policyId) && ruleMatches(e.vpol ? undefined : e.rule, r.rule)));
        const actual = kyvernoStatus(relevant, unscored.has(e.policy));
        if (actual === e.result) results.push({ ...base, status: 'pass', actual });
        else {
          const why = relevant.find((r) => r.status !== 'pass' && r.message)?.message;
          results.push({ ...base, status: 'fail', actual, message: why ?? (relevant.length === 0 ? 'no rule applied to the resource' : undefined) });
        }
      }
    }
    return { results, diagnostics };
  }
}

export const kyvernoFormat: SuiteFormat = {
  name: 'kyverno',
  collect(files: readonly string[]): Suite[] {
    return files.filter((f) => FILE_NAME.test(f)).map((f) => new KyvernoSuite(f));
  },
};
