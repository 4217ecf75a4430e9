import { fail, overloads, type CelLibrary } from './library.js';

/** An IP address as 4 or 16 bytes (net.IP / netip.Addr in the API server). */
export class IPAddr {
  constructor(readonly bytes: Uint8Array) {}

  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }

  equals(o: unknown): boolean {
    return o instanceof IPAddr && o.bytes.length === this.bytes.length && o.bytes.every((b, i) => b === this.bytes[i]);
  }

  toString(): string {
    return formatIP(this.bytes);
  }

  toPlain(): string {
    return this.toString();
  }
}

/** A CIDR prefix (netip.Prefix): the address as written plus the prefix length. */
export class CIDR {
  constructor(
    readonly addr: IPAddr,
    readonly bits: number,
  ) {}

  masked(): CIDR {
    const b = new Uint8Array(this.addr.bytes);
    for (let i = 0; i < b.length; i++) {
      const keep = Math.max(0, Math.min(8, this.bits - i * 8));
      b[i] &= keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    }
    return new CIDR(new IPAddr(b), this.bits);
  }

  contains(ip: IPAddr): boolean {
    if (ip.family !== this.addr.family) return false;
    for (let i = 0; i < ip.bytes.length; i++) {
      const keep = Math.max(0, Math.min(8, this.bits - i * 8));
      const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
      if ((ip.bytes[i] & mask) !== (this.addr.bytes[i] & mask)) return false;
    }
    return true;
  }

  containsCIDR(o: CIDR): boolean {
    return o.addr.family === this.addr.family && o.bits >= this.bits && this.contains(o.addr);
  }

  equals(o: unknown): boolean {
    return o instanceof CIDR && o.bits === this.bits && o.addr.equals(this.addr);
  }

  toString(): string {
    return `${this.addr}/${this.bits}`;
  }

  toPlain(): string {
    return this.toString();
  }
}

function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIPv6(s: string): Uint8Array | undefined {
  if (s.includes('%')) return undefined;
  let tail: Uint8Array | undefined;
  let str = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail = parseIPv4(s.slice(lastColon + 1));
    if (!tail) return undefined;
    str = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = str.indexOf('::');
  if (dbl >= 0 && str.indexOf('::', dbl + 1) >= 0) return undefined;
  const groupsOf = (x: string): string[] => (x === '' ? [] : x.split(':'));
  const head = groupsOf(dbl >= 0 ? str.slice(0, dbl) : str);
  const rest = dbl >= 0 ? groupsOf(str.slice(dbl + 2)) : [];
  const total = head.length + rest.length;
  if (dbl < 0 ? total !== 8 : total > 7) return undefined;
  const groups = [...head, ...Array(8 - total).fill('0'), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(groups[i])) return undefined;
    const n = parseInt(groups[i], 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

function isV4Mapped(b: Uint8Array): boolean {
  return b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** Parses like Go's netip.ParseAddr plus Kubernetes' rules: no zones, no IPv4-mapped IPv6. */
export function parseIP(s: string): IPAddr | string {
  if (s.includes('%')) return 'IP address with zone value is not allowed';
  const b = s.includes(':') ? parseIPv6(s) : parseIPv4(s);
  if (!b) return `IP Address "${s}" parse error during conversion from string: ParseAddr(${JSON.stringify(s)}): unable to parse IP`;
  if (isV4Mapped(b)) return 'IPv4-mapped IPv6 address is not allowed';
  return new IPAddr(b);
}

export function parseCIDR(s: string): CIDR | string {
  const slash = s.indexOf('/');
  if (slash < 0) return `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): no '/'`;
  const ip = parseIP(s.slice(0, slash));
  if (typeof ip === 'string') return ip;
  const bitsText = s.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(bitsText)) return `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): bad bits after slash: ${JSON.stringify(bitsText)}`;
  const bits = Number(bitsText);
  if (bits > ip.bytes.length * 8) return `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): prefix length out of range`;
  return new CIDR(ip, bits);
}

/** Go netip.Addr.String(): dotted quad, or RFC 5952 IPv6. */
export function formatIP(b: Uint8Array): string {
  if (b.length === 4) return b.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

const ipOrFail = (s: string): IPAddr => {
  const r = parseIP(s);
  return typeof r === 'string' ? fail(r) : r;
};
const cidrOrFail = (s: string): CIDR => {
  const r = parseCIDR(s);
  return typeof r === 'string' ? fail(r) : r;
};

function isLoopback(ip: IPAddr): boolean {
  return ip.family === 4 ? ip.bytes[0] === 127 : ip.bytes.slice(0, 15).every((x) => x === 0) && ip.bytes[15] === 1;
}
function isUnspecified(ip: IPAddr): boolean {
  return ip.bytes.every((x) => x === 0);
}
function isLinkLocalUnicast(ip: IPAddr): boolean {
  return ip.family === 4 ? ip.bytes[0] === 169 && ip.bytes[1] === 254 : ip.bytes[0] === 0xfe && (ip.bytes[1] & 0xc0) === 0x80;
}
function isLinkLocalMulticast(ip: IPAddr): boolean {
  return ip.family === 4
    ? ip.bytes[0] === 224 && ip.bytes[1] === 0 && ip.bytes[2] === 0
    : ip.bytes[0] === 0xff && (ip.bytes[1] & 0x0f) === 0x02;
}
function isMulticast(ip: IPAddr): boolean {
  return ip.family === 4 ? (ip.bytes[0] & 0xf0) === 0xe0 : ip.bytes[0] === 0xff;
}
function isGlobalUnicast(ip: IPAddr): boolean {
  if (ip.family === 4 && ip.bytes.every((x) => x === 255)) return false;
  return !isUnspecified(ip) && !isLoopback(ip) && !isMulticast(ip) && !isLinkLocalUnicast(ip);
}

/** Namespace value behind `ip.isCanonical(...)` (the `ip(...)` function stays a function). */
export class IPNamespace {}

const IP = 'net.IP';
const C = 'net.CIDR';

/** Kubernetes ip and cidr libraries (library/ip.go, library/cidr.go). */
export function ipLibrary(): CelLibrary {
  return {
    name: 'ip',
    types: [
      { name: IP, ctor: IPAddr },
      { name: C, ctor: CIDR },
      { name: 'IPNamespace', ctor: IPNamespace },
    ],
    constants: [{ name: 'ip', type: 'IPNamespace', value: new IPNamespace() }],
    functions: overloads({
      [`ip(string): ${IP}`]: ipOrFail,
      'isIP(string): bool': (s: string) => typeof parseIP(s) !== 'string',
      'IPNamespace.isCanonical(string): bool': (_ns: unknown, s: string) => ipOrFail(s).toString() === s,
      [`string(${IP}): string`]: (ip: IPAddr) => ip.toString(),
      [`${IP}.family(): int`]: (ip: IPAddr) => BigInt(ip.family),
      [`${IP}.isUnspecified(): bool`]: isUnspecified,
      [`${IP}.isLoopback(): bool`]: isLoopback,
      [`${IP}.isLinkLocalMulticast(): bool`]: isLinkLocalMulticast,
      [`${IP}.isLinkLocalUnicast(): bool`]: isLinkLocalUnicast,
      [`${IP}.isGlobalUnicast(): bool`]: isGlobalUnicast,
      [`cidr(string): ${C}`]: cidrOrFail,
      'isCIDR(string): bool': (s: string) => typeof parseCIDR(s) !== 'string',
      [`string(${C}): string`]: (c: CIDR) => c.toString(),
      [`${C}.containsIP(string): bool`]: (c: CIDR, s: string) => c.contains(ipOrFail(s)),
      [`${C}.containsIP(${IP}): bool`]: (c: CIDR, ip: IPAddr) => c.contains(ip),
      [`${C}.containsCIDR(string): bool`]: (c: CIDR, s: string) => c.containsCIDR(cidrOrFail(s)),
      [`${C}.containsCIDR(${C}): bool`]: (c: CIDR, o: CIDR) => c.containsCIDR(o),
      [`${C}.ip(): ${IP}`]: (c: CIDR) => c.addr,
      [`${C}.masked(): ${C}`]: (c: CIDR) => c.masked(),
      [`${C}.prefixLength(): int`]: (c: CIDR) => BigInt(c.bits),
    }),
    operators: overloads({
      [`${IP} == ${IP}`]: (a: IPAddr, b: IPAddr) => a.equals(b),
      [`${C} == ${C}`]: (a: CIDR, b: CIDR) => a.equals(b),
    }),
  };
}
