#!/usr/bin/env bash
# Differential test of the PSS engine against the real k8s.io/pod-security-admission v0.37.2 (Kubernetes 1.37):
# every upstream test/testdata pod at its level and version, plus seeded random pods at random levels and versions,
# plus random namespace label sets. Needs Go and the Go module proxy (first run downloads ~60 MB of modules).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v go >/dev/null 2>&1; then
  echo "pss-upstream: Go is not installed; cannot build the upstream harness" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

CACHE=${PSS_UPSTREAM_CACHE:-.cache/pss-upstream}
mkdir -p "$CACHE"
BIN="$(cd "$CACHE" && pwd)/pss-upstream"
SRC=test/tiers/pss-upstream
if [[ ! -x "$BIN" || "$SRC/main.go" -nt "$BIN" || "$SRC/go.mod" -nt "$BIN" ]]; then
  (cd "$SRC" && go build -o "$BIN" .)
fi
MODDIR=$(cd "$SRC" && go list -m -f '{{.Dir}}' k8s.io/pod-security-admission)
FUZZ=${PSS_FUZZ_PODS:-3000}
npx tsx "$SRC/compare.ts" "$BIN" "$MODDIR" "$FUZZ"
