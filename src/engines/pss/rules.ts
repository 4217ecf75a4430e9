import type { Frameworks, Severity } from '../../core/policy-types.js';
import type { CheckId } from './registry.js';

/** Per-check metadata shown with findings; kept apart from the check code so it can change without touching it. */
export interface CheckInfo {
  title: string;
  severity: Severity;
  remediation: string;
  /** Fields the check reads, as upstream documents them ([*] = every container kind). */
  fields: string[];
  frameworks: Frameworks;
}

/*
 * Framework mappings:
 * - CIS Kubernetes Benchmark v1.9/v1.10 section 5.2 (Pod Security Standards), 5.7.2 (seccomp), 5.7.3 (securityContext).
 * - NIST SP 800-53 rev. 5: AC-6 least privilege, CM-7 least functionality, SC-39 process isolation,
 *   SC-7 boundary protection, AC-3 access enforcement, CM-6 configuration settings.
 * - MITRE ATT&CK (Containers matrix): T1611 Escape to Host, T1068 Exploitation for Privilege Escalation,
 *   T1548.001 Setuid and Setgid, T1552.001 Credentials In Files, T1599 Network Boundary Bridging, T1090 Proxy,
 *   T1610 Deploy Container.
 */
export const CHECK_INFO: Readonly<Record<CheckId, CheckInfo>> = {
  privileged: {
    title: 'Privileged containers',
    severity: 'critical',
    remediation: 'Remove securityContext.privileged or set it to false.',
    fields: ['spec.containers[*].securityContext.privileged'],
    frameworks: { cis: ['5.2.2'], nist: ['AC-6', 'CM-7', 'SC-39'], mitre: ['T1611', 'T1068'] },
  },
  hostNamespaces: {
    title: 'Host namespaces',
    severity: 'high',
    remediation: 'Remove spec.hostNetwork, spec.hostPID and spec.hostIPC, or set them to false.',
    fields: ['spec.hostNetwork', 'spec.hostPID', 'spec.hostIPC'],
    frameworks: { cis: ['5.2.3', '5.2.4', '5.2.5'], nist: ['AC-6', 'SC-39', 'SC-7'], mitre: ['T1611'] },
  },
  hostPathVolumes: {
    title: 'HostPath volumes',
    severity: 'high',
    remediation: 'Replace hostPath volumes with emptyDir, configMap, secret, projected or persistentVolumeClaim volumes.',
    fields: ['spec.volumes[*].hostPath'],
    frameworks: { cis: ['5.2.12'], nist: ['AC-6', 'AC-3', 'SC-39'], mitre: ['T1611', 'T1552.001'] },
  },
  hostPorts: {
    title: 'Host ports',
    severity: 'medium',
    remediation: 'Remove ports[*].hostPort (or set it to 0) and expose the container through a Service.',
    fields: ['spec.containers[*].ports[*].hostPort'],
    frameworks: { cis: ['5.2.13'], nist: ['SC-7', 'CM-7'], mitre: ['T1599'] },
  },
  hostProbesAndHostLifecycle: {
    title: 'Host field in probes and lifecycle handlers',
    severity: 'medium',
    remediation: 'Remove httpGet.host and tcpSocket.host from probes and lifecycle handlers (the pod IP is used).',
    fields: [
      'spec.containers[*].{liveness,readiness,startup}Probe.{httpGet,tcpSocket}.host',
      'spec.containers[*].lifecycle.{postStart,preStop}.{httpGet,tcpSocket}.host',
    ],
    frameworks: { nist: ['SC-7', 'CM-7'], mitre: ['T1090'] },
  },
  capabilities_baseline: {
    title: 'Non-default capabilities',
    severity: 'high',
    remediation:
      'Add only capabilities from the default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, ' +
      'NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT) to securityContext.capabilities.add.',
    fields: ['spec.containers[*].securityContext.capabilities.add'],
    frameworks: { cis: ['5.2.8', '5.2.9'], nist: ['AC-6', 'CM-7'], mitre: ['T1611', 'T1068'] },
  },
  appArmorProfile: {
    title: 'AppArmor profile',
    severity: 'high',
    remediation:
      'Set appArmorProfile.type to RuntimeDefault or Localhost (or the annotation to runtime/default or localhost/<profile>); never Unconfined.',
    fields: [
      'spec.securityContext.appArmorProfile.type',
      'spec.containers[*].securityContext.appArmorProfile.type',
      "metadata.annotations['container.apparmor.security.beta.kubernetes.io/*']",
    ],
    frameworks: { cis: ['5.7.3'], nist: ['AC-6', 'SC-39'], mitre: ['T1611'] },
  },
  seLinuxOptions: {
    title: 'SELinux options',
    severity: 'high',
    remediation:
      'Leave seLinuxOptions.user and .role unset and use type container_t, container_init_t, container_kvm_t or (v1.31+) container_engine_t.',
    fields: ['spec.securityContext.seLinuxOptions', 'spec.containers[*].securityContext.seLinuxOptions'],
    frameworks: { cis: ['5.7.3'], nist: ['AC-6', 'SC-39'], mitre: ['T1611'] },
  },
  procMount: {
    title: '/proc mount type',
    severity: 'high',
    remediation: 'Remove securityContext.procMount or set it to Default (from v1.35, any value is allowed with spec.hostUsers: false).',
    fields: ['spec.containers[*].securityContext.procMount'],
    frameworks: { cis: ['5.7.3'], nist: ['AC-6', 'SC-39'], mitre: ['T1611'] },
  },
  seccompProfile_baseline: {
    title: 'Seccomp profile',
    severity: 'high',
    remediation: 'Set seccompProfile.type to RuntimeDefault or Localhost (never Unconfined).',
    fields: [
      'spec.securityContext.seccompProfile.type',
      'spec.containers[*].securityContext.seccompProfile.type',
      "metadata.annotations['seccomp.security.alpha.kubernetes.io/pod'] (v1.0-v1.18)",
      "metadata.annotations['container.seccomp.security.alpha.kubernetes.io/*'] (v1.0-v1.18)",
    ],
    frameworks: { cis: ['5.7.2'], nist: ['AC-6', 'CM-7', 'SC-39'], mitre: ['T1611', 'T1068'] },
  },
  sysctls: {
    title: 'Unsafe sysctls',
    severity: 'high',
    remediation: 'Set only the safe sysctls of the policy version in spec.securityContext.sysctls.',
    fields: ['spec.securityContext.sysctls[*].name'],
    frameworks: { nist: ['AC-6', 'SC-39', 'CM-6'], mitre: ['T1611'] },
  },
  windowsHostProcess: {
    title: 'Windows HostProcess containers',
    severity: 'critical',
    remediation: 'Remove securityContext.windowsOptions.hostProcess or set it to false.',
    fields: ['spec.securityContext.windowsOptions.hostProcess', 'spec.containers[*].securityContext.windowsOptions.hostProcess'],
    frameworks: { cis: ['5.2.11'], nist: ['AC-6', 'SC-39'], mitre: ['T1611'] },
  },
  restrictedVolumes: {
    title: 'Restricted volume types',
    severity: 'medium',
    remediation:
      'Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes.',
    fields: ['spec.volumes[*]'],
    frameworks: { cis: ['5.2.12'], nist: ['AC-6', 'CM-7'], mitre: ['T1611', 'T1552.001'] },
  },
  allowPrivilegeEscalation: {
    title: 'Privilege escalation',
    severity: 'medium',
    remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
    fields: ['spec.containers[*].securityContext.allowPrivilegeEscalation'],
    frameworks: { cis: ['5.2.6'], nist: ['AC-6'], mitre: ['T1548.001', 'T1068'] },
  },
  runAsNonRoot: {
    title: 'Running as root',
    severity: 'medium',
    remediation: 'Set securityContext.runAsNonRoot: true on the pod (or every container) and run as a non-zero UID.',
    fields: ['spec.securityContext.runAsNonRoot', 'spec.containers[*].securityContext.runAsNonRoot'],
    frameworks: { cis: ['5.2.7'], nist: ['AC-6'], mitre: ['T1068', 'T1611'] },
  },
  runAsUser: {
    title: 'Running as UID 0',
    severity: 'medium',
    remediation: 'Remove runAsUser: 0 from the pod and container security contexts; use a non-zero UID.',
    fields: ['spec.securityContext.runAsUser', 'spec.containers[*].securityContext.runAsUser'],
    frameworks: { cis: ['5.2.7'], nist: ['AC-6'], mitre: ['T1068', 'T1611'] },
  },
  seccompProfile_restricted: {
    title: 'Seccomp profile required',
    severity: 'medium',
    remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault (or Localhost) on the pod or every container.',
    fields: ['spec.securityContext.seccompProfile.type', 'spec.containers[*].securityContext.seccompProfile.type'],
    frameworks: { cis: ['5.7.2'], nist: ['AC-6', 'CM-7', 'SC-39'], mitre: ['T1611', 'T1068'] },
  },
  capabilities_restricted: {
    title: 'Unrestricted capabilities',
    severity: 'medium',
    remediation: 'Set securityContext.capabilities.drop: ["ALL"] on every container and add at most NET_BIND_SERVICE.',
    fields: ['spec.containers[*].securityContext.capabilities.drop', 'spec.containers[*].securityContext.capabilities.add'],
    frameworks: { cis: ['5.2.8', '5.2.9', '5.2.10'], nist: ['AC-6', 'CM-7'], mitre: ['T1611', 'T1068'] },
  },
  procMount_restricted: {
    title: '/proc mount type (restricted)',
    severity: 'high',
    remediation: 'Remove securityContext.procMount or set it to Default (the restricted level allows no exception).',
    fields: ['spec.containers[*].securityContext.procMount'],
    frameworks: { cis: ['5.7.3'], nist: ['AC-6', 'SC-39'], mitre: ['T1611'] },
  },
};
