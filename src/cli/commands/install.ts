import { Option, type Command } from 'commander';
import { EXIT } from '../exit-codes.js';

interface InstallFlags {
  dryRun?: boolean;
  name: string;
  namespace: string;
  image?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  replicas: string;
  certsDir?: string;
  caBundle?: string;
  certManager?: boolean;
  webhookUrl?: string;
  failurePolicy: 'Fail' | 'Ignore';
  mutatingFailurePolicy: 'Fail' | 'Ignore';
  timeoutSeconds: string;
  exemptNamespace: string[];
  resource: string[];
  mutating: boolean;
  pss?: 'baseline' | 'restricted';
  pssVersion?: string;
  config?: string;
  policy?: string[];
  readNamespaces?: boolean;
  priorityClass?: string;
  format: 'yaml' | 'json';
}

/** `rampart install --dry-run`: the manifests that deploy the admission webhook, printed for kubectl apply or GitOps. */
export function register(program: Command): void {
  program
    .command('install')
    .description('print the manifests that deploy the Rampart admission webhook (Deployment, PDB, Service, RBAC, webhook configurations)')
    .option('--dry-run', 'print the manifests (required: Rampart does not apply them itself)')
    .option('--name <name>', 'name of the Deployment, Service and webhook configurations', 'rampart')
    .option('--namespace <ns>', 'namespace to run the webhook in (always exempt from it)', 'rampart-system')
    .option('--image <ref>', 'container image (default ghcr.io/rampart-dev/rampart:<version>)')
    .addOption(new Option('--image-pull-policy <policy>', 'imagePullPolicy of the container').choices(['Always', 'IfNotPresent', 'Never']))
    .option('--replicas <n>', 'replicas (at least 2)', '2')
    .option('--certs-dir <dir>', 'ca.crt, tls.crt and tls.key from `rampart certs`, shipped as the TLS Secret')
    .option('--ca-bundle <file>', 'only the CA (PEM): the TLS Secret <name>-tls is managed elsewhere (cert-manager, your PKI)')
    .option('--cert-manager', 'let cert-manager issue the serving certificate and inject the caBundle (needs cert-manager in the cluster)')
    .option('--webhook-url <url>', 'webhook served outside the cluster at this https URL: print only the webhook configurations')
    .addOption(new Option('--failure-policy <policy>', 'validating webhook failurePolicy when Rampart is unreachable').choices(['Fail', 'Ignore']).default('Fail'))
    .addOption(
      new Option('--mutating-failure-policy <policy>', 'mutating webhook failurePolicy (validation still enforces when mutation is skipped)')
        .choices(['Fail', 'Ignore'])
        .default('Ignore'),
    )
    .option('--timeout-seconds <n>', 'webhook timeoutSeconds (1-30); rampart serve is told to answer before it', '5')
    .option('--exempt-namespace <ns...>', 'more namespaces never sent to Rampart (kube-system, kube-public, kube-node-lease always are)', [])
    .option('--resource <gvr...>', 'more resources to send, as [group/]version/resource, e.g. v1/services networking.k8s.io/v1/ingresses', [])
    .option('--no-mutating', 'no MutatingWebhookConfiguration (no secure-default patches)')
    .addOption(new Option('--pss <level>', 'built-in Pod Security Standards level to enforce').choices(['baseline', 'restricted']))
    .option('--pss-version <version>', 'PSS version: latest or v1.X')
    .option('-c, --config <file>', 'rampart.yaml to ship in the policies ConfigMap')
    .option('-p, --policy <file...>', 'policy documents to ship in the policies ConfigMap')
    .option('--read-namespaces', 'grant the webhook read access to Namespaces (default: no API access at all)')
    .option('--priority-class <name>', 'priorityClassName of the webhook pods')
    .addOption(new Option('--format <format>', 'yaml (multi-document) or json (a v1 List)').choices(['yaml', 'json']).default('yaml'))
    .addHelpText(
      'after',
      `
Without --certs-dir or --ca-bundle a new CA and serving certificate are generated and the TLS Secret (with its
private key) is part of the output: fine for a test cluster, not for GitOps. Without --pss/--config/--policy the
webhook enforces Pod Security Standards restricted.

Examples:
  rampart install --dry-run | kubectl apply -f -
  rampart certs --out certs && rampart install --dry-run --certs-dir certs --config rampart.yaml > rampart.yaml.k8s
  rampart install --dry-run --ca-bundle ca.crt --replicas 3 --failure-policy Ignore --timeout-seconds 3
  rampart install --dry-run --cert-manager --config rampart.yaml          # cert-manager issues and rotates TLS
  rampart install --dry-run --webhook-url https://127.0.0.1:8443 --ca-bundle certs/ca.crt   # webhook on your laptop

Exit codes: 0 printed, 2 invalid options or unreadable files.`,
    )
    .action(async (flags: InstallFlags) => {
      process.exitCode = await runInstall(flags);
    });
}

async function runInstall(flags: InstallFlags): Promise<number> {
  const fail = (msgs: string[], help?: string): number => {
    for (const m of msgs) process.stderr.write(`rampart install: ${m}\n`);
    if (help) process.stderr.write(`  help: ${help}\n`);
    return EXIT.usage;
  };
  if (!flags.dryRun) {
    return fail(['only --dry-run is supported: Rampart prints the manifests and your tooling applies them'], 'rampart install --dry-run | kubectl apply -f -');
  }
  if ([flags.certsDir, flags.caBundle, flags.certManager].filter(Boolean).length > 1) {
    return fail(['--certs-dir, --ca-bundle and --cert-manager are alternatives; pass one']);
  }
  const [{ readFile }, { basename, join }, install, tls] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
    import('../../server/install/index.js'),
    import('../../server/tls/index.js'),
  ]);
  const version = process.env.npm_package_version ?? '0.1.0';
  const opts = install.defaultInstallOptions(version);
  opts.name = flags.name;
  opts.namespace = flags.namespace;
  if (flags.image) opts.image = flags.image;
  if (flags.imagePullPolicy) opts.imagePullPolicy = flags.imagePullPolicy;
  opts.replicas = Number(flags.replicas);
  opts.failurePolicy = flags.failurePolicy;
  opts.mutatingFailurePolicy = flags.mutatingFailurePolicy;
  opts.timeoutSeconds = Number(flags.timeoutSeconds);
  opts.exemptNamespaces = [...opts.exemptNamespaces, ...flags.exemptNamespace];
  opts.mutating = flags.mutating;
  opts.readNamespaces = flags.readNamespaces === true;
  if (flags.priorityClass) opts.priorityClassName = flags.priorityClass;
  if (flags.webhookUrl) opts.webhookUrl = flags.webhookUrl;

  const rules = flags.resource.map(parseResource);
  const badRule = rules.find((r): r is string => typeof r === 'string');
  if (badRule) return fail([badRule]);
  opts.extraRules = rules.filter((r) => typeof r !== 'string');

  const read = async (file: string): Promise<string | { error: string }> => {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      return { error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
    }
  };
  const errors: string[] = [];
  const text = async (file: string): Promise<string> => {
    const t = await read(file);
    if (typeof t === 'string') return t;
    errors.push(t.error);
    return '';
  };

  // TLS: cert-manager, `rampart certs` output, a CA only, or freshly generated.
  if (flags.certManager) {
    opts.certManager = true;
  } else if (flags.certsDir) {
    const pair = await tls.loadKeyPair(join(flags.certsDir, 'tls.crt'), join(flags.certsDir, 'tls.key'), new Date());
    if (!pair.pair) return fail(pair.diagnostics.map((d) => `${d.code}: ${d.message}`));
    opts.caBundlePem = await text(join(flags.certsDir, 'ca.crt'));
    opts.servingPair = { certPem: pair.pair.certPem, keyPem: pair.pair.keyPem };
  } else if (flags.caBundle) {
    opts.caBundlePem = await text(flags.caBundle);
  } else if (!flags.webhookUrl) {
    const pki = tls.createWebhookPki({ dnsNames: tls.serviceDnsNames(opts.name, opts.namespace), now: new Date() });
    opts.caBundlePem = pki.ca.certPem;
    opts.servingPair = pki.serving;
    process.stderr.write('rampart install: generated a new CA and serving certificate; the output contains the private key (Secret ' + `${opts.name}-tls)\n`);
  } else {
    return fail(['--webhook-url needs --ca-bundle (or --certs-dir): the API server must trust the serving certificate']);
  }

  // Policies: PSS flags and files for the ConfigMap.
  const policies: typeof opts.policies = {};
  if (flags.pss) policies.pss = flags.pss;
  if (flags.pssVersion) policies.pssVersion = flags.pssVersion;
  if (flags.config) policies.packYaml = await text(flags.config);
  if (flags.policy && flags.policy.length > 0) {
    const files: Record<string, string> = {};
    for (const f of flags.policy) {
      const name = basename(f);
      if (files[name] !== undefined) errors.push(`two policy files are named ${name}; the ConfigMap needs distinct names`);
      files[name] = await text(f);
    }
    policies.policyFiles = files;
  }
  if (Object.keys(policies).length === 0 || (policies.pssVersion && Object.keys(policies).length === 1)) policies.pss = 'restricted';
  opts.policies = policies;
  if (errors.length > 0) return fail(errors);

  const problems = install.checkInstallOptions(opts);
  if (problems.length > 0) return fail(problems.map((d) => d.message), problems.find((d) => d.help)?.help);
  process.stdout.write(install.renderManifests(install.installManifests(opts), flags.format));
  return EXIT.ok;
}

/** "[group/]version/resource[/subresource]" → a rule, or an error message. */
function parseResource(spec: string): { apiGroup: string; apiVersions: string[]; resources: string[] } | string {
  const parts = spec.split('/');
  const core = /^v\d/.test(parts[0] ?? '');
  const [group, version, ...rest] = core ? ['', ...parts] : parts;
  if (!version || rest.length === 0 || rest.length > 2 || rest.some((p) => p === '') || !/^v\d+((alpha|beta)\d+)?$/.test(version)) {
    return `--resource "${spec}" is not [group/]version/resource (e.g. v1/services, networking.k8s.io/v1/ingresses)`;
  }
  return { apiGroup: group, apiVersions: [version], resources: [rest.join('/')] };
}
