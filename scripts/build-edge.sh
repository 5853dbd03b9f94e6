#!/usr/bin/env bash
# Builds the Worker (release wasm via worker-build, with local wasm-bindgen / wasm-opt / esbuild).
# wrangler calls this as its [build] command; TILL_SKIP_BUILD=1 makes it a no-op when the
# caller has just built (wrangler runs the build command twice at start otherwise).
set -euo pipefail
[ "${TILL_SKIP_BUILD:-}" = 1 ] && exit 0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/tools.sh"
cd "$ROOT/edge"
worker-build --release
test -f build/worker/shim.mjs
