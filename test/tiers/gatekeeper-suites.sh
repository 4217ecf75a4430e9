#!/usr/bin/env bash
# Runs the gatekeeper-library suites of ../shared/conformance/gatekeeper-library unchanged with `rampart test`:
# gator Suite files (ConstraintTemplates in Rego and K8sNativeValidation CEL) and the src_test.rego unit tests.
# Prints `N passed, M failed` and exits non-zero on any failure. In CI a missing suite folder is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d node_modules ] || npm ci --no-audit --no-fund
suites=../shared/conformance/gatekeeper-library
if [ ! -d "$suites" ]; then
  echo "gatekeeper-suites: $suites is missing (shared conformance data not mounted)"
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi
npx tsx src/cli/main.ts test "$suites"
