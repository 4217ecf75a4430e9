import { Option, type Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import type { ServeConfig } from '../../server/run.js';
import { addPolicySelectionOptions, selectionFromFlags, type SelectionFlags } from '../options.js';

interface ServeFlags extends SelectionFlags {
  port: string;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  timeoutSeconds: string;
  failurePolicy?: 'Fail' | 'Ignore';
  maxBodyBytes: string;
  reloadInterval: string;
  drainTimeout: string;
  namespaceSelector?: string;
  objectSelector?: string;
  logLevel: string;
  workers: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('serve')
    .description('run the admission webhook: /validate and /mutate (AdmissionReview v1), /healthz, /readyz, /metrics');
  addPolicySelectionOptions(cmd)
    .option('--tls-cert <file>', 'PEM serving certificate (chain); reloaded when the file changes')
    .option('--tls-key <file>', 'PEM private key of the certificate')
    .option('--insecure-http', 'serve plain HTTP instead of TLS (local testing only; the API server requires HTTPS)')
    .option('--port <n>', 'port to listen on', '8443')
    .option('--host <addr>', 'address to listen on', '0.0.0.0')
    .option('--timeout-seconds <n>', "the webhook configuration's timeoutSeconds (1-30); Rampart answers before it", '10')
    .addOption(new Option('--failure-policy <policy>', "answer when evaluation errs or runs out of time (default: the pack's admission.failurePolicy, else Fail)").choices(['Fail', 'Ignore']))
    .option('--max-body-bytes <n>', 'largest AdmissionReview accepted', String(4 * 1024 * 1024))
    .option('--reload-interval <seconds>', 'how often policy and certificate files are checked for changes (0 = only on SIGHUP)', '2')
    .option('--drain-timeout <seconds>', 'on SIGTERM, how long requests in flight may take before connections are cut', '15')
    .option('--namespace-selector <selector>', 'only evaluate requests in matching namespaces (kubectl syntax, e.g. "env in (prod,staging)")')
    .option('--object-selector <selector>', 'only evaluate objects whose labels match (kubectl syntax, e.g. "!rampart.dev/skip")')
    .option('--workers <n>', 'worker processes sharing the port (use the CPUs the pod gets; metrics are aggregated)', '1')
    .addOption(new Option('--log-level <level>', 'log level (JSON logs on stdout)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'))
    .addHelpText(
      'after',
      `
Policy modes: enforce denies with a message naming policy, rule, field and remediation; warn allows with warnings;
audit allows and adds an audit annotation. Dry-run requests are answered the same way but never recorded.
Exemptions (rampart.yaml admission.exemptions) skip namespaces, usernames or groups, with a reason.
Policies are reloaded when their files change; a broken change keeps the last good set and is logged.
SIGHUP reloads now; SIGTERM/SIGINT drain and stop.

Exit codes: 0 stopped cleanly, 2 usage error or policies/certificates that fail to load at start.

Examples:
  rampart certs --out certs --dns localhost                 # a CA and a serving certificate
  rampart serve --pss restricted --tls-cert certs/tls.crt --tls-key certs/tls.key
  rampart serve --config rampart.yaml --tls-cert /tls/tls.crt --tls-key /tls/tls.key --timeout-seconds 5
  rampart serve --pss baseline --insecure-http --port 8080  # local testing with curl`,
    )
    .action(async (flags: ServeFlags) => {
      process.exitCode = await runServe(flags);
    });
}

function usage(msg: string): number {
  process.stderr.write(`rampart serve: ${msg}\n`);
  return EXIT.usage;
}

async function runServe(flags: ServeFlags): Promise<number> {
  const [{ startServe, prepareServe, serveLogger, StartupError }, { parseLabelSelector }, { default: cluster }, { runPrimary }] = await Promise.all([
    import('../../server/run.js'),
    import('../../server/selector-syntax.js'),
    import('node:cluster'),
    import('../../server/cluster.js'),
  ]);
  const int = (name: string, v: string, min: number, max: number): number | string => {
    const n = Number(v);
    return Number.isInteger(n) && n >= min && n <= max ? n : `${name} must be an integer from ${min} to ${max}, got "${v}"`;
  };
  const port = int('--port', flags.port, 0, 65535);
  const timeout = int('--timeout-seconds', flags.timeoutSeconds, 1, 30);
  const maxBody = int('--max-body-bytes', flags.maxBodyBytes, 1024, 64 * 1024 * 1024);
  const reload = int('--reload-interval', flags.reloadInterval, 0, 3600);
  const drain = int('--drain-timeout', flags.drainTimeout, 0, 3600);
  const workers = int('--workers', flags.workers, 1, 64);
  for (const v of [port, timeout, maxBody, reload, drain, workers]) if (typeof v === 'string') return usage(v);
  if (!flags.insecureHttp && (!flags.tlsCert || !flags.tlsKey)) return usage('--tls-cert and --tls-key are required (or --insecure-http for local testing)');
  if (flags.insecureHttp && (flags.tlsCert || flags.tlsKey)) return usage('--insecure-http cannot be combined with --tls-cert/--tls-key');
  const scope: { namespaceSelector?: object; objectSelector?: object } = {};
  for (const [flag, key, text] of [
    ['--namespace-selector', 'namespaceSelector', flags.namespaceSelector],
    ['--object-selector', 'objectSelector', flags.objectSelector],
  ] as const) {
    if (text === undefined) continue;
    const r = parseLabelSelector(text);
    if ('error' in r) return usage(`${flag}: ${r.error}`);
    scope[key] = r.selector;
  }
  const selection = selectionFromFlags(flags, (m) => cluster.isPrimary && process.stderr.write(`rampart: ${m}\n`));
  const config: ServeConfig = {
    selection,
    port: port as number,
    host: flags.host,
    tlsCert: flags.tlsCert,
    tlsKey: flags.tlsKey,
    insecureHttp: flags.insecureHttp === true,
    timeoutSeconds: timeout as number,
    failurePolicy: flags.failurePolicy,
    maxBodyBytes: maxBody as number,
    reloadIntervalSeconds: reload as number,
    drainTimeoutSeconds: drain as number,
    scope,
    logLevel: flags.logLevel,
    clusterWorker: cluster.isWorker,
  };
  // Signals are handled from before the server listens, so a SIGTERM right after start still drains cleanly.
  let requestStop: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  const onStop = () => requestStop();
  let running: Awaited<ReturnType<typeof startServe>> | undefined;
  process.on('SIGHUP', () => void running?.reload());
  try {
    if (workers !== 1 && cluster.isPrimary) {
      // check policies and certificates once, so problems are printed once, then fork the workers
      const logger = serveLogger(flags.logLevel);
      await prepareServe(config, logger, new Date());
      return await runPrimary({ workers: workers as number, logger });
    }
    process.once('SIGTERM', onStop);
    process.once('SIGINT', onStop);
    running = await startServe(config, serveLogger(flags.logLevel, cluster.worker?.id));
  } catch (e) {
    if (e instanceof StartupError) {
      for (const d of e.diagnostics) process.stderr.write(`${d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : ''}${d.severity} ${d.code}: ${d.message}\n`);
      process.stderr.write('rampart serve: not started\n');
      return EXIT.usage;
    }
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' || (e as NodeJS.ErrnoException).code === 'EACCES') return usage(`cannot listen on ${flags.host}:${flags.port}: ${(e as NodeJS.ErrnoException).code}`);
    throw e;
  }
  await stopRequested;
  await running.stop();
  if (cluster.isWorker) process.disconnect(); // the IPC channel would keep a drained worker alive
  return EXIT.ok;
}
