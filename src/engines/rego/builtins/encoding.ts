/** json, yaml, base64, hex, urlquery, units. */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { fromJS, normInt, parseJSON, RObject, toJS, toJSON, type Value } from '../value.js';
import { BuiltinError, builtinErr, typeErr, type BuiltinRegistry } from './types.js';
import { collection, numResult } from './util.js';

export function registerEncoding(r: BuiltinRegistry): void {
  r.register('json.marshal', ([v]) => toJSON(v as Value));
  r.register('json.marshal_with_options', ([v, o]) => {
    const opts = o as RObject;
    for (const k of opts.keys()) if (k !== 'pretty' && k !== 'indent' && k !== 'prefix') throw new BuiltinError('eval_type_error', `object contained unknown key ${JSON.stringify(k)}`);
    const pretty = opts.get('pretty') === false ? false : opts.get('pretty') === true || opts.get('indent') !== undefined || opts.get('prefix') !== undefined;
    if (!pretty) return toJSON(v as Value);
    const indent = typeof opts.get('indent') === 'string' ? (opts.get('indent') as string) : '\t';
    const prefix = typeof opts.get('prefix') === 'string' ? (opts.get('prefix') as string) : '';
    const text = JSON.stringify(toJS(v as Value), (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x), indent);
    return text
      .split('\n')
      .map((l) => prefix + l)
      .join('\n');
  });
  r.register('json.unmarshal', ([s]) => {
    try {
      return parseJSON(s as string);
    } catch (e) {
      throw builtinErr((e as Error).message);
    }
  });
  r.register('json.is_valid', ([s]) => {
    try {
      parseJSON(s as string);
      return true;
    } catch {
      return false;
    }
  });
  r.register('yaml.marshal', ([v]) => stringifyYaml(toJS(v as Value)));
  r.register('yaml.unmarshal', ([s]) => {
    try {
      return fromJS(parseYaml(s as string, { intAsBigInt: true, maxAliasCount: 100 }) as unknown);
    } catch (e) {
      throw builtinErr(goYamlError(e as Error));
    }
  });
  r.register('yaml.is_valid', ([s]) => {
    try {
      parseYaml(s as string, { maxAliasCount: 100 });
      return true;
    } catch {
      return false;
    }
  });
  r.register('base64.encode', ([s]) => Buffer.from(s as string, 'utf8').toString('base64'));
  r.register('base64.decode', ([s]) => {
    const str = s as string;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(str) || str.length % 4 === 1) throw builtinErr('illegal base64 data at input byte 0');
    return Buffer.from(str, 'base64').toString('utf8');
  });
  r.register('base64.is_valid', ([s]) => /^[A-Za-z0-9+/]*={0,2}$/.test(s as string) && (s as string).length % 4 === 0);
  r.register('base64url.encode', ([s]) => Buffer.from(s as string, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_'));
  r.register('base64url.encode_no_pad', ([s]) => Buffer.from(s as string, 'utf8').toString('base64url'));
  r.register('base64url.decode', ([s]) => {
    const str = s as string;
    if (!/^[A-Za-z0-9_-]*={0,2}$/.test(str)) throw builtinErr('illegal base64 data at input byte 0');
    return Buffer.from(str, 'base64url').toString('utf8');
  });
  r.register('hex.encode', ([s]) => Buffer.from(s as string, 'utf8').toString('hex'));
  r.register('hex.decode', ([s]) => {
    const str = s as string;
    if (!/^([0-9a-fA-F]{2})*$/.test(str)) {
      const bad = str.search(/[^0-9a-fA-F]/);
      if (bad >= 0) throw builtinErr(`encoding/hex: invalid byte: U+00${str.charCodeAt(bad).toString(16).toUpperCase().padStart(2, '0')} ${JSON.stringify(str[bad]).replace(/"/g, "'")}`);
      throw builtinErr('encoding/hex: odd length hex string');
    }
    return Buffer.from(str, 'hex').toString('utf8');
  });
  r.register('urlquery.encode', ([s]) => queryEscape(s as string));
  r.register('urlquery.decode', ([s]) => {
    try {
      return decodeURIComponent((s as string).replace(/\+/g, ' '));
    } catch {
      throw builtinErr('invalid URL escape');
    }
  });
  r.register('urlquery.encode_object', ([o]) => {
    const obj = o as RObject;
    const parts: string[] = [];
    for (const k of obj.keys()) {
      const v = obj.get(k) as Value;
      const vals = typeof v === 'string' ? [v] : collection(v);
      for (const x of vals) {
        if (typeof x !== 'string') throw typeErr(1, o as Value, 'object[string: string|array[string]|set[string]]');
        parts.push(queryEscape(String(k)) + '=' + queryEscape(x));
      }
    }
    return parts.join('&');
  });
  r.register('urlquery.decode_object', ([s]) => {
    const out = new RObject();
    for (const part of (s as string).split('&')) {
      if (!part) continue;
      const [k, v = ''] = part.split('=') as [string, string?];
      const key = decodeURIComponent(k.replace(/\+/g, ' '));
      const prev = (out.get(key) as Value[] | undefined) ?? [];
      out.set(key, [...prev, decodeURIComponent(v.replace(/\+/g, ' '))]);
    }
    return out;
  });
  r.register('units.parse', ([s]) => parseUnits(s as string, false));
  r.register('units.parse_bytes', ([s]) => parseUnits(s as string, true));
}

function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Splits "10.5Mi" into number and unit text the way OPA's extractNumAndUnit does. */
function splitNumUnit(s: string, err: (m: string) => Error): [string, string] {
  let first = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    const isNum = /[0-9.]/.test(c);
    if (!isNum && c !== 'e' && c !== 'E' && c !== '+' && c !== '-') {
      first = i;
      break;
    }
    if (c === 'e' || c === 'E') {
      const n = s[i + 1];
      if (i === s.length - 1 || (n !== undefined && !/[0-9+-]/.test(n))) {
        first = i;
        break;
      }
      if (n === '+' || n === '-') i++;
      let e = i + 1;
      while (e < s.length && /[0-9]/.test(s[e] as string)) e++;
      if (e - (i + 1) > 6) throw err('exponent too large');
    }
  }
  if (first === -1) return [s, ''];
  if (first === 0) return ['', s];
  return [s.slice(0, first), s.slice(first)];
}

/** Exact decimal: value = mant * 10^-scale. */
function parseDecimal(num: string): { mant: bigint; scale: number } | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(num);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const digits = (m[2] ?? '') + (m[3] ?? '');
  let scale = (m[3] ?? '').length - Number(m[4] ?? 0);
  let mant = BigInt(digits || '0');
  if (scale < 0) {
    mant *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { mant: m[1] === '-' ? -mant : mant, scale };
}

const BYTE_UNITS: Record<string, bigint> = {
  '': 1n, kb: 1000n, k: 1000n, kib: 1024n, ki: 1024n, mb: 10n ** 6n, m: 10n ** 6n, mib: 2n ** 20n, mi: 2n ** 20n,
  gb: 10n ** 9n, g: 10n ** 9n, gib: 2n ** 30n, gi: 2n ** 30n, tb: 10n ** 12n, t: 10n ** 12n, tib: 2n ** 40n, ti: 2n ** 40n,
  pb: 10n ** 15n, p: 10n ** 15n, pib: 2n ** 50n, pi: 2n ** 50n, eb: 10n ** 18n, e: 10n ** 18n, eib: 2n ** 60n, ei: 2n ** 60n,
};
const SI_UNITS: Record<string, bigint> = {
  '': 1n, k: 1000n, K: 1000n, ki: 1024n, Ki: 1024n, M: 10n ** 6n, mi: 2n ** 20n, Mi: 2n ** 20n, g: 10n ** 9n, G: 10n ** 9n,
  gi: 2n ** 30n, Gi: 2n ** 30n, t: 10n ** 12n, T: 10n ** 12n, ti: 2n ** 40n, Ti: 2n ** 40n, p: 10n ** 15n, P: 10n ** 15n,
  pi: 2n ** 50n, Pi: 2n ** 50n, e: 10n ** 18n, E: 10n ** 18n, ei: 2n ** 60n, Ei: 2n ** 60n,
};

function parseUnits(raw: string, bytes: boolean): Value {
  const prefix = bytes ? 'byte amount' : 'amount';
  const err = (m: string): Error => builtinErr(m);
  const s = bytes ? raw.toLowerCase().replace(/"/g, '') : raw.replace(/"/g, '');
  if (s.includes(' ')) throw err('spaces not allowed in resource strings');
  const [num, rawUnit] = splitNumUnit(s, err);
  if (num === '') throw err(`no ${prefix} provided`);
  const dec = parseDecimal(num);
  if (!dec) throw err(`could not parse ${prefix} to a number`);
  let unit = rawUnit;
  let mult: bigint | undefined;
  let milli = false;
  if (bytes) mult = BYTE_UNITS[unit];
  else {
    if (unit.length > 1) unit = unit[0] + unit.slice(1).toLowerCase();
    if (unit === 'm') {
      milli = true;
      mult = 1n;
    } else mult = SI_UNITS[unit];
  }
  if (mult === undefined) throw err(bytes ? `byte unit ${unit} not recognized` : `unit ${unit} not recognized`);
  let mant = dec.mant * mult;
  let scale = dec.scale + (milli ? 3 : 0);
  if (bytes) {
    // truncate toward zero to an integer
    return normInt(scale > 0 ? mant / 10n ** BigInt(scale) : mant);
  }
  while (scale > 0 && mant % 10n === 0n) {
    mant /= 10n;
    scale--;
  }
  if (scale === 0) return normInt(mant);
  // not an integer: OPA prints 10 decimals (big.Rat FloatString(10))
  const neg = mant < 0n;
  const abs = neg ? -mant : mant;
  const scaled = scale <= 10 ? abs * 10n ** BigInt(10 - scale) : (abs + 5n * 10n ** BigInt(scale - 11)) / 10n ** BigInt(scale - 10);
  const txt = scaled.toString().padStart(11, '0');
  return numResult(Number((neg ? '-' : '') + txt.slice(0, -10) + '.' + txt.slice(-10)));
}

/** go-yaml's wording for the syntax errors policies meet most; other messages pass through. */
function goYamlError(e: Error & { linePos?: { line: number }[] }): string {
  const line = e.linePos?.[0]?.line ?? 1;
  const msg = e.message;
  if (/^Flow sequence .*end with a \]/.test(msg)) return `yaml: line ${line}: did not find expected ',' or ']'`;
  if (/^Flow map .*end with a \}/.test(msg)) return `yaml: line ${line}: did not find expected ',' or '}'`;
  if (msg.startsWith('Nested mappings are not allowed')) return 'yaml: mapping values are not allowed in this context';
  if (msg.startsWith('Missing closing')) return 'yaml: found unexpected end of stream';
  return msg;
}
