/**
 * crypto.x509.parse_certificate_request: a PKCS#10 request as Go's x509.CertificateRequest marshals to JSON
 * (field names, enum numbers for algorithms, byte slices as base64, public keys as their Go structs).
 */
import { createPublicKey } from 'node:crypto';
import { builtinErr } from './types.js';
import { children, expectTag, integer, oid, raw, readTlv, bytes, type Tlv } from './asn1.js';

const SEQ = 0x30;
const SET = 0x31;

/** Go's x509.SignatureAlgorithm numbers by OID. */
const SIG_ALGS: Record<string, number> = {
  '1.2.840.113549.1.1.2': 1,
  '1.2.840.113549.1.1.4': 2,
  '1.2.840.113549.1.1.5': 3,
  '1.2.840.113549.1.1.11': 4,
  '1.2.840.113549.1.1.12': 5,
  '1.2.840.113549.1.1.13': 6,
  '1.2.840.10040.4.3': 7,
  '2.16.840.1.101.3.4.3.2': 8,
  '1.2.840.10045.4.1': 9,
  '1.2.840.10045.4.3.2': 10,
  '1.2.840.10045.4.3.3': 11,
  '1.2.840.10045.4.3.4': 12,
  '1.2.840.113549.1.1.10': 13,
  '1.3.101.112': 16,
};

/** Go's x509.PublicKeyAlgorithm numbers by OID. */
const KEY_ALGS: Record<string, number> = { '1.2.840.113549.1.1.1': 1, '1.2.840.10040.4.1': 2, '1.2.840.10045.2.1': 3, '1.3.101.112': 4 };

const NAME_FIELDS: Record<string, string> = {
  '2.5.4.6': 'Country',
  '2.5.4.10': 'Organization',
  '2.5.4.11': 'OrganizationalUnit',
  '2.5.4.7': 'Locality',
  '2.5.4.8': 'Province',
  '2.5.4.9': 'StreetAddress',
  '2.5.4.17': 'PostalCode',
};

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const SUBJECT_ALT_NAME = '2.5.29.17';

function text(buf: Buffer, t: Tlv): string {
  // BMPString is UTF-16BE; the other string types Go accepts here are byte-compatible with UTF-8.
  const b = bytes(buf, t);
  return t.tag === 0x1e ? Buffer.from(b).swap16().toString('utf16le') : b.toString('utf8');
}

function subject(buf: Buffer, t: Tlv): Record<string, unknown> {
  const out: Record<string, unknown> = { CommonName: '', SerialNumber: '', ExtraNames: null };
  for (const f of Object.values(NAME_FIELDS)) out[f] = null;
  const names: unknown[] = [];
  for (const rdn of children(buf, expectTag(t, SEQ, 'subject'))) {
    for (const atv of children(buf, expectTag(rdn, SET, 'RDN'))) {
      const [typ, val] = children(buf, expectTag(atv, SEQ, 'attribute'));
      const id = oid(buf, expectTag(typ, 0x06, 'attribute type'));
      if (!val) continue;
      const value = text(buf, val);
      names.push({ Type: id, Value: value });
      const key = id.join('.');
      if (key === '2.5.4.3') out.CommonName = value;
      else if (key === '2.5.4.5') out.SerialNumber = value;
      else if (NAME_FIELDS[key]) out[NAME_FIELDS[key]] = [...((out[NAME_FIELDS[key]] as string[] | null) ?? []), value];
    }
  }
  out.Names = names;
  return out;
}

function bigFromB64url(s: unknown): bigint {
  return BigInt('0x' + (Buffer.from(String(s), 'base64url').toString('hex') || '0'));
}

function publicKey(spki: Buffer, alg: number): unknown {
  try {
    const jwk = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'jwk' });
    if (alg === 1) return { N: bigFromB64url(jwk.n), E: bigFromB64url(jwk.e) };
    if (alg === 3) return { Curve: {}, X: bigFromB64url(jwk.x), Y: bigFromB64url(jwk.y) };
    if (alg === 4) return Buffer.from(String(jwk.x), 'base64url').toString('base64');
  } catch {
    // unsupported key: Go leaves PublicKey nil for unknown algorithms
  }
  return null;
}

/** Go's url.URL as encoding/json prints it. */
function goUrl(s: string): unknown {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(s);
  return {
    Scheme: m?.[1] ?? '',
    Opaque: '',
    User: null,
    Host: m?.[2] ?? '',
    Path: m?.[3] ?? s,
    RawPath: '',
    OmitHost: false,
    ForceQuery: false,
    RawQuery: m?.[4] ?? '',
    Fragment: m?.[5] ?? '',
    RawFragment: '',
  };
}

function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  const groups: string[] = [];
  for (let i = 0; i + 1 < b.length; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export function parseCertificateRequest(der: Buffer): Record<string, unknown> {
  // Go checks the tag before the length.
  if (der[0] !== SEQ) throw builtinErr(`asn1: structure error: tags don't match (16 vs {class:${(der[0] ?? 0) >> 6} tag:${(der[0] ?? 0) & 0x1f}}) certificateRequest`);
  const top = expectTag(readTlv(der, 0), SEQ, 'certificateRequest');
  const [info, sigAlg, sig] = children(der, top);
  const infoParts = children(der, expectTag(info, SEQ, 'certificateRequestInfo'));
  const [version, subj, spki, attrs] = infoParts;
  const spkiParts = children(der, expectTag(spki, SEQ, 'subjectPublicKeyInfo'));
  const keyAlgSeq = children(der, expectTag(spkiParts[0], SEQ, 'algorithm'));
  const keyAlg = KEY_ALGS[oid(der, expectTag(keyAlgSeq[0], 0x06, 'algorithm')).join('.')] ?? 0;
  const sigAlgSeq = children(der, expectTag(sigAlg, SEQ, 'signatureAlgorithm'));
  const sigBits = bytes(der, expectTag(sig, 0x03, 'signature'));

  const attributes: unknown[] = [];
  const extensions: unknown[] = [];
  const san = { DNSNames: [] as string[], EmailAddresses: [] as string[], IPAddresses: [] as string[], URIs: [] as unknown[] };
  if (attrs && attrs.tag === 0xa0) {
    for (const a of children(der, attrs)) {
      const [typ, values] = children(der, expectTag(a, SEQ, 'attribute'));
      if (!typ || !values || typ.tag !== 0x06 || values.tag !== SET) continue;
      const id = oid(der, typ);
      if (id.join('.') !== EXTENSION_REQUEST) continue;
      const value: unknown[] = [];
      for (const set of children(der, values)) {
        const group: unknown[] = [];
        for (const ext of children(der, expectTag(set, SEQ, 'extensions'))) {
          const parts = children(der, expectTag(ext, SEQ, 'extension'));
          const extId = oid(der, expectTag(parts[0], 0x06, 'extension id'));
          const critical = parts[1]?.tag === 0x01 && der[parts[1].content] !== 0;
          const valueTlv = expectTag(parts[parts.length - 1], 0x04, 'extension value');
          const extValue = bytes(der, valueTlv);
          group.push({ Type: extId, Value: extValue.toString('base64') });
          extensions.push({ Id: extId, Critical: critical, Value: extValue.toString('base64') });
          if (extId.join('.') === SUBJECT_ALT_NAME) {
            for (const gn of children(extValue, readTlv(extValue, 0))) {
              const v = bytes(extValue, gn);
              if (gn.tag === 0x81) san.EmailAddresses.push(v.toString('utf8'));
              else if (gn.tag === 0x82) san.DNSNames.push(v.toString('utf8'));
              else if (gn.tag === 0x86) san.URIs.push(goUrl(v.toString('utf8')));
              else if (gn.tag === 0x87) san.IPAddresses.push(ipText(v));
            }
          }
        }
        value.push(group);
      }
      attributes.push({ Type: id, Value: value });
    }
  }
  const orNull = <T>(xs: T[]): T[] | null => (xs.length ? xs : null);
  return {
    Raw: raw(der, top).toString('base64'),
    RawTBSCertificateRequest: raw(der, info as Tlv).toString('base64'),
    RawSubjectPublicKeyInfo: raw(der, spki as Tlv).toString('base64'),
    RawSubject: raw(der, subj as Tlv).toString('base64'),
    Version: Number(integer(der, expectTag(version, 0x02, 'version'))),
    Signature: sigBits.subarray(1).toString('base64'),
    SignatureAlgorithm: SIG_ALGS[oid(der, expectTag(sigAlgSeq[0], 0x06, 'algorithm')).join('.')] ?? 0,
    PublicKeyAlgorithm: keyAlg,
    PublicKey: publicKey(raw(der, spki as Tlv), keyAlg),
    Subject: subject(der, subj as Tlv),
    Attributes: orNull(attributes),
    Extensions: orNull(extensions),
    ExtraExtensions: null,
    DNSNames: orNull(san.DNSNames),
    EmailAddresses: orNull(san.EmailAddresses),
    IPAddresses: orNull(san.IPAddresses),
    URIs: orNull(san.URIs),
  };
}
