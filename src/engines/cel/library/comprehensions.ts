import { Optional } from '@marcbachmann/cel-js';
import { nodeCount } from '../ast.js';
import { fail, type CelLibrary, type CelLibraryContext, type CelMacro } from './library.js';

type Kind = 'all' | 'exists' | 'existsOne' | 'transformList' | 'transformMap' | 'transformMapEntry';

interface TwoVarMacro {
  kind: Kind;
  receiver: any;
  iName: string;
  vName: string;
  filter?: any;
  body: any;
  cost: number;
  c1?: any;
  c2?: any;
  async: false;
  typeCheck(checker: any, m: TwoVarMacro, ctx: any): unknown;
  evaluate(ev: any, m: TwoVarMacro, ctx: any): unknown;
}

function identName(node: any, kind: string): string {
  if (node?.op === 'id' && typeof node.args === 'string') return node.args;
  return fail(`${kind}() iteration variables must be simple identifiers`);
}

/**
 * cel-go ext two-variable comprehensions (Kubernetes enables them): all(i, v, p), exists(i, v, p),
 * existsOne(i, v, p), transformList(i, v, [filter,] expr), transformMap(k, v, [filter,] expr),
 * transformMapEntry(k, v, [filter,] entry). On lists the first variable is the index; on maps, the key.
 */
export function comprehensionsLibrary({ meter }: CelLibraryContext): CelLibrary {
  function typeCheck(checker: any, m: TwoVarMacro, ctx: any): unknown {
    const rt = checker.check(m.receiver, ctx);
    let keyType: unknown;
    let valueType: unknown;
    if (rt.kind === 'list') {
      keyType = checker.getType('int');
      valueType = rt.valueType;
    } else if (rt.kind === 'map') {
      keyType = rt.keyType;
      valueType = rt.valueType;
    } else if (rt.kind === 'dyn') {
      keyType = checker.getType('dyn');
      valueType = checker.getType('dyn');
    } else {
      throw checker.createError(
        'invalid_comprehension_range',
        `Expression of type '${checker.formatType(rt)}' cannot be range of a comprehension (must be list, map, or dynamic).`,
        m.receiver,
      );
    }
    m.c1 = ctx.forkWithVariable(m.iName, keyType);
    m.c2 = m.c1.forkWithVariable(m.vName, valueType);
    if (m.filter) {
      const ft = checker.check(m.filter, m.c2);
      if (!ft.isDynOrBool()) {
        throw checker.createError('invalid_condition_type', `${m.kind}() filter must be bool, got '${checker.formatType(ft)}'`, m.filter);
      }
    }
    const bt = checker.check(m.body, m.c2);
    switch (m.kind) {
      case 'all':
      case 'exists':
      case 'existsOne':
        if (!bt.isDynOrBool()) {
          throw checker.createError('invalid_condition_type', `${m.kind}() predicate must be bool, got '${checker.formatType(bt)}'`, m.body);
        }
        return checker.getType('bool');
      case 'transformList':
        return checker.registry.getListType(bt);
      case 'transformMap':
        return checker.registry.getMapType(keyType, bt);
      case 'transformMapEntry':
        return rt.kind === 'dyn' || bt.kind === 'dyn' ? checker.getType('map') : bt;
    }
  }

  function evaluate(ev: any, m: TwoVarMacro, ctx: any): unknown {
    const coll = ev.run(m.receiver, ctx);
    const c1 = m.c1.reuse(ctx);
    const c2 = m.c2.reuse(c1);
    let error: unknown;
    let count = 0;
    const list: unknown[] = [];
    const map = new Map<unknown, unknown>();
    const step = (k: unknown, v: unknown): boolean => {
      meter.charge(m.cost);
      c1.setIterValue(k, ev);
      c2.setIterValue(v, ev);
      if (m.filter) {
        const f = ev.run(m.filter, c2);
        if (f === false) return true;
        if (f !== true) fail(`${m.kind}() filter must return bool`);
      }
      switch (m.kind) {
        case 'all':
        case 'exists': {
          const r = ev.tryEval(m.body, c2);
          const stop = m.kind === 'all' ? false : true;
          if (r === stop) return false;
          if (r !== !stop) error ??= r instanceof Error ? r : new Error(`${m.kind}() predicate must return bool`);
          return true;
        }
        case 'existsOne': {
          const r = ev.run(m.body, c2);
          if (r === true) count++;
          else if (r !== false) fail('existsOne() predicate must return bool');
          return true;
        }
        case 'transformList':
          list.push(ev.run(m.body, c2));
          return true;
        case 'transformMap':
          map.set(k, ev.run(m.body, c2));
          return true;
        case 'transformMapEntry': {
          const entry = ev.run(m.body, c2);
          const entries = entry instanceof Map ? [...entry.entries()] : Object.entries(entry as object);
          for (const [ek, evv] of entries) {
            if (map.has(ek)) fail(`insert failed: key ${String(ek)} already exists`);
            map.set(ek, evv);
          }
          return true;
        }
      }
    };
    let stopped = false;
    if (Array.isArray(coll)) {
      for (let i = 0; i < coll.length && !stopped; i++) stopped = !step(BigInt(i), coll[i]);
    } else if (coll instanceof Map) {
      for (const [k, v] of coll) if ((stopped = !step(k, v))) break;
    } else if (coll && typeof coll === 'object') {
      for (const k of Object.keys(coll)) if ((stopped = !step(k, (coll as Record<string, unknown>)[k]))) break;
    } else {
      fail(`${m.kind}() cannot range over a value of this type`);
    }
    switch (m.kind) {
      case 'all':
      case 'exists':
        if (stopped) return m.kind === 'exists';
        if (error) throw error;
        return m.kind === 'all';
      case 'existsOne':
        return count === 1;
      case 'transformList':
        return list;
      default:
        return mapResult(map);
    }
  }

  const macro = (kind: Kind, name: string, arity: 3 | 4): CelMacro => ({
    signature: `dyn.${name}(${Array(arity).fill('ast').join(', ')}): ${kind.startsWith('transformList') ? 'list' : kind.startsWith('transformMap') ? 'map' : 'bool'}`,
    expand: ({ args, receiver }: { args: any[]; receiver: any }): TwoVarMacro => {
      const body = args[arity - 1];
      return {
        kind,
        receiver,
        iName: identName(args[0], name),
        vName: identName(args[1], name),
        filter: arity === 4 ? args[2] : undefined,
        body,
        cost: nodeCount(body) + (arity === 4 ? nodeCount(args[2]) : 0) + 1,
        async: false,
        typeCheck,
        evaluate,
      };
    },
  });

  /** opt.optMap(x, expr) / opt.optFlatMap(x, expr) (cel-go optional library). */
  const optMacro = (flat: boolean): CelMacro => ({
    signature: `dyn.${flat ? 'optFlatMap' : 'optMap'}(ast, ast): dyn`,
    expand: ({ args, receiver }: { args: any[]; receiver: any }) => ({
      receiver,
      name: identName(args[0], flat ? 'optFlatMap' : 'optMap'),
      body: args[1],
      ctx1: undefined as any,
      async: false,
      typeCheck(checker: any, m: any, ctx: any) {
        const rt = checker.check(m.receiver, ctx);
        const inner = rt.kind === 'optional' ? rt.valueType : checker.getType('dyn');
        m.ctx1 = ctx.forkWithVariable(m.name, inner);
        const bt = checker.check(m.body, m.ctx1);
        return flat ? bt : checker.registry.getOptionalType(bt);
      },
      evaluate(ev: any, m: any, ctx: any) {
        const opt = ev.run(m.receiver, ctx);
        if (!(opt instanceof Optional)) fail(`${flat ? 'optFlatMap' : 'optMap'}() requires an optional receiver`);
        if (!opt.hasValue()) return Optional.none();
        meter.charge(m.cost ?? 1);
        const r = ev.run(m.body, m.ctx1.reuse(ctx).setIterValue(opt.value(), ev));
        if (!flat) return Optional.of(r);
        if (!(r instanceof Optional)) fail('optFlatMap() expression must return an optional');
        return r;
      },
    }),
  });

  return {
    name: 'comprehensions',
    functions: [],
    macros: [
      macro('all', 'all', 3),
      macro('exists', 'exists', 3),
      macro('existsOne', 'existsOne', 3),
      macro('existsOne', 'exists_one', 3),
      macro('transformList', 'transformList', 3),
      macro('transformList', 'transformList', 4),
      macro('transformMap', 'transformMap', 3),
      macro('transformMap', 'transformMap', 4),
      macro('transformMapEntry', 'transformMapEntry', 3),
      macro('transformMapEntry', 'transformMapEntry', 4),
      optMacro(false),
      optMacro(true),
    ],
  };
}

function mapResult(map: Map<unknown, unknown>): unknown {
  for (const k of map.keys()) if (typeof k !== 'string') return map;
  return Object.fromEntries(map);
}
