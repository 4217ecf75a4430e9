import { diag, type Diagnostic } from '../../core/diagnostic.js';
import { SECCOMP_ACTIONS, type SeccompAction, type SeccompProfile, type SeccompSyscallRule } from '../../compilers/seccomp/profile.js';
import { loadManifestText } from '../../k8s/load.js';
import { createKubeArmorLoader } from '../kubearmor/load.js';
import type { KubeArmorPolicyModel } from '../kubearmor/model.js';
import type { LocalSeccompProfile } from './pod-to-oci.js';

/** The policies `rampart verify --policy` was given, sorted by kind. */
export interface VerifyPolicies {
  seccomp: LocalSeccompProfile[];
  kubeArmor: KubeArmorPolicyModel[];
  /** AppArmor profile names found in profile files (never enforceable on a node without the LSM). */
  appArmor: { path: string; names: string[] }[];
  diagnostics: Diagnostic[];
}

const OPS = new Set(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']);

/**
 * Sorts policy files by what they are: a JSON object with `defaultAction` is a seccomp profile (OCI / Kubernetes
 * Localhost format), YAML/JSON documents of security.kubearmor.com are KubeArmor policies, text with a
 * `profile NAME {` block is an AppArmor profile. Anything else is a diagnostic.
 */
export function loadVerifyPolicies(files: readonly { path: string; text: string }[]): VerifyPolicies {
  const out: VerifyPolicies = { seccomp: [], kubeArmor: [], appArmor: [], diagnostics: [] };
  const loader = createKubeArmorLoader();
  for (const f of files) {
    const trimmed = f.text.trimStart();
    if (trimmed.startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(f.text);
      } catch (e) {
        out.diagnostics.push(diag('verify_seccomp_profile_invalid', `${f.path}: ${(e as Error).message}`, { span: { file: f.path, line: 1, column: 1 } }));
        continue;
      }
      if (typeof json === 'object' && json !== null && 'defaultAction' in json) {
        const r = parseSeccompProfile(json as Record<string, unknown>, f.path);
        out.diagnostics.push(...r.diagnostics);
        if (r.profile) out.seccomp.push({ path: f.path, profile: r.profile });
        continue;
      }
    }
    const names = [...f.text.matchAll(/^\s*profile\s+([^\s{]+)[^{\n]*\{/gm)].map((m) => m[1]);
    if (names.length > 0) {
      out.appArmor.push({ path: f.path, names });
      continue;
    }
    const loaded = loadManifestText(f.text, f.path);
    const ka = loaded.objects.filter((o) => loader.accepts(o));
    if (loaded.diagnostics.length > 0 || ka.length === 0) {
      out.diagnostics.push(...loaded.diagnostics);
      if (ka.length === 0)
        out.diagnostics.push(
          diag('verify_policy_unsupported', `${f.path} is neither a seccomp profile, a KubeArmor policy nor an AppArmor profile`, {
            span: { file: f.path, line: 1, column: 1 },
          }),
        );
      continue;
    }
    const r = loader.load(ka, out.kubeArmor.length);
    out.kubeArmor.push(...r.policies);
    out.diagnostics.push(...r.diagnostics);
  }
  return out;
}

/** Validates a seccomp profile's shape; rules with an unknown action or operator are reported and dropped. */
export function parseSeccompProfile(json: Record<string, unknown>, file: string): { profile?: SeccompProfile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const span = { file, line: 1, column: 1 };
  const bad = (msg: string) => diagnostics.push(diag('verify_seccomp_profile_invalid', `${file}: ${msg}`, { span }));
  const isAction = (a: unknown): a is SeccompAction => typeof a === 'string' && (SECCOMP_ACTIONS as readonly string[]).includes(a);
  if (!isAction(json.defaultAction)) {
    bad(`defaultAction ${JSON.stringify(json.defaultAction)} is not a seccomp action`);
    return { diagnostics };
  }
  const profile: SeccompProfile = {
    defaultAction: json.defaultAction,
    architectures: Array.isArray(json.architectures) ? json.architectures.filter((a): a is string => typeof a === 'string') : [],
    syscalls: [],
  };
  if (typeof json.defaultErrnoRet === 'number') profile.defaultErrnoRet = json.defaultErrnoRet;
  const rules = Array.isArray(json.syscalls) ? json.syscalls : [];
  rules.forEach((r: unknown, i: number) => {
    if (typeof r !== 'object' || r === null) return bad(`syscalls[${i}] is not an object`);
    const rule = r as Record<string, unknown>;
    if (!Array.isArray(rule.names) || !rule.names.every((n) => typeof n === 'string')) return bad(`syscalls[${i}].names must be a list of names`);
    if (!isAction(rule.action)) return bad(`syscalls[${i}].action ${JSON.stringify(rule.action)} is not a seccomp action`);
    const out: SeccompSyscallRule = { names: [...(rule.names as string[])], action: rule.action };
    if (Array.isArray(rule.args) && rule.args.length > 0) {
      const args = rule.args.filter(
        (a): a is { index: number; value: number; valueTwo?: number; op: string } =>
          typeof a === 'object' && a !== null && typeof a.index === 'number' && typeof a.value === 'number' && OPS.has(String(a.op)),
      );
      if (args.length !== rule.args.length) return bad(`syscalls[${i}].args has an invalid comparison`);
      out.args = args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op as never }));
    }
    if (typeof rule.errnoRet === 'number') out.errnoRet = rule.errnoRet;
    profile.syscalls.push(out);
  });
  return { profile, diagnostics };
}
