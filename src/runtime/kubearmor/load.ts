import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { diag, type Diagnostic } from '../../core/diagnostic.js';
import { formatFieldPath, pointerToPath, type FieldPath } from '../../core/span.js';
import { isObject, type LoadedObject } from '../../k8s/object.js';
import type {
  KubeArmorAction,
  KubeArmorPolicyModel,
  KubeArmorRule,
  RuleCommon,
  SelectorExpression,
  SyscallSource,
} from './model.js';
import { specSchema, type KubeArmorKind } from './schema.js';

export const KUBEARMOR_API_VERSION = 'security.kubearmor.com/v1';
export const KUBEARMOR_KINDS: readonly KubeArmorKind[] = ['KubeArmorPolicy', 'KubeArmorClusterPolicy', 'KubeArmorHostPolicy'];

/** Diagnostic codes of the KubeArmor loader (stable). */
export const KUBEARMOR_CODES = {
  kubearmor_schema_error: 'A KubeArmor policy does not match its CRD schema; the API server would reject it (the policy is not loaded).',
  kubearmor_unknown_field: 'A field the CRD does not define; the API server drops it silently.',
  kubearmor_missing_name: 'A KubeArmor policy has no metadata.name.',
  kubearmor_missing_action: 'No action on the rule, its section or the spec; KubeArmor treats it as Block.',
  kubearmor_rule_empty: 'A process matchPaths entry has neither path nor execname; it matches nothing.',
  kubearmor_pattern_not_regexp: "A matchPatterns pattern is not a valid regular expression: KubeArmor's alert matcher skips it.",
  kubearmor_kind_unsupported: 'A security.kubearmor.com kind Rampart does not evaluate (e.g. KubeArmorNetworkPolicy).',
  kubearmor_namespace_defaulted: 'A KubeArmorPolicy without metadata.namespace applies to the namespace "default".',
  kubearmor_apparmor_raw: 'spec.apparmor names a raw AppArmor profile: KubeArmor applies it as is and its rules raise no alerts.',
} as const;

export interface KubeArmorLoadResult {
  policies: KubeArmorPolicyModel[];
  diagnostics: Diagnostic[];
}

/** A loader with its schemas compiled once; reuse it for many files (compile once, load many). */
export interface KubeArmorLoader {
  /** True for documents of the security.kubearmor.com group. */
  accepts(obj: LoadedObject): boolean;
  load(objects: readonly LoadedObject[], firstIndex?: number): KubeArmorLoadResult;
}

export function createKubeArmorLoader(): KubeArmorLoader {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validators = new Map<KubeArmorKind, ValidateFunction>();
  const validatorFor = (kind: KubeArmorKind): ValidateFunction => {
    let v = validators.get(kind);
    if (!v) validators.set(kind, (v = ajv.compile(specSchema(kind))));
    return v;
  };
  return {
    accepts: (o) => typeof o.object.apiVersion === 'string' && o.object.apiVersion.startsWith('security.kubearmor.com/'),
    load(objects, firstIndex = 0) {
      const policies: KubeArmorPolicyModel[] = [];
      const diagnostics: Diagnostic[] = [];
      for (const lo of objects) {
        const o = lo.object;
        if (typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('security.kubearmor.com/')) continue;
        const kind = o.kind as KubeArmorKind;
        if (o.apiVersion !== KUBEARMOR_API_VERSION || !KUBEARMOR_KINDS.includes(kind)) {
          diagnostics.push(
            diag('kubearmor_kind_unsupported', `${o.apiVersion} ${String(o.kind)} is not evaluated by Rampart (supported: ${KUBEARMOR_KINDS.join(', ')})`, {
              severity: 'warning',
              span: lo.span,
            }),
          );
          continue;
        }
        const r = loadOne(lo, kind, validatorFor(kind), firstIndex + policies.length);
        diagnostics.push(...r.diagnostics);
        if (r.policy) policies.push(r.policy);
      }
      return { policies, diagnostics };
    },
  };
}

/** Convenience: validate and load the KubeArmor documents among `objects`. */
export function loadKubeArmorPolicies(objects: readonly LoadedObject[]): KubeArmorLoadResult {
  return createKubeArmorLoader().load(objects);
}

function loadOne(
  lo: LoadedObject,
  kind: KubeArmorKind,
  validate: ValidateFunction,
  index: number,
): { policy?: KubeArmorPolicyModel; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const o = lo.object;
  const meta = isObject(o.metadata) ? o.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (name === '') {
    diagnostics.push(diag('kubearmor_missing_name', `${kind} has no metadata.name`, { span: lo.locate(['metadata']), path: ['metadata', 'name'] }));
    return { diagnostics };
  }
  // The API server prunes null values of fields the CRD does not mark nullable before validating (KubeArmor's own
  // tests apply `- fromSource:` with no value), so a null field is an absent field here too.
  const spec = pruneNulls(o.spec);
  if (!isObject(spec)) {
    diagnostics.push(diag('kubearmor_schema_error', `${kind} ${name}: spec must be an object`, { span: lo.span, path: ['spec'] }));
    return { diagnostics };
  }
  let fatal = false;
  if (!validate(spec)) {
    for (const e of dedupeErrors(validate.errors ?? [])) {
      const path: FieldPath = ['spec', ...pointerToPath(e.instancePath)];
      if (e.keyword === 'additionalProperties') {
        const field = String((e.params as { additionalProperty: string }).additionalProperty);
        const fpath = [...path, field];
        diagnostics.push(
          diag('kubearmor_unknown_field', `${kind} ${name}: unknown field ${formatFieldPath(fpath)} (the API server drops it)`, {
            severity: 'warning',
            span: lo.locate(fpath),
            path: fpath,
          }),
        );
        continue;
      }
      fatal = true;
      diagnostics.push(
        diag('kubearmor_schema_error', `${kind} ${name}: ${formatFieldPath(path)} ${describeError(e)}`, { span: lo.locate(path), path }),
      );
    }
  }
  if (fatal) return { diagnostics };

  let namespace: string | undefined;
  if (kind === 'KubeArmorPolicy') {
    namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
    if (!namespace) {
      namespace = 'default';
      diagnostics.push(diag('kubearmor_namespace_defaulted', `${kind} ${name} has no metadata.namespace; it applies to "default"`, { severity: 'info', span: lo.span }));
    }
  }
  const sel = isObject(spec.selector) ? spec.selector : {};
  const nodeSel = isObject(spec.nodeSelector) ? spec.nodeSelector : {};
  const policy: KubeArmorPolicyModel = {
    kind,
    name,
    ...(namespace ? { namespace } : {}),
    matchLabels: stringMap(sel.matchLabels),
    matchExpressions: (Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []).filter(isObject).map(
      (e): SelectorExpression => ({
        key: e.key === 'namespace' ? 'namespace' : 'label',
        operator: e.operator === 'NotIn' ? 'NotIn' : 'In',
        values: Array.isArray(e.values) ? e.values.map(String) : [],
      }),
    ),
    nodeSelector: stringMap(nodeSel.matchLabels),
    rules: [],
    span: lo.span,
    index,
  };
  if (typeof spec.apparmor === 'string' && spec.apparmor !== '') {
    policy.apparmor = spec.apparmor;
    diagnostics.push(diag('kubearmor_apparmor_raw', `${kind} ${name} uses spec.apparmor; its rules raise no KubeArmor alerts`, { severity: 'info', span: lo.locate(['spec', 'apparmor']) }));
  }
  collectRules(policy, spec, lo, diagnostics);
  return { policy, diagnostics };
}

type Obj = Record<string, unknown>;

function collectRules(policy: KubeArmorPolicyModel, spec: Obj, lo: LoadedObject, diagnostics: Diagnostic[]): void {
  const specCommon = { action: spec.action, severity: spec.severity, tags: spec.tags, message: spec.message };
  const each = (sectionName: string, listName: string, build: (item: Obj, common: RuleCommon) => KubeArmorRule | undefined): void => {
    const section = isObject(spec[sectionName]) ? (spec[sectionName] as Obj) : undefined;
    if (!section || !Array.isArray(section[listName])) return;
    (section[listName] as unknown[]).forEach((item, i) => {
      if (!isObject(item)) return;
      const path: FieldPath = ['spec', sectionName, listName, i];
      const common = inherit(item, section, specCommon, policy.name, path, lo, diagnostics);
      const rule = build(item, common);
      if (rule) policy.rules.push(rule);
    });
  };
  const bool = (v: unknown): boolean => v === true;
  const sources = (v: unknown): string[] =>
    (Array.isArray(v) ? v : []).filter(isObject).map((s) => (typeof s.path === 'string' ? s.path : '')).filter((p) => p !== '');
  const syscallSources = (v: unknown): SyscallSource[] =>
    (Array.isArray(v) ? v : []).filter(isObject).map((s) => ({
      ...(typeof s.path === 'string' && s.path !== '' ? { path: s.path } : {}),
      ...(typeof s.dir === 'string' && s.dir !== '' ? { dir: s.dir } : {}),
      ...(s.recursive === true ? { recursive: true } : {}),
    }));
  const checkPattern = (pattern: string, common: RuleCommon): void => {
    try {
      new RegExp(pattern);
    } catch {
      diagnostics.push(
        diag('kubearmor_pattern_not_regexp', `pattern ${JSON.stringify(pattern)} does not compile as a regular expression: KubeArmor enforces it (AppArmor glob) but its alert matcher skips it`, {
          severity: 'warning',
          span: common.span,
          path: common.at,
        }),
      );
    }
  };

  each('process', 'matchPaths', (it, c) => {
    const path = typeof it.path === 'string' && it.path !== '' ? it.path : undefined;
    const execname = typeof it.execname === 'string' && it.execname !== '' ? it.execname : undefined;
    if (!path && !execname) {
      diagnostics.push(diag('kubearmor_rule_empty', `${policy.name}: process.matchPaths entry has neither path nor execname`, { severity: 'warning', span: c.span, path: c.at }));
      return undefined;
    }
    return { kind: 'processPath', ...c, ...(path ? { path } : {}), ...(execname && !path ? { execname } : {}), ownerOnly: bool(it.ownerOnly), fromSource: sources(it.fromSource) };
  });
  each('process', 'matchDirectories', (it, c) => ({ kind: 'processDir', ...c, dir: String(it.dir), recursive: bool(it.recursive), ownerOnly: bool(it.ownerOnly), fromSource: sources(it.fromSource) }));
  each('process', 'matchPatterns', (it, c) => {
    const pattern = String(it.pattern ?? '');
    if (pattern === '') return undefined;
    checkPattern(pattern, c);
    return { kind: 'processPattern', ...c, pattern, ownerOnly: bool(it.ownerOnly) };
  });
  each('file', 'matchPaths', (it, c) => ({ kind: 'filePath', ...c, path: String(it.path), readOnly: bool(it.readOnly), ownerOnly: bool(it.ownerOnly), fromSource: sources(it.fromSource) }));
  each('file', 'matchDirectories', (it, c) => ({
    kind: 'fileDir',
    ...c,
    dir: String(it.dir),
    recursive: bool(it.recursive),
    readOnly: bool(it.readOnly),
    ownerOnly: bool(it.ownerOnly),
    fromSource: sources(it.fromSource),
  }));
  each('file', 'matchPatterns', (it, c) => {
    const pattern = String(it.pattern ?? '');
    if (pattern === '') return undefined;
    checkPattern(pattern, c);
    return { kind: 'filePattern', ...c, pattern, readOnly: bool(it.readOnly), ownerOnly: bool(it.ownerOnly) };
  });
  each('network', 'matchProtocols', (it, c) => {
    const protocol = String(it.protocol ?? '').toLowerCase();
    return protocol === '' ? undefined : { kind: 'network', ...c, protocol, fromSource: sources(it.fromSource) };
  });
  each('capabilities', 'matchCapabilities', (it, c) => {
    const capability = String(it.capability ?? '').toLowerCase().replace(/^cap_/, '');
    return capability === '' ? undefined : { kind: 'capability', ...c, capability, fromSource: sources(it.fromSource) };
  });
  // Syscall rules are always Audit in KubeArmor (monitoring only).
  each('syscalls', 'matchSyscalls', (it, c) => {
    const syscalls = Array.isArray(it.syscall) ? it.syscall.map(String) : [];
    return syscalls.length === 0 ? undefined : { kind: 'syscall', ...c, action: 'Audit', syscalls, fromSource: syscallSources(it.fromSource) };
  });
  each('syscalls', 'matchPaths', (it, c) => {
    const syscalls = Array.isArray(it.syscall) ? it.syscall.map(String) : [];
    const target = typeof it.path === 'string' ? it.path : '';
    if (syscalls.length === 0 || target === '') return undefined;
    return { kind: 'syscallPath', ...c, action: 'Audit', syscalls, target, recursive: bool(it.recursive), fromSource: syscallSources(it.fromSource) };
  });
}

function inherit(
  item: Obj,
  section: Obj,
  spec: { action: unknown; severity: unknown; tags: unknown; message: unknown },
  policyName: string,
  path: FieldPath,
  lo: LoadedObject,
  diagnostics: Diagnostic[],
): RuleCommon {
  const pick = <T>(k: 'action' | 'severity' | 'tags' | 'message', ok: (v: unknown) => v is T): T | undefined =>
    [item[k], section[k], spec[k]].find(ok);
  const isStr = (v: unknown): v is string => typeof v === 'string' && v !== '';
  const isNum = (v: unknown): v is number => typeof v === 'number' && v !== 0;
  const isTags = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0;
  let action = pick('action', isStr) as KubeArmorAction | undefined;
  const span = lo.locate(path);
  if (!action) {
    diagnostics.push(diag('kubearmor_missing_action', `${policyName}: ${formatFieldPath(path)} has no action (rule, section or spec); treated as Block`, { severity: 'warning', span, path }));
    action = 'Block';
  }
  return {
    action,
    severity: pick('severity', isNum) ?? 1,
    tags: (pick('tags', isTags) ?? []).map(String),
    message: pick('message', isStr) ?? '',
    policyName,
    at: path,
    span,
  };
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

function describeError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `must match ${String(p.pattern)}`;
    case 'required':
      return `needs ${String(p.missingProperty)}`;
    case 'type':
      return `must be ${String(p.type)}`;
    default:
      return e.message ?? e.keyword;
  }
}

function dedupeErrors(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A copy of a JSON value without the object fields whose value is null (what the API server prunes). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruneNulls);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = pruneNulls(x);
  return out;
}
