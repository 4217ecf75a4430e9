import { fileURLToPath } from 'node:url';

/**
 * The shipped guardrail library: ValidatingAdmissionPolicy + Binding YAML under policies/guardrails (one file per
 * guardrail, tests under tests/). Works from src/ (tsx) and dist/ alike: both sit three levels below the package root.
 * Select it by name (`guardrails`) from rampart.yaml; load the files with the k8s loader and compile with vapEngine.
 */
export const GUARDRAIL_LIBRARY_NAME = 'guardrails';

export function guardrailLibraryDir(): string {
  return fileURLToPath(new URL('../../../policies/guardrails', import.meta.url));
}

/** Ids of the guardrails the library ships (file `<intent>.yaml` holds `guardrails.<intent>.v1`). */
export const GUARDRAIL_IDS: readonly string[] = [
  'guardrails.resource-limits.v1',
  'guardrails.no-hostpath.v1',
  'guardrails.approved-registries.v1',
  'guardrails.no-privileged.v1',
  'guardrails.no-host-namespaces.v1',
  'guardrails.drop-capabilities.v1',
  'guardrails.run-as-non-root.v1',
  'guardrails.readonly-root-fs.v1',
  'guardrails.no-privilege-escalation.v1',
  'guardrails.no-automount-sa-token.v1',
  'guardrails.image-digest.v1',
  'guardrails.no-latest-tag.v1',
  'guardrails.seccomp.v1',
  'guardrails.apparmor.v1',
  'guardrails.owner-label.v1',
];

/**
 * The policy files of the library: the top-level `*.yaml` only. `tests/` holds PolicyTest suites and their data
 * (`tests/.data/`, hidden so recursive manifest loaders skip it): never load it as policies or params.
 */
export function guardrailPolicyFiles(): string[] {
  return GUARDRAIL_IDS.map((id) => guardrailFile(id)!);
}

/** `policies/guardrails/<intent>.yaml` for an id, or undefined for ids outside the library. */
export function guardrailFile(id: string): string | undefined {
  const m = /^guardrails\.([a-z0-9-]+)\.v1$/.exec(id);
  if (!m || !GUARDRAIL_IDS.includes(id)) return undefined;
  return `${guardrailLibraryDir()}/${m[1]}.yaml`;
}
