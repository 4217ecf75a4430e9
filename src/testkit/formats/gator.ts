import { diag, type Diagnostic } from '../../core/diagnostic.js';
import { MemoryInventory } from '../../k8s/inventory.js';
import { loadManifestText } from '../../k8s/load.js';
import { isObject, type KObject, type LoadedObject } from '../../k8s/object.js';
import type { EvalContext } from '../../policy/engine.js';
import { offlineContext } from '../../evaluate/context.js';
import { compileGatekeeperDocuments } from '../../engines/gatekeeper/index.js';
import { dirOf, loadPaths, resolvePath } from '../offline.js';
import type { Suite, SuiteFormat, SuiteIO, TestCaseResult } from '../suite.js';

/**
 * gator `Suite` files (test.gatekeeper.sh/v1alpha1), run unchanged: tests[].{template, constraint,
 * cases[].{object, inventory?, assertions[].{violations, message?}}}. `violations` is yes (default), no, or an exact
 * count, as a boolean or string in either YAML version; `message` is a regular expression each counted violation
 * must match. AdmissionReview objects are unwrapped (operation, oldObject, userInfo kept).
 */
const SUITE_API = 'test.gatekeeper.sh/';

function isSuiteText(text: string): boolean {
  return text.includes(SUITE_API) && /^kind:\s*Suite\s*$/m.test(text);
}

export const gatorFormat: SuiteFormat = {
  name: 'gator',
  collect(files, io) {
    return files.filter((f) => /\.ya?ml$/i.test(f) && safeIsSuite(f, io)).map((f) => new GatorSuite(f));
  },
};

function safeIsSuite(f: string, io: SuiteIO): boolean {
  try {
    return isSuiteText(io.readText(f));
  } catch {
    return false;
  }
}

type Expect = { kind: 'yes' } | { kind: 'no' } | { kind: 'count'; n: number } | { kind: 'invalid'; raw: unknown };

export function parseViolations(v: unknown): Expect {
  if (v === undefined || v === true || v === 'yes' || v === 'true') return { kind: 'yes' };
  if (v === false || v === 'no' || v === 'false') return { kind: 'no' };
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 ? { kind: 'count', n } : { kind: 'invalid', raw: v };
}

/** gator reviews an object as an AdmissionRequest only when it is an admission.k8s.io AdmissionReview. */
function isAdmissionReview(obj: KObject): boolean {
  return obj.kind === 'AdmissionReview' && typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith('admission.k8s.io/');
}

/** The review a case object stands for: plain objects are CREATEs; AdmissionReviews keep their request. */
export function reviewFor(obj: KObject, inventory: MemoryInventory, now: Date): EvalContext | undefined {
  if (isAdmissionReview(obj) && isObject(obj.request)) {
    const req = obj.request as Record<string, any>;
    const object = isObject(req.object) ? (req.object as KObject) : null;
    const oldObject = isObject(req.oldObject) ? (req.oldObject as KObject) : null;
    const subject = object ?? oldObject;
    if (!subject) return undefined;
    const operation = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(req.operation) ? req.operation : 'CREATE';
    const ctx = offlineContext(subject, { inventory, now, operation, oldObject, userInfo: isObject(req.userInfo) ? req.userInfo : undefined });
    ctx.object = object;
    if (typeof req.namespace === 'string' && req.namespace !== '') {
      ctx.request.namespace = req.namespace;
      ctx.namespaceObject = inventory.get('Namespace', undefined, req.namespace);
    }
    if (typeof req.name === 'string') ctx.request.name = req.name;
    // Gatekeeper matches on the request's kind and resource, not the embedded object's.
    if (isObject(req.kind) && typeof req.kind.kind === 'string' && req.kind.kind !== '') {
      ctx.request.kind = { group: String(req.kind.group ?? ''), version: String(req.kind.version ?? ''), kind: req.kind.kind };
      ctx.request.requestKind = ctx.request.kind;
    }
    if (isObject(req.resource) && typeof req.resource.resource === 'string' && req.resource.resource !== '') {
      ctx.request.resource = { group: String(req.resource.group ?? ''), version: String(req.resource.version ?? ''), resource: req.resource.resource };
      ctx.request.requestResource = ctx.request.resource;
    }
    if (typeof req.subResource === 'string' && req.subResource !== '') ctx.request.subResource = req.subResource;
    ctx.request.dryRun = req.dryRun === true;
    return ctx;
  }
  return offlineContext(obj, { inventory, now });
}

class GatorSuite implements Suite {
  readonly format = 'gator';
  constructor(readonly path: string) {}

  async run(io: SuiteIO): Promise<{ results: TestCaseResult[]; diagnostics: Diagnostic[] }> {
    const results: TestCaseResult[] = [];
    const diagnostics: Diagnostic[] = [];
    const dir = dirOf(this.path);
    const loaded = loadManifestText(io.readText(this.path), this.path);
    diagnostics.push(...loaded.diagnostics);
    const suite = loaded.objects.find((o) => o.object.kind === 'Suite');
    if (!suite) return { results, diagnostics };
    const tests = Array.isArray((suite.object as Record<string, unknown>).tests) ? ((suite.object as Record<string, unknown>).tests as unknown[]) : [];
    tests.forEach((rawTest, ti) => {
      if (!isObject(rawTest)) return;
      const testName = String(rawTest.name ?? `test-${ti}`);
      const at = (p: (string | number)[]) => suite.locate(['tests', ti, ...p]);
      const cases = Array.isArray(rawTest.cases) ? rawTest.cases : [];
      const caseResult = (ci: number, name: string, r: Omit<TestCaseResult, 'format' | 'suite' | 'name' | 'span'>): TestCaseResult => ({
        format: 'gator',
        suite: this.path,
        name: `${testName}/${name}`,
        span: at(['cases', ci]),
        ...r,
      });
      if (rawTest.skip === true) {
        cases.forEach((c, ci) => results.push(caseResult(ci, String((c as Record<string, unknown>)?.name ?? ci), { status: 'skip', message: 'test marked skip' })));
        return;
      }
      const docs: LoadedObject[] = [];
      for (const key of ['template', 'constraint'] as const) {
        if (typeof rawTest[key] !== 'string') {
          diagnostics.push(diag('test_invalid', `${testName}: ${key} is required`, { span: at([]) }));
          continue;
        }
        const l = loadPaths([resolvePath(dir, rawTest[key] as string)], io, at([key]));
        diagnostics.push(...l.diagnostics);
        docs.push(...l.objects);
      }
      const compiled = compileGatekeeperDocuments(docs);
      diagnostics.push(...compiled.diagnostics);
      const policy = compiled.policies[0];
      cases.forEach((rawCase, ci) => {
        if (!isObject(rawCase)) return;
        const name = String(rawCase.name ?? `case-${ci}`);
        if (rawCase.skip === true) {
          results.push(caseResult(ci, name, { status: 'skip', message: 'case marked skip' }));
          return;
        }
        if (!policy) {
          results.push(caseResult(ci, name, { status: 'fail', expected: 'template and constraint load', actual: 'load errors', message: compiled.diagnostics.map((d) => d.message).join('; ') || 'no constraint compiled' }));
          return;
        }
        const objFile = typeof rawCase.object === 'string' ? resolvePath(dir, rawCase.object) : undefined;
        const objects = objFile ? loadPaths([objFile], io, at(['cases', ci, 'object'])) : { objects: [], diagnostics: [] };
        const inv = loadPaths(
          (Array.isArray(rawCase.inventory) ? rawCase.inventory : []).filter((x): x is string => typeof x === 'string').map((p) => resolvePath(dir, p)),
          io,
          at(['cases', ci, 'inventory']),
        );
        diagnostics.push(...objects.diagnostics, ...inv.diagnostics);
        const assertionList = Array.isArray(rawCase.assertions) ? rawCase.assertions : [];
        if (assertionList.length === 0) {
          // gator: "assertions must be non-empty" makes the case an error.
          results.push(caseResult(ci, name, { status: 'fail', expected: 'at least one assertion', actual: 'none', message: `case ${name}: assertions must be non-empty` }));
          return;
        }
        const subject = objects.objects[0]?.object;
        if (!subject) {
          results.push(caseResult(ci, name, { status: 'fail', expected: 'an object', actual: 'none', message: `case ${name} has no object to review` }));
          return;
        }
        if (objects.objects.length > 1) {
          // gator reviews exactly one object per case file; more is a case error, not "the first one".
          results.push(caseResult(ci, name, { status: 'fail', expected: '1 object', actual: `${objects.objects.length} objects`, message: `case ${name}: ${rawCase.object} defines ${objects.objects.length} objects` }));
          return;
        }
        const inventory = new MemoryInventory(inv.objects.map((o) => o.object));
        const ctx = reviewFor(subject, inventory, io.now);
        if (!ctx) {
          results.push(caseResult(ci, name, { status: 'fail', expected: 'a reviewable object', actual: 'AdmissionReview without object', message: 'the AdmissionReview has neither object nor oldObject' }));
          return;
        }
        const rr = policy.evaluate(ctx);
        const errors = rr.filter((r) => r.status === 'error');
        const violations = rr.filter((r) => r.status === 'fail').map((r) => r.message);
        const failures: string[] = [];
        const assertions = assertionList;
        if (errors.length > 0) failures.push(`evaluation error: ${errors.map((e) => e.message).join('; ')}`);
        assertions.forEach((a, ai) => {
          if (!isObject(a)) return;
          const exp = parseViolations(a.violations);
          let counted = violations;
          if (typeof a.message === 'string') {
            let re: RegExp;
            try {
              re = new RegExp(a.message);
            } catch (e) {
              failures.push(`assertion ${ai}: invalid message regex: ${(e as Error).message}`);
              return;
            }
            counted = violations.filter((m) => re.test(m));
          }
          const n = counted.length;
          const ok = exp.kind === 'yes' ? n > 0 : exp.kind === 'no' ? n === 0 : exp.kind === 'count' ? n === exp.n : false;
          if (!ok) {
            const want = exp.kind === 'count' ? `${exp.n}` : exp.kind === 'invalid' ? `invalid (${JSON.stringify(exp.raw)})` : exp.kind;
            failures.push(`assertion ${ai}: expected violations ${want}${a.message !== undefined ? ` matching /${a.message}/` : ''}, got ${n}`);
          }
        });
        results.push(
          caseResult(ci, name, {
            status: failures.length === 0 ? 'pass' : 'fail',
            expected: failures.length ? 'assertions hold' : undefined,
            actual: failures.length ? `${violations.length} violation(s)${violations.length ? `: ${violations.map((v) => JSON.stringify(v)).join(', ')}` : ''}` : undefined,
            message: failures.length ? failures.join('; ') : undefined,
          }),
        );
      });
    });
    return { results, diagnostics };
  }
}

