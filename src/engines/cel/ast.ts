/** Minimal view of @marcbachmann/cel-js AST nodes, for cost instrumentation and macros. */
export interface AstLike {
  op: string;
  args: unknown;
  meta: { alternate?: AstLike; macro?: Record<string, unknown>; evaluate: (...a: unknown[]) => unknown };
  evaluate: (ev: unknown, ast: unknown, ctx: unknown) => unknown;
}

export function isAst(x: unknown): x is AstLike {
  return typeof x === 'object' && x !== null && typeof (x as AstLike).op === 'string' && 'meta' in x;
}

export function children(node: AstLike): AstLike[] {
  const out: AstLike[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > 3) return;
    if (isAst(v)) out.push(v);
    else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const [k, x] of Object.entries(v)) if (k !== 'iterCtx') visit(x, depth + 1);
    }
  };
  if (node.meta.alternate) visit(node.meta.alternate, 0);
  else visit(node.args, 0);
  return out;
}

/** Counts nodes of a subtree: the static cost of evaluating it once. */
export function nodeCount(node: unknown): number {
  if (!isAst(node)) return 1;
  let n = 1;
  for (const c of children(node)) n += nodeCount(c);
  return n;
}
