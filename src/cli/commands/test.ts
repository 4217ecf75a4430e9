import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

/** `rampart test PATH...`: policy unit tests in Rampart, Kyverno (and other registered) suite formats. */
export function register(program: Command): void {
  program
    .command('test')
    .description('run policy unit tests: Rampart PolicyTest files, Kyverno kyverno-test.yaml suites and other registered formats (folders searched recursively, hidden ones included)')
    .argument('<paths...>', 'files or directories holding test suites')
    .option('--format <format>', 'text or json', 'text')
    .option('-v, --verbose', 'also list passing cases', false)
    .addHelpText(
      'after',
      `
Formats (every format listed in src/testkit/formats/index.ts runs):
  rampart   apiVersion: rampart.dev/v1alpha1, kind: PolicyTest (docs/testing.md)
  kyverno   cli.kyverno.io/v1alpha1 Test in files named kyverno-test.yaml (run unchanged)
  gator / rego suites run too when their formats are registered (docs/testing.md)

Exit codes:
  0  every case passed
  1  at least one case failed
  2  usage error, or a suite/policy/resource could not be loaded

Examples:
  rampart test policies/guardrails/tests/
  rampart test ../shared/conformance/kyverno-policies
  rampart test policies/ --format json > test-results.json`,
    )
    .action(async (paths: string[], opts: { format: string; verbose: boolean }) => {
      if (opts.format !== 'text' && opts.format !== 'json') {
        process.stderr.write(`rampart test: --format must be text or json, not ${opts.format}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const { runTestCommand } = await import('./test-run.js');
      process.exitCode = await runTestCommand(paths, opts);
    });
}
