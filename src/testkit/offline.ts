import { diag, type Diagnostic } from '../core/diagnostic.js';
import type { RuleResult } from '../core/policy-types.js';
import { loadManifestText } from '../k8s/load.js';
import { meta, type KObject, type LoadedObject } from '../k8s/object.js';
import { MemoryInventory } from '../k8s/inventory.js';
import type { AdmissionAttributes, CompiledPolicy, PolicyEngineModule, UserInfo } from '../policy/engine.js';
import { offlineContext } from '../evaluate/context.js';
import { kyvernoEngine } from '../engines/kyverno/index.js';
import { vapEngine } from '../engines/vap/index.js';
import type { SuiteIO } from './suite.js';

/** Engines `rampart test` compiles policies with (formats of other languages bring their own runners). */
export const TEST_ENGINES: readonly PolicyEngineModule[] = [vapEngine, kyvernoEngine];

const YAML_FILE = /\.(ya?ml|json)$/i;

/** Resolves a path relative to a base directory (POSIX-style joins; absolute paths kept). */
export function resolvePath(baseDir: string, p: string): string {
  if (p.startsWith('/')) return normalize(p);
  return normalize(`${baseDir}/${p}`);
}

export function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(seg);
  }
  return (abs ? '/' : '') + out.join('/');
}

export function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
}

/** Loads every manifest of a file or (recursively) a directory; unreadable paths become diagnostics. */
export function loadPaths(paths: readonly string[], io: SuiteIO, span?: { file: string; line: number }): { objects: LoadedObject[]; diagnostics: Diagnostic[] } {
  const objects: LoadedObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) {
    if (!io.exists(p)) {
      diagnostics.push(diag('file_read_error', `${p} does not exist`, span ? { span: { ...span, column: 1 } } : {}));
      continue;
    }
    let files: string[];
    try {
      files = io.listFiles(p).filter((f) => YAML_FILE.test(f));
    } catch {
      files = [p];
    }
    if (files.length === 0) files = [p];
    for (const f of files.sort()) {
      let text: string;
      try {
        text = io.readText(f);
      } catch (e) {
        diagnostics.push(diag('file_read_error', `${f}: ${(e as Error).message}`));
        continue;
      }
      const r = loadManifestText(text, f);
      objects.push(...r.objects);
      diagnostics.push(...r.diagnostics);
    }
  }
  return { objects, diagnostics };
}

export interface NamedPolicy {
  /** metadata.name of the policy document (Kyverno test files refer to policies by it). */
  name: string;
  kind: string;
  policy: CompiledPolicy;
}

/** Compiles policy documents with every test engine; documents no engine accepts are reported. */
export function compileForTest(objects: LoadedObject[], engines: readonly PolicyEngineModule[] = TEST_ENGINES): { policies: NamedPolicy[]; diagnostics: Diagnostic[] } {
  const policies: NamedPolicy[] = [];
  const diagnostics: Diagnostic[] = [];
  const bySpan = new Map<string, LoadedObject>();
  for (const o of objects) bySpan.set(`${o.span.file}:${o.span.line}:${o.span.column}`, o);
  for (const engine of engines) {
    const docs = objects.filter((o) => engine.accepts(o.object));
    if (docs.length === 0) continue;
    const r = engine.compile(docs, objects);
    diagnostics.push(...r.diagnostics);
    for (const p of r.policies) {
      const s = p.meta.source;
      const doc = s ? bySpan.get(`${s.file}:${s.line}:${s.column}`) : undefined;
      policies.push({ name: doc ? String(meta(doc.object).name ?? p.meta.id) : p.meta.id, kind: doc ? String(doc.object.kind) : '', policy: p });
    }
  }
  return { policies, diagnostics };
}

export interface ResourceEvaluation {
  resource: KObject;
  results: RuleResult[];
}

/** How a resource is submitted: operation (default CREATE; UPDATE uses the object as its own oldObject) and user. */
export interface Submission {
  operation?: AdmissionAttributes['operation'];
  userInfo?: UserInfo;
}

/** Evaluates each resource offline (a CREATE unless `submission` says otherwise) against every policy. */
export function evaluateResources(
  policies: readonly NamedPolicy[],
  resources: readonly KObject[],
  inventory: MemoryInventory,
  now: Date,
  submission: (resource: KObject) => Submission = () => ({}),
): ResourceEvaluation[] {
  return resources.map((resource) => {
    const { operation, userInfo } = submission(resource);
    const ctx = offlineContext(resource, {
      inventory,
      now,
      ...(operation ? { operation } : {}),
      ...(operation === 'UPDATE' ? { oldObject: resource } : {}),
      ...(userInfo ? { userInfo } : {}),
    });
    const results: RuleResult[] = [];
    for (const p of policies) {
      try {
        results.push(...p.policy.evaluate(ctx));
      } catch (e) {
        results.push({ policyId: p.policy.meta.id, rule: '', status: 'error', message: `internal error: ${(e as Error).message}` });
      }
    }
    return { resource, results };
  });
}

/** Actual outcome of a set of results: error > fail > warn > pass > unsupported > skip (no result = skip). */
export function aggregate(results: readonly RuleResult[]): 'pass' | 'fail' | 'warn' | 'skip' | 'error' | 'unsupported' {
  if (results.some((r) => r.status === 'error')) return 'error';
  if (results.some((r) => r.status === 'fail' && r.mode !== 'warn')) return 'fail';
  if (results.some((r) => r.status === 'fail')) return 'warn';
  if (results.some((r) => r.status === 'pass')) return 'pass';
  if (results.some((r) => r.status === 'unsupported')) return 'unsupported';
  return 'skip';
}
