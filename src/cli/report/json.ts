import { relative, sep } from 'node:path';
import type { Diagnostic } from '../../core/diagnostic.js';
import { isBlocking, type Finding } from '../../core/finding.js';
import { formatFieldPath, type SourceSpan } from '../../core/span.js';
import type { FileReport, ScanSummary } from '../../app/scan.js';
import type { PolicySet } from '../../evaluate/index.js';
import type { Reporter, ReporterOptions } from './reporter.js';

/** Schema version of `rampart scan --format json` (docs/output-json.md). Bumped only on breaking changes. */
export const JSON_SCHEMA_VERSION = 1;

export function relPath(file: string, cwd: string): string {
  if (file === '' || file.startsWith('<')) return file;
  const r = relative(cwd, file);
  return (r.startsWith('..') ? file : r).split(sep).join('/');
}

export function spanJson(span: SourceSpan | undefined, cwd: string) {
  return span ? { file: relPath(span.file, cwd), line: span.line, column: span.column } : null;
}

export function findingJson(f: Finding, cwd: string) {
  return {
    policyId: f.policyId,
    policyTitle: f.policyTitle,
    rule: f.rule,
    status: f.status,
    mode: f.mode,
    blocking: isBlocking(f),
    severity: f.severity,
    message: f.message,
    object: { apiVersion: f.object.apiVersion, kind: f.object.kind, namespace: f.object.namespace ?? null, name: f.object.name },
    path: f.path ? formatFieldPath(f.path) : null,
    location: spanJson(f.span, cwd),
    remediation: f.remediation ?? null,
    exception: f.exception ?? null,
  };
}

export function diagnosticJson(d: Diagnostic, cwd: string) {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    location: spanJson(d.span, cwd),
    path: d.path ? formatFieldPath(d.path) : null,
    help: d.help ?? null,
  };
}

/** Streams `{"schemaVersion":1,"tool":…,"policies":[…],"findings":[…],"diagnostics":[…],"summary":…,"exitCode":N}`. */
export function jsonReporter(opts: ReporterOptions): Reporter {
  let first = true;
  const diags: Diagnostic[] = [];
  return {
    begin(set: PolicySet) {
      const policies = set.policies.map((p) => ({ id: p.meta.id, title: p.meta.title, engine: p.meta.engine, severity: p.meta.severity }));
      opts.write(`{"schemaVersion":${JSON_SCHEMA_VERSION},"tool":${JSON.stringify({ name: 'rampart', version: opts.toolVersion })},"policies":${JSON.stringify(policies)},"findings":[`);
    },
    file(r: FileReport) {
      diags.push(...r.diagnostics);
      for (const o of r.objects) {
        for (const f of o.findings) {
          opts.write(`${first ? '\n' : ',\n'}${JSON.stringify(findingJson(f, opts.cwd))}`);
          first = false;
        }
      }
    },
    end(s: ScanSummary, exitCode: number, setDiagnostics: readonly Diagnostic[]) {
      const all = [...setDiagnostics, ...diags].map((d) => diagnosticJson(d, opts.cwd));
      opts.write(`\n],"diagnostics":${JSON.stringify(all)},"summary":${JSON.stringify(s)},"exitCode":${exitCode}}\n`);
    },
  };
}
