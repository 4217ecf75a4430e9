import { LineCounter, parseAllDocuments, isMap, isSeq, isPair, isScalar, type Document, type Node, type ParsedNode, type Tags } from 'yaml';
import jsYaml from 'js-yaml';
import { diag, type Diagnostic } from '../core/diagnostic.js';
import type { FieldPath, SourceSpan } from '../core/span.js';
import { isObject, type KObject, type LoadedObject } from './object.js';

/** Bounds on untrusted input. Defaults are generous for real manifests and small enough to stop abuse. */
export interface LoadLimits {
  /** Max bytes of one file / stdin. Default 32 MiB. */
  maxBytes: number;
  /** Max nesting depth of one document. Default 64. */
  maxDepth: number;
  /** Max YAML alias expansions per document (billion-laughs guard). Default 1000. */
  maxAliasCount: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = { maxBytes: 32 * 1024 * 1024, maxDepth: 64, maxAliasCount: 1000 };

export interface LoadResult {
  objects: LoadedObject[];
  diagnostics: Diagnostic[];
}

/**
 * Parses one file's text (multi-document YAML, JSON, `kind: List` / `*List`) into objects that keep their
 * file:line:column. Bad documents become diagnostics; the other documents are still returned.
 */
export function loadManifestText(text: string, file: string, limits: LoadLimits = DEFAULT_LOAD_LIMITS): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const objects: LoadedObject[] = [];
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    diagnostics.push(
      diag('input_too_large', `${file} is larger than the ${limits.maxBytes}-byte limit; not scanned`, {
        span: { file, line: 1, column: 1 },
      }),
    );
    return { objects, diagnostics };
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: false, version: '1.1', customTags: goYamlTags });
  const docList = Array.isArray(docs) ? docs : [docs];
  const spanAt = (offset: number): SourceSpan => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  for (const doc of docList) {
    const docStart = spanAt(doc.range?.[0] ?? 0);
    let value: unknown;
    if (doc.errors.length > 0) {
      // The `yaml` library is stricter than the Go YAML parser Kubernetes uses (e.g. a multi-line quoted scalar
      // indented no deeper than its key). What Kubernetes accepts must load: retry the document leniently and
      // keep the strict parser's positions as best effort; report the strict errors only if that fails too.
      value = lenientParse(text.slice(doc.range[0], doc.range[2]));
      if (value === undefined) {
        for (const e of doc.errors) {
          diagnostics.push(diag('yaml_parse_error', `${e.code}: ${firstLine(e.message)}`, { span: spanAt(e.pos[0]) }));
        }
        continue;
      }
    } else {
      if (doc.contents === null) continue; // empty document (e.g. a trailing ---, helm's empty templates)
      try {
        value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
      } catch (e) {
        diagnostics.push(diag('yaml_parse_error', (e as Error).message, { span: docStart }));
        continue;
      }
    }
    if (value === null || value === undefined) continue;
    const contentSpan = spanAt((doc.contents as Node).range?.[0] ?? 0);
    if (!isObject(value)) {
      diagnostics.push(
        diag('document_not_object', `document is ${describe(value)}, not a Kubernetes object (a mapping)`, {
          span: contentSpan,
        }),
      );
      continue;
    }
    if (exceedsDepth(value, limits.maxDepth, MAX_NODES)) {
      diagnostics.push(
        diag('input_too_deep', `document nests deeper than ${limits.maxDepth} levels or has over ${MAX_NODES} nodes; not scanned`, { span: contentSpan }),
      );
      continue;
    }
    addObject(value, [], doc, spanAt, contentSpan, objects, diagnostics, file);
  }
  return { objects, diagnostics };
}

function addObject(
  value: Record<string, unknown>,
  basePath: (string | number)[],
  doc: Document.Parsed,
  spanAt: (offset: number) => SourceSpan,
  span: SourceSpan,
  out: LoadedObject[],
  diagnostics: Diagnostic[],
  file: string,
): void {
  const kind = value.kind;
  if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value.items) && value.apiVersion !== undefined) {
    value.items.forEach((item, i) => {
      const itemPath = [...basePath, 'items', i];
      const itemSpan = locateIn(doc, itemPath, spanAt) ?? span;
      if (!isObject(item)) {
        diagnostics.push(diag('list_item_not_object', `items[${i}] of ${kind} is ${describe(item)}, not an object`, { span: itemSpan, path: ['items', i] }));
        return;
      }
      addObject(item, itemPath, doc, spanAt, itemSpan, out, diagnostics, file);
    });
    return;
  }
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') {
    diagnostics.push(diag('missing_api_version', 'object has no apiVersion', { span, path: ['apiVersion'], help: 'every Kubernetes object needs apiVersion, e.g. apiVersion: v1' }));
    return;
  }
  if (typeof kind !== 'string' || kind === '') {
    diagnostics.push(diag('missing_kind', 'object has no kind', { span, path: ['kind'], help: 'every Kubernetes object needs kind, e.g. kind: Pod' }));
    return;
  }
  out.push({
    object: value as KObject,
    span,
    locate: (path: FieldPath) => locateIn(doc, [...basePath, ...path], spanAt) ?? span,
  });
  void file;
}

/** Finds the line of a field: the key of a map entry, the item of a sequence, or the deepest existing ancestor. */
function locateIn(doc: Document.Parsed, path: FieldPath, spanAt: (offset: number) => SourceSpan): SourceSpan | undefined {
  let node: ParsedNode | null | undefined = doc.contents as ParsedNode | null;
  let best: number | undefined = node?.range?.[0];
  for (const seg of path) {
    if (!node) break;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const key = pair.key as ParsedNode;
      best = key.range?.[0] ?? best;
      node = pair.value as ParsedNode | null;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as ParsedNode | undefined;
      if (!item) break;
      best = item.range?.[0] ?? best;
      node = item;
    } else {
      break;
    }
  }
  return best === undefined ? undefined : spanAt(best);
}

/**
 * kubectl and the API server read YAML with go-yaml v2 (sigs.k8s.io/yaml): YAML 1.1 scalars, so `privileged: yes`
 * or `on` is true and `0777` is octal. A 1.2 reader would see the string "yes" and miss a privileged pod. go-yaml v2
 * keeps timestamps and sexagesimal numbers as strings when decoding into JSON-like values, so those tags go.
 */
function goYamlTags(tags: Tags): Tags {
  return tags.filter((t) => {
    const tag = typeof t === 'string' ? t : t.tag;
    if (tag === 'tag:yaml.org,2002:timestamp') return false;
    return !(typeof t === 'object' && 'format' in t && t.format === 'TIME');
  });
}

/** Node budget per document: also bounds a walk over alias-shared subtrees (a DAG) from the lenient parser. */
const MAX_NODES = 2_000_000;

/** js-yaml with its core schema (no timestamps, like go-yaml); undefined unless exactly one document parses. */
function lenientParse(source: string): unknown {
  try {
    const docs: unknown[] = [];
    jsYaml.loadAll(source, (d) => docs.push(d), { schema: jsYaml.CORE_SCHEMA });
    return docs.length === 1 && docs[0] !== null ? docs[0] : undefined;
  } catch {
    return undefined;
  }
}

function exceedsDepth(root: unknown, maxDepth: number, maxNodes: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > maxDepth || ++nodes > maxNodes) return true;
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
    } else if (typeof v === 'object' && v !== null) {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
      }
    }
  }
  return false;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return `a ${typeof v}`;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}
