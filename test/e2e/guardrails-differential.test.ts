/**
 * Differential test: the guardrail ValidatingAdmissionPolicies (policies/guardrails) applied natively to a real
 * kube-apiserver must give the same verdicts as Rampart's own CEL/VAP engine (`rampart scan`) on the same objects.
 *
 * The corpus is every workload in the guardrails' PolicyTest suites (policies/guardrails/tests), renamed so names
 * are unique. Two passes:
 *   1. per policy: the bindings are applied with validationActions [Warn] (the only change), so one server-side
 *      dry run reports every failing policy as a warning; each (object, policy, message) must match Rampart's findings
 *      on the object the dry run returned (after the API server's defaulting, which the policies also see).
 *   2. admission: the files exactly as shipped (Deny); an object must be rejected exactly when Rampart's scan of
 *      the object as written blocks it, by a policy Rampart also fails (what CI predicts is what admission does).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { missingBinaries, startCluster, type Cluster } from './harness/cluster.js';
import { waitFor } from './harness/process.js';
import { docs, loadCorpus, RESOURCE, type Obj } from './harness/corpus.js';
import { variants } from './harness/variants.js';
import { missingBuild, rampart, REPO } from './harness/rampart.js';

const GUARDRAILS = join(REPO, 'policies/guardrails');
const skip = missingBinaries() ?? missingBuild();

const key = (o: Obj): string => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

/** policy id → messages, per object key. */
type Verdicts = Map<string, Map<string, string[]>>;

function add(v: Verdicts, obj: string, policy: string, message: string): void {
  const m = v.get(obj) ?? new Map<string, string[]>();
  v.set(obj, m);
  m.set(policy, [...(m.get(policy) ?? []), message].sort());
}

interface Reply {
  status: number;
  warnings: string[];
  message: string;
  /** The object as the API server would store it (after defaulting), on success. */
  object?: Obj;
}

/** A server-side dry-run create; warnings come from the raw headers so commas inside messages survive. */
function dryRunCreate(cluster: Cluster, obj: Obj): Promise<Reply> {
  const r = RESOURCE[obj.kind];
  const url = `${cluster.server}${r.path}/namespaces/${obj.metadata.namespace}/${r.plural}?dryRun=All`;
  const body = JSON.stringify(obj);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', ca: cluster.caPem, headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' }, timeout: 15_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          const warnings: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            if (res.rawHeaders[i].toLowerCase() === 'warning') warnings.push(parseWarning(res.rawHeaders[i + 1]));
          }
          let parsed: Obj = {};
          try {
            parsed = JSON.parse(text) as Obj;
          } catch {
            parsed = { message: text };
          }
          const ok = res.statusCode === 201 || res.statusCode === 200;
          resolve({ status: res.statusCode ?? 0, warnings, message: ok ? '' : String(parsed.message ?? ''), ...(ok ? { object: parsed } : {}) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** RFC 7234 warning value `299 - "text"` with \" and \\ escapes. */
function parseWarning(v: string): string {
  const m = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(v);
  return m ? m[1].replace(/\\(.)/g, '$1') : v;
}

const WARN_RE = /^Validation failed for ValidatingAdmissionPolicy '([^']+)' with binding '[^']+': ([\s\S]*)$/;
const DENY_RE = /ValidatingAdmissionPolicy '([^']+)' with binding '[^']+' denied request: /;

describe('guardrail VAPs: real kube-apiserver vs Rampart', { skip }, () => {
  let cluster: Cluster;
  let dir: string;
  const corpus = loadCorpus(join(GUARDRAILS, 'tests'));
  const params = corpus.params;
  // Plus seeded random variants of the suites' compliant workloads (RAMPART_E2E_SEED picks another sample).
  const seed = Number(process.env.RAMPART_E2E_SEED ?? 1);
  const bases = corpus.objects.filter((o) => /-good-/.test(o.metadata.name) && o.metadata.namespace !== 'kube-system');
  const objects = [...corpus.objects, ...variants(bases, 80, seed)];
  const policyFiles = readdirSync(GUARDRAILS).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(GUARDRAILS, f));
  /** Rampart's verdicts on the objects as written (what a CI scan sees). */
  const rampartVerdicts: Verdicts = new Map();
  const policyArgs: string[] = [];

  const scanVerdicts = async (objs: readonly Obj[], file: string): Promise<Verdicts> => {
    await writeFile(join(dir, file), objs.map((o) => stringify(o)).join('---\n'));
    const scan = await rampart(['scan', '--format', 'json', '--no-progress', '--policy', ...policyArgs, '--', join(dir, file)], { timeoutMs: 120_000 });
    assert.ok(scan.code === 0 || scan.code === 1, `rampart scan exited ${scan.code}: ${scan.stderr}`);
    const report = JSON.parse(scan.stdout) as { findings: Obj[]; diagnostics: Obj[] };
    assert.deepEqual(report.diagnostics.filter((d) => d.severity === 'error'), [], 'the guardrails load cleanly');
    const out: Verdicts = new Map();
    for (const f of report.findings) {
      if (f.status !== 'fail' && f.status !== 'error') continue;
      add(out, `${f.object.kind}/${f.object.namespace ?? 'default'}/${f.object.name}`, f.policyId, f.message);
    }
    return out;
  };
  const policyIds = new Set<string>();

  const applyGuardrails = async (actions: 'Warn' | 'Deny'): Promise<void> => {
    const all = policyFiles.flatMap((f) => docs(readFileSync(f, 'utf8')));
    for (const d of all) {
      if (d.kind === 'ValidatingAdmissionPolicy') policyIds.add(d.metadata.name);
      if (d.kind === 'ValidatingAdmissionPolicyBinding' && actions === 'Warn') d.spec.validationActions = ['Warn'];
    }
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: all.map((d) => stringify(d)).join('---\n') });
  };

  /**
   * Policies load asynchronously: wait until each policy's native verdict shows on an object Rampart says it fails
   * (not in kube-system, which every binding excludes). Gives up after 30 s without failing: the comparison that
   * follows then names the disagreement precisely.
   */
  const waitUntilLive = async (check: (reply: Reply, policy: string) => boolean): Promise<void> => {
    const probes = new Map<string, Obj>();
    for (const o of objects) {
      if (o.metadata.namespace === 'kube-system') continue;
      for (const p of rampartVerdicts.get(key(o))?.keys() ?? []) if (!probes.has(p)) probes.set(p, o);
    }
    try {
      await waitFor(
        'guardrail policies to take effect',
        async () => {
          for (const [p, o] of probes) {
            const r = await dryRunCreate(cluster, o);
            const invalidObject = r.status !== 201 && !DENY_RE.test(r.message);
            if (!invalidObject && !check(r, p)) return undefined;
          }
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 1_000 },
      );
    } catch {
      // fall through to the comparison
    }
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-e2e-diff-'));
    // Params travel with the policies (as in `rampart test`), the workloads are what is scanned.
    await writeFile(join(dir, 'params.yaml'), params.map((o) => stringify(o)).join('---\n'));
    policyArgs.push(...policyFiles, ...(params.length ? [join(dir, 'params.yaml')] : []));
    for (const [k, v] of await scanVerdicts(objects, 'corpus.yaml')) rampartVerdicts.set(k, v);

    cluster = await startCluster();
    const namespaces = new Set([...objects.map((o) => o.metadata.namespace), ...params.map((p) => p.metadata?.namespace).filter(Boolean)]);
    const builtIn = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
    for (const ns of namespaces) if (!builtIn.has(ns)) await cluster.kubectlOk(['create', 'namespace', ns]);
    if (params.length) await cluster.kubectlOk(['apply', '-f', '-'], { stdin: params.map((p) => stringify(p)).join('---\n') });
  });

  after(async () => {
    await cluster?.stop();
    if (dir && !process.env.RAMPART_E2E_KEEP) await rm(dir, { recursive: true, force: true });
  });

  it('has a corpus worth comparing', (t) => {
    t.diagnostic(`${corpus.objects.length} objects from the guardrail test suites, ${objects.length - corpus.objects.length} variants (seed ${seed})`);
    assert.ok(bases.length >= 4, 'compliant bases for the variants');
    assert.ok(objects.length >= 150, `only ${objects.length} objects`);
    assert.ok(rampartVerdicts.size >= 20, 'Rampart fails a good part of it');
    assert.ok(objects.length - rampartVerdicts.size >= 5, 'and passes some of it');
  });

  /** Objects the API server's own validation rejects (before any policy runs): nothing to compare on them. */
  const invalid = new Map<string, string>();

  it('reports the same failing policies and messages for every object (bindings in Warn)', async (t) => {
    await applyGuardrails('Warn');
    await waitUntilLive((r, p) => r.warnings.some((w) => WARN_RE.exec(w)?.[1] === p));
    const native: Verdicts = new Map();
    const stored: Obj[] = [];
    for (const o of objects) {
      const r = await dryRunCreate(cluster, o);
      if (r.status !== 201 || !r.object) {
        invalid.set(key(o), `${r.status} ${r.message}`);
        continue;
      }
      stored.push({ ...r.object, apiVersion: o.apiVersion, kind: o.kind });
      for (const w of r.warnings) {
        const m = WARN_RE.exec(w);
        if (m) add(native, key(o), m[1], m[2]);
      }
    }
    for (const [k, why] of invalid) t.diagnostic(`not comparable, the API server rejects the object itself: ${k}: ${why.slice(0, 300)}`);
    assert.ok(invalid.size <= objects.length / 10, `${invalid.size} of ${objects.length} corpus objects are not valid Kubernetes objects`);
    // The engines must see the same input: the policies run on the object after the API server's defaulting
    // (e.g. the AppArmor annotation copied into securityContext), so Rampart scans what the dry run returned.
    const onStored = await scanVerdicts(stored, 'stored.yaml');
    for (const o of stored) {
      const k = key(o);
      const raw = JSON.stringify([...(rampartVerdicts.get(k) ?? new Map()).entries()].sort());
      const def = JSON.stringify([...(onStored.get(k) ?? new Map()).entries()].sort());
      if (raw !== def) t.diagnostic(`defaulting changes Rampart's findings for ${k}: as written ${raw}; as stored ${def}`);
    }
    const diffs: string[] = [];
    let compared = 0;
    for (const o of objects) {
      const k = key(o);
      if (invalid.has(k)) continue;
      compared++;
      const a = native.get(k) ?? new Map<string, string[]>();
      const b = onStored.get(k) ?? new Map<string, string[]>();
      for (const p of new Set([...a.keys(), ...b.keys()])) {
        if (!policyIds.has(p)) continue;
        const na = a.get(p);
        const rb = b.get(p);
        if (!na) diffs.push(`${k} ${p}: Rampart fails (${rb?.join(' | ')}), apiserver admits`);
        else if (!rb) diffs.push(`${k} ${p}: apiserver fails (${na.join(' | ')}), Rampart passes`);
        else if (JSON.stringify(na) !== JSON.stringify(rb)) diffs.push(`${k} ${p}: messages differ\n    apiserver: ${na.join(' | ')}\n    rampart:   ${rb.join(' | ')}`);
      }
    }
    t.diagnostic(`${compared} objects x ${policyIds.size} policies compared`);
    assert.deepEqual(diffs, [], `${diffs.length} disagreements`);
  });

  it('admits and rejects the same objects with the policies as shipped (Deny)', async () => {
    await applyGuardrails('Deny');
    await waitUntilLive((r) => r.status !== 201 && DENY_RE.test(r.message));
    const diffs: string[] = [];
    for (const o of objects) {
      if (invalid.has(key(o))) continue;
      const r = await dryRunCreate(cluster, o);
      const failing = rampartVerdicts.get(key(o));
      // The status is 403 or 422 depending on the validation's reason; the message says who denied.
      const denied = r.status !== 201 && DENY_RE.test(r.message);
      if (denied !== (failing !== undefined)) {
        diffs.push(`${key(o)}: apiserver ${denied ? `denies (${r.message})` : `answers ${r.status}${r.status === 201 ? '' : ` ${r.message}`}`}, Rampart ${failing ? `blocks (${[...failing.keys()].join(', ')})` : 'admits'}`);
      } else if (denied) {
        const p = DENY_RE.exec(r.message)?.[1];
        if (!p || !failing!.has(p)) diffs.push(`${key(o)}: apiserver denied by ${p ?? r.message}, which Rampart does not fail`);
      }
    }
    assert.deepEqual(diffs, [], `${diffs.length} disagreements`);
  });
});
