import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatSpan } from '../../core/span.js';
import { SUITE_FORMATS } from '../../testkit/formats/index.js';
import { runTestSuites, summaryLine, type TestRunReport } from '../../testkit/run.js';
import type { SuiteIO } from '../../testkit/suite.js';
import { EXIT } from '../exit-codes.js';

const MAX_FILE_BYTES = 32 * 1024 * 1024;
const SKIP_DIRS = new Set(['node_modules', '.git']);

/** File access for suites: recursive listing (hidden folders included), bounded reads. */
export function nodeSuiteIO(now: Date): SuiteIO {
  return {
    now,
    exists: (p) => existsSync(p),
    readText(p) {
      const size = statSync(p).size;
      if (size > MAX_FILE_BYTES) throw new Error(`${p} is larger than ${MAX_FILE_BYTES} bytes`);
      return readFileSync(p, 'utf8');
    },
    listFiles(dir) {
      if (!statSync(dir).isDirectory()) return [dir];
      const out: string[] = [];
      const walk = (d: string, depth: number): void => {
        if (depth > 32) return;
        for (const name of readdirSync(d).sort()) {
          const p = join(d, name);
          let st;
          try {
            st = statSync(p);
          } catch {
            continue;
          }
          if (st.isDirectory()) {
            if (!SKIP_DIRS.has(name)) walk(p, depth + 1);
          } else out.push(p);
        }
      };
      walk(dir, 0);
      return out;
    },
  };
}

function colours(tty: boolean): { red: (s: string) => string; green: (s: string) => string; dim: (s: string) => string } {
  const wrap = (code: string) => (s: string) => (tty ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { red: wrap('31'), green: wrap('32'), dim: wrap('2') };
}

export function renderText(report: TestRunReport, verbose: boolean, tty: boolean): string {
  const c = colours(tty);
  const lines: string[] = [];
  for (const r of report.results) {
    if (r.status === 'pass' && !verbose) continue;
    const where = r.span ? formatSpan(r.span) : r.suite;
    const tag = r.status === 'pass' ? c.green('PASS') : r.status === 'fail' ? c.red('FAIL') : c.dim('SKIP');
    let line = `${tag} [${r.format}] ${r.name} (${where})`;
    if (r.status === 'fail') line += `\n     expected ${r.expected ?? '?'}, got ${r.actual ?? '?'}${r.message ? `: ${r.message}` : ''}`;
    else if (r.status === 'skip' && r.message) line += `: ${r.message}`;
    lines.push(line);
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/** Runs the suites and prints; returns the exit code (2 load errors, 1 failed cases, 0 all passed). */
export async function runTestCommand(paths: string[], opts: { format: string; verbose: boolean }): Promise<number> {
  const report = await runTestSuites(paths, nodeSuiteIO(new Date()), SUITE_FORMATS);
  const loadErrors = report.diagnostics.filter((d) => d.severity === 'error');
  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify({ summary: report.summary, results: report.results, diagnostics: report.diagnostics }, null, 2) + '\n');
  } else {
    for (const d of report.diagnostics) {
      process.stderr.write(`${d.span ? formatSpan(d.span) + ': ' : ''}${d.severity} ${d.code}: ${d.message}\n`);
    }
    process.stdout.write(renderText(report, opts.verbose, process.stdout.isTTY === true));
    if (report.summary.suites === 0) process.stderr.write(`rampart test: no test suites found under ${paths.join(', ')}\n`);
    process.stdout.write(summaryLine(report.summary) + '\n');
  }
  if (report.summary.suites === 0 || loadErrors.length > 0) return EXIT.usage;
  return report.summary.failed > 0 ? EXIT.findings : EXIT.ok;
}
