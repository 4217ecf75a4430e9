import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

interface CertsFlags {
  out: string;
  dns: string[];
  ip: string[];
  service: string;
  namespace: string;
  serviceNames: boolean;
  days: string;
  caDays: string;
  caCert?: string;
  caKey?: string;
  force?: boolean;
  format: string;
}

/** `rampart certs`: a CA and a serving certificate for the webhook, for local clusters and tests. */
export function register(program: Command): void {
  program
    .command('certs')
    .description('create a CA and a webhook serving certificate (ca.crt, ca.key, tls.crt, tls.key) for local and test use')
    .option('-o, --out <dir>', 'directory to write the files into', 'certs')
    .option('--dns <name...>', 'extra DNS names for the serving certificate', [])
    .option('--ip <address...>', 'IP addresses for the serving certificate', ['127.0.0.1', '::1'])
    .option('--service <name>', 'Service name of the webhook (its in-cluster DNS names are added)', 'rampart')
    .option('--namespace <ns>', 'namespace of the webhook Service', 'rampart-system')
    .option('--no-service-names', 'do not add the Service DNS names (only localhost, --dns and --ip)')
    .option('--days <n>', 'validity of the serving certificate in days', '365')
    .option('--ca-days <n>', 'validity of a new CA in days', '3650')
    .option('--ca-cert <file>', 'issue from this existing CA instead of creating one (renewal); needs --ca-key')
    .option('--ca-key <file>', 'private key of --ca-cert')
    .option('--force', 'overwrite existing files in --out')
    .option('--format <format>', 'text or json (json includes the base64 caBundle)', 'text')
    .addHelpText(
      'after',
      `
Files (mode 0600 for keys):
  ca.crt   the CA certificate: the webhook configurations' caBundle (base64 of this file)
  ca.key   the CA private key: keep it to renew tls.crt later (not written when --ca-cert is given)
  tls.crt  the serving certificate for rampart serve --tls-cert
  tls.key  its private key for rampart serve --tls-key

For production, prefer cert-manager or your own PKI; rampart serve reloads the files when they change.

Examples:
  rampart certs                                   # ./certs for localhost, 127.0.0.1 and rampart.rampart-system.svc
  rampart certs --out /tmp/certs --no-service-names --ip 127.0.0.1
  rampart certs --ca-cert certs/ca.crt --ca-key certs/ca.key --out renewed   # renew with the same CA
  rampart certs --format json | jq -r .caBundle

Exit codes: 0 written, 2 invalid options or files (nothing is overwritten without --force).`,
    )
    .action(async (flags: CertsFlags) => {
      process.exitCode = await runCerts(flags);
    });
}

async function runCerts(flags: CertsFlags): Promise<number> {
  const { createWebhookPki, issueServingCertificate, PkiInputError, serviceDnsNames, loadKeyPair, writeWebhookPki, describeCertificate } =
    await import('../../server/tls/index.js');
  const fail = (msg: string, help?: string): number => {
    process.stderr.write(`rampart certs: ${msg}\n${help ? `  help: ${help}\n` : ''}`);
    return EXIT.usage;
  };
  if (flags.format !== 'text' && flags.format !== 'json') return fail(`--format must be text or json, got "${flags.format}"`);
  const days = Number(flags.days);
  const caDays = Number(flags.caDays);
  if ((flags.caCert === undefined) !== (flags.caKey === undefined)) return fail('--ca-cert and --ca-key go together');
  const dnsNames = unique(['localhost', ...flags.dns, ...(flags.serviceNames ? serviceDnsNames(flags.service, flags.namespace) : [])]);
  const now = new Date();
  let pki;
  try {
    if (flags.caCert !== undefined && flags.caKey !== undefined) {
      // A CA is not a serving certificate, so checkKeyPair's "valid now" rule fits it too.
      const loaded = await loadKeyPair(flags.caCert, flags.caKey, now);
      if (!loaded.pair) return fail(loaded.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n  '));
      if (!loaded.pair.certificate.ca) return fail(`${flags.caCert} is not a CA certificate (basicConstraints CA:FALSE)`);
      const ca = { certPem: loaded.pair.certPem, keyPem: loaded.pair.keyPem };
      pki = { ca, serving: issueServingCertificate(ca, { dnsNames, ipAddresses: flags.ip, validityDays: days, now }) };
    } else {
      pki = createWebhookPki({ dnsNames, ipAddresses: flags.ip, validityDays: days, now }, { validityDays: caDays });
    }
  } catch (err) {
    if (err instanceof PkiInputError) return fail(err.message);
    throw err;
  }
  const written = await writeWebhookPki(flags.out, pki, { overwrite: flags.force === true, writeCaKey: flags.caCert === undefined });
  if (!written.files) return fail(written.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n  '), written.diagnostics[0]?.help);
  const serving = describeCertificate(pki.serving.certPem);
  if (flags.format === 'json') {
    const out = { files: written.files, caBundle: Buffer.from(pki.ca.certPem).toString('base64'), serving };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    const f = written.files;
    process.stdout.write(
      [
        `wrote ${[f.caCert, f.caKey, f.cert, f.key].filter(Boolean).join(', ')}`,
        `serving certificate for ${[...serving.dnsNames, ...serving.ipAddresses].join(', ')}`,
        `valid until ${serving.notAfter}`,
        `start the webhook: rampart serve --tls-cert ${f.cert} --tls-key ${f.key}`,
        '',
      ].join('\n'),
    );
  }
  return EXIT.ok;
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
