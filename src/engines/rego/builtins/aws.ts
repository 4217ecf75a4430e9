/** providers.aws.sign_req: AWS Signature V4 of an http.send-style request object (no network). */
import { createHash, createHmac } from 'node:crypto';
import { RObject, RSet, toJSON, type Value } from '../value.js';
import { BuiltinError, type BuiltinRegistry } from './types.js';
import { regoString } from './util.js';

const IGNORED = new Set(['authorization', 'user-agent', 'x-amzn-trace-id']);
const REQUIRED_CONFIG = ['aws_access_key', 'aws_region', 'aws_secret_access_key', 'aws_service'];

const typeErr = (m: string): BuiltinError => new BuiltinError('eval_type_error', m);
const hmac = (key: Buffer | string, msg: string): Buffer => createHmac('sha256', key).update(msg).digest();

function setText(names: string[]): string {
  return regoString(new RSet(names), false);
}

export function registerAws(r: BuiltinRegistry): void {
  r.register('providers.aws.sign_req', ([reqV, cfgV, tsV]) => {
    const req = reqV as RObject;
    const cfg = cfgV as RObject;
    const missingCfg = REQUIRED_CONFIG.filter((k) => cfg.get(k) === undefined);
    if (missingCfg.length) throw typeErr(`operand 2 missing required AWS config parameters(s): ${setText(missingCfg)}`);
    const badCfg = REQUIRED_CONFIG.filter((k) => typeof cfg.get(k) !== 'string');
    if (badCfg.length) throw typeErr(`operand 2 invalid values for required AWS config parameters(s): ${setText(badCfg)}`);
    const missingReq = ['method', 'url'].filter((k) => req.get(k) === undefined);
    if (missingReq.length) throw typeErr(`operand 1 missing required request parameters(s): ${setText(missingReq)}`);
    const badReq = ['method', 'url'].filter((k) => typeof req.get(k) !== 'string');
    if (badReq.length) throw typeErr(`operand 1 invalid values for required request parameters(s): ${setText(badReq)}`);
    const dps = cfg.get('disable_payload_signing');
    if (dps !== undefined && typeof dps !== 'boolean') throw typeErr(`operand 2 invalid value for 'disable_payload_signing' in AWS config`);
    if ((typeof tsV === 'number' && !Number.isInteger(tsV)) || (typeof tsV === 'bigint' && (tsV > 9223372036854775807n || tsV < -9223372036854775808n)))
      throw typeErr('operand 3 could not convert time_ns value into a unix timestamp');
    const ns = typeof tsV === 'bigint' ? tsV : BigInt(tsV as number);
    const headersV = req.get('headers');
    if (headersV !== undefined && !(headersV instanceof RObject)) throw typeErr('operand 0 must be object');
    const headers = new Map<string, string>();
    if (headersV instanceof RObject) for (const k of headersV.keys()) headers.set(String(k), typeof headersV.get(k) === 'string' ? (headersV.get(k) as string) : '');
    const url = new URL(req.get('url') as string);
    const method = req.get('method') as string;
    const raw = req.get('raw_body');
    const bodyV = req.get('body');
    const body = typeof raw === 'string' ? raw : bodyV !== undefined ? toJSON(bodyV) : '';
    const service = cfg.get('aws_service') as string;
    const region = cfg.get('aws_region') as string;
    const token = cfg.get('aws_session_token');
    const bodyHash = dps === true ? 'UNSIGNED-PAYLOAD' : createHash('sha256').update(body).digest('hex');
    const d = new Date(Number(ns / 1_000_000n));
    const iso = d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const day = iso.slice(0, 8);
    const aws = new Map<string, string>([
      ['host', url.host],
      ['x-amz-date', iso],
    ]);
    if (service === 's3' || service === 'glacier') aws.set('x-amz-content-sha256', bodyHash);
    if (typeof token === 'string' && token !== '') aws.set('x-amz-security-token', token);
    const toSign = new Map(aws);
    for (const [k, v] of headers) if (!IGNORED.has(k.toLowerCase())) toSign.set(k.toLowerCase(), v);
    const keys = [...toSign.keys()].sort();
    const path = url.pathname === '/' && !(req.get('url') as string).replace(/^[a-z]+:\/\/[^/]*/i, '').startsWith('/') ? '' : url.pathname;
    let canonical = `${method}\n${path}\n${url.search.replace(/^\?/, '')}\n`;
    for (const k of keys) canonical += `${k}:${toSign.get(k)}\n`;
    canonical += `\n${keys.join(';')}\n${bodyHash}`;
    const scope = `${day}/${region}/${service}/aws4_request`;
    const strToSign = `AWS4-HMAC-SHA256\n${iso}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    let key = hmac('AWS4' + (cfg.get('aws_secret_access_key') as string), day);
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, 'aws4_request');
    const sig = hmac(key, strToSign).toString('hex');
    const out = req.clone();
    const h = new RObject();
    for (const [k, v] of headers) h.setStr(k, v);
    h.setStr('Authorization', `AWS4-HMAC-SHA256 Credential=${cfg.get('aws_access_key') as string}/${scope},SignedHeaders=${keys.join(';')},Signature=${sig}`);
    for (const [k, v] of aws) h.setStr(k, v);
    out.setStr('headers', h);
    return out as Value;
  });
}
