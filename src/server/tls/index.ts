/**
 * TLS helpers for the admission webhook.
 *
 *   const pki = createWebhookPki({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now: new Date() });
 *   await writeWebhookPki('certs', pki);                      // ca.crt ca.key tls.crt tls.key
 *   const { pair, diagnostics } = await loadKeyPair('certs/tls.crt', 'certs/tls.key', new Date());
 *   https.createServer({ cert: pair.certPem, key: pair.keyPem }, handler);
 */
export {
  createCertificateAuthority,
  createWebhookPki,
  issueServingCertificate,
  PkiInputError,
  serviceDnsNames,
  type CaOptions,
  type PemPair,
  type ServingOptions,
  type WebhookPki,
} from './pki.js';
export {
  checkKeyPair,
  describeCertificate,
  loadKeyPair,
  PKI_FILES,
  TLS_CODES,
  writeWebhookPki,
  type CertificateSummary,
  type LoadedKeyPair,
  type WriteOptions,
  type WrittenFiles,
} from './files.js';
