import { overloads, type CelLibrary } from './library.js';

/** Namespace value behind `jsonpatch.escapeKey(...)`. */
export class JsonPatchNamespace {}

/** Kubernetes jsonpatch library (library/jsonpatch.go), enabled for MutatingAdmissionPolicy expressions. */
export function jsonPatchLibrary(): CelLibrary {
  return {
    name: 'jsonpatch',
    types: [{ name: 'JsonPatchNamespace', ctor: JsonPatchNamespace }],
    constants: [{ name: 'jsonpatch', type: 'JsonPatchNamespace', value: new JsonPatchNamespace() }],
    functions: overloads({
      // RFC 6901: "~" → "~0", "/" → "~1".
      'JsonPatchNamespace.escapeKey(string): string': (_ns: unknown, k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1'),
    }),
  };
}
