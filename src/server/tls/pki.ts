/**
 * Certificate authority and serving certificates for the admission webhook (local clusters, tests, bootstrap).
 * Pure: keys come from node:crypto, certificates are built and signed with node-forge; nothing touches the disk.
 * RSA 2048 + SHA-256 because every Kubernetes component and every TLS stack accepts it.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** A PEM certificate with its PEM (PKCS#8) private key. */
export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface CaOptions {
  commonName?: string;
  /** Default 3650 (ten years): the CA outlives the serving certificates it signs. */
  validityDays?: number;
  now: Date;
}

export interface ServingOptions {
  /** DNS subject alternative names, e.g. rampart.rampart-system.svc. At least one name or IP is required. */
  dnsNames: readonly string[];
  /** IP subject alternative names, e.g. 127.0.0.1 (IPv4 or IPv6). */
  ipAddresses?: readonly string[];
  /** Defaults to the first DNS name (or IP). Clients check the SANs, not the CN. */
  commonName?: string;
  /** Default 365. */
  validityDays?: number;
  now: Date;
}

/** A CA and one serving certificate it signed: what a webhook and its caBundle need. */
export interface WebhookPki {
  ca: PemPair;
  serving: PemPair;
}

const DAY_MS = 86_400_000;
/** Backdate notBefore so a peer whose clock runs slightly behind still accepts a fresh certificate. */
const CLOCK_SKEW_MS = 5 * 60_000;
const DNS_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/i;

export class PkiInputError extends Error {}

export function createCertificateAuthority(opts: CaOptions): PemPair {
  const days = checkValidityDays(opts.validityDays ?? 3650);
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = newSerial();
  setValidity(cert, opts.now, days);
  const subject = [{ name: 'commonName', value: opts.commonName ?? 'Rampart webhook CA' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: toPem(cert), keyPem: keys.keyPem };
}

/** Issues a server-auth certificate for the given names, signed by `ca`. Throws PkiInputError on bad names. */
export function issueServingCertificate(ca: PemPair, opts: ServingOptions): PemPair {
  const ips = opts.ipAddresses ?? [];
  validateNames(opts.dnsNames, ips);
  const days = checkValidityDays(opts.validityDays ?? 365);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = newSerial();
  setValidity(cert, opts.now, days);
  cert.setSubject([{ name: 'commonName', value: opts.commonName ?? opts.dnsNames[0] ?? ips[0] }]);
  cert.setIssuer(caCert.subject.attributes);
  const caSki = caCert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...opts.dnsNames.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))],
    },
    { name: 'subjectKeyIdentifier' },
    ...(caSki?.subjectKeyIdentifier
      ? [{ name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(caSki.subjectKeyIdentifier) }]
      : []),
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: toPem(cert), keyPem: keys.keyPem };
}

/** A fresh CA and a serving certificate for `serving` signed by it. */
export function createWebhookPki(serving: ServingOptions, ca: Partial<CaOptions> = {}): WebhookPki {
  const caPair = createCertificateAuthority({ ...ca, now: ca.now ?? serving.now });
  return { ca: caPair, serving: issueServingCertificate(caPair, serving) };
}

/** The DNS names a webhook Service answers to inside the cluster, most specific last. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

function validateNames(dnsNames: readonly string[], ips: readonly string[]): void {
  if (dnsNames.length === 0 && ips.length === 0) {
    throw new PkiInputError('a serving certificate needs at least one DNS name or IP address');
  }
  for (const name of dnsNames) {
    if (name.length > 253 || !DNS_NAME.test(name)) throw new PkiInputError(`not a valid DNS name: "${name}"`);
  }
  for (const ip of ips) {
    if (isIP(ip) === 0) throw new PkiInputError(`not a valid IP address: "${ip}"`);
  }
}

function newKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    keyPem: privateKey,
  };
}

/** 16 random bytes, top bit cleared so the DER integer stays positive (RFC 5280 §4.1.2.2). */
function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function checkValidityDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new PkiInputError(`validity must be a whole number of days between 1 and 36500, got ${days}`);
  }
  return days;
}

function setValidity(cert: forge.pki.Certificate, now: Date, days: number): void {
  cert.validity.notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  cert.validity.notAfter = new Date(now.getTime() + days * DAY_MS);
}

/** forge writes CRLF line ends; files and caBundles read better with LF, and every parser accepts it. */
function toPem(cert: forge.pki.Certificate): string {
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}
