import type { Diagnostic } from '../core/diagnostic.js';
import type { SourceSpan } from '../core/span.js';

/**
 * `rampart test` runs several suite formats side by side (Rampart's own, Kyverno `Test`, gator `Suite`, Rego
 * `test_` rules). Each format is a SuiteFormat: it claims files among those found under the user's paths and turns
 * them into suites. File access is injected so formats stay testable and free of I/O of their own.
 */
export interface TestCaseResult {
  /** Format that produced it: rampart | kyverno | gator | rego */
  format: string;
  /** The suite file (or directory) the case came from. */
  suite: string;
  /** Case name as the format names it (policy/rule/resource, test rule name, ...). */
  name: string;
  status: 'pass' | 'fail' | 'skip';
  expected?: string;
  actual?: string;
  /** Why it failed or was skipped. */
  message?: string;
  span?: SourceSpan;
}

export interface SuiteIO {
  readText(path: string): string;
  /** Lists files under a directory, recursively, hidden folders included. */
  listFiles(dir: string): string[];
  exists(path: string): boolean;
  now: Date;
}

export interface Suite {
  format: string;
  /** Path shown to users (the suite file or directory). */
  path: string;
  run(io: SuiteIO): Promise<{ results: TestCaseResult[]; diagnostics: Diagnostic[] }>;
}

export interface SuiteFormat {
  name: string;
  /** Given every file found under the user's paths, return the suites this format owns. */
  collect(files: readonly string[], io: SuiteIO): Suite[];
}
