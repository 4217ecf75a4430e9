import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from '../../core/diagnostic.js';
import type { Finding } from '../../core/finding.js';
import type { Severity } from '../../core/policy-types.js';
import { formatFieldPath } from '../../core/span.js';
import type { FileReport, ScanSummary } from '../../app/scan.js';
import type { PolicySet } from '../../evaluate/index.js';
import { relPath } from './json.js';
import type { Reporter, ReporterOptions } from './reporter.js';

/** GitHub code scanning reads `security-severity` (0–10) to rank alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { level: string };
  properties: Record<string, unknown>;
}

/**
 * SARIF 2.1.0: one result per finding, located by file URI and line; level `error` for enforce-mode findings,
 * `warning` for warn/audit; excepted findings carry a suppression. Results stream; rules are written at the end
 * (JSON key order is free) with the metadata of every rule that produced a result.
 */
export function sarifReporter(opts: ReporterOptions): Reporter {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const notifications: Diagnostic[] = [];
  let first = true;
  let set: PolicySet | undefined;

  const uri = (file: string) => {
    if (file.startsWith('<')) return file.replace(/[<>]/g, '');
    const rel = relPath(file, opts.cwd);
    return isAbsolute(rel) ? pathToFileURL(rel).href : rel.split('/').map(encodeURIComponent).join('/');
  };
  const ruleFor = (f: Finding): number => {
    const id = f.rule ? `${f.policyId}/${f.rule}` : f.policyId;
    let i = ruleIndex.get(id);
    if (i !== undefined) return i;
    const policy = set?.policies.find((p) => p.meta.id === f.policyId);
    const fw = policy?.meta.frameworks;
    const tags = ['security', 'kubernetes', ...(fw?.cis ?? []).map((x) => `CIS-${x}`), ...(fw?.nist ?? []).map((x) => `NIST-${x}`), ...(fw?.mitre ?? [])];
    const remediation = f.remediation ?? 'See the policy documentation.';
    i = rules.length;
    rules.push({
      id,
      name: id.replace(/[^A-Za-z0-9]+/g, '_'),
      shortDescription: { text: f.policyTitle || id },
      fullDescription: { text: `${f.policyTitle || id}${f.rule ? ` (rule ${f.rule})` : ''}` },
      help: { text: remediation, markdown: `**Remediation:** ${remediation}` },
      defaultConfiguration: { level: f.mode === 'enforce' ? 'error' : 'warning' },
      properties: { tags, 'security-severity': SECURITY_SEVERITY[f.severity], engine: policy?.meta.engine ?? null },
    });
    ruleIndex.set(id, i);
    return i;
  };
  return {
    begin(s: PolicySet) {
      set = s;
      opts.write('{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"results":[');
    },
    file(r: FileReport) {
      notifications.push(...r.diagnostics);
      for (const o of r.objects) {
        for (const f of o.findings) {
          const idx = ruleFor(f);
          const result: Record<string, unknown> = {
            ruleId: rules[idx].id,
            ruleIndex: idx,
            level: f.status === 'unsupported' ? 'note' : f.mode === 'enforce' ? 'error' : 'warning',
            message: { text: `${f.message} (${f.object.kind} ${f.object.namespace ? f.object.namespace + '/' : ''}${f.object.name}${f.path ? `, ${formatFieldPath(f.path)}` : ''})` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: uri(f.span?.file ?? r.file) },
                  region: { startLine: f.span?.line ?? 1, startColumn: f.span?.column ?? 1 },
                },
                logicalLocations: [{ fullyQualifiedName: `${f.object.kind}/${f.object.namespace ? f.object.namespace + '/' : ''}${f.object.name}`, kind: 'object' }],
              },
            ],
            properties: { mode: f.mode, status: f.status, severity: f.severity, path: f.path ? formatFieldPath(f.path) : undefined },
          };
          if (f.exception) result.suppressions = [{ kind: 'external', status: 'accepted', justification: `${f.exception.reason} (owner ${f.exception.owner ?? 'unknown'}, expires ${f.exception.expires ?? 'never'})` }];
          opts.write(`${first ? '\n' : ',\n'}${JSON.stringify(result)}`);
          first = false;
        }
      }
    },
    end(_s: ScanSummary, exitCode: number, setDiagnostics: readonly Diagnostic[]) {
      const toolExecutionNotifications = [...setDiagnostics, ...notifications].map((d) => ({
        level: d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'note',
        message: { text: d.message },
        descriptor: { id: d.code },
        ...(d.span ? { locations: [{ physicalLocation: { artifactLocation: { uri: uri(d.span.file) }, region: { startLine: d.span.line, startColumn: d.span.column } } }] } : {}),
      }));
      const tool = { driver: { name: 'rampart', version: opts.toolVersion, rules } };
      const invocations = [{ executionSuccessful: exitCode !== 2, exitCode, toolExecutionNotifications }];
      opts.write(`\n],"tool":${JSON.stringify(tool)},"invocations":${JSON.stringify(invocations)}}]}\n`);
    },
  };
}
