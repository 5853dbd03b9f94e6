#!/usr/bin/env bash
# README command 3 (not part of set-up or tests): run the benchmarks in the real browser against
# the real edge with the 100k-SKU catalogue, and write BENCHMARKS.md. BENCH_RUNS / BENCH_SKUS
# change the run count and catalogue size.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/tools.sh"
bash "$ROOT/scripts/build.sh"
cd "$ROOT/tests"
node bench.mjs
