/** time, net.cidr_*, semver, crypto hashes, uuid. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isNumber, normInt, RObject, RSet, type Value } from '../value.js';
import { builtinErr, typeErr, type BuiltinRegistry } from './types.js';
import { formatLayout, parseLayout, wallClock } from './gotime.js';
import { collection, intArg } from './util.js';

export function registerNetCrypto(r: BuiltinRegistry): void {
  // --- time (nanoseconds since epoch, UTC unless a zone is given) ---
  r.register('time.now_ns', (_a, b) => {
    const c = b.cache.get('time.now_ns');
    if (c !== undefined) return c;
    const v = normInt(BigInt(b.now.getTime()) * 1_000_000n);
    b.cache.set('time.now_ns', v);
    return v;
  });
  r.register('time.parse_rfc3339_ns', ([s]) => parseRFC3339(s as string));
  r.register('time.parse_ns', ([layout, str]) => inRange(BigInt(parseLayout(layout as string, str as string))));
  r.register('time.parse_duration_ns', ([str]) => parseDuration(str as string));
  r.register('time.format', ([t]) => {
    const { ns, tz, layout } = timeArg(t as Value);
    return formatLayout(wallClock(ns, tz), layout ?? 'RFC3339Nano');
  });
  r.register('time.date', ([t]) => {
    const { ns, tz } = timeArg(t as Value);
    const w = wallClock(ns, tz);
    return [w.year, w.month, w.day];
  });
  r.register('time.clock', ([t]) => {
    const { ns, tz } = timeArg(t as Value);
    const w = wallClock(ns, tz);
    return [w.hour, w.min, w.sec];
  });
  r.register('time.weekday', ([t]) => {
    const { ns, tz } = timeArg(t as Value);
    return ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][wallClock(ns, tz).weekday] as string;
  });
  r.register('time.add_date', ([t, y, m, d]) => {
    const w = wallClock(timeArg(t as Value).ns, 'UTC');
    const date = new Date(0);
    date.setUTCFullYear(w.year + intArg(y as Value, 2), w.month - 1 + intArg(m as Value, 3), w.day + intArg(d as Value, 4));
    date.setUTCHours(w.hour, w.min, w.sec, 0);
    return inRange(BigInt(date.getTime()) * 1_000_000n + BigInt(w.nanos));
  });
  r.register('time.diff', ([a, b]) => {
    const x = timeArg(a as Value);
    const y = timeArg(b as Value);
    let w1 = wallClock(x.ns, x.tz);
    let w2 = wallClock(y.ns, y.tz);
    if (x.ns > y.ns) [w1, w2] = [w2, w1];
    let yr = w2.year - w1.year;
    let mo = w2.month - w1.month;
    let d = w2.day - w1.day;
    let h = w2.hour - w1.hour;
    let mi = w2.min - w1.min;
    let s = w2.sec - w1.sec;
    if (s < 0) {
      s += 60;
      mi--;
    }
    if (mi < 0) {
      mi += 60;
      h--;
    }
    if (h < 0) {
      h += 24;
      d--;
    }
    if (d < 0) {
      d += new Date(Date.UTC(w2.year, w2.month - 1, 0)).getUTCDate();
      mo--;
    }
    if (mo < 0) {
      mo += 12;
      yr--;
    }
    return [yr, mo, d, h, mi, s];
  });

  // --- net ---
  r.register('net.cidr_contains', ([c, x]) => {
    const net = parseCidr(c as string, 1);
    const other = (x as string).includes('/') ? parseCidr(x as string, 2) : parseIpOrCidr(x as string, 2);
    return cidrContains(net, other);
  });
  r.register('net.cidr_intersects', ([a, b]) => {
    const x = parseCidr(a as string, 1);
    const y = parseCidr(b as string, 2);
    return x.v6 === y.v6 && (cidrContains(x, y) || cidrContains(y, x));
  });
  r.register('net.cidr_overlap', ([a, b]) => {
    const x = parseCidr(a as string, 1);
    const y = parseCidr(b as string, 2);
    return x.v6 === y.v6 && (cidrContains(x, y) || cidrContains(y, x));
  });
  r.register('net.cidr_is_valid', ([c]) => {
    try {
      parseCidr(c as string, 1);
      return true;
    } catch {
      return false;
    }
  });
  r.register('net.cidr_expand', ([c]) => {
    const n = parseCidr(c as string, 1);
    const size = 1n << BigInt(n.bits - n.prefix);
    if (size > 65536n) throw builtinErr('cidr too large to expand');
    const out = new RSet();
    for (let i = 0n; i < size; i++) out.add(formatIp(n.addr + i, n.v6));
    return out;
  });
  r.register('net.cidr_merge', ([xs]) => {
    const nets = collection(xs as Value).map((x) => {
      if (typeof x !== 'string') throw typeErr(1, xs as Value, 'array', 'set');
      if (x.includes('/')) return parseCidr(x, 1);
      // an address without a prefix gets its classful default mask, as Go's net.IP.DefaultMask
      const ip = parseIpOrCidr(x, 1);
      if (ip.v6) throw builtinErr('IPv6 invalid: needs prefix length');
      const first = Number(ip.addr >> 24n);
      const prefix = first < 128 ? 8 : first < 192 ? 16 : 24;
      return parseCidr(`${x}/${prefix}`, 1);
    });
    return new RSet(mergeCidrs(nets).map((n) => formatIp(n.addr, n.v6) + '/' + n.prefix));
  });
  r.register('net.cidr_contains_matches', ([a, b]) => {
    const items = (v: Value, pos: number): [Value, string][] => {
      if (typeof v === 'string') return [[v, v]];
      const out: [Value, string][] = [];
      // OPA's getCIDRMatchTerm: a string, or the first element of a non-empty array.
      const add = (k: Value, x: Value): void => {
        const s = typeof x === 'string' ? x : Array.isArray(x) && x.length > 0 ? x[0] : undefined;
        if (s === undefined) throw builtinErr(`operand ${pos}: element must be string or non-empty array`);
        if (typeof s !== 'string') throw typeErr(1, s, 'string'); // OPA reports it from net.cidr_contains' first check
        out.push([k, s]);
      };
      if (Array.isArray(v)) v.forEach((x, i) => add(i, x));
      else if (v instanceof RSet) v.sorted().forEach((x) => add(x, x));
      else if (v instanceof RObject) v.keys().forEach((k) => add(k, v.get(k) as Value));
      return out;
    };
    const out = new RSet();
    for (const [ka, ca] of items(a as Value, 1)) {
      const net = parseCidr(ca, 1);
      for (const [kb, cb] of items(b as Value, 2)) {
        if (cidrContains(net, cb.includes('/') ? parseCidr(cb, 2) : parseIpOrCidr(cb, 2))) out.add([ka, kb]);
      }
    }
    return out;
  });

  // --- semver ---
  r.register('semver.is_valid', ([v]) => typeof v === 'string' && parseSemver(v) !== undefined);
  r.register('semver.compare', ([a, b]) => {
    const x = parseSemver(a as string);
    const y = parseSemver(b as string);
    if (!x) throw builtinErr(`operand 1: string ${JSON.stringify(a)} is not a valid SemVer`);
    if (!y) throw builtinErr(`operand 2: string ${JSON.stringify(b)} is not a valid SemVer`);
    return compareSemver(x, y);
  });

  // --- crypto ---
  const hash = (alg: string) => ([s]: Value[]) => createHash(alg).update(s as string, 'utf8').digest('hex');
  r.register('crypto.md5', hash('md5'));
  r.register('crypto.sha1', hash('sha1'));
  r.register('crypto.sha256', hash('sha256'));
  const hmac = (alg: string) => ([s, k]: Value[]) => createHmac(alg, k as string).update(s as string, 'utf8').digest('hex');
  r.register('crypto.hmac.md5', hmac('md5'));
  r.register('crypto.hmac.sha1', hmac('sha1'));
  r.register('crypto.hmac.sha256', hmac('sha256'));
  r.register('crypto.hmac.sha512', hmac('sha512'));
  r.register('crypto.hmac.equal', ([a, b]) => {
    const x = Buffer.from(a as string);
    const y = Buffer.from(b as string);
    return x.length === y.length && timingSafeEqual(x, y);
  });

  // --- uuid ---
  r.register('uuid.rfc4122', ([k], b) => {
    const key = 'uuid:' + String(k);
    const c = b.cache.get(key);
    if (c !== undefined) return c;
    const bytes = Array.from({ length: 16 }, () => Math.floor(b.random() * 256));
    bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
    const h = bytes.map((x) => x.toString(16).padStart(2, '0')).join('');
    const v = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    b.cache.set(key, v);
    return v;
  });
  r.register('uuid.parse', ([s]) => {
    const m = /^(?:urn:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i.exec(s as string);
    if (!m) return undefined;
    const o = new RObject();
    const version = parseInt((m[3] as string)[0] as string, 16);
    o.setStr('version', version);
    const vbits = parseInt((m[4] as string)[0] as string, 16);
    o.setStr('variant', vbits >= 0xe ? 'Future' : vbits >= 0xc ? 'Microsoft' : vbits >= 0x8 ? 'RFC4122' : 'Reserved');
    return o;
  });
}

// --- time helpers ---

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

/** A timestamp operand as OPA reads it: an exact int64, else "timestamp too big" (fractions included). */
function toNs(v: Value): bigint {
  if (typeof v === 'number' && !Number.isInteger(v)) throw builtinErr('timestamp too big');
  if (typeof v !== 'bigint' && typeof v !== 'number') throw typeErr(1, v, 'number', 'array');
  const ns = BigInt(v);
  if (ns < MIN_INT64 || ns > MAX_INT64) throw builtinErr('timestamp too big');
  return ns;
}

/** A computed time must fit Go's UnixNano (int64). */
function inRange(ns: bigint): Value {
  if (ns < MIN_INT64 || ns > MAX_INT64) throw builtinErr('time outside of valid range');
  return normInt(ns);
}

function timeArg(t: Value): { ns: bigint; tz: string; layout?: string } {
  if (isNumber(t)) return { ns: toNs(t), tz: 'UTC' };
  if (Array.isArray(t) && isNumber(t[0] as Value)) return { ns: toNs(t[0] as Value), tz: typeof t[1] === 'string' ? t[1] : 'UTC', layout: typeof t[2] === 'string' ? t[2] : undefined };
  throw typeErr(1, t, 'number', 'array');
}

export function parseRFC3339(s: string): Value {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) throw builtinErr(`parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(s)} as "2006"`);
  const [, y, mo, d, h, mi, sec, frac, tz] = m as unknown as string[];
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d)); // Date.UTC maps years 0-99 to 19xx
  date.setUTCHours(Number(h), Number(mi), Number(sec), 0);
  let ms = date.getTime();
  if (tz && tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1 : 1;
    ms -= sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60000;
  }
  const fracNs = frac ? BigInt((frac.slice(1) + '000000000').slice(0, 9)) : 0n;
  return inRange(BigInt(ms) * 1_000_000n + fracNs);
}

function parseDuration(s: string): Value {
  const units: Record<string, bigint> = { ns: 1n, us: 1000n, 'µs': 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n, d: 86_400_000_000_000n };
  const m = /^([-+]?)((?:\d+(?:\.\d*)?(?:ns|us|µs|ms|s|m|h|d))+|0)$/.exec(s);
  if (!m) throw builtinErr(`time: invalid duration ${JSON.stringify(s)}`);
  let total = 0;
  let totalBig = 0n;
  for (const part of (m[2] as string).matchAll(/(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h|d)/g)) {
    const n = part[1] as string;
    const u = units[part[2] as string] as bigint;
    if (n.includes('.')) total += Number(n) * Number(u);
    else totalBig += BigInt(n) * u;
  }
  const r = totalBig + BigInt(Math.round(total));
  return normInt(m[1] === '-' ? -r : r);
}

// --- net helpers ---

interface Cidr {
  addr: bigint;
  prefix: number;
  bits: number;
  v6: boolean;
}

function parseIp(s: string): { addr: bigint; v6: boolean } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { addr: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n), v6: false };
  }
  if (!s.includes(':')) return undefined;
  let str = s;
  let tail: number[] = [];
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(str);
  if (v4tail) {
    const p = parseIp(v4tail[1] as string);
    if (!p) return undefined;
    tail = [Number(p.addr >> 16n), Number(p.addr & 0xffffn)];
    str = str.slice(0, -(v4tail[1] as string).length) + (str.endsWith('::' + v4tail[1]) ? '' : '0');
    if (str.endsWith(':0')) str = str.slice(0, -2);
    if (str.endsWith(':') && !str.endsWith('::')) str = str.slice(0, -1);
  }
  const halves = str.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => (h === '' ? [] : h.split(':').map((x) => (/^[0-9a-fA-F]{1,4}$/.test(x) ? parseInt(x, 16) : NaN)));
  const a = parse(halves[0] as string);
  const b = halves.length === 2 ? parse(halves[1] as string) : [];
  if (!a || !b || a.some(Number.isNaN) || b.some(Number.isNaN)) return undefined;
  const total = 8 - tail.length;
  let groups: number[];
  if (halves.length === 2) {
    const fill = total - a.length - b.length;
    if (fill < 0) return undefined;
    groups = [...a, ...new Array<number>(fill).fill(0), ...b, ...tail];
  } else {
    groups = [...a, ...tail];
    if (groups.length !== 8) return undefined;
  }
  return { addr: groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n), v6: true };
}

function parseCidr(s: string, pos: number): Cidr {
  const [ip, pre] = s.split('/') as [string, string?];
  const p = parseIp(ip);
  if (!p || pre === undefined || !/^\d+$/.test(pre)) throw builtinErr(`invalid CIDR address: ${s}`);
  const bits = p.v6 ? 128 : 32;
  const prefix = Number(pre);
  if (prefix > bits) throw builtinErr(`invalid CIDR address: ${s}`);
  void pos;
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
  return { addr: p.addr & mask, prefix, bits, v6: p.v6 };
}

function parseIpOrCidr(s: string, pos: number): Cidr {
  const p = parseIp(s);
  if (!p) throw builtinErr(`invalid IP address: ${s}`);
  void pos;
  const bits = p.v6 ? 128 : 32;
  return { addr: p.addr, prefix: bits, bits, v6: p.v6 };
}

function cidrContains(net: Cidr, x: Cidr): boolean {
  if (net.v6 !== x.v6 || x.prefix < net.prefix) return false;
  const shift = BigInt(net.bits - net.prefix);
  return x.addr >> shift === net.addr >> shift;
}

function formatIp(addr: bigint, v6: boolean): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((addr >> s) & 255n)).join('.');
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((addr >> BigInt(i * 16)) & 0xffffn));
  // longest zero run for ::
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

function mergeCidrs(nets: Cidr[]): Cidr[] {
  const byFamily = (v6: boolean): Cidr[] => {
    let list = nets.filter((n) => n.v6 === v6).sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.prefix - b.prefix));
    // drop contained
    const out: Cidr[] = [];
    for (const n of list) if (!out.some((o) => cidrContains(o, n))) out.push(n);
    list = out;
    // merge siblings repeatedly
    let changed = true;
    while (changed) {
      changed = false;
      list.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.prefix - b.prefix));
      for (let i = 0; i + 1 < list.length; i++) {
        const a = list[i] as Cidr;
        const b = list[i + 1] as Cidr;
        if (a.prefix === b.prefix && a.prefix > 0) {
          const size = 1n << BigInt(a.bits - a.prefix);
          if ((a.addr / size) % 2n === 0n && a.addr + size === b.addr) {
            list.splice(i, 2, { addr: a.addr, prefix: a.prefix - 1, bits: a.bits, v6: a.v6 });
            changed = true;
            break;
          }
        }
      }
      const dedup: Cidr[] = [];
      for (const n of list) if (!dedup.some((o) => cidrContains(o, n))) dedup.push(n);
      list = dedup;
    }
    return list;
  };
  return [...byFamily(false), ...byFamily(true)];
}

// --- semver ---

interface Semver {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string[];
}

function parseSemver(s: string): Semver | undefined {
  const m = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/.exec(s);
  if (!m || s.startsWith('v')) return undefined;
  return { major: BigInt(m[1] as string), minor: BigInt(m[2] as string), patch: BigInt(m[3] as string), pre: m[4] ? (m[4] as string).split('.') : [] };
}

function compareSemver(a: Semver, b: Semver): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  if (!a.pre.length && !b.pre.length) return 0;
  if (!a.pre.length) return 1;
  if (!b.pre.length) return -1;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return BigInt(x) < BigInt(y) ? -1 : 1;
    if (xn) return -1;
    if (yn) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
