/** Where something came from: a file (or "<stdin>", "<admission>") and a 1-based line/column. */
export interface SourceSpan {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** A path into a Kubernetes object, e.g. ["spec", "containers", 0, "securityContext", "privileged"]. */
export type FieldPath = ReadonlyArray<string | number>;

/** Renders a field path the way Kubernetes messages do: spec.containers[0].securityContext.privileged */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

export function formatSpan(span: SourceSpan | undefined): string {
  if (!span) return '';
  return `${span.file}:${span.line}:${span.column}`;
}

/** A JSON Pointer (RFC 6901, as JSON Schema validators report instance paths) as a field path. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
