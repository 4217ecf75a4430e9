#!/usr/bin/env bash
# End-to-end admission tests against a real kube-apiserver + etcd (built from Go modules, pinned in
# test/e2e/apiserver/go.mod) and the real kubectl, with `rampart serve` as the webhook.
# The binaries are cached in .cache/e2e/bin keyed by a hash of the Go sources: a rerun skips the build.
# Env: RAMPART_E2E_KEEP=1 keeps each run's work dir (logs, audit log, etcd data) under $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! bash test/e2e/build.sh; then
  echo "0 passed, 1 failed"
  exit 1
fi

# rampart serve runs from dist/ (bin/rampart.js), so the e2e tests exercise the shipped build.
npm run --silent build || echo "e2e-apiserver: warning: tsc reported errors; testing the dist/ it emitted" >&2

export RAMPART_E2E_BIN="$PWD/.cache/e2e/bin"
shopt -s nullglob
tests=(test/e2e/*.test.ts)
# One file at a time: each starts its own control plane and the machine has 2 cores.
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${tests[@]}"
