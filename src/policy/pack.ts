import { Ajv, type ErrorObject } from 'ajv';
import { diag, type Diagnostic } from '../core/diagnostic.js';
import type { Frameworks, Mode, Severity } from '../core/policy-types.js';
import { formatFieldPath, pointerToPath, type FieldPath } from '../core/span.js';
import { closest } from '../core/suggest.js';
import { loadManifestText } from '../k8s/load.js';
import type { LabelSelector } from '../k8s/selector.js';
import { PACK_SCHEMA } from './pack-schema.js';

export type PolicySetRef =
  | { pss: 'baseline' | 'restricted'; version: string; mode?: Mode }
  | { path: string; mode?: Mode }
  | { library: 'guardrails'; mode?: Mode };

export interface PolicyOverride {
  mode?: Mode;
  disabled?: boolean;
  title?: string;
  owner?: string;
  severity?: Severity;
  remediation?: string;
  frameworks?: Frameworks;
}

export interface PackException {
  policy: string;
  rules?: string[];
  scope: { namespaces?: string[]; kinds?: string[]; names?: string[]; selector?: LabelSelector };
  reason: string;
  owner: string;
  /** Instant after which the exception no longer applies (end of the given day, UTC, for a bare date). */
  expiresAt: Date;
  expires: string;
  ticket?: string;
  /** Index in rampart.yaml, for messages. */
  index: number;
}

export interface AdmissionExemption {
  namespaces?: string[];
  usernames?: string[];
  groups?: string[];
  reason: string;
}

export interface MutationSettings {
  seccompRuntimeDefault: boolean;
  dropAllCapabilities: boolean;
  disallowPrivilegeEscalation: boolean;
}

/** rampart.yaml, validated and defaulted. */
export interface PackConfig {
  /** The rampart.yaml path, when the pack came from a file. */
  file?: string;
  name?: string;
  defaultMode: Mode;
  policySets: PolicySetRef[];
  policies: Record<string, PolicyOverride>;
  excludedNamespaces: string[];
  exceptions: PackException[];
  admission: { failurePolicy: 'Fail' | 'Ignore'; exemptions: AdmissionExemption[] };
  mutations: MutationSettings;
}

export const POLICY_ID_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?\.v[0-9]+$/;

/** A pack with nothing selected: what `rampart scan --pss restricted` starts from. */
export function emptyPack(): PackConfig {
  return {
    defaultMode: 'enforce',
    policySets: [],
    policies: {},
    excludedNamespaces: [],
    exceptions: [],
    admission: { failurePolicy: 'Fail', exemptions: [] },
    mutations: { seccompRuntimeDefault: true, dropAllCapabilities: true, disallowPrivilegeEscalation: true },
  };
}

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(value: unknown): ErrorObject[] {
  // Compiled lazily once: the schema is a constant, so this cache is not request state.
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(PACK_SCHEMA as object);
  return validator(value) ? [] : [...(validator.errors ?? [])];
}

/**
 * Parses rampart.yaml text. Unknown fields and wrong types are diagnostics with file:line; the valid parts still
 * apply so one typo does not silently disable the whole pack. `now` decides which exceptions have expired.
 */
export function parsePack(text: string, file: string, now: Date): { pack: PackConfig; diagnostics: Diagnostic[] } {
  const pack = emptyPack();
  pack.file = file;
  const loaded = loadManifestText(text, file);
  const diagnostics: Diagnostic[] = loaded.diagnostics.map((d) => ({ ...d, code: d.code === 'yaml_parse_error' ? 'config_parse_error' : d.code }));
  if (loaded.objects.length !== 1) {
    if (loaded.objects.length > 1) diagnostics.push(diag('config_parse_error', `${file} must hold one PolicyPack document, found ${loaded.objects.length}`, { span: loaded.objects[1].span }));
    else if (loaded.diagnostics.length === 0) diagnostics.push(diag('config_parse_error', `${file} holds no PolicyPack document`, { span: { file, line: 1, column: 1 } }));
    return { pack, diagnostics };
  }
  const doc = loaded.objects[0];
  const raw = doc.object as Record<string, any>;
  for (const e of validate(raw)) {
    const path = pointerToPath(e.instancePath);
    if (e.keyword === 'additionalProperties') {
      const field = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys(schemaAt(path)?.properties ?? {});
      const hint = closest(field, known);
      diagnostics.push(
        diag('config_unknown_field', `unknown field "${field}" in ${describePath(path)}`, {
          span: doc.locate([...path, field]),
          path: [...path, field],
          help: hint ? `did you mean "${hint}"?` : known.length ? `known fields: ${known.join(', ')}` : undefined,
        }),
      );
    } else if (e.keyword === 'oneOf' || e.keyword === 'if') {
      continue; // reported more usefully by the branch errors or the required check below
    } else {
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
      diagnostics.push(
        diag('config_invalid_value', `${describePath(path)} ${e.message ?? 'is invalid'}${allowed ? `: ${allowed.join(', ')}` : ''}`, {
          span: doc.locate(path),
          path,
        }),
      );
    }
  }
  const badPaths = new Set(diagnostics.map((d) => JSON.stringify(d.path?.slice(0, 2) ?? [])));
  const ok = (p: FieldPath) => !badPaths.has(JSON.stringify(p.slice(0, 2)));

  if (typeof raw.metadata?.name === 'string') pack.name = raw.metadata.name;
  if (isMode(raw.defaultMode)) pack.defaultMode = raw.defaultMode;
  (Array.isArray(raw.policySets) ? raw.policySets : []).forEach((s: any, i: number) => {
    if (!ok(['policySets', i]) || typeof s !== 'object' || s === null) return;
    const mode = isMode(s.mode) ? s.mode : undefined;
    const keys = ['pss', 'path', 'library'].filter((k) => s[k] !== undefined);
    if (keys.length !== 1) {
      diagnostics.push(diag('config_invalid_value', `policySets[${i}] must set exactly one of pss, path, library`, { span: doc.locate(['policySets', i]), path: ['policySets', i] }));
      return;
    }
    if (s.pss !== undefined) pack.policySets.push({ pss: s.pss, version: typeof s.version === 'string' ? s.version : 'latest', mode });
    else if (s.path !== undefined) pack.policySets.push({ path: s.path, mode });
    else pack.policySets.push({ library: s.library, mode });
  });
  if (raw.policies && typeof raw.policies === 'object') {
    for (const [id, o] of Object.entries(raw.policies as Record<string, any>)) {
      if (!ok(['policies', id]) || typeof o !== 'object' || o === null) continue;
      pack.policies[id] = { ...o };
    }
  }
  if (Array.isArray(raw.excludedNamespaces)) pack.excludedNamespaces = raw.excludedNamespaces.filter((n: unknown) => typeof n === 'string');
  (Array.isArray(raw.exceptions) ? raw.exceptions : []).forEach((x: any, i: number) => {
    if (!ok(['exceptions', i])) return;
    const expiresAt = parseExpiry(x.expires);
    if (!expiresAt) {
      diagnostics.push(diag('exception_invalid', `exceptions[${i}].expires "${x.expires}" is not a valid date (YYYY-MM-DD)`, { span: doc.locate(['exceptions', i, 'expires']), path: ['exceptions', i, 'expires'] }));
      return;
    }
    const ex: PackException = { policy: x.policy, rules: x.rules, scope: x.scope ?? {}, reason: x.reason, owner: x.owner, expires: x.expires, expiresAt, ticket: x.ticket, index: i };
    if (expiresAt.getTime() < now.getTime()) {
      diagnostics.push(
        diag('exception_expired', `exception ${i} for ${x.policy} (owner ${x.owner}) expired on ${x.expires} and no longer applies: "${x.reason}"`, {
          severity: 'warning',
          span: doc.locate(['exceptions', i, 'expires']),
          path: ['exceptions', i, 'expires'],
          help: 'renew the expiry after review, or fix the workloads and remove the exception',
        }),
      );
    }
    pack.exceptions.push(ex);
  });
  if (raw.admission && typeof raw.admission === 'object') {
    if (raw.admission.failurePolicy === 'Ignore' || raw.admission.failurePolicy === 'Fail') pack.admission.failurePolicy = raw.admission.failurePolicy;
    if (Array.isArray(raw.admission.exemptions) && ok(['admission', 'exemptions'])) pack.admission.exemptions = raw.admission.exemptions;
  }
  if (raw.mutations && typeof raw.mutations === 'object') {
    for (const k of Object.keys(pack.mutations) as (keyof MutationSettings)[]) {
      if (typeof raw.mutations[k] === 'boolean') pack.mutations[k] = raw.mutations[k];
    }
  }
  for (const id of Object.keys(pack.policies)) {
    if (!POLICY_ID_PATTERN.test(id) && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(id)) {
      diagnostics.push(diag('policy_id_invalid', `policy id "${id}" is neither <scope>.<intent>.v<N> nor a Kubernetes object name`, { span: doc.locate(['policies', id]), path: ['policies', id] }));
    }
  }
  return { pack, diagnostics };
}

/** An exception applies while not expired; a bare date means through the end of that day (UTC). */
export function parseExpiry(v: unknown): Date | undefined {
  if (typeof v !== 'string') return undefined;
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const d = new Date(bare ? `${v}T23:59:59.999Z` : v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function isMode(v: unknown): v is Mode {
  return v === 'enforce' || v === 'warn' || v === 'audit';
}

function describePath(path: FieldPath): string {
  return path.length === 0 ? 'rampart.yaml' : formatFieldPath(path);
}

/** The schema node that describes the object at `path` (to list known fields). */
function schemaAt(path: FieldPath): { properties?: Record<string, unknown> } | undefined {
  let node: any = PACK_SCHEMA;
  for (const seg of path) {
    if (node?.$ref) node = (PACK_SCHEMA.definitions as any)[node.$ref.split('/').pop()];
    if (typeof seg === 'number') node = node?.items;
    else node = node?.properties?.[seg] ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  return node;
}
