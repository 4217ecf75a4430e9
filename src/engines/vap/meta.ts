import { diag, type Diagnostic } from '../../core/diagnostic.js';
import { SEVERITIES, type Frameworks, type PolicyMeta, type Severity } from '../../core/policy-types.js';
import { meta, type KObject, type LoadedObject } from '../../k8s/object.js';
import { podTemplateOf } from '../../k8s/podspec.js';
import type { FieldPath } from '../../core/span.js';

/** Annotation keys that carry Rampart metadata on third-party policy documents (docs/vap.md). */
export const ANNOTATIONS = {
  id: 'rampart.dev/id',
  title: 'rampart.dev/title',
  severity: 'rampart.dev/severity',
  owner: 'rampart.dev/owner',
  remediation: 'rampart.dev/remediation',
  frameworks: 'rampart.dev/frameworks',
  path: 'rampart.dev/path',
} as const;

/**
 * Where a failure points in the object (`rampart.dev/path`): a dotted path from the object root, or one starting
 * with `podSpec` / `podMetadata`, which resolve to the pod template wherever it is (Pod, controllers, CronJob).
 */
export function resolveFindingPath(template: string, obj: KObject | null): FieldPath | undefined {
  if (!obj) return undefined;
  const segs = template.split('.').filter((s) => s !== '');
  if (segs.length === 0) return undefined;
  const head = segs[0];
  if (head === 'podSpec' || head === 'podMetadata') {
    const t = podTemplateOf(obj);
    if (!t) return undefined;
    return [...(head === 'podSpec' ? t.specPath : t.metadataPath), ...segs.slice(1)];
  }
  return segs;
}

const FRAMEWORK_KEYS: Record<string, keyof Frameworks> = { cis: 'cis', nist: 'nist', mitre: 'mitre' };

/** `cis:5.2.1, nist:AC-6, mitre:T1611` → { cis: ['5.2.1'], nist: ['AC-6'], mitre: ['T1611'] } */
export function parseFrameworks(text: string): { frameworks: Frameworks; unknown: string[] } {
  const frameworks: Frameworks = {};
  const unknown: string[] = [];
  for (const part of text.split(/[,\n]/)) {
    const item = part.trim();
    if (item === '') continue;
    const i = item.indexOf(':');
    const key = i < 0 ? undefined : FRAMEWORK_KEYS[item.slice(0, i).trim().toLowerCase()];
    const id = i < 0 ? '' : item.slice(i + 1).trim();
    if (!key || id === '') {
      unknown.push(item);
      continue;
    }
    (frameworks[key] ??= []).push(id);
  }
  return { frameworks, unknown };
}

/**
 * PolicyMeta of a policy document: `rampart.dev/*` annotations when present, else the object name as id and
 * title, severity medium. Kyverno's own `policies.kyverno.io/title` and `/severity` are honoured as fallbacks.
 */
export function policyMetaOf(doc: LoadedObject, engine: string, diagnostics: Diagnostic[]): PolicyMeta {
  const m = meta(doc.object);
  const ann = (m.annotations ?? {}) as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof ann[k] === 'string' && ann[k] !== '' ? (ann[k] as string).trim() : undefined);
  const name = typeof m.name === 'string' ? m.name : '';
  const span = doc.locate(['metadata', 'annotations']);
  const out: PolicyMeta = {
    id: str(ANNOTATIONS.id) ?? name,
    title: str(ANNOTATIONS.title) ?? str('policies.kyverno.io/title') ?? name,
    severity: 'medium',
    engine,
    source: doc.span,
  };
  const sev = (str(ANNOTATIONS.severity) ?? str('policies.kyverno.io/severity'))?.toLowerCase();
  if (sev !== undefined) {
    if ((SEVERITIES as readonly string[]).includes(sev)) out.severity = sev as Severity;
    else {
      diagnostics.push(
        diag('policy_annotation_invalid', `${name}: severity "${sev}" is not one of ${SEVERITIES.join(', ')}; using medium`, {
          severity: 'warning',
          span: doc.locate(['metadata', 'annotations', ANNOTATIONS.severity]),
        }),
      );
    }
  }
  const owner = str(ANNOTATIONS.owner);
  if (owner) out.owner = owner;
  const remediation = str(ANNOTATIONS.remediation);
  if (remediation) out.remediation = remediation;
  const fw = str(ANNOTATIONS.frameworks);
  if (fw) {
    const { frameworks, unknown } = parseFrameworks(fw);
    if (Object.keys(frameworks).length > 0) out.frameworks = frameworks;
    if (unknown.length > 0) {
      diagnostics.push(
        diag('policy_annotation_invalid', `${name}: framework ids must look like cis:<id>, nist:<id> or mitre:<id>; ignored: ${unknown.join(', ')}`, {
          severity: 'warning',
          span: span,
        }),
      );
    }
  }
  return out;
}
