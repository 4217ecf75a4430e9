/**
 * Rego unit tests for `rampart test`: every directory holding a .rego file with a `test_` rule becomes one suite
 * made of all the .rego files of that directory (policy and tests together), run with `opa test` semantics:
 * each `test_` rule definition passes when it evaluates to a value other than false, `todo_test_` rules are
 * skipped, and `data.json` / `data.yaml` beside them are loaded under `data`.
 */
import { parse as parseYaml } from 'yaml';
import { diag, type Diagnostic } from '../../core/diagnostic.js';
import { compileRego, fromJS } from '../../engines/rego/index.js';
import type { Suite, SuiteFormat, SuiteIO, TestCaseResult } from '../suite.js';

const TEST_RULE = /^\s*(test_|todo_test_)\w*/m;
const MAX_FILE = 4 * 1024 * 1024;

function dirOf(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? '.' : p.slice(0, i);
}

export const regoSuiteFormat: SuiteFormat = {
  name: 'rego',
  collect(files: readonly string[], io: SuiteIO): Suite[] {
    const byDir = new Map<string, string[]>();
    for (const f of files) {
      if (!f.endsWith('.rego')) continue;
      const d = dirOf(f);
      const list = byDir.get(d) ?? [];
      list.push(f);
      byDir.set(d, list);
    }
    const suites: Suite[] = [];
    for (const [dir, regoFiles] of [...byDir].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const hasTests = regoFiles.some((f) => {
        try {
          return TEST_RULE.test(io.readText(f));
        } catch {
          return false;
        }
      });
      if (hasTests) suites.push(regoSuite(dir, regoFiles.sort(), files));
    }
    return suites;
  },
};

function regoSuite(dir: string, regoFiles: string[], allFiles: readonly string[]): Suite {
  return {
    format: 'rego',
    path: dir,
    async run(io: SuiteIO): Promise<{ results: TestCaseResult[]; diagnostics: Diagnostic[] }> {
      const diagnostics: Diagnostic[] = [];
      const modules: { file: string; source: string }[] = [];
      for (const f of regoFiles) {
        try {
          const source = io.readText(f);
          if (source.length > MAX_FILE) {
            diagnostics.push(diag('input_too_large', `${f} is larger than ${MAX_FILE} bytes`, { span: { file: f, line: 1, column: 1 } }));
            continue;
          }
          modules.push({ file: f, source });
        } catch (e) {
          diagnostics.push(diag('file_read_error', `cannot read ${f}: ${(e as Error).message}`, { span: { file: f, line: 1, column: 1 } }));
        }
      }
      let data: unknown;
      for (const name of ['data.json', 'data.yaml', 'data.yml']) {
        const p = `${dir}/${name}`;
        if (!allFiles.includes(p) && !io.exists(p)) continue;
        try {
          data = fromJS(parseYaml(io.readText(p), { intAsBigInt: true }) as unknown);
        } catch (e) {
          diagnostics.push(diag('yaml_parse_error', `cannot parse ${p}: ${(e as Error).message}`, { span: { file: p, line: 1, column: 1 } }));
        }
      }
      const compiled = compileRego(modules, { regoVersion: 'auto' });
      if (!compiled.ok) {
        diagnostics.push(...compiled.diagnostics);
        const results: TestCaseResult[] = compiled.diagnostics
          .filter((d) => d.severity === 'error')
          .map((d) => ({ format: 'rego', suite: dir, name: d.span?.file ?? dir, status: 'fail', message: `${d.code}: ${d.message}`, span: d.span }));
        return { results, diagnostics };
      }
      const tests = compiled.compiled.runTests({ data, now: io.now, limits: { timeoutMs: 10_000 } });
      const results: TestCaseResult[] = tests.map((t) => ({
        format: 'rego',
        suite: dir,
        name: t.name,
        status: t.status === 'pass' ? 'pass' : t.status === 'skip' ? 'skip' : 'fail',
        expected: t.status === 'skip' ? undefined : 'true',
        actual: t.status === 'pass' ? 'true' : t.status === 'fail' ? (t.message === 'test rule is false' ? 'false' : 'undefined') : t.status === 'error' ? 'error' : undefined,
        message: t.message ?? (t.status === 'skip' ? 'todo_test_ rule' : undefined),
        span: t.span,
      }));
      return { results, diagnostics };
    },
  };
}
