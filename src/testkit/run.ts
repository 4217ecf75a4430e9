import { diag, type Diagnostic } from '../core/diagnostic.js';
import type { SuiteFormat, SuiteIO, TestCaseResult } from './suite.js';

export interface TestRunReport {
  results: TestCaseResult[];
  diagnostics: Diagnostic[];
  summary: { passed: number; failed: number; skipped: number; suites: number };
}

/**
 * Finds the files under the given paths, lets each format claim its suites, runs them in a stable order.
 * A suite that throws is reported as a diagnostic (`test_suite_error`) and the others still run.
 */
export async function runTestSuites(paths: readonly string[], io: SuiteIO, formats: readonly SuiteFormat[]): Promise<TestRunReport> {
  const diagnostics: Diagnostic[] = [];
  const files = new Set<string>();
  for (const p of paths) {
    if (!io.exists(p)) {
      diagnostics.push(diag('file_read_error', `${p} does not exist`));
      continue;
    }
    for (const f of io.listFiles(p)) files.add(f);
  }
  const sorted = [...files].sort();
  const results: TestCaseResult[] = [];
  let suites = 0;
  for (const format of formats) {
    for (const suite of format.collect(sorted, io)) {
      suites++;
      try {
        const r = await suite.run(io);
        results.push(...r.results);
        diagnostics.push(...r.diagnostics);
      } catch (e) {
        diagnostics.push(diag('test_suite_error', `${suite.path}: ${(e as Error).message}`, { span: { file: suite.path, line: 1, column: 1 } }));
      }
    }
  }
  const summary = {
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    skipped: results.filter((r) => r.status === 'skip').length,
    suites,
  };
  return { results, diagnostics, summary };
}

export function summaryLine(s: TestRunReport['summary']): string {
  return `${s.passed} passed, ${s.failed} failed${s.skipped > 0 ? `, ${s.skipped} skipped` : ''}`;
}
