/** crypto.x509.parse_certificates / parse_and_verify_certificates / parse_rsa_private_key on node:crypto. */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { fromJS, type Value } from '../value.js';
import { parseCertificateRequest } from './csr.js';
import { builtinErr, type BuiltinRegistry } from './types.js';

/** Go's strict base64 decoding: bad characters and incomplete quanta are errors. */
function strictBase64(text: string): Buffer {
  const t = text.replace(/[\r\n]/g, '');
  const bad = t.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) throw builtinErr(`illegal base64 data at input byte ${bad}`);
  if (t.length % 4 !== 0) throw builtinErr(`illegal base64 data at input byte ${t.length - (t.length % 4)}`);
  return Buffer.from(t, 'base64');
}

/** PEM text, base64 of PEM, or base64 of concatenated DER, as OPA accepts. */
function certificates(input: string): X509Certificate[] {
  let text = input;
  if (!text.includes('-----BEGIN')) {
    const raw = strictBase64(text);
    const asText = raw.toString('latin1');
    if (asText.includes('-----BEGIN')) text = asText;
    else return derChain(raw);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw builtinErr('x509: malformed certificate');
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw builtinErr('x509: malformed certificate');
    }
  });
}

function derChain(raw: Buffer): X509Certificate[] {
  const out: X509Certificate[] = [];
  let i = 0;
  while (i < raw.length) {
    if (raw[i] !== 0x30) throw builtinErr('x509: malformed certificate');
    let len = raw[i + 1] as number;
    let hdr = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + (raw[i + 2 + k] as number);
      hdr += n;
    }
    try {
      out.push(new X509Certificate(raw.subarray(i, i + hdr + len)));
    } catch {
      throw builtinErr('x509: malformed certificate');
    }
    i += hdr + len;
  }
  if (!out.length) throw builtinErr('x509: malformed certificate');
  return out;
}

const NAME_FIELDS: Record<string, string> = { C: 'Country', O: 'Organization', OU: 'OrganizationalUnit', L: 'Locality', ST: 'Province', street: 'StreetAddress', postalCode: 'PostalCode' };

function name(dn: string): Record<string, unknown> {
  const out: Record<string, unknown> = { CommonName: '', SerialNumber: '' };
  for (const line of dn.split('\n')) {
    const i = line.indexOf('=');
    if (i < 0) continue;
    const k = line.slice(0, i);
    const v = line.slice(i + 1);
    if (k === 'CN') out.CommonName = v;
    else if (k === 'serialNumber') out.SerialNumber = v;
    else if (NAME_FIELDS[k]) out[NAME_FIELDS[k] as string] = [...((out[NAME_FIELDS[k] as string] as string[]) ?? []), v];
  }
  return out;
}

function san(c: X509Certificate, prefix: string): string[] | null {
  const list = (c.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((s) => s.startsWith(prefix + ':'))
    .map((s) => s.slice(prefix.length + 1));
  return list.length ? list : null;
}

function certObject(c: X509Certificate): Value {
  return fromJS({
    Subject: name(c.subject),
    Issuer: name(c.issuer),
    SerialNumber: BigInt('0x' + c.serialNumber),
    NotBefore: new Date(c.validFrom).toISOString().replace('.000Z', 'Z'),
    NotAfter: new Date(c.validTo).toISOString().replace('.000Z', 'Z'),
    DNSNames: san(c, 'DNS'),
    EmailAddresses: san(c, 'email'),
    IPAddresses: san(c, 'IP Address'),
    URIStrings: san(c, 'URI'),
    IsCA: c.ca,
    Raw: c.raw.toString('base64'),
    Version: 3,
  });
}

/** PEM or base64 (of PEM or DER), as OPA reads a certificate request; the first PEM block must be a request. */
function csrDer(input: string): Buffer {
  const bytes = input.startsWith('-----BEGIN CERTIFICATE REQUEST-----') ? Buffer.from(input, 'utf8') : strictBase64(input);
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(bytes.toString('latin1'));
  if (!m) return bytes;
  if (m[1] !== 'CERTIFICATE REQUEST') throw builtinErr('invalid PEM-encoded certificate signing request');
  return Buffer.from((m[2] as string).replace(/\s+/g, ''), 'base64');
}

function big(b64url: unknown): bigint {
  return BigInt('0x' + (Buffer.from(String(b64url), 'base64url').toString('hex') || '0'));
}

/** A private key as Go's encoding/json prints *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey. */
function goPrivateKey(key: KeyObject): unknown {
  const j = key.export({ format: 'jwk' });
  if (j.kty === 'RSA') {
    return { N: big(j.n), E: big(j.e), D: big(j.d), Primes: [big(j.p), big(j.q)], Precomputed: { Dp: big(j.dp), Dq: big(j.dq), Qinv: big(j.qi), CRTValues: [] } };
  }
  if (j.kty === 'EC') return { Curve: {}, X: big(j.x), Y: big(j.y), D: big(j.d) };
  if (j.kty === 'OKP') return Buffer.concat([Buffer.from(String(j.d), 'base64url'), Buffer.from(String(j.x), 'base64url')]).toString('base64');
  return null;
}

/** OPA decodes operands that do not start with a PEM header as base64. */
function pemOrBase64(s: string): string {
  return s.startsWith('-----BEGIN') ? s : strictBase64(s).toString('latin1');
}

function privateKeyBlocks(text: string): string[] {
  return text.match(/-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?-----END \1-----/g) ?? [];
}

/** Go's tls.X509KeyPair followed by encoding/json: the chain as base64 DER, the key, and the parsed leaf. */
function keyPair(certText: string, keyText: string): Value {
  const certPem = pemOrBase64(certText);
  const keyPem = pemOrBase64(keyText);
  const blocks = certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw builtinErr('tls: failed to find any PEM data in certificate input');
  const certs = certificates(blocks.join('\n'));
  const keyBlock = privateKeyBlocks(keyPem)[0];
  if (!keyBlock) throw builtinErr('tls: failed to find any PEM data in key input');
  let key: KeyObject;
  try {
    key = createPrivateKey(keyBlock);
  } catch {
    throw builtinErr('tls: failed to parse private key');
  }
  const leaf = certs[0] as X509Certificate;
  const pub = (k: KeyObject): string => k.export({ format: 'der', type: 'spki' }).toString('base64');
  if (key.asymmetricKeyType !== leaf.publicKey.asymmetricKeyType) throw builtinErr('tls: private key type does not match public key type');
  if (pub(createPublicKey(key)) !== pub(leaf.publicKey)) throw builtinErr('tls: private key does not match public key');
  return fromJS({
    Certificate: certs.map((c) => c.raw.toString('base64')),
    PrivateKey: goPrivateKey(key),
    SupportedSignatureAlgorithms: null,
    OCSPStaple: null,
    SignedCertificateTimestamps: null,
    Leaf: certObject(leaf),
  });
}

export function registerX509(r: BuiltinRegistry): void {
  r.register('crypto.x509.parse_keypair', ([c, k]) => keyPair(c as string, k as string));
  r.register('crypto.parse_private_keys', ([s]) => {
    const text = s as string;
    if (text === '') return null;
    let pem: string;
    try {
      pem = pemOrBase64(text);
    } catch {
      return []; // OPA: input that is neither PEM nor base64 holds no keys
    }
    return privateKeyBlocks(pem).map((b) => {
      try {
        return fromJS(goPrivateKey(createPrivateKey(b)));
      } catch {
        throw builtinErr('asn1: structure error: failed to parse private key');
      }
    });
  });
  r.register('crypto.x509.parse_certificate_request', ([s]) => fromJS(parseCertificateRequest(csrDer(s as string))));
  r.register('crypto.x509.parse_certificates', ([s]) => certificates(s as string).map(certObject));
  r.register('crypto.x509.parse_and_verify_certificates', ([s]) => {
    let certs: X509Certificate[];
    try {
      certs = certificates(s as string);
    } catch {
      return [false, []];
    }
    // leaf first: each certificate is signed by the next one; the last is the trusted root (self-signed)
    const ok = certs.length > 1 && certs.every((c, i) => (i + 1 < certs.length ? c.verify((certs[i + 1] as X509Certificate).publicKey) : c.verify(c.publicKey)));
    return ok ? [true, certs.map(certObject)] : [false, []];
  });
  r.register('crypto.x509.parse_rsa_private_key', ([s]) => {
    let text = s as string;
    if (!text.includes('-----BEGIN')) text = strictBase64(text).toString('utf8');
    try {
      const jwk = createPrivateKey(text.includes('-----BEGIN') ? text : { key: Buffer.from(text, 'latin1'), format: 'der', type: 'pkcs1' }).export({ format: 'jwk' });
      if (jwk.kty !== 'RSA') throw new Error('not an RSA key');
      return fromJS(jwk);
    } catch {
      throw builtinErr('failed to parse RSA private key');
    }
  });
}
