#!/usr/bin/env bash
# README command 2: every test. Native tests for core, edge logic and tools; then the browser
# tests, which build the app and the edge once and run them for real (Chromium + workerd).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/tools.sh"
cd "$ROOT"
echo "== native tests (core, edge, service worker, tools)" >&2
cargo test -q -p till-core -p till-edge -p till-tools -p till-sw
echo "== fuzz (barcode parser, event decoding + ingest; 15 s each — scripts/fuzz.sh runs longer)" >&2
bash scripts/fuzz.sh 15
echo "== build (once for all browser tests)" >&2
bash scripts/build.sh
echo "== browser tests (headless Chromium against wrangler dev)" >&2
cd tests
node --test --test-concurrency=1 --test-timeout=300000 e2e/
