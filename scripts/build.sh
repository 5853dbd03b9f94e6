#!/usr/bin/env bash
# Builds everything the edge serves: the till (trunk → dist/), and the Worker (worker-build →
# edge/build/), plus the native till-tools. Cargo and trunk skip work when nothing changed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/tools.sh"
cd "$ROOT"
echo "[build] till-tools (native)" >&2
cargo build -q -p till-tools
echo "[build] the till app (trunk, release)" >&2
trunk build --release --offline --dist "$ROOT/dist" --quiet
echo "[build] the service worker" >&2
bash "$ROOT/scripts/build-sw.sh"
echo "[build] the edge worker (worker-build, release)" >&2
TILL_SKIP_BUILD= bash "$ROOT/scripts/build-edge.sh"
