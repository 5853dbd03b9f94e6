#!/usr/bin/env bash
# Builds everything the edge serves: the till (trunk → dist/, plus the service worker → dist/sw.js)
# and the Worker (worker-build → edge/build/), plus the native till-tools. Each part is skipped
# when a hash of its inputs matches the last successful build, so a re-run with nothing changed
# takes seconds (trunk and worker-build would otherwise redo wasm-bindgen and wasm-opt).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/tools.sh"
cd "$ROOT"

# Hash of the files under the given paths (contents and names), plus the tool versions.
inputs() { find "$@" -type f ! -path '*/node_modules/*' ! -path '*/build/*' ! -path '*/.wrangler/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32; }
fresh() { [ -f "$2" ] && [ "$(cat "$2")" = "$1" ]; }
STAMPS="$ROOT/.till/build"
mkdir -p "$STAMPS"

echo "[build] till-tools (native)" >&2
cargo build -q -p till-tools

app_hash=$(inputs Cargo.toml Cargo.lock core app sw style assets index.html owner.html Trunk.toml scripts/build-sw.sh scripts/tools.sh)
if fresh "$app_hash" "$STAMPS/app" && [ -f dist/sw.js ]; then
  echo "[build] the till app and service worker: unchanged" >&2
else
  # Two pages, each with only its own wasm: the owner's is built aside, then added to dist/
  # (trunk empties its dist directory on every build).
  echo "[build] the owner's page (trunk, release)" >&2
  rm -rf "$ROOT/.till/dist-owner"
  trunk build owner.html --release --offline --dist "$ROOT/.till/dist-owner" --quiet
  echo "[build] the till app (trunk, release)" >&2
  trunk build --release --offline --dist "$ROOT/dist" --quiet
  cp "$ROOT/.till/dist-owner/index.html" "$ROOT/dist/owner.html"
  # The customer display is a page of the same bundle (it picks its view by the path).
  cp "$ROOT/.till/dist-owner/index.html" "$ROOT/dist/display.html"
  cp "$ROOT/.till/dist-owner/"till-owner-* "$ROOT/dist/"
  echo "[build] the service worker" >&2
  bash "$ROOT/scripts/build-sw.sh"
  echo "$app_hash" > "$STAMPS/app"
fi

edge_hash=$(inputs Cargo.toml Cargo.lock core edge/src edge/Cargo.toml scripts/build-edge.sh scripts/tools.sh)
if fresh "$edge_hash" "$STAMPS/edge" && [ -f edge/build/worker/shim.mjs ]; then
  echo "[build] the edge worker: unchanged" >&2
else
  echo "[build] the edge worker (worker-build, release)" >&2
  TILL_SKIP_BUILD= bash "$ROOT/scripts/build-edge.sh"
  echo "$edge_hash" > "$STAMPS/edge"
fi
