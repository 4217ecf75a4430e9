import { hasErrors, type Diagnostic } from '../../core/diagnostic.js';
import { meta, type LoadedObject } from '../../k8s/object.js';
import { podTemplateOf } from '../../k8s/podspec.js';
import { ATTACKS, PROBE_PATH, SUID_PROBE_PATH, UNCOVERABLE_THREATS, type Attack, type AttackRun } from './attacks.js';
import { classify, type AttackResult, type AttackRunOutcome } from './classify.js';
import { runtimePolicyCoverage } from './coverage.js';
import { expectAttack, type Expectation } from './expect.js';
import type { OciSpec } from './oci.js';
import { podToOci, SA_TOKEN_DIR, type Controls, type HostFacts, type VolumePlan } from './pod-to-oci.js';
import type { VerifyPolicies } from './policies.js';

export interface PlannedAttack {
  attack: Attack;
  expectation: Expectation;
  /** process.args of its container. */
  args: string[];
  /** The attack needs the probe helper. */
  needsProbe: boolean;
}

export interface VerifyPlan {
  spec: OciSpec;
  controls: Controls;
  volumes: VolumePlan[];
  attacks: PlannedAttack[];
  /** A legitimate action that must succeed in every pod (exec, and a write where the pod may write). */
  sanity: { args: string[]; writes?: string };
}

export interface PlanOptions {
  host: HostFacts;
  container?: string;
  policies: VerifyPolicies;
  seccompDefault?: boolean;
  /** Attack ids to run (default: the whole library). */
  only?: readonly string[];
}

/**
 * Everything `rampart verify` decides before touching the machine: the OCI config, the controls, and for each
 * attack its expectation and command. Undefined plan when the pod cannot run (errors in `diagnostics`).
 */
export function planVerify(loaded: LoadedObject, opts: PlanOptions): { plan?: VerifyPlan; diagnostics: Diagnostic[] } {
  const mapped = podToOci(loaded, {
    host: opts.host,
    container: opts.container,
    localhostProfiles: opts.policies.seccomp,
    seccompDefault: opts.seccompDefault,
  });
  const diagnostics = [...mapped.diagnostics];
  if (!mapped.spec || !mapped.controls || hasErrors(diagnostics)) return { diagnostics };
  const tpl = podTemplateOf(loaded.object);
  const coverage = runtimePolicyCoverage({
    kubeArmor: opts.policies.kubeArmor,
    workload: { namespace: meta(loaded.object).namespace ?? 'default', labels: { ...(tpl?.metadata.labels ?? {}) } },
    host: opts.host,
  });
  const controls = mapped.controls;
  const attacks = ATTACKS.filter((a) => !opts.only || opts.only.includes(a.id)).map((attack) => ({
    attack,
    expectation: expectAttack(attack, controls, opts.host, coverage),
    args: argsFor(attack.run),
    needsProbe: attack.run.kind === 'probe',
  }));
  return { plan: { spec: mapped.spec, controls, volumes: mapped.volumes, attacks, sanity: sanityCheck(controls) }, diagnostics };
}

/**
 * The positive control: a sandbox that refuses everything would make every attack look blocked. The workload
 * must be able to run a shell and write where the pod allows writes (its first writable volume, else /tmp on a
 * writable root); otherwise the run is a sandbox error, not a pass.
 */
export function sanityCheck(c: Controls): { args: string[]; writes?: string } {
  const dir = c.writableMounts.find((m) => m !== SA_TOKEN_DIR) ?? (c.readOnlyRootFilesystem ? undefined : '/tmp');
  const script = dir
    ? `f=${dir}/.rampart-sanity-$$; if echo ok > "$f" && [ "$(cat "$f")" = ok ]; then echo "RAMPART:allowed uid $(id -u) wrote ${dir}"; else echo "RAMPART:denied cannot write ${dir}"; fi`
    : 'echo "RAMPART:allowed uid $(id -u) ran a shell"';
  return dir ? { args: ['/bin/sh', '-c', script], writes: dir } : { args: ['/bin/sh', '-c', script] };
}

/** The container command of an attack. */
export function argsFor(run: AttackRun): string[] {
  if (run.kind === 'shell') return ['/bin/sh', '-c', run.script];
  const bin = run.suid ? SUID_PROBE_PATH : PROBE_PATH;
  // `; true` keeps the shell as PID 1 instead of exec-ing the probe (the ptrace attack targets PID 1).
  if (run.viaShell) return ['/bin/sh', '-c', `${[bin, ...run.args].join(' ')}; true`];
  return [bin, ...run.args];
}

export interface VerifyReport {
  pod: string;
  container: string;
  controls: ControlsSummary;
  results: AttackResult[];
  /** Per threat (the PRODUCT table's rows): the layers seen holding, the attacks that ran, the unverifiable ones. */
  threats: ThreatCoverage[];
  summary: { total: number; pass: number; fail: number; notVerifiable: number; blocked: number; allowed: number };
}

export interface ThreatCoverage {
  threat: string;
  attacks: string[];
  /** Layers that blocked an attack of this threat in the sandbox. */
  layers: string[];
  /** Attacks of this threat that succeeded: the layers the workload relies on are missing. */
  allowed: string[];
  notVerifiable: string[];
  /** Set for threats no layer covers as a whole (never reported as covered). */
  note?: string;
}

export interface ControlsSummary {
  uid: number;
  gid: number;
  privileged: boolean;
  effectiveCapabilities: string[];
  boundingCapabilities: string[];
  noNewPrivileges: boolean;
  readOnlyRootFilesystem: boolean;
  seccomp: string;
  appArmor: string;
  serviceAccountToken: boolean;
  writableMounts: string[];
}

/** Classifies every run (outcomes in the plan's attack order) and sums the report up. */
export function buildReport(plan: VerifyPlan, outcomes: readonly AttackRunOutcome[]): VerifyReport {
  const results = plan.attacks.map((p, i) => classify(p.attack, p.expectation, outcomes[i]));
  const c = plan.controls;
  return {
    pod: c.pod,
    container: c.container,
    controls: {
      uid: c.uid,
      gid: c.gid,
      privileged: c.privileged,
      effectiveCapabilities: c.capabilities.effective,
      boundingCapabilities: c.capabilities.bounding,
      noNewPrivileges: c.noNewPrivileges,
      readOnlyRootFilesystem: c.readOnlyRootFilesystem,
      seccomp: c.privileged ? `${c.seccomp.type} (ignored: privileged)` : c.seccomp.type + (c.seccomp.localhostProfile ? ` ${c.seccomp.localhostProfile}` : ''),
      appArmor: c.appArmor.type + (c.appArmor.localhostProfile ? ` ${c.appArmor.localhostProfile}` : ''),
      serviceAccountToken: c.serviceAccountToken,
      writableMounts: c.writableMounts,
    },
    results,
    threats: threatCoverage(results),
    summary: {
      total: results.length,
      pass: results.filter((r) => r.verdict === 'pass').length,
      fail: results.filter((r) => r.verdict === 'fail').length,
      notVerifiable: results.filter((r) => r.verdict === 'not-verifiable').length,
      blocked: results.filter((r) => r.observed === 'blocked').length,
      allowed: results.filter((r) => r.observed === 'allowed').length,
    },
  };
}

function threatCoverage(results: readonly AttackResult[]): ThreatCoverage[] {
  const out = new Map<string, ThreatCoverage>();
  for (const r of results) {
    let t = out.get(r.threat);
    if (!t) {
      t = { threat: r.threat, attacks: [], layers: [], allowed: [], notVerifiable: [] };
      if (UNCOVERABLE_THREATS[r.threat]) t.note = UNCOVERABLE_THREATS[r.threat];
      out.set(r.threat, t);
    }
    t.attacks.push(r.attack);
    if (r.observed === 'blocked' && !t.layers.includes(r.layer)) t.layers.push(r.layer);
    if (r.observed === 'allowed') t.allowed.push(r.attack);
    if (r.observed === 'not-verifiable') t.notVerifiable.push(r.attack);
  }
  return [...out.values()];
}

/**
 * Whether the run fails CI: `gap` (default) when an attack the controls should stop ran, or the kernel
 * disagreed with the prediction; `allowed` also when any attack ran at all.
 */
export function reportFails(r: VerifyReport, failOn: 'gap' | 'allowed' = 'gap'): boolean {
  if (r.results.some((x) => x.verdict === 'fail')) return true;
  return failOn === 'allowed' && r.results.some((x) => x.observed === 'allowed');
}

/** Human-readable report; `color` adds ANSI colours (only when stdout is a TTY). */
export function formatReport(r: VerifyReport, color = false): string {
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const c = r.controls;
  const lines = [
    `rampart verify: pod ${r.pod}, container ${r.container}`,
    `  uid ${c.uid} gid ${c.gid}${c.privileged ? ', privileged' : ''}; effective caps: ${c.effectiveCapabilities.length ? c.effectiveCapabilities.join(' ') : 'none'}`,
    `  no_new_privs ${c.noNewPrivileges}, read-only root ${c.readOnlyRootFilesystem}, seccomp ${c.seccomp}, AppArmor ${c.appArmor}, SA token ${c.serviceAccountToken ? 'mounted' : 'not mounted'}`,
    '',
  ];
  const width = Math.max(...r.results.map((x) => x.attack.length));
  for (const x of r.results) {
    const mark = x.verdict === 'pass' ? paint('32', 'PASS') : x.verdict === 'fail' ? paint('31', 'FAIL') : paint('33', 'N/V ');
    lines.push(`${mark} ${x.attack.padEnd(width)}  expected ${x.expected.padEnd(7)} observed ${x.observed.padEnd(14)} layer ${x.layer}`);
    lines.push(`     ${x.evidence}`);
  }
  lines.push('', 'by threat:');
  for (const t of r.threats) {
    const parts = [t.layers.length ? `held by ${t.layers.join(', ')}` : 'no layer held'];
    if (t.allowed.length) parts.push(paint('31', `ran: ${t.allowed.join(', ')}`));
    if (t.notVerifiable.length) parts.push(`not verifiable: ${t.notVerifiable.join(', ')}`);
    if (t.note) parts.push(t.note);
    lines.push(`  ${t.threat}: ${parts.join('; ')}`);
  }
  const s = r.summary;
  lines.push('', `${s.total} attacks: ${s.pass} as expected, ${s.fail} failed, ${s.notVerifiable} not verifiable (${s.blocked} blocked, ${s.allowed} allowed)`);
  return lines.join('\n') + '\n';
}
