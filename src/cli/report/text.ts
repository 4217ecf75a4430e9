import type { Diagnostic } from '../../core/diagnostic.js';
import type { Finding } from '../../core/finding.js';
import { formatFieldPath } from '../../core/span.js';
import type { FileReport, ScanSummary } from '../../app/scan.js';
import type { Reporter, ReporterOptions } from './reporter.js';

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m', green: '\x1b[32m', reset: '\x1b[0m' };

/** Human output: findings grouped by file, then diagnostics, then one summary line. Colour only on a TTY. */
export function textReporter(opts: ReporterOptions): Reporter {
  const c = (code: keyof typeof ANSI, s: string) => (opts.color ? `${ANSI[code]}${s}${ANSI.reset}` : s);
  const label = (f: Finding): string => {
    if (f.exception) return c('dim', 'excepted');
    if (f.status === 'error') return c('red', 'error   ');
    if (f.status === 'unsupported') return c('yellow', 'unsupported');
    if (f.mode === 'enforce') return c('red', 'enforce ');
    if (f.mode === 'warn') return c('yellow', 'warn    ');
    return c('cyan', 'audit   ');
  };
  const diagLine = (d: Diagnostic): string => {
    const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}` : '';
    const sev = d.severity === 'error' ? c('red', 'error') : d.severity === 'warning' ? c('yellow', 'warning') : 'info';
    return `${where ? where + ' ' : ''}${sev} ${c('dim', d.code)} ${d.message}${d.help ? `\n    ${c('dim', 'help:')} ${d.help}` : ''}\n`;
  };
  return {
    begin() {},
    file(r: FileReport) {
      const findings = r.objects.flatMap((o) => o.findings);
      if (findings.length === 0 && r.diagnostics.length === 0) return;
      if (r.file) opts.write(`${c('bold', r.file)}\n`);
      for (const f of findings) {
        const pos = f.span ? `${f.span.line}:${f.span.column}` : '';
        const obj = `${f.object.kind} ${f.object.namespace ? f.object.namespace + '/' : ''}${f.object.name}`;
        opts.write(`  ${pos.padEnd(7)} ${label(f)} ${c('bold', `${f.policyId}${f.rule ? '/' + f.rule : ''}`)} ${f.message}\n`);
        opts.write(`          ${c('dim', obj + (f.path ? ` ${formatFieldPath(f.path)}` : ''))}\n`);
        if (f.remediation && !f.exception) opts.write(`          ${c('dim', 'fix:')} ${f.remediation}\n`);
        if (f.exception) opts.write(`          ${c('dim', `exception: ${f.exception.reason} (owner ${f.exception.owner ?? '?'}, expires ${f.exception.expires ?? '?'})`)}\n`);
      }
      for (const d of r.diagnostics) opts.write(`  ${diagLine(d)}`);
      opts.write('\n');
    },
    end(s: ScanSummary, exitCode: number, setDiagnostics: readonly Diagnostic[]) {
      if (setDiagnostics.length > 0) {
        opts.write(c('bold', 'Policy and configuration problems\n'));
        for (const d of setDiagnostics) opts.write(`  ${diagLine(d)}`);
        opts.write('\n');
      }
      const parts = [
        `${s.blocking} blocking`,
        `${s.findings} findings (${s.byMode.enforce} enforce, ${s.byMode.warn} warn, ${s.byMode.audit} audit${s.excepted ? `, ${s.excepted} excepted` : ''}${s.unsupported ? `, ${s.unsupported} unsupported` : ''}${s.errors ? `, ${s.errors} policy errors` : ''})`,
        `${s.objects} objects in ${s.files} files`,
      ];
      if (s.inputErrors) parts.push(`${s.inputErrors} input errors`);
      const mark = exitCode === 0 ? c('green', '✔') : c('red', '✖');
      opts.write(`${mark} ${parts.join(', ')}\n`);
    },
  };
}
