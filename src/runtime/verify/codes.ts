/** Diagnostic codes of `rampart verify` and `rampart observe` (stable snake_case, never renamed). */
export const VERIFY_CODES = {
  verify_no_pod: 'The --pod file holds no Pod or pod controller.',
  verify_container_not_found: 'The --container name is not a container of the pod.',
  verify_run_as_root: 'runAsNonRoot is true but the container would run as uid 0: the kubelet refuses to start it.',
  verify_api_rejects: 'The API server would reject this securityContext (e.g. privileged with allowPrivilegeEscalation false).',
  verify_invalid_security_context: 'A securityContext field has a value of the wrong type.',
  verify_capability_name: 'A capability name is unknown or carries a CAP_ prefix Kubernetes does not use.',
  verify_seccomp_profile_missing: 'A Localhost seccomp profile was not given with --policy: the kubelet would not start the container.',
  verify_seccomp_profile_invalid: 'A seccomp profile file is not valid profile JSON.',
  verify_policy_unsupported: 'A --policy file is neither a seccomp profile, a KubeArmor policy nor an AppArmor profile.',
  verify_volume_simulated: 'A volume is simulated in the sandbox (an empty directory) instead of mounted as on a node.',
  verify_field_ignored: 'A pod field that changes isolation (hostPID, hostNetwork, procMount, sysctls...) is not reproduced in the sandbox.',
  verify_layer_not_enforceable: 'The pod relies on a layer this node cannot enforce (e.g. AppArmor without the AppArmor LSM).',
  sandbox_not_root: 'The sandbox needs root to run runc.',
  sandbox_runc_missing: 'runc is not installed or not on PATH.',
  sandbox_busybox_missing: 'A static busybox (Debian busybox-static) is needed to build the sandbox root filesystem.',
  sandbox_probe_unavailable: 'The probe helper could not be built (gcc with static libc is needed); probe attacks are not-verifiable.',
  sandbox_error: 'The sandbox failed (bundle creation or runc error).',
  observe_bpftrace_missing: 'bpftrace is not installed; observe records no exec/openat/connect events.',
  observe_tracefs_unavailable: 'tracefs could not be mounted; bpftrace tracepoints are unavailable.',
} as const satisfies Record<string, string>;

export type VerifyCode = keyof typeof VERIFY_CODES;
