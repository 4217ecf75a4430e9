import type { Diagnostic } from '../../core/diagnostic.js';
import type { FileReport, ScanSink, ScanSummary } from '../../app/scan.js';
import type { PolicySet } from '../../evaluate/index.js';

/** A scan output format. Writes as files arrive (flat memory), then closes the document in `end`. */
export interface Reporter extends ScanSink {
  begin(set: PolicySet): void;
  file(report: FileReport): void;
  end(summary: ScanSummary, exitCode: number, setDiagnostics: readonly Diagnostic[]): void;
}

export type Write = (chunk: string) => void;

export interface ReporterOptions {
  write: Write;
  color: boolean;
  toolVersion: string;
  /** Directory SARIF/JSON file paths are made relative to. */
  cwd: string;
}
