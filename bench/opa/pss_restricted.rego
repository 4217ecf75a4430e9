# Pod Security Standards "restricted" (latest) as an admission webhook response, for bench/webhook.ts: the Rego
# peer of Rampart's built-in pss.restricted.v1. Served by `opa run --server` at POST /v0/data/rampart/admission/review
# with the raw AdmissionReview as the body.
package rampart.admission

import rego.v1

req := input.request

obj := req.object

template_kinds := {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"}

pod_spec := obj.spec if obj.kind == "Pod"

pod_spec := obj.spec.template.spec if template_kinds[obj.kind]

pod_spec := obj.spec.jobTemplate.spec.template.spec if obj.kind == "CronJob"

pod_spec := obj.template.spec if obj.kind == "PodTemplate"

containers contains c if some c in pod_spec.containers

containers contains c if some c in pod_spec.initContainers

containers contains c if some c in pod_spec.ephemeralContainers

pod_sc := object.get(pod_spec, "securityContext", {})

# --- baseline ---
violation contains "host namespaces: hostNetwork, hostPID and hostIPC must not be true" if {
	some f in ["hostNetwork", "hostPID", "hostIPC"]
	pod_spec[f] == true
}

violation contains sprintf("privileged: container %q must not set securityContext.privileged=true", [c.name]) if {
	some c in containers
	c.securityContext.privileged == true
}

baseline_caps := {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}

violation contains sprintf("capabilities: container %q adds %q", [c.name, cap]) if {
	some c in containers
	some cap in c.securityContext.capabilities.add
	cap != "NET_BIND_SERVICE"
}

violation contains "hostPath volumes are forbidden" if {
	some v in pod_spec.volumes
	v.hostPath
}

violation contains sprintf("hostPort: container %q must not set hostPort", [c.name]) if {
	some c in containers
	some p in c.ports
	object.get(p, "hostPort", 0) != 0
}

violation contains "appArmor profile must be RuntimeDefault or Localhost" if {
	some sc in array.concat([pod_sc], [object.get(c, "securityContext", {}) | some c in containers])
	t := sc.appArmorProfile.type
	not t in {"RuntimeDefault", "Localhost"}
}

violation contains "seLinuxOptions type or user/role must not be set" if {
	some sc in array.concat([pod_sc], [object.get(c, "securityContext", {}) | some c in containers])
	o := sc.seLinuxOptions
	bad_selinux(o)
}

bad_selinux(o) if not o.type in {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

bad_selinux(o) if object.get(o, "user", "") != ""

bad_selinux(o) if object.get(o, "role", "") != ""

violation contains sprintf("procMount: container %q must use the Default proc mount", [c.name]) if {
	some c in containers
	pm := c.securityContext.procMount
	pm != "Default"
}

safe_sysctls := {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"}

violation contains sprintf("sysctls: %q is not a safe sysctl", [s.name]) if {
	some s in pod_sc.sysctls
	not s.name in safe_sysctls
}

# --- restricted ---
allowed_volume_keys := {"name", "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}

violation contains sprintf("volume types: volume %q uses a restricted type", [v.name]) if {
	some v in pod_spec.volumes
	some k, _ in v
	not k in allowed_volume_keys
}

violation contains sprintf("allowPrivilegeEscalation: container %q must set securityContext.allowPrivilegeEscalation=false", [c.name]) if {
	some c in containers
	not c.securityContext.allowPrivilegeEscalation == false
}

violation contains sprintf("runAsNonRoot: container %q must set runAsNonRoot=true (or the pod)", [c.name]) if {
	some c in containers
	not c.securityContext.runAsNonRoot == true
	not pod_runs_as_non_root(c)
}

pod_runs_as_non_root(c) if {
	pod_sc.runAsNonRoot == true
	not c.securityContext.runAsNonRoot == false
}

violation contains "runAsUser: must not be 0" if {
	some sc in array.concat([pod_sc], [object.get(c, "securityContext", {}) | some c in containers])
	sc.runAsUser == 0
}

violation contains sprintf("seccompProfile: container %q must use RuntimeDefault or Localhost", [c.name]) if {
	some c in containers
	not seccomp_ok(c)
}

seccomp_ok(c) if c.securityContext.seccompProfile.type in {"RuntimeDefault", "Localhost"}

seccomp_ok(c) if {
	not c.securityContext.seccompProfile
	pod_sc.seccompProfile.type in {"RuntimeDefault", "Localhost"}
}

violation contains sprintf("capabilities: container %q must drop ALL", [c.name]) if {
	some c in containers
	not "ALL" in object.get(object.get(object.get(c, "securityContext", {}), "capabilities", {}), "drop", [])
}

review := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"response": response,
}

response := {"uid": req.uid, "allowed": true} if count(violation) == 0

response := {
	"uid": req.uid,
	"allowed": false,
	"status": {"code": 403, "reason": "Forbidden", "message": concat("; ", sort(violation))},
} if count(violation) > 0
