#!/usr/bin/env bash
# Installs every system and npm package the tests need. Idempotent: a warm machine skips what it has.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t want < <(grep -vE '^\s*(#|$)' .ci/apt-packages.txt | awk '{print $1}')
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund
