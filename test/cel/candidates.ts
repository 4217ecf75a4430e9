/** Adapters that let the conformance runner and the benchmark drive each candidate CEL library the same way. */
import { Environment, Optional } from '@marcbachmann/cel-js';
import { celEnv, celUint, isCelError, isCelList, isCelMap, isCelType, isCelUint, parse as bufParse, plan as bufPlan } from '@bufbuild/cel';
import { strings as bufStrings } from '@bufbuild/cel/ext';
import * as celJs from 'cel-js';
import { CelEnvironment, type CelType } from '../../src/engines/cel/index.js';
import type { Candidate, Canon, ConformanceCase, Outcome } from './conformance.js';

/** A compiled expression of one candidate, for the benchmark. */
export interface BenchProgram {
  run(activation: Record<string, unknown>): unknown;
}

export interface BenchCandidate extends Candidate {
  /** Compiles once with the given declared variables; activation holds values made by `prepare`. */
  compile(expr: string, vars: string[]): BenchProgram;
  /** Turns a plain JSON object into what the engine takes (identity when it takes plain JSON). */
  prepare(json: unknown): unknown;
}

/** JSON → @bufbuild/cel input: integers as bigint, objects as Map (it does not read plain objects). */
function jsonToBuf(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(jsonToBuf);
  if (v && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, jsonToBuf(x)]));
  return v;
}

const UnsignedInt = (new Environment().evaluate('1u') as object).constructor as new (v: bigint) => { valueOf(): bigint };

function toJsInput(c: Canon, mapsAsMap: boolean): unknown {
  switch (c[0]) {
    case 'int':
      return BigInt(c[1]);
    case 'uint':
      return new UnsignedInt(BigInt(c[1]));
    case 'double':
      return c[1];
    case 'string':
    case 'bool':
      return c[1];
    case 'null':
      return null;
    case 'bytes':
      return new Uint8Array(Buffer.from(c[1], 'hex'));
    case 'list':
      return c[1].map((x) => toJsInput(x, mapsAsMap));
    case 'map': {
      if (!mapsAsMap && c[1].every(([k]) => k[0] === 'string')) {
        return Object.fromEntries(c[1].map(([k, v]) => [k[1], toJsInput(v, mapsAsMap)]));
      }
      return new Map(c[1].map(([k, v]) => [toJsInput(k, mapsAsMap), toJsInput(v, mapsAsMap)]));
    }
    default:
      throw new Error(`cannot bind ${c[0]}`);
  }
}

function typeBase(name: string): string {
  const lt = name.indexOf('<');
  return lt < 0 ? name : name.slice(0, lt);
}

/** @marcbachmann/cel-js runtime values (also what the Rampart engine uses) → Canon. */
function canonOfMarc(v: unknown): Canon {
  switch (typeof v) {
    case 'bigint':
      return ['int', String(v)];
    case 'number':
      return ['double', v];
    case 'string':
      return ['string', v];
    case 'boolean':
      return ['bool', v];
    case 'object': {
      if (v === null) return ['null'];
      if (v instanceof UnsignedInt) return ['uint', String(v.valueOf())];
      if (Array.isArray(v)) return ['list', v.map(canonOfMarc)];
      if (v instanceof Uint8Array) return ['bytes', Buffer.from(v).toString('hex')];
      if (v instanceof Map) return ['map', [...v.entries()].map(([k, x]) => [canonOfMarc(k), canonOfMarc(x)])];
      if (v instanceof Optional) return ['opaque', 'optional'];
      if (v instanceof Date) return ['timestamp', v.toISOString()];
      if (v.constructor?.name === 'Type') return ['type', typeBase((v as { name: string }).name)];
      if (Object.getPrototypeOf(v) === Object.prototype) {
        return ['map', Object.entries(v).map(([k, x]) => [['string', k], canonOfMarc(x)] as [Canon, Canon])];
      }
      return ['opaque', v.constructor?.name ?? 'object'];
    }
    default:
      return ['opaque', typeof v];
  }
}

function errorOf(err: unknown): Outcome {
  return { kind: 'error', message: (err as Error)?.message ?? String(err) };
}

function rampart(): BenchCandidate {
  const envFor = (decls: Record<string, string>): CelEnvironment =>
    new CelEnvironment({ variables: decls as Record<string, CelType> });
  return {
    name: 'rampart',
    run(test: ConformanceCase): Outcome {
      const compiled = envFor(test.decls).compile(test.expr);
      if (!compiled.ok) return { kind: 'error', message: `${compiled.error.code}: ${compiled.error.message}` };
      const act: Record<string, unknown> = {};
      for (const [k, c] of Object.entries(test.bindings)) act[k] = toJsInput(c, true);
      const r = compiled.program.evaluate(act, { celValues: true });
      return r.ok ? { kind: 'value', value: canonOfMarc(r.value) } : { kind: 'error', message: `${r.error.code}: ${r.error.message}` };
    },
    compile(expr, vars) {
      const env = envFor(Object.fromEntries(vars.map((v) => [v, 'dyn'])));
      const c = env.compile(expr);
      if (!c.ok) throw new Error(c.error.message);
      return { run: (a) => c.program.evaluate(a) };
    },
    prepare: (json) => json,
  };
}

function marcbachmann(): BenchCandidate {
  return {
    name: 'marcbachmann',
    run(test: ConformanceCase): Outcome {
      try {
        const env = new Environment({ enableOptionalTypes: true, unlistedVariablesAreDyn: true });
        for (const [k, t] of Object.entries(test.decls)) env.registerVariable(k, t);
        const fn = env.parse(test.expr);
        if (!test.disableCheck) {
          const chk = fn.check();
          if (!chk.valid) return errorOf(chk.error);
        }
        const act: Record<string, unknown> = {};
        for (const [k, c] of Object.entries(test.bindings)) act[k] = toJsInput(c, true);
        return { kind: 'value', value: canonOfMarc(fn(act)) };
      } catch (err) {
        return errorOf(err);
      }
    },
    compile(expr, vars) {
      const env = new Environment({ enableOptionalTypes: true });
      for (const v of vars) env.registerVariable(v, 'dyn');
      const fn = env.parse(expr);
      // No int conversion: this library reads JSON integers as doubles (a Kubernetes-semantics gap).
      return { run: (a) => fn(a) };
    },
    prepare: (json) => json,
  };
}

function canonOfBuf(v: unknown): Canon {
  switch (typeof v) {
    case 'bigint':
      return ['int', String(v)];
    case 'number':
      return ['double', v];
    case 'string':
      return ['string', v];
    case 'boolean':
      return ['bool', v];
    case 'object': {
      if (v === null) return ['null'];
      if (isCelUint(v)) return ['uint', String(v.value)];
      if (v instanceof Uint8Array) return ['bytes', Buffer.from(v).toString('hex')];
      if (isCelList(v)) return ['list', [...v].map(canonOfBuf)];
      if (isCelMap(v)) return ['map', [...v.entries()].map(([k, x]) => [canonOfBuf(k), canonOfBuf(x)])];
      if (isCelType(v)) return ['type', typeBase(v.name)];
      return ['opaque', String((v as { desc?: { typeName?: string } }).desc?.typeName ?? 'object')];
    }
    default:
      return ['opaque', typeof v];
  }
}

function toBufInput(c: Canon): unknown {
  switch (c[0]) {
    case 'uint':
      return celUint(BigInt(c[1]));
    case 'list':
      return c[1].map(toBufInput);
    case 'map':
      return new Map(c[1].map(([k, v]) => [toBufInput(k), toBufInput(v)]));
    default:
      return toJsInput(c, true);
  }
}

function bufbuild(): BenchCandidate {
  return {
    name: 'bufbuild',
    run(test: ConformanceCase): Outcome {
      try {
        const env = celEnv({ funcs: bufStrings });
        const p = bufPlan(env, bufParse(test.expr));
        const act: Record<string, unknown> = {};
        for (const [k, c] of Object.entries(test.bindings)) act[k] = toBufInput(c);
        const r = p(act as never);
        if (isCelError(r)) return errorOf(r);
        return { kind: 'value', value: canonOfBuf(r) };
      } catch (err) {
        return errorOf(err);
      }
    },
    compile(expr) {
      const p = bufPlan(celEnv({ funcs: bufStrings }), bufParse(expr));
      return { run: (a) => p(a as never) };
    },
    prepare: jsonToBuf,
  };
}

function canonOfCelJs(v: unknown): Canon {
  if (typeof v === 'number') return ['double', v];
  if (Array.isArray(v)) return ['list', v.map(canonOfCelJs)];
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return ['map', Object.entries(v).map(([k, x]) => [['string', k], canonOfCelJs(x)] as [Canon, Canon])];
  }
  return canonOfMarc(v);
}

function toCelJsInput(c: Canon): unknown {
  switch (c[0]) {
    case 'int':
    case 'uint':
      return Number(c[1]);
    case 'list':
      return c[1].map(toCelJsInput);
    case 'map':
      return Object.fromEntries(c[1].map(([k, v]) => [String(k[1]), toCelJsInput(v)]));
    default:
      return toJsInput(c, false);
  }
}

function celJsCandidate(): BenchCandidate {
  return {
    name: 'cel-js',
    looseNumbers: true,
    run(test: ConformanceCase): Outcome {
      try {
        const act: Record<string, unknown> = {};
        for (const [k, c] of Object.entries(test.bindings)) act[k] = toCelJsInput(c);
        return { kind: 'value', value: canonOfCelJs(celJs.evaluate(test.expr, act as never)) };
      } catch (err) {
        return errorOf(err);
      }
    },
    compile(expr) {
      const parsed = celJs.parse(expr);
      if (!parsed.isSuccess) throw new Error(`cel-js cannot parse ${expr}`);
      return { run: (a) => celJs.evaluate(parsed.cst, a as never) };
    },
    prepare: (json) => json,
  };
}

export function candidates(): BenchCandidate[] {
  return [rampart(), marcbachmann(), bufbuild(), celJsCandidate()];
}
