import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

/** `rampart rego conformance DIR...`: runs OPA's YAML conformance cases against the Rego engine. */
export function register(program: Command): void {
  const rego = program.command('rego').description('Rego engine tools');
  rego
    .command('conformance')
    .description('run OPA YAML conformance cases (v1/test/cases format) against the Rego engine')
    .argument('<dirs...>', 'directories (searched recursively for *.yaml) or files')
    .option('--format <format>', 'text or json', 'text')
    .option('-v, --verbose', 'print each failing case with the reason')
    .option('--run <regexp>', 'only cases whose note matches')
    .option('--fail-under <percent>', 'exit 1 only when the pass rate (of cases not skipped) is below this', '100')
    .addHelpText(
      'after',
      `
Each YAML file holds cases: note, query, modules, data, input/input_term, want_result (binding sets compared as
a set), sort_bindings, want_error_code, want_error, strict_error. Results are reported per directory and end with
"N passed, M failed, K skipped". Cases that need the network (http.send, net.lookup_ip_addr) are skipped.

Examples:
  rampart rego conformance ../shared/conformance/opa-v1
  rampart rego conformance ../shared/conformance/opa-v1/aggregates -v
  rampart rego conformance test/rego-cases --format json`,
    )
    .action(async (dirs: string[], opts: { format: string; verbose?: boolean; run?: string; failUnder: string }) => {
      const { readFileSync, readdirSync, statSync } = await import('node:fs');
      const { join, dirname, relative } = await import('node:path');
      const { parseCaseFile, runCase } = await import('../../engines/rego/conformance.js');
      const files: string[] = [];
      const walk = (p: string): void => {
        const st = statSync(p);
        if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
        else if (/\.ya?ml$/.test(p)) files.push(p);
      };
      try {
        for (const d of dirs) walk(d);
      } catch (e) {
        process.stderr.write(`rampart: ${(e as Error).message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const filter = opts.run ? new RegExp(opts.run) : undefined;
      const perDir = new Map<string, { passed: number; failed: number; skipped: number }>();
      const failures: { file: string; note: string; message?: string }[] = [];
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      for (const f of files) {
        const dir = relative(process.cwd(), dirname(f)) || '.';
        const stats = perDir.get(dir) ?? { passed: 0, failed: 0, skipped: 0 };
        perDir.set(dir, stats);
        let cases;
        try {
          cases = parseCaseFile(readFileSync(f, 'utf8'));
        } catch (e) {
          stats.failed++;
          failed++;
          failures.push({ file: f, note: '(file)', message: (e as Error).message });
          continue;
        }
        cases.forEach((c, i) => {
          if (filter && !filter.test(c.note ?? '')) return;
          let out;
          try {
            out = runCase(c, f, i);
          } catch (e) {
            out = { status: 'fail' as const, note: c.note, message: `internal error: ${(e as Error).stack ?? String(e)}` };
          }
          if (out.status === 'pass') {
            stats.passed++;
            passed++;
          } else if (out.status === 'skip') {
            stats.skipped++;
            skipped++;
          } else {
            stats.failed++;
            failed++;
            failures.push({ file: f, note: out.note, message: out.message });
          }
        });
      }
      const rate = passed + failed === 0 ? 100 : (100 * passed) / (passed + failed);
      if (opts.format === 'json') {
        process.stdout.write(
          JSON.stringify(
            {
              passed,
              failed,
              skipped,
              passRate: Math.round(rate * 100) / 100,
              directories: Object.fromEntries([...perDir].sort(([a], [b]) => (a < b ? -1 : 1))),
              failures: opts.verbose ? failures : undefined,
            },
            null,
            2,
          ) + '\n',
        );
      } else {
        for (const [dir, s] of [...perDir].sort(([a], [b]) => (a < b ? -1 : 1))) {
          const total = s.passed + s.failed;
          process.stdout.write(`${dir}: ${s.passed}/${total} passed${s.skipped ? `, ${s.skipped} skipped` : ''}\n`);
        }
        if (opts.verbose) for (const x of failures) process.stdout.write(`FAIL ${x.file} ${x.note}\n     ${x.message ?? ''}\n`);
        process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped (${rate.toFixed(1)}%)\n`);
      }
      process.exitCode = rate < Number(opts.failUnder) ? EXIT.findings : EXIT.ok;
    });
}
