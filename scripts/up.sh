#!/usr/bin/env bash
# README command 1: install the pinned tools, build, migrate, load the demo store, and serve the
# till and the API on one origin at http://127.0.0.1:8787 (wrangler dev on local workerd).
# Local data lives in .till/state and survives re-runs; nothing here deletes it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/tools.sh"
bash "$ROOT/scripts/build.sh"

STATE="$ROOT/.till/state"
PORT=${TILL_PORT:-8787}
TOOLS_BIN="$CARGO_TARGET_DIR/debug/till-tools"
mkdir -p "$STATE"
cd "$ROOT/edge"
echo "[up] applying D1 migrations (local)" >&2
wrangler d1 migrations apply till --local --persist-to "$STATE" >/dev/null
echo "[up] loading the demo tenant, store and owner" >&2
"$TOOLS_BIN" demo-sql > "$ROOT/.till/demo.sql"
wrangler d1 execute till --local --persist-to "$STATE" --file "$ROOT/.till/demo.sql" >/dev/null

echo "[up] starting the edge on http://127.0.0.1:$PORT" >&2
TILL_SKIP_BUILD=1 wrangler dev --ip 127.0.0.1 --port "$PORT" --persist-to "$STATE" \
  --var DEMO_MODE:on --log-level warn --show-interactive-dev-session=false &
EDGE=$!
trap 'kill $EDGE 2>/dev/null; wait $EDGE 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 120); do
  node -e "fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "http://127.0.0.1:$PORT/api/health" && break
  kill -0 $EDGE 2>/dev/null || { echo "wrangler dev exited; see the messages above" >&2; exit 1; }
  sleep 0.5
done
node "$ROOT/scripts/seed.mjs" "http://127.0.0.1:$PORT" "$TOOLS_BIN" 2000
read -r EMAIL PASSWORD < <("$TOOLS_BIN" demo-credentials)
cat <<MSG

  till is running.
    Till (a new browser becomes a lane of the demo store):  http://127.0.0.1:$PORT/
    Owner's sales page:                                     http://127.0.0.1:$PORT/owner
    Demo owner login:                                       $EMAIL / $PASSWORD
    Demo tenant / store:                                    demo-tenant / demo-shibuya (till デモ店 渋谷)
  Press Ctrl-C to stop. Local data is kept in .till/state.

MSG
wait $EDGE
