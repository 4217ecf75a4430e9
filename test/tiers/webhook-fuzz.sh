#!/usr/bin/env bash
# Long fuzz run of the admission webhook: malformed AdmissionReviews (byte flips, truncations, type swaps, deep
# nesting, random bytes, wrong content types) against a live TLS server with PSS restricted. The unit run posts
# 2,000 bodies; this tier posts FUZZ_COUNT (default 20,000) under each of three seeds. Needs only node.
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${FUZZ_COUNT:-20000}"
status=0
for seed in 1 7 20260501; do
  echo "== webhook fuzz: $count bodies, seed $seed"
  FUZZ_COUNT="$count" FUZZ_SEED="$seed" node --import tsx --test src/server/fuzz.test.ts || status=1
done
exit "$status"
