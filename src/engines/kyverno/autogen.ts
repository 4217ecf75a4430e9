import { isObject } from '../../k8s/object.js';

/** Kyverno pod controllers (pkg/autogen/v1). */
export const POD_CONTROLLERS = ['DaemonSet', 'Deployment', 'Job', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'CronJob'];
const NON_CRONJOB = new Set(['DaemonSet', 'Deployment', 'Job', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);
export const AUTOGEN_ANNOTATION = 'pod-policies.kyverno.io/autogen-controllers';

type Obj = Record<string, unknown>;

function descriptions(match: unknown): Obj[] {
  if (!isObject(match)) return [];
  const out: Obj[] = [];
  if (isObject(match.resources)) out.push(match.resources);
  for (const key of ['any', 'all'] as const) {
    const arr = match[key];
    if (Array.isArray(arr)) for (const f of arr) if (isObject(f) && isObject(f.resources)) out.push(f.resources);
  }
  return out;
}

function kindsOf(d: Obj): string[] {
  return Array.isArray(d.kinds) ? d.kinds.filter((k): k is string => typeof k === 'string') : [];
}

/** A kind selector names Pod (any group/version spelling). */
function isPodKind(k: string): boolean {
  const parts = k.split('/');
  return parts[parts.length === 4 ? 2 : parts.length - 1] === 'Pod';
}

/** checkAutogenSupport: no name(s), selector or annotations, and no Pod mixed with other kinds. */
function supports(d: Obj, needed: { v: boolean }): boolean {
  if ((typeof d.name === 'string' && d.name !== '') || (Array.isArray(d.names) && d.names.length > 0) || d.selector !== undefined || d.annotations !== undefined) {
    return false;
  }
  const kinds = kindsOf(d);
  if (kinds.length > 1 && kinds.some(isPodKind)) return false;
  if (kinds.some((k) => isPodKind(k) || POD_CONTROLLERS.includes(k.split('/').pop()!))) needed.v = true;
  return true;
}

/** CanAutoGen over a whole ClusterPolicy spec: the controllers autogen would use, or none. */
export function canAutogen(rules: Obj[]): boolean {
  const needed = { v: false };
  for (const rule of rules) {
    if (rule.generate !== undefined) return false;
    const mutate = rule.mutate;
    if (isObject(mutate)) {
      if (mutate.patchesJson6902) return false;
      if (Array.isArray(mutate.foreach) && mutate.foreach.some((f) => isObject(f) && f.patchesJson6902)) return false;
    }
    for (const d of descriptions(rule.match)) if (!supports(d, needed)) return false;
    for (const d of descriptions(rule.exclude)) if (!supports(d, needed)) return false;
  }
  return needed.v;
}

/** Controllers autogen applies to for this policy: the annotation (when autogen is possible) or all of them. */
export function autogenControllers(annotations: Record<string, unknown>, rules: Obj[]): string[] {
  if (!canAutogen(rules)) return [];
  const ann = annotations[AUTOGEN_ANNOTATION];
  if (typeof ann !== 'string' || ann === '') return POD_CONTROLLERS;
  if (ann === 'none') return [];
  return ann.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function matchKinds(match: unknown): string[] {
  return descriptions(match).flatMap(kindsOf);
}

function replaceKinds(match: Obj, kinds: string[], onlyPodFilters: boolean): Obj {
  const out: Obj = { ...match };
  let done = false;
  for (const key of ['any', 'all'] as const) {
    const arr = match[key];
    if (Array.isArray(arr) && arr.length > 0 && !done) {
      out[key] = arr.map((f) => {
        if (!isObject(f) || !isObject(f.resources)) return f;
        if (onlyPodFilters && !kindsOf(f.resources).some(isPodKind)) return f;
        return { ...f, resources: { ...f.resources, kinds } };
      });
      done = true;
    }
  }
  if (!done && isObject(match.resources)) out.resources = { ...match.resources, kinds };
  return out;
}

const POD_CEL: [string, string][] = [
  ['object.spec', 'object.spec.template.spec'],
  ['oldObject.spec', 'oldObject.spec.template.spec'],
  ['object.metadata', 'object.spec.template.metadata'],
  ['oldObject.metadata', 'oldObject.spec.template.metadata'],
];
const CRONJOB_CEL: [string, string][] = [
  ['object.spec', 'object.spec.jobTemplate.spec.template.spec'],
  ['oldObject.spec', 'oldObject.spec.jobTemplate.spec.template.spec'],
  ['object.metadata', 'object.spec.jobTemplate.spec.template.metadata'],
  ['oldObject.metadata', 'oldObject.spec.jobTemplate.spec.template.metadata'],
];

function replaceAllIn<T>(value: T, replacements: [string, string][]): T {
  let json = JSON.stringify(value);
  for (const [from, to] of replacements) json = json.split(from).join(to);
  return JSON.parse(json) as T;
}

function truncName(name: string): string {
  return name.length > 63 ? name.slice(0, 63) : name;
}

/**
 * Kyverno's autogen for ClusterPolicy rules (pkg/autogen/v1): for each rule matching Pods, `autogen-<rule>` for
 * the template controllers and `autogen-cronjob-<rule>` for CronJobs, with CEL paths shifted into the template.
 */
export function autogenRules(rules: Obj[], controllers: string[]): Obj[] {
  if (controllers.length === 0) return [];
  const out: Obj[] = [];
  const templateKinds = controllers.filter((c) => NON_CRONJOB.has(c)).sort();
  const hasCronJob = controllers.includes('CronJob');
  for (const rule of rules) {
    const name = String(rule.name ?? '');
    if (name.startsWith('autogen-')) continue;
    const mk = matchKinds(rule.match);
    const ek = matchKinds(rule.exclude);
    if (!mk.some(isPodKind) || (ek.length > 0 && !ek.some(isPodKind))) continue;
    const kindsFor = templateKinds.length > 0 ? templateKinds : controllers.filter((c) => c !== 'CronJob').sort();
    const base = (kinds: string[], onlyPod: boolean): Obj => {
      const r: Obj = { ...rule, match: replaceKinds(isObject(rule.match) ? rule.match : {}, kinds, onlyPod) };
      if (isObject(rule.exclude)) {
        const ex = rule.exclude;
        const hasAnyAll = (Array.isArray(ex.any) && ex.any.length > 0) || (Array.isArray(ex.all) && ex.all.length > 0);
        if (hasAnyAll || kindsOf(isObject(ex.resources) ? ex.resources : {}).length > 0) r.exclude = replaceKinds(ex, kinds, onlyPod);
      }
      return r;
    };
    if (kindsFor.length > 0) {
      const r = replaceAllIn(base(kindsFor, true), POD_CEL);
      r.name = truncName(`autogen-${name}`);
      out.push(r);
    }
    if (hasCronJob) {
      const r = replaceAllIn(base(['CronJob'], false), CRONJOB_CEL);
      r.name = truncName(`autogen-cronjob-${name}`);
      out.push(r);
    }
  }
  return out;
}

/* ---------------- ValidatingPolicy autogen (pkg/cel/autogen) ---------------- */

export interface VpolAutogenTarget {
  group: string;
  version: string;
  resource: string;
  kind: string;
  cronjob: boolean;
}

const VPOL_TARGETS: Record<string, VpolAutogenTarget> = {
  daemonsets: { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', cronjob: false },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', cronjob: false },
  replicasets: { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', cronjob: false },
  statefulsets: { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', cronjob: false },
  jobs: { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', cronjob: false },
  cronjobs: { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', cronjob: true },
};

/** CanAutoGen for ValidatingPolicy: exactly one resource rule, for core v1 pods, without selectors or exclusions. */
export function vpolCanAutogen(matchConstraints: unknown): boolean {
  if (!isObject(matchConstraints)) return false;
  const nonEmpty = (s: unknown): boolean =>
    isObject(s) && ((isObject(s.matchLabels) && Object.keys(s.matchLabels).length > 0) || (Array.isArray(s.matchExpressions) && s.matchExpressions.length > 0));
  if (nonEmpty(matchConstraints.namespaceSelector) || nonEmpty(matchConstraints.objectSelector)) return false;
  if (Array.isArray(matchConstraints.excludeResourceRules) && matchConstraints.excludeResourceRules.length > 0) return false;
  const rules = matchConstraints.resourceRules;
  if (!Array.isArray(rules) || rules.length !== 1 || !isObject(rules[0])) return false;
  const r = rules[0];
  const eq = (v: unknown, want: string): boolean => Array.isArray(v) && v.length === 1 && v[0] === want;
  if (Array.isArray(r.resourceNames) && r.resourceNames.length > 0) return false;
  return eq(r.apiGroups, '') && eq(r.apiVersions, 'v1') && eq(r.resources, 'pods');
}

/** Configured controllers (`spec.autogen.podControllers.controllers`, resource names or kinds) or all. */
export function vpolTargets(spec: Obj): VpolAutogenTarget[] {
  const configured = isObject(spec.autogen) && isObject(spec.autogen.podControllers) ? spec.autogen.podControllers.controllers : undefined;
  const names = Array.isArray(configured) ? configured.map(String) : Object.keys(VPOL_TARGETS);
  const out: VpolAutogenTarget[] = [];
  for (const n of names) {
    const t = VPOL_TARGETS[n] ?? Object.values(VPOL_TARGETS).find((x) => x.kind === n);
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Replacement that leaves `object.metadata.name` / `.namespace` alone (pkg/cel/autogen/replacement.go). */
function protectedReplace(text: string, from: string, to: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const j = text.indexOf(from, i);
    if (j < 0) break;
    out += text.slice(i, j);
    const rest = text.slice(j + from.length);
    const m = /^\.(namespace|name)(?![A-Za-z0-9_])/.exec(rest);
    out += m ? from : to;
    i = j + from.length;
  }
  return out + text.slice(i);
}

export function vpolRewrite<T>(value: T, cronjob: boolean): T {
  let json = JSON.stringify(value);
  const reps: [string, string][] = cronjob
    ? [['spec', 'spec.jobTemplate.spec.template.spec'], ['metadata', 'spec.jobTemplate.spec.template.metadata']]
    : [['spec', 'spec.template.spec'], ['metadata', 'spec.template.metadata']];
  for (const [from, to] of reps) {
    json = protectedReplace(json, `object.${from}`, `object.${to}`);
    json = protectedReplace(json, `oldObject.${from}`, `oldObject.${to}`);
  }
  return JSON.parse(json) as T;
}

/** The matchConstraints of a generated ValidatingPolicy rule for some controllers. */
export function vpolMatchConstraints(targets: VpolAutogenTarget[], operations: unknown): Obj {
  const rules: Obj[] = [];
  const apps: string[] = [];
  for (const t of targets) {
    if (t.group === 'batch') rules.push({ apiGroups: ['batch'], apiVersions: ['v1'], resources: [t.resource], operations });
    else apps.push(t.resource);
  }
  if (apps.length > 0) rules.unshift({ apiGroups: ['apps'], apiVersions: ['v1'], resources: apps, operations });
  return { resourceRules: rules };
}
