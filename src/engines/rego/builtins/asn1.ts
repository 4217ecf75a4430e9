/** A minimal DER reader: enough to walk PKCS#10 certificate requests the way Go's crypto/x509 does. */
import { builtinErr } from './types.js';

export interface Tlv {
  /** Full tag byte (class, constructed bit, number). */
  tag: number;
  /** Offsets into the buffer: header start, content start, end. */
  start: number;
  content: number;
  end: number;
}

function structureErr(what: string): Error {
  return builtinErr(`asn1: structure error: ${what}`);
}

export function readTlv(buf: Buffer, off: number, limit = buf.length): Tlv {
  if (off + 2 > limit) throw structureErr('data truncated');
  const tag = buf[off] as number;
  if ((tag & 0x1f) === 0x1f) throw structureErr('high-tag-number form not supported');
  let len = buf[off + 1] as number;
  let content = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw structureErr('length too large');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[content + i] as number);
    content += n;
  }
  const end = content + len;
  if (end > limit) throw structureErr('data truncated');
  return { tag, start: off, content, end };
}

/** The children of a constructed element. */
export function children(buf: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let off = t.content; off < t.end; ) {
    const c = readTlv(buf, off, t.end);
    out.push(c);
    off = c.end;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw structureErr(`tags don't match (${tag & 0x1f} vs ${t ? t.tag & 0x1f : 'none'}) ${what}`);
  return t;
}

export function oid(buf: Buffer, t: Tlv): number[] {
  const b = buf.subarray(t.content, t.end);
  const out: number[] = [];
  let v = 0;
  for (const byte of b) {
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (out.length === 0) out.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else out.push(v);
      v = 0;
    }
  }
  return out;
}

export function integer(buf: Buffer, t: Tlv): bigint {
  const b = buf.subarray(t.content, t.end);
  if (b.length === 0) return 0n;
  let v = BigInt('0x' + b.toString('hex'));
  if ((b[0] as number) & 0x80) v -= 1n << BigInt(b.length * 8);
  return v;
}

export function bytes(buf: Buffer, t: Tlv): Buffer {
  return buf.subarray(t.content, t.end);
}

export function raw(buf: Buffer, t: Tlv): Buffer {
  return buf.subarray(t.start, t.end);
}
