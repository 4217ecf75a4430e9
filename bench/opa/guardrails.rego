# The guardrails library checks that PSS restricted does not already cover (policies/guardrails), in Rego, so the
# OPA peer in bench/webhook.ts evaluates the same policy set as `rampart serve --pss restricted --policy policies`.
package rampart.admission

import rego.v1

approved_registries := ["registry.example.com/", "ghcr.io/acme/"]

images contains c.image if some c in containers

normalized(img) := img if {
	parts := split(img, "/")
	count(parts) > 1
	host := parts[0]
	registry_host(host)
}

normalized(img) := concat("", ["docker.io/library/", img]) if count(split(img, "/")) == 1

normalized(img) := concat("", ["docker.io/", img]) if {
	parts := split(img, "/")
	count(parts) > 1
	not registry_host(parts[0])
}

registry_host(h) if contains(h, ".")

registry_host(h) if contains(h, ":")

registry_host("localhost")

violation contains sprintf("approved registries: %s", [img]) if {
	some img in images
	n := normalized(img)
	not startswith_any(n, approved_registries)
}

startswith_any(s, prefixes) if {
	some p in prefixes
	startswith(s, p)
}

violation contains sprintf("image digest: %s must be pinned by digest", [img]) if {
	some img in images
	not regex.match(`@sha256:[a-f0-9]{64}$`, img)
}

violation contains sprintf("latest tag: %s", [img]) if {
	some img in images
	not contains(img, "@")
	not tagged(img)
}

tagged(img) if {
	parts := split(img, "/")
	contains(parts[count(parts) - 1], ":")
	not endswith(img, ":latest")
}

violation contains "automountServiceAccountToken is not set" if not has_key(pod_spec, "automountServiceAccountToken")

has_key(o, k) if _ = o[k]

violation contains "owner label missing (metadata.labels.owner)" if object.get(obj, ["metadata", "labels", "owner"], "") == ""

violation contains sprintf("readOnlyRootFilesystem: container %q", [c.name]) if {
	some c in containers
	not c.securityContext.readOnlyRootFilesystem == true
}

violation contains sprintf("resources: container %q needs cpu/memory requests and a memory limit", [c.name]) if {
	some c in array.concat(object.get(pod_spec, "containers", []), object.get(pod_spec, "initContainers", []))
	not resources_ok(c)
}

resources_ok(c) if {
	c.resources.requests.cpu
	c.resources.requests.memory
	c.resources.limits.memory
}
