import type { FieldPath } from '../../core/span.js';

/**
 * Read-only views over a pod's plain JSON that reproduce how Go decodes it into corev1 types, so the checks
 * can follow upstream line by line: a pointer field is non-nil when its key is present and not null; a scalar
 * of the wrong JSON type counts as unset (the API server would reject such a pod before PSA ever ran).
 * Keys are matched case-sensitively, like the API server's decoder.
 */

export type Json = Record<string, unknown>;

/** What a check reports; field paths are relative to the pod (they start with "metadata" or "spec"). */
export interface CheckOutcome {
  allowed: boolean;
  forbiddenReason?: string;
  forbiddenDetail?: string;
  /** The offending fields (where they are, or where a missing required field belongs). */
  paths: FieldPath[];
}

export const ALLOWED: CheckOutcome = Object.freeze({ allowed: true, paths: [] }) as CheckOutcome;

export function forbidden(reason: string, detail: string, paths: FieldPath[]): CheckOutcome {
  return { allowed: false, forbiddenReason: reason, forbiddenDetail: detail, paths };
}

/** A pod as the checks see it: metadata, spec, and the containers visited once per evaluation. */
export interface PodView {
  meta: Json;
  spec: Json;
  /** Init containers, containers, then ephemeral containers (upstream visitContainers order). */
  containers: readonly ContainerRef[];
}

export function podView(meta: Json, spec: Json): PodView {
  return { meta, spec, containers: containersOf(spec) };
}

export type CheckPodFn = (pod: PodView) => CheckOutcome;

/** A pointer-to-struct field: present, not null, and an object. */
export function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** A *bool field: undefined when unset (or not a boolean). */
export function boolPtr(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

const LONE_SURROGATE_SOURCE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE_SOURCE);

/** Go strings hold UTF-8: a lone UTF-16 surrogate decodes to U+FFFD there, so it does here too. */
export function goString(s: string): string {
  return HAS_LONE_SURROGATE.test(s) ? s.replace(new RegExp(LONE_SURROGATE_SOURCE, 'g'), '\ufffd') : s;
}

/** A string field with Go's zero value "". */
export function str(v: unknown): string {
  return typeof v === 'string' ? goString(v) : '';
}

/** A *string field: undefined when unset. */
export function strPtr(v: unknown): string | undefined {
  return typeof v === 'string' ? goString(v) : undefined;
}

/** A *int64 field: undefined when unset. */
export function intPtr(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** A slice: array items; `null` items decode to zero-valued structs in Go. */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A map[string]string: a null value decodes to "" in Go (the key stays); other non-strings are dropped. */
export function stringMap(v: unknown): Record<string, string> {
  const o = obj(v);
  if (!o) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (typeof x === 'string') out[goString(k)] = goString(x);
    else if (x === null) out[goString(k)] = '';
  }
  return out;
}

export interface ContainerRef {
  container: Json;
  name: string;
  /** e.g. ["spec", "initContainers", 0] */
  path: FieldPath;
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** policy/visitor.go visitContainers: init containers, then containers, then ephemeral containers. */
export function containersOf(spec: Json): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const key of CONTAINER_LISTS) {
    list(spec[key]).forEach((item, i) => {
      if (item !== null && !obj(item)) return;
      const container = obj(item) ?? {};
      out.push({ container, name: str(container.name), path: ['spec', key, i] });
    });
  }
  return out;
}

/** container.securityContext (a pointer), or undefined. */
export function securityContextOf(c: ContainerRef): Json | undefined {
  return obj(c.container.securityContext);
}

export function podSecurityContext(spec: Json): Json | undefined {
  return obj(spec.securityContext);
}

/** helpers.go relaxPolicyForUserNamespacePod: spec.hostUsers explicitly false. */
export function inUserNamespace(spec: Json): boolean {
  return boolPtr(spec.hostUsers) === false;
}

/** spec.os.name == "windows" (exact, as the corev1.Windows constant). */
export function isWindowsPod(spec: Json): boolean {
  const os = obj(spec.os);
  return os !== undefined && str(os.name) === 'windows';
}
