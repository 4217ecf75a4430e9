#!/usr/bin/env bash
# CEL specification conformance (cel-spec v0.25.1 test data from @bufbuild/cel-spec, a devDependency) against
# Rampart's CEL engine. Sections for extensions the API server does not enable (math, encoders, block) and
# tests needing protobuf messages are skipped. Fails when the pass rate drops below the recorded threshold
# (see docs/cel.md and bench/RESULTS.md); raise MIN_RATE when the engine improves.
set -euo pipefail
cd "$(dirname "$0")/../.."

MIN_RATE="${CEL_CONFORMANCE_MIN_RATE:-0.875}"

if [ ! -d node_modules/@bufbuild/cel-spec ] || [ ! -d node_modules/@marcbachmann/cel-js ]; then
  npm ci --no-audit --no-fund
fi

npx tsx test/cel/conformance.ts --engine rampart --kubernetes --min-rate "$MIN_RATE"
