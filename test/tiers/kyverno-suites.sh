#!/usr/bin/env bash
# Runs the Kyverno policy suites of ../shared/conformance/kyverno-policies (kyverno-test.yaml, unchanged) with
# `rampart test`, plus the guardrail library's own tests. Prints `N passed, M failed` and exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d node_modules ] || npm ci --no-audit --no-fund
suites=../shared/conformance/kyverno-policies
status=0
if [ -d "$suites" ]; then
  npx tsx src/cli/main.ts test "$suites" || status=$?
else
  echo "kyverno-suites: $suites is missing (shared conformance data not mounted); skipping the Kyverno suites"
fi
npx tsx src/cli/main.ts test policies/guardrails/tests || status=$?
exit "$status"
