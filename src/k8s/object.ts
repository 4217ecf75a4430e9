import type { ObjectRef } from '../core/finding.js';
import type { FieldPath, SourceSpan } from '../core/span.js';

/** A Kubernetes object as plain JSON. */
export type KObject = Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: KMetadata };

export interface KMetadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

/** An object together with where it came from, able to point any field path at a file line. */
export interface LoadedObject {
  object: KObject;
  /** Span of the object itself (its first line). */
  span: SourceSpan;
  /** Span of a field inside the object; the deepest existing ancestor when the field is absent. */
  locate(path: FieldPath): SourceSpan;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function meta(obj: KObject): KMetadata {
  return isObject(obj.metadata) ? (obj.metadata as KMetadata) : {};
}

export function objectRef(obj: KObject): ObjectRef {
  const m = meta(obj);
  const ref: ObjectRef = {
    apiVersion: String(obj.apiVersion ?? ''),
    kind: String(obj.kind ?? ''),
    name: String(m.name ?? m.generateName ?? ''),
  };
  if (typeof m.namespace === 'string' && m.namespace !== '') ref.namespace = m.namespace;
  return ref;
}

/** group of an apiVersion: "apps/v1" -> "apps", "v1" -> "" */
export function apiGroup(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

export function apiVersionOnly(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? apiVersion : apiVersion.slice(i + 1);
}

/** Wraps a plain object (e.g. from an AdmissionReview) so it can be evaluated like a loaded one. */
export function looseObject(object: KObject, file = '<input>'): LoadedObject {
  const span: SourceSpan = { file, line: 1, column: 1 };
  return { object, span, locate: () => span };
}
