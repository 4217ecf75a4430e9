/**
 * Reading and writing the webhook's PEM files. Loading reports problems as diagnostics (stable codes below)
 * so `rampart serve` can print them and refuse to start, and a reload can keep the old pair on a bad file.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { PemPair, WebhookPki } from './pki.js';

export const TLS_CODES = {
  tls_file_read_error: 'A certificate or key file could not be read.',
  tls_invalid_certificate: 'A certificate file holds no valid PEM certificate.',
  tls_invalid_key: 'A key file holds no valid PEM private key.',
  tls_key_mismatch: 'The private key does not belong to the certificate.',
  tls_certificate_expired: 'The certificate is past its notAfter date, or not yet valid.',
  tls_files_exist: 'Certificate files already exist in the output directory.',
} as const satisfies Record<string, string>;

/** Certificates and keys are small; anything larger is not a PEM file we should parse. */
const MAX_PEM_BYTES = 256 * 1024;

/** File names written by writeWebhookPki (the same names Kubernetes TLS secrets use). */
export const PKI_FILES = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'tls.crt', key: 'tls.key' } as const;

export interface LoadedKeyPair {
  /** The PEM text as read (a chain is kept whole). */
  certPem: string;
  keyPem: string;
  /** The leaf certificate. */
  certificate: X509Certificate;
}

export interface WriteOptions {
  /** Replace existing files. Default false: never clobber a CA silently. */
  overwrite?: boolean;
  /** Also write the CA private key (needed to issue more certificates later). Default true. */
  writeCaKey?: boolean;
}

export interface WrittenFiles {
  caCert: string;
  caKey?: string;
  cert: string;
  key: string;
}

/** Writes ca.crt, ca.key, tls.crt, tls.key into `dir` (created if missing). Keys are mode 0600. */
export async function writeWebhookPki(
  dir: string,
  pki: WebhookPki,
  opts: WriteOptions = {},
): Promise<{ files?: WrittenFiles; diagnostics: Diagnostic[] }> {
  const writeCaKey = opts.writeCaKey ?? true;
  const files: WrittenFiles = {
    caCert: join(dir, PKI_FILES.caCert),
    ...(writeCaKey ? { caKey: join(dir, PKI_FILES.caKey) } : {}),
    cert: join(dir, PKI_FILES.cert),
    key: join(dir, PKI_FILES.key),
  };
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
  } catch (err) {
    return { diagnostics: [diag('tls_file_read_error', `cannot create directory ${dir}: ${errorText(err)}`)] };
  }
  const targets = Object.values(files) as string[];
  if (!opts.overwrite) {
    const existing = (await Promise.all(targets.map(async (f) => ((await exists(f)) ? f : undefined)))).filter(
      (f): f is string => f !== undefined,
    );
    if (existing.length > 0) {
      return {
        diagnostics: [
          diag('tls_files_exist', `refusing to overwrite ${existing.join(', ')}`, {
            help: 'Pass --force to replace them, or choose another --out directory.',
          }),
        ],
      };
    }
  }
  const flag = opts.overwrite ? 'w' : 'wx';
  try {
    await writeFile(files.caCert, pki.ca.certPem, { mode: 0o644, flag });
    if (files.caKey) await writeFile(files.caKey, pki.ca.keyPem, { mode: 0o600, flag });
    await writeFile(files.cert, pki.serving.certPem, { mode: 0o644, flag });
    await writeFile(files.key, pki.serving.keyPem, { mode: 0o600, flag });
  } catch (err) {
    return { diagnostics: [diag('tls_file_read_error', `cannot write certificate files in ${dir}: ${errorText(err)}`)] };
  }
  return { files, diagnostics: [] };
}

/**
 * Loads a serving certificate (chain allowed) and its key, checking that they match and that the leaf is
 * valid at `now`. Returns no pair when anything is wrong; the diagnostics say what. Never logs key material.
 */
export async function loadKeyPair(
  certFile: string,
  keyFile: string,
  now: Date,
): Promise<{ pair?: LoadedKeyPair; diagnostics: Diagnostic[] }> {
  const certText = await readPem(certFile);
  const keyText = await readPem(keyFile);
  const diagnostics = [...certText.diagnostics, ...keyText.diagnostics];
  if (certText.text === undefined || keyText.text === undefined) return { diagnostics };
  const checked = checkKeyPair({ certPem: certText.text, keyPem: keyText.text }, now, { certFile, keyFile });
  return checked;
}

/** The in-memory half of loadKeyPair, for callers that already hold the PEM text. */
export function checkKeyPair(
  pem: PemPair,
  now: Date,
  names: { certFile: string; keyFile: string } = { certFile: '<certificate>', keyFile: '<key>' },
): { pair?: LoadedKeyPair; diagnostics: Diagnostic[] } {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem.certPem);
  } catch {
    return {
      diagnostics: [
        diag('tls_invalid_certificate', `${names.certFile}: no valid PEM certificate`, {
          span: { file: names.certFile, line: 1, column: 1 },
          help: 'Expected a file starting with -----BEGIN CERTIFICATE-----.',
        }),
      ],
    };
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(pem.keyPem);
  } catch {
    return {
      diagnostics: [
        diag('tls_invalid_key', `${names.keyFile}: no valid PEM private key`, {
          span: { file: names.keyFile, line: 1, column: 1 },
          help: 'Expected an unencrypted PEM key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----).',
        }),
      ],
    };
  }
  if (!certificate.checkPrivateKey(key)) {
    return {
      diagnostics: [diag('tls_key_mismatch', `${names.keyFile} is not the private key of ${names.certFile}`)],
    };
  }
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (now < notBefore || now > notAfter) {
    return {
      diagnostics: [
        diag(
          'tls_certificate_expired',
          `${names.certFile} is valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}, not at ${now.toISOString()}`,
          { help: 'Issue a new certificate (rampart certs) or renew it with your certificate manager.' },
        ),
      ],
    };
  }
  return { pair: { certPem: pem.certPem, keyPem: pem.keyPem, certificate }, diagnostics: [] };
}

/** What a person wants to know about a certificate, without its key. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  isCA: boolean;
  dnsNames: string[];
  ipAddresses: string[];
  sha256Fingerprint: string;
}

export function describeCertificate(certPem: string): CertificateSummary {
  const c = new X509Certificate(certPem);
  const sans = (c.subjectAltName ?? '').split(/,\s*/).filter((s) => s !== '');
  return {
    subject: c.subject,
    issuer: c.issuer,
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    isCA: c.ca,
    dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    ipAddresses: sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice(11)),
    sha256Fingerprint: c.fingerprint256,
  };
}

async function readPem(file: string): Promise<{ text?: string; diagnostics: Diagnostic[] }> {
  try {
    const info = await stat(file);
    if (info.size > MAX_PEM_BYTES) {
      return { diagnostics: [diag('input_too_large', `${file} is ${info.size} bytes; PEM files are at most ${MAX_PEM_BYTES}`)] };
    }
    return { text: await readFile(file, 'utf8'), diagnostics: [] };
  } catch (err) {
    return { diagnostics: [diag('tls_file_read_error', `cannot read ${file}: ${errorText(err)}`)] };
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function errorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (err instanceof Error ? err.message : String(err));
}
