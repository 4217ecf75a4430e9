/**
 * graphql.parse_query / parse_schema / schema_is_valid / is_valid / parse / parse_and_verify: a GraphQL parser that
 * produces the AST shape OPA returns (gqlparser's structures, empty fields omitted) and basic schema checks.
 */
import { RObject, toJS, type Value } from '../value.js';
import { builtinErr, type BuiltinRegistry } from './types.js';

interface Tok {
  k: 'name' | 'int' | 'float' | 'string' | 'block' | 'punct' | 'eof';
  v: string;
  line: number;
  col: number;
}

class GqlError extends Error {
  constructor(
    msg: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(msg);
  }
}

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  let ls = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\n') {
      line++;
      i++;
      ls = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === ',' || c === '\ufeff') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const col = i - ls + 1;
    if (src.startsWith('...', i)) {
      out.push({ k: 'punct', v: '...', line, col });
      i += 3;
      continue;
    }
    if ('!$&():=@[]{}|'.includes(c)) {
      out.push({ k: 'punct', v: c, line, col });
      i++;
      continue;
    }
    if (/[_A-Za-z]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[_0-9A-Za-z]/.test(src[j] as string)) j++;
      out.push({ k: 'name', v: src.slice(i, j), line, col });
      i = j;
      continue;
    }
    if (/[-0-9]/.test(c)) {
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i));
      if (!m) throw new GqlError(`Unexpected ${c}`, line, col);
      out.push({ k: m[2] || m[3] ? 'float' : 'int', v: m[0], line, col });
      i += m[0].length;
      continue;
    }
    if (src.startsWith('"""', i)) {
      const end = src.indexOf('"""', i + 3);
      if (end < 0) throw new GqlError('Unterminated string.', line, col);
      const raw = src.slice(i + 3, end);
      out.push({ k: 'block', v: blockValue(raw), line, col });
      for (const ch of raw) if (ch === '\n') line++;
      const lastNl = src.lastIndexOf('\n', end);
      if (lastNl >= i) ls = lastNl + 1;
      i = end + 3;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\n') throw new GqlError('Unterminated string.', line, col);
        if (src[j] === '\\') {
          const e = src[j + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };
          if (e === 'u') {
            v += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          v += map[e ?? ''] ?? e ?? '';
          j += 2;
          continue;
        }
        v += src[j];
        j++;
      }
      if (j >= src.length) throw new GqlError('Unterminated string.', line, col);
      out.push({ k: 'string', v, line, col: col + 1 });
      i = j + 1;
      continue;
    }
    throw new GqlError(`Unexpected ${c}`, line, col);
  }
  out.push({ k: 'eof', v: '', line, col: i - ls + 1 });
  return out;
}

function blockValue(raw: string): string {
  const lines = raw.replace(/\\"""/g, '"""').split(/\r\n|\n|\r/);
  let common: number | undefined;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i] as string;
    const ind = l.length - l.trimStart().length;
    if (ind < l.length && (common === undefined || ind < common)) common = ind;
  }
  const out = lines.map((l, i) => (i > 0 && common ? l.slice(common) : l));
  while (out.length && (out[0] as string).trim() === '') out.shift();
  while (out.length && (out[out.length - 1] as string).trim() === '') out.pop();
  return out.join('\n');
}

type Obj = Record<string, unknown>;

/** Drops empty arrays and undefined fields, as OPA's conversion of gqlparser structures does. */
function clean(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

class P {
  i = 0;
  constructor(private readonly t: Tok[]) {}
  get tok(): Tok {
    return this.t[this.i] as Tok;
  }
  desc(t: Tok = this.tok): string {
    switch (t.k) {
      case 'eof':
        return '<EOF>';
      case 'name':
        return `Name "${t.v}"`;
      case 'int':
        return `Int "${t.v}"`;
      case 'float':
        return `Float "${t.v}"`;
      case 'string':
        return `String "${t.v}"`;
      case 'block':
        return `BlockString "${t.v}"`;
      default:
        return t.v;
    }
  }
  unexpected(t: Tok = this.tok): never {
    throw new GqlError(`Unexpected ${this.desc(t)}`, t.line, t.col);
  }
  atEnd(): boolean {
    return this.tok.k === 'eof';
  }
  isP(v: string): boolean {
    return this.tok.k === 'punct' && this.tok.v === v;
  }
  isName(v?: string): boolean {
    return this.tok.k === 'name' && (v === undefined || this.tok.v === v);
  }
  expectP(v: string): void {
    if (!this.isP(v)) throw new GqlError(`Expected ${v}, found ${this.desc()}`, this.tok.line, this.tok.col);
    this.i++;
  }
  expectKeyword(v: string): void {
    if (!this.isName(v)) throw new GqlError(`Expected "${v}", found ${this.desc()}`, this.tok.line, this.tok.col);
    this.i++;
  }
  name(): string {
    if (this.tok.k !== 'name') throw new GqlError(`Expected Name, found ${this.desc()}`, this.tok.line, this.tok.col);
    return (this.t[this.i++] as Tok).v;
  }
  many<T>(open: string, item: () => T, close: string): T[] {
    this.expectP(open);
    if (this.isP(close)) throw new GqlError(`expected at least one definition, found ${this.desc()}`, this.tok.line, this.tok.col);
    const out: T[] = [];
    do out.push(item());
    while (!this.isP(close));
    this.i++;
    return out;
  }
  optMany<T>(open: string, item: () => T, close: string): T[] {
    return this.isP(open) ? this.many(open, item, close) : [];
  }

  // --- values, types, directives
  value(isConst: boolean): Obj {
    const t = this.tok;
    if (t.k === 'punct') {
      if (t.v === '[') {
        this.i++;
        const children: Obj[] = [];
        while (!this.isP(']')) {
          if (this.tok.k === 'eof') this.unexpected();
          children.push({ Name: '', Value: this.value(isConst) });
        }
        this.i++;
        return clean({ Children: children, Kind: 8, Raw: '' });
      }
      if (t.v === '{') {
        this.i++;
        const children: Obj[] = [];
        while (!this.isP('}')) {
          const n = this.name();
          this.expectP(':');
          children.push({ Name: n, Value: this.value(isConst) });
        }
        this.i++;
        return clean({ Children: children, Kind: 9, Raw: '' });
      }
      if (t.v === '$' && !isConst) {
        this.i++;
        return { Kind: 0, Raw: this.name() };
      }
      this.unexpected();
    }
    this.i++;
    switch (t.k) {
      case 'int':
        return { Kind: 1, Raw: t.v };
      case 'float':
        return { Kind: 2, Raw: t.v };
      case 'string':
        return { Kind: 3, Raw: t.v };
      case 'block':
        return { Kind: 4, Raw: t.v };
      case 'name':
        if (t.v === 'true' || t.v === 'false') return { Kind: 5, Raw: t.v };
        if (t.v === 'null') return { Kind: 6, Raw: t.v };
        return { Kind: 7, Raw: t.v };
      default:
        this.i--;
        return this.unexpected();
    }
  }
  type(): Obj {
    let ty: Obj;
    if (this.isP('[')) {
      this.i++;
      const elem = this.type();
      this.expectP(']');
      ty = { Elem: elem, NamedType: '', NonNull: false };
    } else ty = { NamedType: this.name(), NonNull: false };
    if (this.isP('!')) {
      this.i++;
      ty.NonNull = true;
    }
    return ty;
  }
  directives(isConst: boolean): Obj[] {
    const out: Obj[] = [];
    while (this.isP('@')) {
      this.i++;
      const name = this.name();
      const args = this.arguments(isConst);
      out.push(clean({ Arguments: args, Location: '', Name: name }));
    }
    return out;
  }
  arguments(isConst: boolean): Obj[] {
    return this.optMany(
      '(',
      () => {
        const n = this.name();
        this.expectP(':');
        return { Name: n, Value: this.value(isConst) };
      },
      ')',
    );
  }

  // --- queries
  queryDocument(): Obj {
    const ops: Obj[] = [];
    const frags: Obj[] = [];
    if (this.tok.k === 'eof') return {};
    do {
      if (this.isP('{')) ops.push(clean({ Name: '', Operation: 'query', SelectionSet: this.selectionSet() }));
      else if (this.isName('query') || this.isName('mutation') || this.isName('subscription')) ops.push(this.operation());
      else if (this.isName('fragment')) frags.push(this.fragment());
      else this.unexpected();
    } while (!this.atEnd());
    return clean({ Fragments: frags, Operations: ops });
  }
  operation(): Obj {
    const op = this.name();
    const name = this.isName() ? this.name() : '';
    const vars = this.varDefs();
    const dirs = this.directives(false);
    return clean({ Directives: dirs, Name: name, Operation: op, SelectionSet: this.selectionSet(), VariableDefinitions: vars });
  }
  varDefs(): Obj[] {
    return this.optMany(
      '(',
      () => {
        this.expectP('$');
        const v = this.name();
        this.expectP(':');
        const ty = this.type();
        let dv: Obj | undefined;
        if (this.isP('=')) {
          this.i++;
          dv = this.value(true);
        }
        return clean({ DefaultValue: dv, Directives: this.directives(true), Type: ty, Used: false, Variable: v });
      },
      ')',
    );
  }
  fragment(): Obj {
    this.i++;
    if (this.isName('on')) this.unexpected();
    const name = this.name();
    const vars = this.varDefs();
    this.expectKeyword('on');
    const tc = this.name();
    return clean({ Directives: this.directives(false), Name: name, SelectionSet: this.selectionSet(), TypeCondition: tc, VariableDefinition: vars });
  }
  selectionSet(): Obj[] {
    return this.many('{', () => this.selection(), '}');
  }
  selection(): Obj {
    if (this.isP('...')) {
      this.i++;
      if (this.isName() && !this.isName('on')) return clean({ Directives: this.directives(false), Name: this.name() });
      let tc = '';
      if (this.isName('on')) {
        this.i++;
        tc = this.name();
      }
      return clean({ Directives: this.directives(false), SelectionSet: this.selectionSet(), TypeCondition: tc });
    }
    let alias = this.name();
    let name = alias;
    if (this.isP(':')) {
      this.i++;
      name = this.name();
    }
    void alias;
    const args = this.arguments(false);
    const dirs = this.directives(false);
    const sel = this.isP('{') ? this.selectionSet() : [];
    alias = alias === name ? name : alias;
    return clean({ Alias: alias, Arguments: args, Directives: dirs, Name: name, SelectionSet: sel });
  }

  // --- schemas
  schemaDocument(): Obj {
    const defs: Obj[] = [];
    const exts: Obj[] = [];
    const dirs: Obj[] = [];
    const schema: Obj[] = [];
    const schemaExt: Obj[] = [];
    while (this.tok.k !== 'eof') {
      let description = '';
      if (this.tok.k === 'string' || this.tok.k === 'block') description = (this.t[this.i++] as Tok).v;
      if (this.isName('extend')) {
        if (description) this.unexpected(this.t[this.i - 1]);
        this.i++;
        if (this.isName('schema')) {
          this.i++;
          schemaExt.push(this.schemaDef('', true));
        } else {
          const start = this.i;
          const ext = this.typeDef('');
          // an extension must add something
          if (this.i === start + 2) this.unexpected();
          exts.push(ext);
        }
        continue;
      }
      if (this.isName('schema')) {
        this.i++;
        schema.push(this.schemaDef(description));
      } else if (this.isName('directive')) dirs.push(this.directiveDef(description));
      else defs.push(this.typeDef(description));
    }
    return clean({ Definitions: defs, Directives: dirs, Extensions: exts, Schema: schema, SchemaExtension: schemaExt });
  }
  schemaDef(description: string, extension = false): Obj {
    const d = this.directives(true);
    if (extension && !this.isP('{')) {
      if (!d.length) this.unexpected();
      return clean({ Description: description, Directives: d });
    }
    const ops = this.many(
      '{',
      () => {
        const op = this.name();
        this.expectP(':');
        return { Operation: op, Type: this.name() };
      },
      '}',
    );
    return clean({ Description: description, Directives: d, OperationTypes: ops });
  }
  directiveDef(description: string): Obj {
    this.i++;
    this.expectP('@');
    const name = this.name();
    const args = this.argDefs();
    let repeatable = false;
    if (this.isName('repeatable')) {
      this.i++;
      repeatable = true;
    }
    this.expectKeyword('on');
    if (this.isP('|')) this.i++;
    const loc = (): string => {
      if (this.tok.k === 'name' && !DIRECTIVE_LOCATIONS.has(this.tok.v)) this.unexpected();
      return this.name();
    };
    const locs = [loc()];
    while (this.isP('|')) {
      this.i++;
      locs.push(loc());
    }
    return clean({ Arguments: args, Description: description, IsRepeatable: repeatable, Locations: locs, Name: name });
  }
  argDefs(): Obj[] {
    return this.optMany(
      '(',
      () => {
        let description = '';
        if (this.tok.k === 'string' || this.tok.k === 'block') description = (this.t[this.i++] as Tok).v;
        const name = this.name();
        this.expectP(':');
        const ty = this.type();
        let dv: Obj | undefined;
        if (this.isP('=')) {
          this.i++;
          dv = this.value(true);
        }
        return clean({ DefaultValue: dv, Description: description, Directives: this.directives(true), Name: name, Type: ty });
      },
      ')',
    );
  }
  fieldDefs(input: boolean): Obj[] {
    return this.optMany(
      '{',
      () => {
        let description = '';
        if (this.tok.k === 'string' || this.tok.k === 'block') description = (this.t[this.i++] as Tok).v;
        const name = this.name();
        const args = input ? [] : this.argDefs();
        this.expectP(':');
        const ty = this.type();
        let dv: Obj | undefined;
        if (input && this.isP('=')) {
          this.i++;
          dv = this.value(true);
        }
        return clean({ Arguments: args, DefaultValue: dv, Description: description, Directives: this.directives(true), Name: name, Type: ty });
      },
      '}',
    );
  }
  typeDef(description: string): Obj {
    const kw = this.tok;
    if (kw.k !== 'name') this.unexpected();
    this.i++;
    const base = (kind: string, name: string): Obj => ({ BuiltIn: false, Description: description, Kind: kind, Name: name });
    switch (kw.v) {
      case 'scalar': {
        const name = this.name();
        return clean({ ...base('SCALAR', name), Directives: this.directives(true) });
      }
      case 'type':
      case 'interface': {
        const name = this.name();
        const ifaces: string[] = [];
        if (this.isName('implements')) {
          this.i++;
          if (this.isP('&')) this.i++;
          ifaces.push(this.name());
          while (this.isP('&')) {
            this.i++;
            ifaces.push(this.name());
          }
        }
        const d = this.directives(true);
        return clean({ ...base(kw.v === 'type' ? 'OBJECT' : 'INTERFACE', name), Directives: d, Fields: this.fieldDefs(false), Interfaces: ifaces });
      }
      case 'union': {
        const name = this.name();
        const d = this.directives(true);
        const types: string[] = [];
        if (this.isP('=')) {
          this.i++;
          if (this.isP('|')) this.i++;
          types.push(this.name());
          while (this.isP('|')) {
            this.i++;
            types.push(this.name());
          }
        }
        return clean({ ...base('UNION', name), Directives: d, Types: types });
      }
      case 'enum': {
        const name = this.name();
        const d = this.directives(true);
        const values = this.optMany(
          '{',
          () => {
            let desc = '';
            if (this.tok.k === 'string' || this.tok.k === 'block') desc = (this.t[this.i++] as Tok).v;
            const n = this.name();
            return clean({ Description: desc, Directives: this.directives(true), Name: n });
          },
          '}',
        );
        return clean({ ...base('ENUM', name), Directives: d, EnumValues: values });
      }
      case 'input': {
        const name = this.name();
        const d = this.directives(true);
        return clean({ ...base('INPUT_OBJECT', name), Directives: d, Fields: this.fieldDefs(true) });
      }
      default:
        return this.unexpected(kw);
    }
  }
}

const DIRECTIVE_LOCATIONS = new Set([
  'QUERY', 'MUTATION', 'SUBSCRIPTION', 'FIELD', 'FRAGMENT_DEFINITION', 'FRAGMENT_SPREAD', 'INLINE_FRAGMENT', 'VARIABLE_DEFINITION',
  'SCHEMA', 'SCALAR', 'OBJECT', 'FIELD_DEFINITION', 'ARGUMENT_DEFINITION', 'INTERFACE', 'UNION', 'ENUM', 'ENUM_VALUE', 'INPUT_OBJECT', 'INPUT_FIELD_DEFINITION',
]);

const BUILTIN_SCALARS = new Set(['Int', 'Float', 'String', 'Boolean', 'ID']);

function namedTypeOf(t: Obj): string {
  return t.Elem ? namedTypeOf(t.Elem as Obj) : (t.NamedType as string);
}

/** Schema rules gqlparser applies most often: unique names, known types, non-empty types, known interfaces. */
function validateSchema(doc: Obj): void {
  const defs = [...((doc.Definitions as Obj[]) ?? [])];
  const exts = (doc.Extensions as Obj[]) ?? [];
  const names = new Map<string, Obj>();
  for (const d of defs) {
    const n = d.Name as string;
    if (names.has(n) || BUILTIN_SCALARS.has(n)) throw new GqlError(`Cannot redeclare type ${n}.`, 1, 1);
    names.set(n, d);
  }
  for (const e of exts) if (!names.has(e.Name as string)) names.set(e.Name as string, e);
  const known = (n: string): boolean => BUILTIN_SCALARS.has(n) || names.has(n);
  // directives must be declared (or built in)
  const declared = new Set(['deprecated', 'skip', 'include', 'specifiedBy', 'oneOf', ...((doc.Directives as Obj[]) ?? []).map((d) => d.Name as string)]);
  const checkDirs = (ds: unknown): void => {
    for (const d of (ds as Obj[]) ?? []) if (!declared.has(d.Name as string)) throw new GqlError(`Undefined directive ${d.Name as string}.`, 1, 1);
  };
  const schemas = [...((doc.Schema as Obj[]) ?? []), ...((doc.SchemaExtension as Obj[]) ?? [])];
  if ((doc.SchemaExtension as Obj[] | undefined)?.length && !(doc.Schema as Obj[] | undefined)?.length) throw new GqlError('Cannot extend schema: no schema definition.', 1, 1);
  for (const sd of schemas) {
    checkDirs(sd.Directives);
    for (const op of (sd.OperationTypes as Obj[]) ?? []) if (!names.has(op.Type as string)) throw new GqlError(`Undefined type ${op.Type as string}.`, 1, 1);
  }
  for (const d of [...defs, ...exts]) {
    checkDirs(d.Directives);
    for (const f of (d.Fields as Obj[]) ?? []) {
      checkDirs(f.Directives);
      for (const a of (f.Arguments as Obj[]) ?? []) checkDirs(a.Directives);
    }
    for (const v of (d.EnumValues as Obj[]) ?? []) checkDirs(v.Directives);
    // a type implementing an interface also implements that interface's interfaces
    const own = new Set((d.Interfaces as string[]) ?? []);
    for (const i of own) for (const j of (names.get(i)?.Interfaces as string[]) ?? []) if (!own.has(j)) throw new GqlError(`${d.Name as string} must implement ${j}.`, 1, 1);
  }
  for (const d of [...defs, ...exts]) {
    for (const f of (d.Fields as Obj[]) ?? []) {
      const tn = namedTypeOf(f.Type as Obj);
      if (!known(tn)) throw new GqlError(`Undefined type ${tn}.`, 1, 1);
      for (const a of (f.Arguments as Obj[]) ?? []) if (!known(namedTypeOf(a.Type as Obj))) throw new GqlError(`Undefined type ${namedTypeOf(a.Type as Obj)}.`, 1, 1);
      if ((f.Name as string).startsWith('__')) throw new GqlError('Name "__" is reserved', 1, 1);
    }
    const fieldNames = ((d.Fields as Obj[]) ?? []).map((f) => f.Name);
    if (new Set(fieldNames).size !== fieldNames.length) throw new GqlError('Field defined twice', 1, 1);
    for (const i of (d.Interfaces as string[]) ?? []) if (!known(i) || names.get(i)?.Kind !== 'INTERFACE') throw new GqlError(`Undefined type ${i}.`, 1, 1);
    for (const t of (d.Types as string[]) ?? []) if (!known(t)) throw new GqlError(`Undefined type ${t}.`, 1, 1);
    if (!exts.includes(d) && (d.Kind === 'OBJECT' || d.Kind === 'INTERFACE' || d.Kind === 'INPUT_OBJECT') && !((d.Fields as Obj[]) ?? []).length && !exts.some((e) => e.Name === d.Name))
      throw new GqlError(`${d.Kind} ${d.Name as string}: must define one or more fields.`, 1, 1);
    if (d.Kind === 'ENUM' && !exts.includes(d) && !((d.EnumValues as Obj[]) ?? []).length) throw new GqlError(`ENUM ${d.Name as string}: must define one or more unique enum values.`, 1, 1);
  }
}

/** Query validation against a schema: known fields and arguments, required arguments, fragment types. */
function validateQuery(q: Obj, schema: Obj): void {
  const types = new Map<string, Obj>();
  for (const d of [...((schema.Definitions as Obj[]) ?? []), ...((schema.Extensions as Obj[]) ?? [])]) {
    const prev = types.get(d.Name as string);
    if (prev) types.set(d.Name as string, { ...prev, Fields: [...((prev.Fields as Obj[]) ?? []), ...((d.Fields as Obj[]) ?? [])] });
    else types.set(d.Name as string, d);
  }
  const roots: Record<string, string> = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };
  for (const sd of (schema.Schema as Obj[]) ?? []) for (const op of (sd.OperationTypes as Obj[]) ?? []) roots[op.Operation as string] = op.Type as string;
  const fragments = new Map(((q.Fragments as Obj[]) ?? []).map((f) => [f.Name as string, f]));
  const fail = (m: string): never => {
    throw new GqlError(m, 1, 1);
  };
  const visit = (sel: Obj[], typeName: string, seen: Set<string>): void => {
    const t = types.get(typeName);
    if (!t) fail(`Undefined type ${typeName}`);
    const fields = new Map((((t as Obj).Fields as Obj[]) ?? []).map((f) => [f.Name as string, f]));
    for (const s of sel) {
      if (s.Alias !== undefined || (s.Name !== undefined && s.SelectionSet === undefined && s.TypeCondition === undefined && fragments.has(s.Name as string) === false)) {
        const name = s.Name as string;
        if (name === '__typename') continue;
        const f = fields.get(name);
        if (!f) fail(`Cannot query field "${name}" on type "${typeName}".`);
        const argDefs = new Map((((f as Obj).Arguments as Obj[]) ?? []).map((a) => [a.Name as string, a]));
        for (const a of (s.Arguments as Obj[]) ?? []) if (!argDefs.has(a.Name as string)) fail(`Unknown argument "${a.Name as string}" on field "${typeName}.${name}".`);
        for (const [an, ad] of argDefs) {
          const ty = ad.Type as Obj;
          if (ty.NonNull && ad.DefaultValue === undefined && !((s.Arguments as Obj[]) ?? []).some((a) => a.Name === an)) fail(`Field "${name}" argument "${an}" is required, but it was not provided.`);
        }
        if (s.SelectionSet) visit(s.SelectionSet as Obj[], namedTypeOf((f as Obj).Type as Obj), seen);
      } else if (s.SelectionSet) visit(s.SelectionSet as Obj[], (s.TypeCondition as string) || typeName, seen);
      else {
        const fr = fragments.get(s.Name as string);
        if (!fr) fail(`Unknown fragment "${s.Name as string}".`);
        if (!seen.has(s.Name as string)) visit((fr as Obj).SelectionSet as Obj[], (fr as Obj).TypeCondition as string, new Set([...seen, s.Name as string]));
      }
    }
  };
  for (const op of (q.Operations as Obj[]) ?? []) {
    const root = roots[op.Operation as string] as string;
    if (!types.has(root)) fail(`Schema does not support operation type "${op.Operation as string}"`);
    visit(op.SelectionSet as Obj[], root, new Set());
  }
}

function toValue(x: unknown): Value {
  if (x === null || x === undefined) return null;
  if (Array.isArray(x)) return x.map(toValue);
  if (typeof x === 'object') {
    const o = new RObject();
    for (const [k, v] of Object.entries(x as Obj)) o.setStr(k, toValue(v));
    return o;
  }
  return x as Value;
}

function wrap<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GqlError) throw builtinErr(`${e.message} in GraphQL string at location ${e.line}:${e.col}`);
    throw e;
  }
}

function parseQueryText(s: string): Obj {
  return new P(lex(s)).queryDocument();
}
function parseSchemaText(s: string): Obj {
  return new P(lex(s)).schemaDocument();
}
/** A schema given as text, or as the AST graphql.parse_schema returned. */
function schemaDoc(v: Value): Obj {
  return typeof v === 'string' ? parseSchemaText(v) : (toJS(v) as Obj);
}

export function registerGraphql(r: BuiltinRegistry): void {
  r.register('graphql.parse_query', ([q]) => wrap('graphql.parse_query', () => toValue(parseQueryText(q as string))));
  r.register('graphql.parse_schema', ([s]) => wrap('graphql.parse_schema', () => toValue(schemaDoc(s as Value))));
  r.register('graphql.schema_is_valid', ([s]) => {
    try {
      validateSchema(schemaDoc(s as Value));
      return true;
    } catch (e) {
      if (e instanceof GqlError) return false;
      throw e;
    }
  });
  r.register('graphql.is_valid', ([q, s]) => {
    try {
      const qd = parseQueryText(q as string);
      const sd = schemaDoc(s as Value);
      validateSchema(sd);
      validateQuery(qd, sd);
      return true;
    } catch (e) {
      if (e instanceof GqlError) return false;
      throw e;
    }
  });
  r.register('graphql.parse', ([q, s]) =>
    wrap('graphql.parse', () => {
      const qd = parseQueryText(q as string);
      const sd = schemaDoc(s as Value);
      validateSchema(sd);
      validateQuery(qd, sd);
      return [toValue(qd), toValue(sd)];
    }),
  );
  r.register('graphql.parse_and_verify', ([q, s]) => {
    try {
      const qd = parseQueryText(q as string);
      const sd = schemaDoc(s as Value);
      validateSchema(sd);
      validateQuery(qd, sd);
      return [true, toValue(qd), toValue(sd)];
    } catch (e) {
      if (e instanceof GqlError) return [false, new RObject(), new RObject()];
      throw e;
    }
  });
}
