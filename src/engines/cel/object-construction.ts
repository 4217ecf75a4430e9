/**
 * MutatingAdmissionPolicy object construction (`Object{spec: Object.spec{replicas: 1}}`,
 * `JSONPatch{op: "add", path: "/x", value: 1}`) rewritten to map literals before parsing, since the underlying
 * parser has no message construction. Type names become spaces (columns stay put), field names are quoted and
 * values wrapped in dyn() so fields of different types pass the homogeneous-literal check. A position map turns
 * offsets in the rewritten text back into offsets of the original expression.
 */
export interface Rewritten {
  text: string;
  /** Offset in the rewritten text → offset in the original expression. */
  toOriginal(offset: number): number;
}

const CONSTRUCTED_TYPES = /^(Object|JSONPatch)(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

interface Frame {
  /** The brace opened an object construction (its fields get rewritten). */
  construction: boolean;
  /** Inside a construction: currently in a field value (a `dyn(` is open). */
  inValue: boolean;
  /** Nesting of (), [] and non-construction {} opened since the frame's brace, within the current value. */
  depth: number;
}

export function rewriteObjectConstruction(src: string): Rewritten {
  // Insertions: [offset in original before which text was inserted, inserted length], in order.
  const inserts: Array<[number, number]> = [];
  let out = '';
  const emitInsert = (at: number, s: string): void => {
    out += s;
    inserts.push([at, s.length]);
  };
  const stack: Frame[] = [];
  const top = (): Frame | undefined => stack[stack.length - 1];
  let i = 0;
  const n = src.length;
  let expectField = false;

  while (i < n) {
    const ch = src[i];
    // Strings (with optional r/b prefixes): copied verbatim.
    const str = /^(?:[rRbB]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (str && (str[0].length === str[1].length || !/[A-Za-z0-9_]/.test(src[i - 1] ?? ''))) {
      const quote = str[1];
      const raw = /[rR]/.test(str[0].slice(0, str[0].length - quote.length));
      let j = i + str[0].length;
      while (j < n && !src.startsWith(quote, j)) j += !raw && src[j] === '\\' ? 2 : 1;
      j = Math.min(n, j + quote.length);
      out += src.slice(i, j);
      i = j;
      expectField = false;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      let j = i;
      while (j < n && /[A-Za-z0-9_.]/.test(src[j])) j++;
      const word = src.slice(i, j);
      let k = j;
      while (k < n && /\s/.test(src[k])) k++;
      const prev = out.trimEnd().slice(-1);
      if (src[k] === '{' && prev !== '.' && CONSTRUCTED_TYPES.test(word)) {
        out += ' '.repeat(k - i) + '{';
        stack.push({ construction: true, inValue: false, depth: 0 });
        i = k + 1;
        expectField = true;
        continue;
      }
      if (expectField && top()?.construction) {
        if (src[k] === ':' && !word.includes('.')) {
          emitInsert(i, "'");
          out += word;
          emitInsert(j, "'");
          out += src.slice(j, k + 1);
          emitInsert(k + 1, 'dyn(');
          top()!.inValue = true;
          i = k + 1;
          expectField = false;
          continue;
        }
      }
      out += word;
      i = j;
      expectField = false;
      continue;
    }
    const f = top();
    if (ch === '{') {
      stack.push({ construction: false, inValue: false, depth: 0 });
    } else if (ch === '(' || ch === '[') {
      if (f) f.depth++;
    } else if (ch === ')' || ch === ']') {
      if (f) f.depth--;
    } else if (ch === '}') {
      if (f?.construction && f.inValue && f.depth === 0) emitInsert(i, ')');
      stack.pop();
    } else if (ch === ',' && f?.construction && f.depth === 0) {
      if (f.inValue) emitInsert(i, ')');
      f.inValue = false;
      out += ch;
      i++;
      expectField = true;
      continue;
    }
    if (!/\s/.test(ch)) expectField = false;
    out += ch;
    i++;
  }

  // Map a rewritten offset back: walk insertions in order, subtracting those that lie before it.
  const toOriginal = (offset: number): number => {
    let shift = 0;
    for (const [at, len] of inserts) {
      const rewrittenAt = at + shift;
      if (offset < rewrittenAt) break;
      if (offset < rewrittenAt + len) return at;
      shift += len;
    }
    return offset - shift;
  };
  return { text: out, toOriginal };
}
