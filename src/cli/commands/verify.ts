import type { Command } from 'commander';
import type { Diagnostic } from '../../core/diagnostic.js';
import { EXIT } from '../exit-codes.js';

interface VerifyOpts {
  pod: string;
  policy: string[];
  container?: string;
  format: string;
  attack: string[];
  seccompDefault?: boolean;
  failOn: string;
  timeout: string;
  concurrency: string;
  keep?: boolean;
  runc?: string;
}

const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** `rampart verify`: run a pod's container in a runc sandbox and throw the attack library at it. */
export function register(program: Command): void {
  program
    .command('verify')
    .description(
      'run a pod in a real sandbox (runc, busybox rootfs) with its securityContext mapped to OCI as containerd does, ' +
        'then run attack simulations and report which layer blocked each one (needs root and runc)',
    )
    .requiredOption('--pod <file>', 'Pod or pod controller manifest (YAML/JSON)')
    .option('--policy <file>', 'seccomp profile (Localhost), KubeArmor policy or AppArmor profile; repeatable', collect, [])
    .option('--container <name>', 'container to run (default: the first)')
    .option('--format <format>', 'text or json', 'text')
    .option('--attack <id>', 'run only this attack; repeatable (default: all)', collect, [])
    .option('--seccomp-default', "emulate the kubelet's --seccomp-default: RuntimeDefault when the pod sets no profile")
    .option('--fail-on <what>', 'gap: exit 1 when an attack the controls should block ran; allowed: when any attack ran', 'gap')
    .option('--timeout <ms>', 'per-attack deadline in milliseconds', '10000')
    .option('--concurrency <n>', 'attack containers run at once', '4')
    .option('--keep', 'keep the bundles (printed path) for debugging')
    .option('--runc <path>', 'the runc binary (default: runc on PATH or in /usr/sbin)')
    .addHelpText(
      'after',
      `
Results (JSON: {"results": [{"attack", "expected", "observed", "layer", "evidence", ...}]}):
  observed blocked         the attack ran and the kernel refused it (evidence: the error and errno)
  observed allowed         the attack succeeded in the sandbox
  observed not-verifiable  only a layer this node cannot enforce (KubeArmor, AppArmor without the LSM) would
                           stop it, or the kernel lacks the feature: never counted as passed

Exit codes: 0 every attack behaved as the pod's controls predict; 1 a gap (or, with --fail-on allowed, any
attack allowed); 2 usage/input error, not root, or runc / busybox-static missing.

Examples:
  sudo rampart verify --pod deploy/api.yaml
  sudo rampart verify --pod pod.yaml --policy profiles/locked.json --format json
  sudo rampart verify --pod pod.yaml --attack raw-socket --attack mknod`,
    )
    .action(async (opts: VerifyOpts) => {
      process.exitCode = await runVerify(opts);
    });
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

async function runVerify(opts: VerifyOpts): Promise<number> {
  const { existsSync, readFileSync, statSync } = await import('node:fs');
  const { loadManifestText } = await import('../../k8s/load.js');
  const { POD_BEARING_KINDS } = await import('../../k8s/podspec.js');
  const { loadVerifyPolicies } = await import('../../runtime/verify/policies.js');
  const { planVerify, buildReport, formatReport, reportFails } = await import('../../runtime/verify/plan.js');
  const { ATTACKS } = await import('../../runtime/verify/attacks.js');
  const { readNodeFacts, findExecutable, isStaticElf } = await import('../../io/sandbox/host.js');

  const json = opts.format === 'json';
  if (opts.format !== 'text' && opts.format !== 'json') return usage(`--format must be text or json, not "${opts.format}"`);
  if (opts.failOn !== 'gap' && opts.failOn !== 'allowed') return usage(`--fail-on must be gap or allowed, not "${opts.failOn}"`);
  const timeoutMs = Number.parseInt(opts.timeout, 10);
  const concurrency = Number.parseInt(opts.concurrency, 10);
  if (!(timeoutMs >= 100 && timeoutMs <= 600_000)) return usage('--timeout must be between 100 and 600000 ms');
  if (!(concurrency >= 1 && concurrency <= 32)) return usage('--concurrency must be between 1 and 32');
  const unknown = opts.attack.filter((a) => !ATTACKS.some((x) => x.id === a));
  if (unknown.length > 0) return usage(`unknown attack ${unknown.join(', ')} (known: ${ATTACKS.map((a) => a.id).join(', ')})`);

  const diagnostics: Diagnostic[] = [];
  const readInput = (file: string): string | undefined => {
    try {
      if (statSync(file).size > MAX_FILE_BYTES) {
        diagnostics.push({ code: 'input_too_large', severity: 'error', message: `${file} is larger than ${MAX_FILE_BYTES} bytes` });
        return undefined;
      }
      return readFileSync(file, 'utf8');
    } catch (e) {
      diagnostics.push({ code: 'file_read_error', severity: 'error', message: `${file}: ${(e as Error).message}` });
      return undefined;
    }
  };
  const podText = readInput(opts.pod);
  const policyFiles = opts.policy.flatMap((p) => {
    const text = readInput(p);
    return text === undefined ? [] : [{ path: p, text }];
  });
  const policies = loadVerifyPolicies(policyFiles);
  diagnostics.push(...policies.diagnostics);
  if (podText === undefined) return finish(diagnostics, EXIT.usage, json);
  const loaded = loadManifestText(podText, opts.pod);
  diagnostics.push(...loaded.diagnostics);
  const podObj = loaded.objects.find((o) => POD_BEARING_KINDS.includes(String(o.object.kind)));
  if (!podObj) {
    diagnostics.push({ code: 'verify_no_pod', severity: 'error', message: `${opts.pod} holds no Pod or pod controller` });
    return finish(diagnostics, EXIT.usage, json);
  }

  const facts = readNodeFacts();
  for (const a of policies.appArmor) {
    if (!facts.appArmor) {
      diagnostics.push({
        code: 'verify_layer_not_enforceable',
        severity: 'warning',
        message: `${a.path}: AppArmor profile ${a.names.join(', ')} is not loaded: this node has no AppArmor LSM (results it would change are not-verifiable)`,
      });
    }
  }
  const { plan, diagnostics: planDiags } = planVerify(podObj, {
    host: facts,
    container: opts.container,
    policies,
    seccompDefault: opts.seccompDefault === true,
    only: opts.attack.length > 0 ? opts.attack : undefined,
  });
  diagnostics.push(...planDiags);
  if (!plan || diagnostics.some((d) => d.severity === 'error')) return finish(diagnostics, EXIT.usage, json);

  // The machine: root, runc and a static busybox, or a clear error.
  if (!facts.isRoot) {
    diagnostics.push({
      code: 'sandbox_not_root',
      severity: 'error',
      message: 'rampart verify runs containers with runc and needs root (run it with sudo, or in a root CI job)',
    });
  }
  const runc = opts.runc ? (existsSync(opts.runc) ? opts.runc : undefined) : findExecutable('runc');
  if (!runc) {
    diagnostics.push({
      code: 'sandbox_runc_missing',
      severity: 'error',
      message: opts.runc ? `runc not found at ${opts.runc}` : 'runc is not installed (Debian/Ubuntu: apt-get install runc)',
    });
  }
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => isStaticElf(p));
  if (!busybox) {
    diagnostics.push({
      code: 'sandbox_busybox_missing',
      severity: 'error',
      message: 'a static busybox is needed for the sandbox root filesystem (Debian/Ubuntu: apt-get install busybox-static)',
    });
  }
  if (!runc || !busybox || !facts.isRoot) return finish(diagnostics, EXIT.usage, json);

  let probe: string | undefined;
  let probeError: string | undefined;
  if (plan.attacks.some((a) => a.needsProbe)) {
    const { buildProbe, defaultCacheDir } = await import('../../io/sandbox/probe.js');
    const built = await buildProbe(defaultCacheDir());
    probe = built.path;
    probeError = built.error;
    if (probeError) diagnostics.push({ code: 'sandbox_probe_unavailable', severity: 'warning', message: probeError });
  }
  const runnable = plan.attacks.filter((a) => !a.needsProbe || probe);
  const { runSandbox } = await import('../../io/sandbox/sandbox.js');
  let sandbox;
  try {
    sandbox = await runSandbox({
      runc,
      busybox,
      probe,
      config: plan.spec as unknown as Record<string, unknown>,
      volumes: plan.volumes,
      jobs: [...runnable.map((a) => ({ name: a.attack.id, args: a.args })), { name: 'sanity', args: plan.sanity.args }],
      concurrency,
      timeoutMs,
      keep: opts.keep === true,
    });
  } catch (e) {
    diagnostics.push({ code: 'sandbox_error', severity: 'error', message: `sandbox failed: ${(e as Error).message}` });
    return finish(diagnostics, EXIT.usage, json);
  }
  const byName = new Map(sandbox.results.map((r) => [r.name, r]));
  const outcomes = plan.attacks.map((a) => {
    const r = byName.get(a.attack.id);
    if (!r) return { exitCode: null, stdout: '', stderr: '', timedOut: false, durationMs: 0, skipped: probeError ?? 'not run' };
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut, durationMs: r.durationMs };
  });
  const report = buildReport(plan, outcomes);
  let code: number = reportFails(report, opts.failOn as 'gap' | 'allowed') ? EXIT.findings : EXIT.ok;
  // Containers that never printed a result: the sandbox, not the attack, failed.
  const sanity = byName.get('sanity');
  if (!sanity || !/^RAMPART:allowed/m.test(sanity.stdout)) {
    const why = sanity ? (sanity.stdout.trim() || sanity.stderr.trim()).split('\n').slice(-1)[0] : 'not run';
    diagnostics.push({
      code: 'sandbox_error',
      severity: 'error',
      message: `the sandbox failed its positive control (a shell${plan.sanity.writes ? ` writing ${plan.sanity.writes}` : ''}): ${why}; results are not evidence`,
    });
    code = EXIT.usage;
  }
  const broken = report.results.filter((r) => r.observed === 'not-verifiable' && /^(no result line|timed out)/.test(r.evidence));
  if (broken.length > 0 && broken.length === report.results.length) {
    diagnostics.push({
      code: 'sandbox_error',
      severity: 'error',
      message: `no attack produced a result: the container does not run in the sandbox (${broken[0].evidence})`,
    });
    code = EXIT.usage;
  } else if (broken.length > 0) {
    diagnostics.push({
      code: 'sandbox_error',
      severity: 'warning',
      message: `${broken.map((r) => r.attack).join(', ')} produced no result (not-verifiable): ${broken[0].evidence}`,
    });
  }
  if (json) {
    process.stdout.write(JSON.stringify({ ...report, node: { kernel: facts.kernel, arch: facts.arch, lsms: facts.lsms }, diagnostics }, null, 2) + '\n');
  } else {
    writeDiagnostics(diagnostics);
    process.stdout.write(formatReport(report, process.stdout.isTTY === true));
    if (opts.keep) process.stdout.write(`bundles kept in ${sandbox.workDir}\n`);
  }
  return code;
}

function usage(message: string): number {
  process.stderr.write(`rampart verify: ${message}\n`);
  return EXIT.usage;
}

function finish(diagnostics: Diagnostic[], code: number, json: boolean): number {
  if (json) process.stdout.write(JSON.stringify({ results: [], diagnostics }, null, 2) + '\n');
  writeDiagnostics(diagnostics);
  return code;
}

function writeDiagnostics(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : '';
    process.stderr.write(`${where}${d.severity} ${d.code}: ${d.message}${d.help ? `\n  help: ${d.help}` : ''}\n`);
  }
}
