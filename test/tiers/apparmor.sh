#!/usr/bin/env bash
# AppArmor tier: compiles every KubeArmor example policy under ../shared (one profile per policy, under audit and
# block postures, plus the merged profile of every namespace) and checks each with apparmor_parser -Q -K (parse and
# compile only: the CI kernel has no AppArmor LSM). Also runs the runtime unit tests that need apparmor_parser.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v apparmor_parser >/dev/null 2>&1 && [ ! -x /usr/sbin/apparmor_parser ] && [ ! -x /sbin/apparmor_parser ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends apparmor >/dev/null
fi
PARSER=$(command -v apparmor_parser || ls /usr/sbin/apparmor_parser /sbin/apparmor_parser 2>/dev/null | head -1)
FEATURES=()
[ -f /usr/share/apparmor-features/features ] && FEATURES=(-M /usr/share/apparmor-features/features)
if [ ! -d ../shared/conformance/kubearmor/examples ]; then
  echo "apparmor tier: ../shared/conformance/kubearmor is missing; nothing to check"
  echo "0 passed, 0 failed"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node --import tsx test/tiers/apparmor-compile.ts ../shared/conformance/kubearmor/examples "$work"
passed=0; failed=0
# Batches of 25 profiles per apparmor_parser run (start-up dominates); a failing batch is re-run file by file.
mapfile -t profiles < <(ls "$work"/*.apparmor)
for ((i = 0; i < ${#profiles[@]}; i += 25)); do
  batch=("${profiles[@]:i:25}")
  cat "${batch[@]}" > "$work/batch.profiles"
  if "$PARSER" -Q -K "${FEATURES[@]}" "$work/batch.profiles" >/dev/null 2>&1; then
    passed=$((passed + ${#batch[@]}))
    continue
  fi
  for f in "${batch[@]}"; do
    if out=$("$PARSER" -Q -K "${FEATURES[@]}" "$f" 2>&1); then
      passed=$((passed + 1))
    else
      failed=$((failed + 1)); echo "FAIL $(basename "$f"): $out"
    fi
  done
done
# Unit tests that call apparmor_parser (goldens + parse).
if node --import tsx --test src/compilers/apparmor/compile.test.ts >"$work/unit.log" 2>&1; then passed=$((passed + 1)); else failed=$((failed + 1)); cat "$work/unit.log"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
