import type { Diagnostic } from '../core/diagnostic.js';
import { compareFindings, isBlocking, type Finding, type ObjectRef } from '../core/finding.js';
import type { SourceSpan } from '../core/span.js';
import { evaluateObjectDetailed, offlineContext, type PolicyOutcome, type PolicySet } from '../evaluate/index.js';
import { collectFiles, readTextBounded } from '../io/files.js';
import { MemoryInventory } from '../k8s/inventory.js';
import { DEFAULT_LOAD_LIMITS, loadManifestText, type LoadLimits } from '../k8s/load.js';
import { objectRef } from '../k8s/object.js';

export interface ScannedObject {
  ref: ObjectRef;
  span: SourceSpan;
  outcomes: PolicyOutcome[];
  findings: Finding[];
}

export interface FileReport {
  file: string;
  objects: ScannedObject[];
  diagnostics: Diagnostic[];
}

export interface ScanSummary {
  files: number;
  objects: number;
  findings: number;
  blocking: number;
  byMode: Record<'enforce' | 'warn' | 'audit', number>;
  excepted: number;
  errors: number;
  unsupported: number;
  /** Diagnostics of severity error (bad input); these make the exit code 2. */
  inputErrors: number;
}

/** Receives results file by file so memory stays flat however many files a scan covers. */
export interface ScanSink {
  file(report: FileReport): void;
}

export interface ScanOptions {
  now: Date;
  limits?: LoadLimits;
  /** Called after each file with the running counts (progress display). */
  progress?: (done: number, total: number, objects: number) => void;
}

/**
 * Scans manifests with a compiled policy set. Two passes: the first only indexes the objects policies look up
 * (Namespaces, params), parsing just the files whose text names such a kind; the second evaluates file by file and
 * hands each file's results to the sink, so nothing but the inventory is kept across files.
 */
export function scanPaths(paths: readonly string[], set: PolicySet, sink: ScanSink, opts: ScanOptions): ScanSummary {
  const limits = opts.limits ?? DEFAULT_LOAD_LIMITS;
  const { files, diagnostics: pathDiags } = collectFiles(paths);
  const summary: ScanSummary = { files: 0, objects: 0, findings: 0, blocking: 0, byMode: { enforce: 0, warn: 0, audit: 0 }, excepted: 0, errors: 0, unsupported: 0, inputErrors: 0 };
  if (pathDiags.length > 0) {
    summary.inputErrors += pathDiags.filter((d) => d.severity === 'error').length;
    sink.file({ file: '', objects: [], diagnostics: pathDiags });
  }
  // stdin can be read once only: keep its text for both passes.
  const stdinText = files.includes('-') ? readTextBounded('-', limits.maxBytes) : undefined;
  const read = (f: string) => (f === '-' ? stdinText! : readTextBounded(f, limits.maxBytes));

  const inventory = new MemoryInventory(set.inventoryObjects);
  const everything = set.inventoryKinds.has('*');
  const kindNames = [...set.inventoryKinds];
  for (const f of files) {
    const { text } = read(f);
    if (text === undefined) continue;
    if (!everything && !kindNames.some((k) => text.includes(k))) continue;
    for (const o of loadManifestText(text, displayName(f), limits).objects) {
      if (everything || set.inventoryKinds.has(String(o.object.kind))) inventory.add(o.object);
    }
  }

  let done = 0;
  for (const f of files) {
    const name = displayName(f);
    const { text, diagnostic } = read(f);
    const report: FileReport = { file: name, objects: [], diagnostics: [] };
    if (diagnostic) report.diagnostics.push(diagnostic);
    if (text !== undefined) {
      const loaded = loadManifestText(text, name, limits);
      report.diagnostics.push(...loaded.diagnostics);
      for (const o of loaded.objects) {
        const ctx = offlineContext(o.object, { inventory, now: opts.now });
        const r = evaluateObjectDetailed(set, ctx, o);
        r.findings.sort(compareFindings);
        report.objects.push({ ref: objectRef(o.object), span: o.span, outcomes: r.outcomes, findings: r.findings });
        for (const fi of r.findings) {
          summary.findings++;
          summary.byMode[fi.mode]++;
          if (fi.exception) summary.excepted++;
          if (fi.status === 'error') summary.errors++;
          if (fi.status === 'unsupported') summary.unsupported++;
          if (isBlocking(fi)) summary.blocking++;
        }
      }
      summary.objects += loaded.objects.length;
    }
    summary.files++;
    summary.inputErrors += report.diagnostics.filter((d) => d.severity === 'error').length;
    sink.file(report);
    opts.progress?.(++done, files.length, summary.objects);
  }
  return summary;
}

function displayName(f: string): string {
  return f === '-' ? '<stdin>' : f;
}
