/** io.jwt.*: decode, verify (HS/RS/PS/ES/EdDSA), decode_verify, encode_sign[_raw], on node:crypto. */
import { createHmac, createPrivateKey, createPublicKey, createSign, createVerify, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { isNumber, parseJSON, RObject, toJSON, type Value } from '../value.js';
import { builtinErr, type BuiltinRegistry } from './types.js';

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

function b64urlDecode(s: string, what: string): Buffer {
  const bad = s.search(/[^A-Za-z0-9_-]/);
  if (bad >= 0 && !/^[A-Za-z0-9_-]*={0,2}$/.test(s)) throw builtinErr(`JWT ${what} had invalid encoding: illegal base64 data at input byte ${bad}`);
  return Buffer.from(s, 'base64url');
}

function b64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

interface Parts {
  header: RObject;
  payload: Value;
  headerB64: string;
  payloadB64: string;
  sig: Buffer;
}

function split(token: string): Parts {
  const parts = token.split('.');
  if (parts.length === 1) throw builtinErr('encoded JWT had no period separators');
  if (parts.length !== 3) throw builtinErr(`encoded JWT must have 3 sections, found ${parts.length}`);
  const [h, p, s] = parts as [string, string, string];
  let header: Value;
  const headerText = b64urlDecode(h, 'header').toString('utf8');
  try {
    header = parseJSON(headerText);
  } catch (e) {
    throw builtinErr(`JWT header had invalid encoding: ${(e as Error).message}`);
  }
  if (!(header instanceof RObject)) throw builtinErr('JWT header must be an object');
  if (header.get('enc') !== undefined) throw builtinErr('JWT is a JWE object, which is not supported');
  let payload: Value;
  const payloadText = b64urlDecode(p, 'payload').toString('utf8');
  // a nested JWT (cty: JWT) carries another token as its payload
  if (typeof header.get('cty') === 'string' && (header.get('cty') as string).toUpperCase() === 'JWT') {
    let inner: Value = payloadText;
    try {
      inner = parseJSON(payloadText);
    } catch {
      // the token itself, unquoted
    }
    return split(typeof inner === 'string' ? inner : payloadText);
  }
  try {
    payload = parseJSON(payloadText);
  } catch (e) {
    throw builtinErr(`JWT payload had invalid encoding: ${(e as Error).message}`);
  }
  return { header, payload, headerB64: h, payloadB64: p, sig: b64urlDecode(s, 'signature') };
}

/** Public keys from a PEM certificate, a PEM public key, or a JWK / JWK set (JSON). */
function publicKeys(material: string): KeyObject[] {
  const text = material.trim();
  if (text.startsWith('-----BEGIN')) {
    const end = /-----END [A-Z ]+-----/.exec(text);
    if (end && text.slice(end.index + end[0].length).trim() !== '') throw builtinErr('extra data after a PEM certificate block');
    if (text.includes('BEGIN CERTIFICATE')) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(text);
      } catch {
        throw builtinErr('failed to parse a PEM certificate');
      }
      return [cert.publicKey];
    }
    try {
      return [createPublicKey(text)];
    } catch {
      throw builtinErr('failed to extract a Key from the PEM certificate');
    }
  }
  try {
    const j = JSON.parse(text) as { keys?: unknown[] };
    const jwks = Array.isArray(j.keys) ? j.keys : [j];
    return jwks.map((k) => createPublicKey({ key: k as never, format: 'jwk' }));
  } catch {
    throw builtinErr('failed to parse a JWK key (set)');
  }
}

function verifyAsym(token: string, material: string, alg: string): boolean {
  const parts = split(token);
  const fam = alg.slice(0, 2);
  const hash = HASH[alg.slice(2)] as string;
  const keys = publicKeys(material);
  const data = `${parts.headerB64}.${parts.payloadB64}`;
  for (const key of keys) {
    try {
      if (alg === 'EdDSA') {
        if (cryptoVerify(null, Buffer.from(data), key, parts.sig)) return true;
        continue;
      }
      const v = createVerify(hash).update(data);
      const opts: Record<string, unknown> = { key };
      if (fam === 'PS') {
        opts.padding = 6; // RSA_PKCS1_PSS_PADDING
        opts.saltLength = -2; // auto
      }
      if (fam === 'ES') opts.dsaEncoding = 'ieee-p1363';
      if (v.verify(opts as never, parts.sig)) return true;
    } catch {
      // wrong key type for this algorithm: try the next key
    }
  }
  return false;
}

function verifyHmac(token: string, secret: string, bits: string): boolean {
  const parts = split(token);
  const mac = createHmac(HASH[bits] as string, secret).update(`${parts.headerB64}.${parts.payloadB64}`).digest();
  return mac.length === parts.sig.length && timingSafeEqual(mac, parts.sig);
}

function sign(headerText: string, payloadText: string, keyText: string): string {
  let header: Value;
  try {
    header = parseJSON(headerText);
  } catch (e) {
    throw builtinErr(jsonErr(e as Error, headerText));
  }
  if (!(header instanceof RObject)) throw builtinErr('invalid header');
  const alg = header.get('alg');
  if (typeof alg !== 'string') throw builtinErr('unsupported signature algorithm');
  let jwk: Record<string, unknown>;
  try {
    jwk = JSON.parse(keyText) as Record<string, unknown>;
  } catch (e) {
    throw builtinErr(jsonErr(e as Error, keyText));
  }
  const data = `${b64url(headerText)}.${b64url(payloadText)}`;
  if (alg === 'EdDSA') return `${data}.${b64url(cryptoSign(null, Buffer.from(data), createPrivateKey({ key: jwk as never, format: 'jwk' })))}`;
  const m = /^(HS|RS|PS|ES)(256|384|512)$/.exec(alg);
  if (!m) throw builtinErr(`unknown signature algorithm`);
  const fam = m[1] as string;
  const hash = HASH[m[2] as string] as string;
  let sig: Buffer;
  if (fam === 'HS') {
    if (typeof jwk.k !== 'string') throw builtinErr('invalid JWK: missing k');
    sig = createHmac(hash, Buffer.from(jwk.k, 'base64url')).update(data).digest();
  } else {
    const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
    const opts: Record<string, unknown> = { key };
    if (fam === 'PS') {
      opts.padding = 6;
      opts.saltLength = Number(m[2]) / 8;
    }
    if (fam === 'ES') opts.dsaEncoding = 'ieee-p1363';
    sig = createSign(hash).update(data).sign(opts as never);
  }
  return `${data}.${b64url(sig)}`;
}

/** Go's encoding/json error texts for the cases policies hit. */
function jsonErr(e: Error, text: string): string {
  if (text.trim() === '') return 'unexpected end of JSON input';
  const m = /Unexpected token '?(.)'?/.exec(e.message) ?? /unexpected (\S+)/i.exec(e.message);
  return `invalid character '${m?.[1] ?? '?'}' looking for beginning of value`;
}

export function registerJwt(r: BuiltinRegistry): void {
  r.register('io.jwt.decode', ([t]) => {
    const p = split(t as string);
    return [p.header, p.payload, p.sig.toString('hex')];
  });
  for (const bits of ['256', '384', '512']) {
    r.register(`io.jwt.verify_hs${bits}`, ([t, s]) => verifyHmac(t as string, s as string, bits));
    for (const fam of ['rs', 'ps', 'es']) r.register(`io.jwt.verify_${fam}${bits}`, ([t, c]) => verifyAsym(t as string, c as string, fam.toUpperCase() + bits));
  }
  r.register('io.jwt.verify_eddsa', ([t, c]) => verifyAsym(t as string, c as string, 'EdDSA'));
  r.register('io.jwt.encode_sign_raw', ([h, p, k]) => sign(h as string, p as string, k as string));
  r.register('io.jwt.encode_sign', ([h, p, k]) => sign(toJSON(h as Value), toJSON(p as Value), toJSON(k as Value)));
  r.register('io.jwt.decode_verify', ([t, c], b) => {
    const cons = c as RObject;
    const fail: Value = [false, new RObject(), new RObject()];
    let parts: Parts;
    try {
      parts = split(t as string);
    } catch {
      return fail;
    }
    const alg = parts.header.get('alg');
    if (typeof alg !== 'string') return fail;
    const want = cons.get('alg');
    if (typeof want === 'string' && want !== alg) return fail;
    let ok = false;
    const secret = cons.get('secret');
    const cert = cons.get('cert');
    if (alg.startsWith('HS') && typeof secret === 'string') ok = verifyHmac(t as string, secret, alg.slice(2));
    else if (!alg.startsWith('HS') && typeof cert === 'string') ok = verifyAsym(t as string, cert, alg);
    if (!ok) return fail;
    const payload = parts.payload;
    if (!(payload instanceof RObject)) return fail;
    const nowSec = typeof cons.get('time') === 'number' ? (cons.get('time') as number) / 1e9 : b.now.getTime() / 1000;
    // A present exp/nbf must be a number (OPA errors rather than ignoring it).
    const exp = payload.get('exp');
    if (exp !== undefined && !isNumber(exp)) throw builtinErr('exp value must be a number');
    if (exp !== undefined && nowSec >= Number(exp)) return fail;
    const nbf = payload.get('nbf');
    if (nbf !== undefined && !isNumber(nbf)) throw builtinErr('nbf value must be a number');
    if (nbf !== undefined && nowSec < Number(nbf)) return fail;
    const iss = cons.get('iss');
    if (typeof iss === 'string' && payload.get('iss') !== iss) return fail;
    const aud = cons.get('aud');
    const paud = payload.get('aud');
    if (typeof aud === 'string') {
      const list = Array.isArray(paud) ? paud : paud === undefined ? [] : [paud];
      if (!list.includes(aud)) return fail;
    } else if (paud !== undefined) return fail;
    return [true, parts.header, payload];
  });
}
