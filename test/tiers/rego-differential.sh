#!/usr/bin/env bash
# Differential test of the Rego engine against the real opa (installed with `go install` into .cache/go-bin):
# generated expressions and gatekeeper-library templates over random pods. Disagreements are printed and written
# to test/rego-cases/diff-*.yaml (opa's answer as the expectation) for the rego-conformance tier.
set -euo pipefail
cd "$(dirname "$0")/../.."

OPA_VERSION=v1.22.2
bin="$PWD/.cache/go-bin"
if [ ! -x "$bin/opa" ] || ! "$bin/opa" version 2>/dev/null | grep -F "${OPA_VERSION#v}" >/dev/null; then
  mkdir -p "$bin"
  echo "rego-differential: installing opa $OPA_VERSION into $bin"
  (cd /tmp && GOBIN="$bin" GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@$OPA_VERSION")
fi
OPA="$bin/opa" exec npx --no-install tsx test/tiers/rego-differential/run.ts
