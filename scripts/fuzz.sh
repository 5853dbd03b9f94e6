#!/usr/bin/env bash
# Fuzzes core's parsers with libFuzzer: the barcode/GS1/label parser and event decoding + ingest.
# Usage: scripts/fuzz.sh [seconds per target, default 60]
# cargo-fuzz's flags on the stable toolchain (RUSTC_BOOTSTRAP lets it take -Zsanitizer; the ASan
# runtime ships with stable). A crash leaves its input in target/fuzz/<target>/ and fails.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/tools.sh"
SECONDS_EACH=${1:-60}
export CARGO_TARGET_DIR="$HOME/.cache/till/fuzz-target"
export RUSTC_BOOTSTRAP=1
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Zsanitizer=address -Cdebug-assertions"
cd "$ROOT/core/fuzz"
cargo build -q --release --target x86_64-unknown-linux-gnu
for target in barcode event; do
  out="$ROOT/target/fuzz/$target"
  corpus="$HOME/.cache/till/fuzz-corpus/$target"
  mkdir -p "$out" "$corpus"
  echo "[fuzz] $target for ${SECONDS_EACH}s" >&2
  "$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$target" -max_total_time="$SECONDS_EACH" \
    -artifact_prefix="$out/" -print_final_stats=0 "$corpus" 2>"$out/log" || {
      tail -30 "$out/log" >&2
      echo "[fuzz] $target found a crash: input saved in $out/" >&2
      exit 1
    }
  tail -1 "$out/log" >&2
done
