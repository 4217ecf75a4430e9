import type { Diagnostic } from '../../core/diagnostic.js';
import type { Finding } from '../../core/finding.js';
import { formatFieldPath } from '../../core/span.js';
import type { FileReport, ScanSummary } from '../../app/scan.js';
import type { Reporter, ReporterOptions } from './reporter.js';
import { relPath } from './json.js';

/**
 * JUnit XML: one <testsuite> per file, one <testcase> per object and policy. A case fails when one of its findings
 * fails the build under --fail-on; warn/audit findings below that threshold are listed in <system-out>;
 * excepted findings mark the case skipped with the exception's reason. Load errors are <error> cases.
 */
export function junitReporter(opts: ReporterOptions & { fails: (f: Finding) => boolean }): Reporter {
  return {
    begin() {
      opts.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="rampart scan">\n');
    },
    file(r: FileReport) {
      const cases: string[] = [];
      let failures = 0;
      let errors = 0;
      let skipped = 0;
      const file = relPath(r.file, opts.cwd);
      for (const d of r.diagnostics.filter((x) => x.severity === 'error')) {
        errors++;
        cases.push(`    <testcase classname="${esc(file)}" name="${esc(`load ${d.span ? `line ${d.span.line}` : ''}`.trim())}"><error type="${esc(d.code)}" message="${esc(d.message)}">${esc(diagText(d))}</error></testcase>\n`);
      }
      for (const o of r.objects) {
        const objName = `${o.ref.kind} ${o.ref.namespace ? o.ref.namespace + '/' : ''}${o.ref.name}`;
        for (const outcome of o.outcomes) {
          const fs = o.findings.filter((f) => f.policyId === outcome.policyId);
          const failing = fs.filter(opts.fails);
          const excepted = fs.filter((f) => f.exception);
          let body = '';
          if (failing.length > 0) {
            failures++;
            const text = failing.map(line).join('\n');
            body = `<failure type="${esc(failing[0].mode)}" message="${esc(failing.map((f) => f.message).join('; '))}">${esc(text)}</failure>`;
          } else if (excepted.length > 0 && excepted.length === fs.length) {
            skipped++;
            body = `<skipped message="${esc(`exception: ${excepted[0].exception?.reason ?? ''}`)}"/>`;
          }
          const others = fs.filter((f) => !failing.includes(f));
          if (others.length > 0) body += `<system-out>${esc(others.map(line).join('\n'))}</system-out>`;
          const time = (outcome.durationMs / 1000).toFixed(6);
          cases.push(`    <testcase classname="${esc(file)}" name="${esc(`${objName} :: ${outcome.policyId}`)}" time="${time}"${body ? `>${body}</testcase>` : '/>'}\n`);
        }
      }
      if (cases.length === 0) return;
      opts.write(`  <testsuite name="${esc(file || 'inputs')}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${cases.join('')}  </testsuite>\n`);
    },
    end(_s: ScanSummary, _exitCode: number, setDiagnostics: readonly Diagnostic[]) {
      const errs = setDiagnostics.filter((d) => d.severity === 'error');
      if (errs.length > 0) {
        opts.write(`  <testsuite name="policies" tests="${errs.length}" failures="0" errors="${errs.length}" skipped="0">\n`);
        for (const d of errs) opts.write(`    <testcase classname="policies" name="${esc(d.code)}"><error type="${esc(d.code)}" message="${esc(d.message)}">${esc(diagText(d))}</error></testcase>\n`);
        opts.write('  </testsuite>\n');
      }
      opts.write('</testsuites>\n');
    },
  };
}

function line(f: Finding): string {
  const where = f.span ? `${f.span.file}:${f.span.line}:${f.span.column} ` : '';
  return `${where}[${f.mode}] ${f.policyId}${f.rule ? '/' + f.rule : ''}: ${f.message}${f.path ? ` (${formatFieldPath(f.path)})` : ''}${f.remediation ? `\nfix: ${f.remediation}` : ''}`;
}

function diagText(d: Diagnostic): string {
  return `${d.span ? `${d.span.file}:${d.span.line}:${d.span.column} ` : ''}${d.code}: ${d.message}`;
}

/** XML attribute/text escaping; strips characters XML 1.0 cannot carry. */
export function esc(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
