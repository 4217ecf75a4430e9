import { closeSync, openSync, writeSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { addPolicySelectionOptions, selectionFromFlags, useColor, type SelectionFlags } from '../options.js';

interface ScanFlags extends SelectionFlags {
  format: 'text' | 'json' | 'sarif' | 'junit';
  output?: string;
  failOn: 'enforce' | 'warn' | 'never';
  maxBytes: string;
  progress: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('scan')
    .description('scan Kubernetes manifests against policies: the CI gate (warn first, then fail builds)')
    .argument('<paths...>', 'files or directories (recursive: .yaml .yml .json), or - for stdin; helm template / kustomize output works');
  addPolicySelectionOptions(cmd)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif', 'junit']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <mode>', 'exit 1 on findings of this mode or stricter: enforce, warn (warn+enforce), never').choices(['enforce', 'warn', 'never']).default('enforce'))
    .option('--max-bytes <n>', 'largest file accepted, in bytes', String(32 * 1024 * 1024))
    .option('--no-progress', 'no progress line on stderr (shown only on a TTY)')
    .addHelpText(
      'after',
      `
Findings are blocking when their policy is in enforce mode and no exception covers them. Policies chosen on the
command line (--pss, --policy) are in enforce mode; a rampart.yaml pack sets modes per policy.

Exit codes: 0 no blocking finding, 1 blocking findings (or warn findings with --fail-on warn),
            2 usage or input errors (unreadable or invalid manifests or policies; findings are still printed).

Examples:
  rampart scan k8s/ --pss restricted
  rampart scan k8s/ --pss baseline --pss-version v1.29 --format json
  helm template ./chart | rampart scan - --config rampart.yaml --format sarif --output rampart.sarif
  kubectl kustomize overlays/prod | rampart scan - --pss restricted --fail-on warn --format junit -o junit.xml`,
    )
    .action(async (paths: string[], flags: ScanFlags) => {
      process.exitCode = await runScan(paths, flags);
    });
}

async function runScan(paths: string[], flags: ScanFlags): Promise<number> {
  const [{ loadPolicySet }, { scanPaths }, { isBlocking }, reporters] = await Promise.all([
    import('../../app/policy-set.js'),
    import('../../app/scan.js'),
    import('../../core/finding.js'),
    import('../report/index.js'),
  ]);
  const maxBytes = Number(flags.maxBytes);
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    process.stderr.write(`rampart scan: --max-bytes must be a positive integer, got "${flags.maxBytes}"\n`);
    return EXIT.usage;
  }
  const now = new Date();
  const sel = selectionFromFlags(flags, (m) => process.stderr.write(`rampart: ${m}\n`));
  const set = await loadPolicySet(sel, { now });

  let fd: number | undefined;
  if (flags.output) {
    try {
      fd = openSync(flags.output, 'w');
    } catch (e) {
      process.stderr.write(`rampart scan: cannot write ${flags.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return EXIT.usage;
    }
  }
  const write = fd !== undefined ? (s: string) => void writeSync(fd!, s) : (s: string) => void process.stdout.write(s);
  const fails = (f: Parameters<typeof isBlocking>[0]) =>
    flags.failOn === 'never' ? false : isBlocking(f) || (flags.failOn === 'warn' && !f.exception && f.mode === 'warn' && f.status !== 'unsupported');
  const reporter = reporters.createReporter(flags.format, {
    write,
    color: fd === undefined && flags.format === 'text' && useColor(process.stdout),
    toolVersion: process.env.npm_package_version ?? '0.1.0',
    cwd: process.cwd(),
    fails,
  });
  const showProgress = flags.progress && process.stderr.isTTY === true;
  let lastProgress = 0;
  reporter.begin(set);
  let failing = 0;
  const summary = scanPaths(
    paths,
    set,
    {
      file(r) {
        for (const o of r.objects) failing += o.findings.filter(fails).length;
        reporter.file(r);
      },
    },
    {
      now,
      limits: { maxBytes, maxDepth: 64, maxAliasCount: 1000 },
      progress: showProgress
        ? (done, total, objects) => {
            const t = Date.now();
            if (t - lastProgress < 200 && done < total) return;
            lastProgress = t;
            process.stderr.write(`\r\x1b[2Kscanning: ${done}/${total} files, ${objects} objects`);
            if (done === total) process.stderr.write('\r\x1b[2K');
          }
        : undefined,
    },
  );
  const inputErrors = summary.inputErrors + set.diagnostics.filter((d) => d.severity === 'error').length;
  const exitCode = inputErrors > 0 ? EXIT.usage : failing > 0 ? EXIT.findings : EXIT.ok;
  reporter.end(summary, exitCode, set.diagnostics);
  if (fd !== undefined) closeSync(fd);
  return exitCode;
}
