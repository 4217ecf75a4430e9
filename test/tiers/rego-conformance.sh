#!/usr/bin/env bash
# OPA's YAML conformance cases (../shared/conformance/opa-v1, plus Rampart's own test/rego-cases that the
# differential tier produces) through `rampart rego conformance`, then the gatekeeper-library Rego unit tests
# (src_test.rego) through `rampart test`. Pass-rate floor: REGO_CONFORMANCE_MIN (percent, default 95; see
# docs/rego.md for what is not implemented yet). Ends with "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/../.."

min="${REGO_CONFORMANCE_MIN:-95}"
shared=../shared/conformance
dirs=()
if [ -d "$shared/opa-v1" ]; then dirs+=("$shared/opa-v1"); else echo "rego-conformance: $shared/opa-v1 missing, OPA cases skipped"; fi
if compgen -G "test/rego-cases/*.yaml" > /dev/null; then dirs+=(test/rego-cases); fi

status=0
if [ "${#dirs[@]}" -gt 0 ]; then
  npx --no-install tsx src/cli/main.ts rego conformance "${dirs[@]}" --fail-under "$min" | tee /tmp/rego-conformance.$$ || status=1
fi

gk_passed=0
gk_failed=0
if [ -d "$shared/gatekeeper-library/src/general" ]; then
  out=$(npx --no-install tsx src/cli/main.ts test "$shared/gatekeeper-library/src/general" 2>&1 || true)
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
  gk_passed=$(printf '%s' "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
  gk_failed=$(printf '%s' "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
  echo "gatekeeper-library src_test.rego: ${gk_passed:-0} passed, ${gk_failed:-0} failed"
  if [ -z "$line" ] || [ "${gk_failed:-1}" != "0" ]; then status=1; printf '%s\n' "$out" | tail -20; fi
else
  echo "rego-conformance: $shared/gatekeeper-library missing, Gatekeeper unit tests skipped"
fi

opa_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' /tmp/rego-conformance.$$ 2>/dev/null | tail -1 || true)
rm -f /tmp/rego-conformance.$$
op=$(printf '%s' "$opa_line" | sed -E 's/^([0-9]+) passed.*/\1/'); of=$(printf '%s' "$opa_line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
# the OPA failures are known gaps (docs/rego.md); the tier fails when the pass rate drops below the floor
echo "$(( ${op:-0} + ${gk_passed:-0} )) passed, $(( ${of:-0} + ${gk_failed:-0} )) failed (pass-rate floor ${min}%: $([ "$status" = 0 ] && echo met || echo NOT met))"
exit "$status"
