// One measured run of bench/scan.ts, in its own process (so peak RSS is its own) and on the compiled dist/
// (what users run; tsx's transforms would distort the figures). Prints {seconds, objects, maxRssMiB}.
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const [mode, dir] = process.argv.slice(2);
const files = readdirSync(dir).sort().map((f) => join(dir, f));
let objects = 0;
const t0 = process.hrtime.bigint();
if (mode === 'floor') {
  for (const f of files) {
    for (const d of parseAllDocuments(readFileSync(f, 'utf8'))) if (d.toJS() !== null) objects++;
  }
} else {
  const { loadPolicySet } = await import('../dist/app/policy-set.js');
  const { scanPaths } = await import('../dist/app/scan.js');
  const { createReporter } = await import('../dist/cli/report/index.js');
  const { isBlocking } = await import('../dist/core/finding.js');
  const selection = mode === 'scan-all' ? { pss: 'restricted', config: join(process.cwd(), 'bench/scan-pack.yaml') } : { pss: 'restricted' };
  const set = await loadPolicySet(selection, { now: new Date() });
  if (set.diagnostics.some((d) => d.severity === 'error')) throw new Error(JSON.stringify(set.diagnostics));
  const fd = openSync('/dev/null', 'w');
  const reporter = createReporter('json', { write: (s) => void writeSync(fd, s), color: false, toolVersion: 'bench', cwd: dir, fails: isBlocking });
  reporter.begin(set);
  const summary = scanPaths([dir], set, reporter, { now: new Date() });
  reporter.end(summary, 0, set.diagnostics);
  closeSync(fd);
  objects = summary.objects;
  process.stderr.write(`policies: ${set.policies.length}, findings: ${summary.findings}\n`);
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(JSON.stringify({ seconds, objects, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
