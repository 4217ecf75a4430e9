/** json, yaml, base64, hex, urlquery, units. */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { fromJS, normInt, parseJSON, RObject, toJS, toJSON, type Value } from '../value.js';
import { builtinErr, typeErr, type BuiltinRegistry } from './types.js';
import { collection, fixFloat, numResult } from './util.js';

export function registerEncoding(r: BuiltinRegistry): void {
  r.register('json.marshal', ([v]) => toJSON(v as Value));
  r.register('json.marshal_with_options', ([v, o]) => {
    const opts = o as RObject;
    const pretty = opts.get('pretty') === true || opts.get('indent') !== undefined || opts.get('prefix') !== undefined;
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
      throw builtinErr((e as Error).message);
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

const SI: Record<string, number> = { '': 1, k: 1e3, m: 1e-3, M: 1e6, g: 1e9, G: 1e9, t: 1e12, T: 1e12, p: 1e15, P: 1e15, e: 1e18, E: 1e18 };
const BIN: Record<string, number> = { ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40, pi: 2 ** 50, ei: 2 ** 60 };

function parseUnits(raw: string, bytes: boolean): Value {
  const s = raw.replace(/"/g, '');
  const m = /^([-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)\s*([a-zA-Z]*)$/.exec(s.trim());
  if (!m || /\s/.test(s.trim().replace(/^\S+\s*/, '').slice(0, 0))) {
    throw builtinErr(bytes ? 'could not parse byte amount' : 'could not parse amount to a number');
  }
  if (s.includes(' ')) throw builtinErr(bytes ? 'spaces not allowed in resource strings' : 'spaces not allowed in resource strings');
  const n = m[1] as string;
  let unit = m[2] as string;
  let mult: number | undefined;
  if (bytes) {
    const u = unit.toLowerCase().replace(/b$/, '');
    const table: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15, e: 1e18, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40, pi: 2 ** 50, ei: 2 ** 60 };
    mult = table[u];
    if (mult === undefined) throw builtinErr(`byte unit ${JSON.stringify(unit)} not recognized`);
    if (/^[-+]?\d+$/.test(n) && Number.isInteger(mult)) return normInt(BigInt(n) * BigInt(mult));
    const v = Number(n) * mult;
    return numResult(Math.floor(v));
  }
  if (unit.length === 2 && unit[1] === 'i') {
    mult = BIN[unit.toLowerCase()];
    if (unit[0] === 'm') mult = undefined;
  } else mult = SI[unit];
  if (unit === 'mi') mult = undefined;
  if (mult === undefined) throw builtinErr(`unit ${JSON.stringify(unit)} not recognized`);
  unit = '';
  if (/^[-+]?\d+$/.test(n) && mult >= 1 && Number.isInteger(mult)) return normInt(BigInt(n) * BigInt(mult));
  return numResult(fixFloat(Number(n) * mult));
}
