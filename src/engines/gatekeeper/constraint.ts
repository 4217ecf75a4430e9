import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { Mode } from '../../core/policy-types.js';
import { isObject, meta, type KObject, type LoadedObject } from '../../k8s/object.js';
import { parseMatch, type ConstraintMatch } from './match.js';

export interface CompiledConstraint {
  kind: string;
  name: string;
  object: KObject;
  match: ConstraintMatch;
  parameters: unknown;
  mode: Mode;
  /** enforcementAction as written (deny, dryrun, warn, scoped). */
  enforcementAction: string;
  source: LoadedObject;
}

export function isConstraint(o: { apiVersion?: unknown }): boolean {
  return typeof o.apiVersion === 'string' && o.apiVersion.startsWith('constraints.gatekeeper.sh/');
}

const ACTION_MODE: Record<string, Mode> = { deny: 'enforce', warn: 'warn', dryrun: 'audit' };
/** Enforcement points Rampart stands in for: the admission webhook and gator-style offline checks. */
const RAMPART_POINTS = new Set(['validation.gatekeeper.sh', 'gator.gatekeeper.sh', '*']);

/**
 * enforcementAction → mode: deny → enforce, warn → warn, dryrun → audit (default deny). `scoped` takes the
 * strictest scopedEnforcementActions entry whose enforcement points include the webhook, gator or `*`.
 */
export function modeOf(spec: Record<string, unknown>): { mode: Mode; action: string; problem?: string } {
  const action = typeof spec.enforcementAction === 'string' ? spec.enforcementAction : 'deny';
  if (action in ACTION_MODE) return { mode: ACTION_MODE[action], action };
  if (action === 'scoped') {
    const scoped = Array.isArray(spec.scopedEnforcementActions) ? spec.scopedEnforcementActions : [];
    const modes = scoped
      .filter(isObject)
      .filter((s) => Array.isArray(s.enforcementPoints) && s.enforcementPoints.some((p) => isObject(p) && RAMPART_POINTS.has(String(p.name))))
      .map((s) => ACTION_MODE[String(s.action)])
      .filter((m): m is Mode => m !== undefined);
    if (modes.includes('enforce')) return { mode: 'enforce', action };
    if (modes.includes('warn')) return { mode: 'warn', action };
    return { mode: 'audit', action };
  }
  return { mode: 'enforce', action, problem: `unknown enforcementAction "${action}" (deny, dryrun, warn, scoped); treated as deny` };
}

export function compileConstraint(doc: LoadedObject, diagnostics: Diagnostic[]): CompiledConstraint {
  const o = doc.object as Record<string, any>;
  const spec = isObject(o.spec) ? o.spec : {};
  const m = modeOf(spec);
  if (m.problem) diagnostics.push(diag('gatekeeper_constraint_invalid', m.problem, { span: doc.locate(['spec', 'enforcementAction']), severity: 'warning' }));
  if (spec.match !== undefined && !isObject(spec.match)) {
    diagnostics.push(diag('gatekeeper_constraint_invalid', 'spec.match must be an object', { span: doc.locate(['spec', 'match']) }));
  }
  return {
    kind: String(o.kind),
    name: String(meta(doc.object).name ?? ''),
    object: doc.object,
    match: parseMatch(spec.match),
    parameters: spec.parameters,
    mode: m.mode,
    enforcementAction: m.action,
    source: doc,
  };
}
