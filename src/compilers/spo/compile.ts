import type { KObject } from '../../k8s/object.js';
import type { SeccompProfile } from '../seccomp/profile.js';

/**
 * Security Profiles Operator objects and the pod patch that references them.
 * SeccompProfile (security-profiles-operator.x-k8s.io/v1beta1) is installed by SPO at
 * /var/lib/kubelet/seccomp/operator/<namespace>/<name>.json; AppArmorProfile (v1alpha1) carries the profile text.
 */
export const SPO_SECCOMP_API = 'security-profiles-operator.x-k8s.io/v1beta1';
export const SPO_APPARMOR_API = 'security-profiles-operator.x-k8s.io/v1alpha1';

export function spoSeccompProfile(name: string, namespace: string, profile: SeccompProfile): KObject {
  return {
    apiVersion: SPO_SECCOMP_API,
    kind: 'SeccompProfile',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'rampart' } },
    spec: { ...profile },
  };
}

export function spoAppArmorProfile(name: string, namespace: string, text: string): KObject {
  return {
    apiVersion: SPO_APPARMOR_API,
    kind: 'AppArmorProfile',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'rampart' } },
    spec: { policy: text },
  };
}

/** Where SPO installs a SeccompProfile, relative to the kubelet's seccomp root (the Localhost path). */
export function spoSeccompLocalhostPath(name: string, namespace: string): string {
  return `operator/${namespace}/${name}.json`;
}

/**
 * A strategic-merge patch for a pod template (Deployment, StatefulSet, DaemonSet, Job: `spec.template`) that sets the
 * pod-level seccomp and AppArmor profiles (securityContext fields, Kubernetes ≥ 1.30) and the AppArmor annotation
 * older kubelets read.
 */
export function podProfilePatch(opts: { seccomp?: { name: string; namespace: string }; apparmor?: { profile: string; containers: string[] } }): Record<string, unknown> {
  const securityContext: Record<string, unknown> = {};
  if (opts.seccomp) securityContext.seccompProfile = { type: 'Localhost', localhostProfile: spoSeccompLocalhostPath(opts.seccomp.name, opts.seccomp.namespace) };
  if (opts.apparmor) securityContext.appArmorProfile = { type: 'Localhost', localhostProfile: opts.apparmor.profile };
  const annotations: Record<string, string> = {};
  for (const c of opts.apparmor?.containers ?? []) annotations[`container.apparmor.security.beta.kubernetes.io/${c}`] = `localhost/${opts.apparmor!.profile}`;
  return {
    spec: {
      template: {
        ...(Object.keys(annotations).length ? { metadata: { annotations } } : {}),
        spec: { securityContext },
      },
    },
  };
}
