/** json.verify_schema / json.match_schema on Ajv, with errors shaped like OPA's (gojsonschema). */
import { Ajv, type ErrorObject } from 'ajv';
import { parseJSON, RObject, toJS, type Value } from '../value.js';
import { builtinErr, type BuiltinRegistry } from './types.js';

const TYPES = ['array', 'boolean', 'integer', 'number', 'null', 'object', 'string'];

function asJS(v: Value, what: string): unknown {
  if (typeof v === 'string') {
    try {
      return toJS(parseJSON(v));
    } catch (e) {
      throw builtinErr(`${what}: ${(e as Error).message}`);
    }
  }
  return toJS(v);
}

/** gojsonschema's complaint about an invalid "type", or undefined. */
function badType(schema: unknown): string | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  const s = schema as Record<string, unknown>;
  const t = s.type;
  const list = Array.isArray(t) ? t : t === undefined ? [] : [t];
  for (const x of list) if (typeof x !== 'string' || !TYPES.includes(x)) return `has a primitive type that is NOT VALID -- given: /${String(x)}/ Expected valid values are:[${TYPES.join(' ')}]`;
  for (const v of Object.values(s)) {
    if (v && typeof v === 'object') {
      const inner = Array.isArray(v) ? v.map(badType).find((x) => x) : (badType(v) ?? Object.values(v as object).map(badType).find((x) => x));
      if (inner) return inner;
    }
  }
  return undefined;
}

function given(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function errorOf(e: ErrorObject, doc: unknown): Value {
  const path = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let field = path.length ? path.join('.') : '(root)';
  let desc = e.message ?? 'invalid';
  let type = e.keyword;
  if (e.keyword === 'type') {
    let cur: unknown = doc;
    for (const p of path) cur = (cur as Record<string, unknown> | undefined)?.[p];
    desc = `Invalid type. Expected: ${String((e.params as { type: string }).type)}, given: ${given(cur)}`;
    type = 'invalid_type';
  } else if (e.keyword === 'required') {
    const prop = (e.params as { missingProperty: string }).missingProperty;
    desc = `${prop} is required`;
    field = path.length ? path.join('.') : '(root)';
  }
  const o = new RObject();
  o.setStr('desc', desc);
  o.setStr('error', `${field}: ${desc}`);
  o.setStr('field', field);
  o.setStr('type', type);
  return o;
}

export function registerJsonSchema(r: BuiltinRegistry): void {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const compile = (schema: unknown): ReturnType<Ajv['compile']> => {
    const bad = badType(schema);
    if (bad) throw new Error(bad);
    return ajv.compile(schema as object);
  };
  r.register('json.verify_schema', ([s]) => {
    try {
      compile(asJS(s as Value, 'json.verify_schema'));
      return [true, null];
    } catch (e) {
      return [false, `jsonschema: ${(e as Error).message}`];
    }
  });
  r.register('json.match_schema', ([d, s]) => {
    const schema = asJS(s as Value, 'json.match_schema');
    let validate: ReturnType<Ajv['compile']>;
    try {
      validate = compile(schema);
    } catch (e) {
      throw builtinErr((e as Error).message);
    }
    const doc = asJS(d as Value, 'json.match_schema');
    if (validate(doc)) return [true, []];
    return [false, (validate.errors ?? []).map((e) => errorOf(e, doc))];
  });
}
