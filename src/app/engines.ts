import { existsSync } from 'node:fs';
import type { Diagnostic } from '../core/diagnostic.js';
import type { CompiledPolicy, PolicyEngineModule } from '../policy/engine.js';
import * as pss from '../engines/pss/index.js';
import { GUARDRAIL_LIBRARY_NAME, guardrailPolicyFiles, vapEngine } from '../engines/vap/index.js';
import { kyvernoEngine } from '../engines/kyverno/index.js';
import { gatekeeperEngine } from '../engines/gatekeeper/index.js';

/**
 * The engines whose policy documents Rampart recognises in policy directories. Adding a format means adding its
 * module here; scan, serve and test all go through this list.
 */
export const POLICY_ENGINES: readonly PolicyEngineModule[] = [vapEngine, kyvernoEngine, gatekeeperEngine];

/** Built-in Pod Security Standards policy for a level and version ("latest" or "v1.X"). */
export function builtinPssPolicies(level: 'baseline' | 'restricted', version: string): { policies: CompiledPolicy[]; diagnostics: Diagnostic[] } {
  // Passing checks are reported so JUnit and metrics can count an applicable policy that passed.
  return pss.createPssPolicies({ level, version, includePassing: true });
}

/** Policies that read `pod-security.kubernetes.io/*` labels of the object's Namespace. */
export function namespaceLabelPolicies(): CompiledPolicy[] {
  return [pss.createNamespaceLabelPolicy({ includePassing: true })];
}

/** The policy files of a library shipped with Rampart (not its tests), or undefined when this build lacks it. */
export function libraryFiles(name: string): string[] | undefined {
  if (name !== GUARDRAIL_LIBRARY_NAME) return undefined;
  const files = guardrailPolicyFiles();
  return files.every((f) => existsSync(f)) ? files : undefined;
}
