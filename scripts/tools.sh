#!/usr/bin/env bash
# Installs every tool till needs, at pinned versions, from crates.io / npm / apt only.
# Idempotent: a tool already present at the right version is skipped, so a second run takes seconds.
# Tools live outside the clone (per user, keyed by version) so a clean clone reuses them.
# Sourced by scripts/up.sh and scripts/test.sh; it exports PATH and the env the builds need.
set -euo pipefail

TRUNK_VERSION=0.21.14
WORKER_BUILD_VERSION=0.8.7
# Must equal Cargo.lock's wasm-bindgen (checked below).
WASM_BINDGEN_VERSION=0.2.130

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${TILL_TOOLS:-$HOME/.cache/till/tools}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/till/target}
mkdir -p "$TOOLS"

log() { printf '\033[1m[tools]\033[0m %s\n' "$*" >&2; }

lock_version() { # the version Cargo.lock resolved for crate $1
  awk -v n="$1" '$0=="name = \""n"\""{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock"
}
if [ -f "$ROOT/Cargo.lock" ]; then
  locked=$(lock_version wasm-bindgen)
  if [ -n "$locked" ] && [ "$locked" != "$WASM_BINDGEN_VERSION" ]; then
    echo "Cargo.lock has wasm-bindgen $locked but scripts/tools.sh pins $WASM_BINDGEN_VERSION; make them equal." >&2
    exit 1
  fi
fi

cargo_tool() { # name version binary [--locked]
  local name=$1 version=$2 bin=$3 locked=${4:-}
  local dir="$TOOLS/$name-$version"
  if [ ! -x "$dir/bin/$bin" ]; then
    log "installing $name $version (one time, a few minutes)"
    # shellcheck disable=SC2086
    cargo install $locked --quiet --root "$dir" --target-dir "$HOME/.cache/till/install-target" "$name" --version "$version"
  fi
  export PATH="$dir/bin:$PATH"
}

# Chromium for the browser tests; a Japanese font so screenshots of ja screens are legible;
# g++ for libFuzzer (the fuzz targets, scripts/fuzz.sh).
if [ "${TILL_SKIP_APT:-}" != 1 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v g++ >/dev/null || ! dpkg -s fonts-ipafont-gothic >/dev/null 2>&1; }; then
  log "installing chromium, chromium-driver, g++ and fonts-ipafont-gothic from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium chromium-driver g++ fonts-ipafont-gothic >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Without --locked: with it, wasm-bindgen-cli asks for a webpki-roots the registry lacks (TOOLCHAIN.md).
cargo_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen
cargo_tool worker-build "$WORKER_BUILD_VERSION" worker-build --locked
cargo_tool trunk "$TRUNK_VERSION" trunk --locked

# npm: wrangler + binaryen (edge/), playwright-core + axe-core (tests/). package-lock.json pins them.
for dir in edge tests; do
  if [ -f "$ROOT/$dir/package-lock.json" ]; then
    stamp="$ROOT/$dir/node_modules/.till-lock"
    if [ ! -f "$stamp" ] || ! cmp -s "$stamp" "$ROOT/$dir/package-lock.json"; then
      log "npm ci in $dir/"
      (cd "$ROOT/$dir" && npm ci --no-audit --no-fund --loglevel=error)
      cp "$ROOT/$dir/package-lock.json" "$stamp"
    fi
  fi
done

# Never let anything pick up Debian's binaryen 108 (/usr/bin/wasm-opt): it breaks the app silently.
export PATH="$ROOT/edge/node_modules/.bin:$PATH"
export TRUNK_OFFLINE=true
export WASM_BINDGEN_BIN="$TOOLS/wasm-bindgen-cli-$WASM_BINDGEN_VERSION/bin/wasm-bindgen"
export WASM_OPT_BIN="$ROOT/edge/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$ROOT/edge/node_modules/@esbuild/linux-x64/bin/esbuild"
# Keep wrangler/miniflare off the network.
export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false WRANGLER_HIDE_BANNER=true
export CLOUDFLARE_CF_FETCH_ENABLED=false
