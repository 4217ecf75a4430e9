/** RFC 6902 JSON Patch, the subset admission webhooks answer with (`patchType: JSONPatch`). */
export type JsonPatchOp =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'test'; path: string; value: unknown };

/** RFC 6901 pointer for a field path: "~" → "~0", "/" → "~1". */
export function toPointer(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const seg of path) out += '/' + String(seg).replace(/~/g, '~0').replace(/\//g, '~1');
  return out;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Applies a patch to a deep copy of `doc` the way the API server does (all or nothing) and returns the result.
 * Used to prove mutations are idempotent and by tests; throws on a patch that does not apply, since patches come
 * from Rampart itself, never from users.
 */
export function applyJsonPatch<T>(doc: T, patch: readonly JsonPatchOp[]): T {
  let root: unknown = structuredClone(doc);
  for (const op of patch) {
    const segs = parsePointer(op.path);
    if (segs.length === 0) {
      if (op.op === 'test') {
        if (JSON.stringify(root) !== JSON.stringify(op.value)) throw new Error('test failed at root');
        continue;
      }
      if (op.op === 'remove') throw new Error('cannot remove the root');
      root = structuredClone(op.value);
      continue;
    }
    const parent = walk(root, segs.slice(0, -1), op.path);
    const last = segs[segs.length - 1];
    if (Array.isArray(parent)) {
      const idx = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) throw new Error(`bad array index in ${op.path}`);
      if (op.op === 'add') parent.splice(idx, 0, structuredClone(op.value));
      else if (idx >= parent.length) throw new Error(`no element at ${op.path}`);
      else if (op.op === 'replace') parent[idx] = structuredClone(op.value);
      else if (op.op === 'remove') parent.splice(idx, 1);
      else if (JSON.stringify(parent[idx]) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`);
    } else if (parent !== null && typeof parent === 'object') {
      const obj = parent as Record<string, unknown>;
      const has = Object.prototype.hasOwnProperty.call(obj, last);
      if (op.op === 'add') obj[last] = structuredClone(op.value);
      else if (!has) throw new Error(`no member at ${op.path}`);
      else if (op.op === 'replace') obj[last] = structuredClone(op.value);
      else if (op.op === 'remove') delete obj[last];
      else if (JSON.stringify(obj[last]) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`);
    } else {
      throw new Error(`parent of ${op.path} is not a container`);
    }
  }
  return root as T;
}

function walk(root: unknown, segs: string[], pointer: string): unknown {
  let cur = root;
  for (const s of segs) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (cur !== null && typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, s)) cur = (cur as Record<string, unknown>)[s];
    else throw new Error(`path ${pointer} does not exist`);
    if (cur === undefined) throw new Error(`path ${pointer} does not exist`);
  }
  return cur;
}
