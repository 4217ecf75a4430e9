/** The Rego syntax tree produced by parser.ts and consumed by compiler.ts. */
import type { Value } from './value.js';

export interface Loc {
  file: string;
  line: number;
  column: number;
}

export type Term =
  | { t: 'scalar'; v: Value; loc: Loc }
  | { t: 'var'; name: string; loc: Loc }
  /** A variable resolved by the compiler to a frame slot. */
  | { t: 'local'; slot: number; name: string; loc: Loc }
  | { t: 'ref'; head: Term; path: Term[]; loc: Loc }
  | { t: 'call'; op: string; args: Term[]; loc: Loc }
  | { t: 'array'; items: Term[]; loc: Loc }
  | { t: 'set'; items: Term[]; loc: Loc }
  | { t: 'object'; items: [Term, Term][]; loc: Loc }
  | { t: 'arraycomp'; term: Term; body: Literal[]; loc: Loc }
  | { t: 'setcomp'; term: Term; body: Literal[]; loc: Loc }
  | { t: 'objcomp'; key: Term; value: Term; body: Literal[]; loc: Loc };

export interface With {
  target: Term;
  value: Term;
  loc: Loc;
}

export type Literal =
  | { k: 'expr'; term: Term; negated: boolean; with: With[]; loc: Loc }
  | { k: 'some'; vars: Term[]; with: With[]; negated: false; loc: Loc }
  | { k: 'somein'; key?: Term; value: Term; coll: Term; with: With[]; negated: boolean; loc: Loc }
  | { k: 'every'; key?: Term; value: Term; domain: Term; body: Literal[]; with: With[]; negated: boolean; loc: Loc };

export interface RuleHead {
  /** The head's ref: name then path terms (strings for `.x`, any term for `[x]`). */
  ref: Term[];
  args?: Term[];
  /** `p contains x` (and v0 `p[x]` without a value): the set member. */
  key?: Term;
  value?: Term;
  assign: boolean;
  /** Kind decided at parse time. */
  kind: 'complete' | 'set' | 'object' | 'function';
}

export interface Rule {
  head: RuleHead;
  body: Literal[];
  /** The else chain: alternative head values and bodies. */
  elses: { value?: Term; body: Literal[]; loc: Loc }[];
  isDefault: boolean;
  loc: Loc;
  /** The body was written (false for `p := 1` style constant rules). */
  hasBody: boolean;
  /** `# METADATA` annotations written above the rule. */
  annotations?: Record<string, unknown>;
}

export interface Import {
  path: string[];
  alias?: string;
  loc: Loc;
}

export interface Module {
  file: string;
  pkg: string[];
  pkgLoc: Loc;
  imports: Import[];
  rules: Rule[];
  version: 'v0' | 'v1';
  /** `# METADATA` annotations written above the package clause. */
  annotations?: Record<string, unknown>;
}
