import type { Finding } from '../../core/finding.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import type { Reporter, ReporterOptions } from './reporter.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';

export function createReporter(format: 'text' | 'json' | 'sarif' | 'junit', opts: ReporterOptions & { fails: (f: Finding) => boolean }): Reporter {
  switch (format) {
    case 'json':
      return jsonReporter(opts);
    case 'sarif':
      return sarifReporter(opts);
    case 'junit':
      return junitReporter(opts);
    default:
      return textReporter(opts);
  }
}
export type { Reporter, ReporterOptions } from './reporter.js';
