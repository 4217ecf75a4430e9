#!/usr/bin/env bash
# Slow admission-webhook tests: a long fuzz run (malformed AdmissionReviews — byte flips, truncations, type swaps,
# deep nesting, random bytes, wrong content types — against a live TLS server with PSS restricted; the unit run
# posts 2,000 bodies, this tier FUZZ_COUNT, default 20,000, under each of three seeds) and `rampart serve --workers 2`
# end to end. Needs only node.
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${FUZZ_COUNT:-20000}"
files=(test/tiers/webhook/cluster.test.ts)
status=0
node --import tsx --test "${files[@]}" || status=1
for seed in 1 7 20260501; do
  echo "== webhook fuzz: $count bodies, seed $seed"
  FUZZ_COUNT="$count" FUZZ_SEED="$seed" node --import tsx --test src/server/fuzz.test.ts || status=1
done
exit "$status"
