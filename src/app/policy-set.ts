import { dirname, resolve } from 'node:path';
import { diag, type Diagnostic } from '../core/diagnostic.js';
import type { Mode } from '../core/policy-types.js';
import { type PolicySet, duplicateIdDiagnostics } from '../evaluate/index.js';
import { collectFiles, readTextBounded } from '../io/files.js';
import { DEFAULT_LOAD_LIMITS, loadManifestText } from '../k8s/load.js';
import type { KObject, LoadedObject } from '../k8s/object.js';
import type { CompiledPolicy } from '../policy/engine.js';
import { emptyPack, parsePack, type PackConfig, type PolicySetRef } from '../policy/pack.js';
import { POLICY_ENGINES, builtinPssPolicies, namespaceLabelPolicies, libraryFiles } from './engines.js';

/** What the user selected on the command line (the same flags for scan, serve and test). */
export interface PolicySelection {
  /** rampart.yaml path. */
  config?: string;
  /** Built-in PSS level chosen on the command line (enforce mode). */
  pss?: 'baseline' | 'restricted';
  /** Overrides the version of every PSS set (command line and pack). */
  pssVersion?: string;
  /** Files or directories of policy documents (VAP, Kyverno, Gatekeeper). */
  policyPaths?: string[];
}

/**
 * Loads and compiles everything selected, once. Never throws for user errors: broken policies and config problems
 * are diagnostics, and the rest of the set is still usable (the webhook keeps serving, the scan goes on).
 */
export async function loadPolicySet(sel: PolicySelection, opts: { now: Date }): Promise<PolicySet> {
  const diagnostics: Diagnostic[] = [];
  let pack: PackConfig = emptyPack();
  let baseDir = process.cwd();
  if (sel.config) {
    const { text, diagnostic } = readTextBounded(sel.config, DEFAULT_LOAD_LIMITS.maxBytes);
    if (diagnostic) diagnostics.push({ ...diagnostic, code: diagnostic.code === 'file_read_error' ? 'config_parse_error' : diagnostic.code });
    else {
      const parsed = parsePack(text ?? '', sel.config, opts.now);
      pack = parsed.pack;
      diagnostics.push(...parsed.diagnostics);
    }
    baseDir = dirname(resolve(sel.config));
  }
  const sets: PolicySetRef[] = pack.policySets.map((s) => ({ ...s, ...(sel.pssVersion && 'pss' in s ? { version: sel.pssVersion } : {}) }));
  // Policies chosen on the command line are in enforce mode unless the pack configures them.
  if (sel.pss) sets.push({ pss: sel.pss, version: sel.pssVersion ?? 'latest', mode: 'enforce' });
  for (const p of sel.policyPaths ?? []) sets.push({ path: resolve(p) });

  const policies: CompiledPolicy[] = [];
  const setModes = new Map<string, Mode>();
  const inventoryObjects: KObject[] = [];
  const add = (ps: CompiledPolicy[], mode: Mode | undefined) => {
    for (const p of ps) {
      policies.push(p);
      if (mode && !setModes.has(p.meta.id)) setModes.set(p.meta.id, mode);
    }
  };
  for (const s of sets) {
    if ('pss' in s) {
      const r = builtinPssPolicies(s.pss, s.version);
      diagnostics.push(...r.diagnostics.map((d) => ({ ...d, span: d.span ?? packSpan(pack) })));
      add(r.policies, s.mode);
    } else {
      const paths = 'library' in s ? libraryFiles(s.library) : [resolve(baseDir, s.path)];
      if (!paths) {
        diagnostics.push(diag('config_invalid_value', `policy library "${(s as { library: string }).library}" is not available in this build`, { span: packSpan(pack) }));
        continue;
      }
      const r = compilePolicyDocuments(paths);
      diagnostics.push(...r.diagnostics);
      inventoryObjects.push(...r.others);
      add(r.policies, s.mode);
    }
  }
  // Namespace PSS labels apply whenever the Namespace object is known (scan input or cluster).
  add(namespaceLabelPolicies(), undefined);
  diagnostics.push(...duplicateIdDiagnostics(policies));
  const known = new Set(policies.map((p) => p.meta.id));
  for (const id of Object.keys(pack.policies)) {
    if (!known.has(id)) {
      diagnostics.push(diag('config_unknown_policy', `rampart.yaml configures policy "${id}", which no loaded policy set defines`, { severity: 'warning', span: packSpan(pack) }));
    }
  }
  const inventoryKinds = new Set<string>(['Namespace']);
  for (const p of policies) for (const k of p.inventoryKinds ?? []) inventoryKinds.add(k);
  return { policies, pack, diagnostics, inventoryKinds, inventoryObjects, setModes };
}

/** Loads every policy document under the paths and lets each engine compile the documents it owns. */
export function compilePolicyDocuments(paths: string[]): { policies: CompiledPolicy[]; diagnostics: Diagnostic[]; others: KObject[] } {
  const diagnostics: Diagnostic[] = [];
  const { files, diagnostics: fileDiags } = collectFiles(paths);
  diagnostics.push(...fileDiags);
  const all: LoadedObject[] = [];
  for (const f of files) {
    const { text, diagnostic } = readTextBounded(f, DEFAULT_LOAD_LIMITS.maxBytes);
    if (diagnostic) {
      diagnostics.push(diagnostic);
      continue;
    }
    const r = loadManifestText(text ?? '', f);
    diagnostics.push(...r.diagnostics);
    all.push(...r.objects);
  }
  const policies: CompiledPolicy[] = [];
  const claimed = new Set<LoadedObject>();
  for (const engine of POLICY_ENGINES) {
    const mine = all.filter((o) => engine.accepts(o.object));
    if (mine.length === 0) continue;
    mine.forEach((o) => claimed.add(o));
    const r = engine.compile(mine, all);
    policies.push(...r.policies);
    diagnostics.push(...r.diagnostics);
  }
  return { policies, diagnostics, others: all.filter((o) => !claimed.has(o)).map((o) => o.object) };
}

function packSpan(pack: PackConfig) {
  return pack.file ? { file: pack.file, line: 1, column: 1 } : undefined;
}
