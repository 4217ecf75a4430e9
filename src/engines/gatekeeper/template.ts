import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { SourceSpan } from '../../core/span.js';
import { isObject, meta, type LoadedObject } from '../../k8s/object.js';
import { compileRego, type RegoCompiled } from '../rego/index.js';
import type { CelEnvironment } from '../cel/index.js';
import { compileCelTarget, type CelTarget } from './cel-target.js';

export const GATEKEEPER_TARGET = 'admission.k8s.gatekeeper.sh';

export interface RegoTarget {
  compiled: RegoCompiled;
  /** Package path of the main module, e.g. ['k8sallowedrepos']. */
  pkg: string[];
  /** The rego reads data.inventory (referential template): the scan keeps every object for it. */
  usesInventory: boolean;
}

export interface CompiledTemplate {
  name: string;
  /** The constraint kind the template defines (spec.crd.spec.names.kind). */
  kind: string;
  title?: string;
  description?: string;
  rego?: RegoTarget;
  cel?: CelTarget;
  source: LoadedObject;
}

export function isConstraintTemplate(o: { apiVersion?: unknown; kind?: unknown }): boolean {
  return o.kind === 'ConstraintTemplate' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('templates.gatekeeper.sh/');
}

/**
 * Compiles a ConstraintTemplate (templates.gatekeeper.sh v1, v1beta1, v1alpha1): the admission target's Rego
 * (legacy `rego` + `libs`, or `code[]` with engine Rego) and K8sNativeValidation CEL. Rego problems keep OPA's
 * codes with the template's file and the line inside the YAML block.
 */
export function compileTemplate(doc: LoadedObject, diagnostics: Diagnostic[], celEnv: CelEnvironment): CompiledTemplate | undefined {
  const o = doc.object as Record<string, any>;
  const name = String(meta(doc.object).name ?? '');
  const kind = o.spec?.crd?.spec?.names?.kind;
  if (typeof kind !== 'string' || kind === '') {
    diagnostics.push(diag('gatekeeper_template_invalid', `ConstraintTemplate ${name} has no spec.crd.spec.names.kind`, { span: doc.locate(['spec', 'crd']) }));
    return undefined;
  }
  const targets: unknown[] = Array.isArray(o.spec?.targets) ? o.spec.targets : [];
  const ti = targets.findIndex((t) => isObject(t) && t.target === GATEKEEPER_TARGET);
  if (ti < 0) {
    diagnostics.push(diag('gatekeeper_target_unsupported', `ConstraintTemplate ${name} has no ${GATEKEEPER_TARGET} target`, { span: doc.locate(['spec', 'targets']) }));
    return undefined;
  }
  const target = targets[ti] as Record<string, any>;
  const annotations = meta(doc.object).annotations ?? {};
  const t: CompiledTemplate = {
    name,
    kind,
    title: annotations['metadata.gatekeeper.sh/title'],
    description: typeof annotations.description === 'string' ? annotations.description.trim() : undefined,
    source: doc,
  };
  const code: unknown[] = Array.isArray(target.code) ? target.code : [];
  // Rego: the legacy fields, or a code entry with engine Rego.
  let regoSource: string | undefined = typeof target.rego === 'string' ? target.rego : undefined;
  let libs: string[] = Array.isArray(target.libs) ? target.libs.filter((l: unknown) => typeof l === 'string') : [];
  let regoPath: (string | number)[] = ['spec', 'targets', ti, 'rego'];
  let version: 'v0' | 'v1' = 'v0';
  code.forEach((c, ci) => {
    if (!isObject(c) || !isObject(c.source)) return;
    if (c.engine === 'Rego' && typeof c.source.rego === 'string') {
      regoSource = c.source.rego;
      libs = Array.isArray(c.source.libs) ? c.source.libs.filter((l: unknown): l is string => typeof l === 'string') : [];
      regoPath = ['spec', 'targets', ti, 'code', ci, 'source', 'rego'];
      if (c.source.version === 'v1') version = 'v1';
    } else if (c.engine === 'K8sNativeValidation') {
      t.cel = compileCelTarget(c.source, doc, ['spec', 'targets', ti, 'code', ci, 'source'], diagnostics, celEnv);
    }
  });
  if (regoSource !== undefined) {
    // The block scalar's text starts on the line after its key.
    const keyLine = doc.locate(regoPath).line;
    const shift = (d: Diagnostic, base: number): Diagnostic =>
      d.span && d.span.file.startsWith('<template>') ? { ...d, span: { ...d.span, file: doc.span.file, line: d.span.line + base } as SourceSpan } : d;
    const modules = [{ file: '<template>/rego', source: regoSource }, ...libs.map((l, i) => ({ file: `<template>/lib${i}`, source: l }))];
    const r = compileRego(modules, { regoVersion: version });
    if (!r.ok) {
      diagnostics.push(...r.diagnostics.map((d) => shift(d, d.span?.file === '<template>/rego' ? keyLine : doc.locate(['spec', 'targets', ti, 'libs']).line)));
    } else {
      const pkg = r.compiled.packages().find((p) => p.file === '<template>/rego')?.path;
      if (!pkg) {
        diagnostics.push(diag('gatekeeper_template_invalid', `ConstraintTemplate ${name}: the Rego has no package`, { span: doc.locate(regoPath) }));
      } else {
        t.rego = { compiled: r.compiled, pkg, usesInventory: [regoSource, ...libs].some((s) => s.includes('data.inventory')) };
      }
    }
  }
  if (!t.rego && !t.cel) {
    if (!diagnostics.some((d) => d.span?.file === doc.span.file)) {
      diagnostics.push(diag('gatekeeper_no_code', `ConstraintTemplate ${name} has neither Rego nor K8sNativeValidation code`, { span: doc.locate(['spec', 'targets', ti]) }));
    }
    return undefined;
  }
  return t;
}
