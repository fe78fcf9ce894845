#!/usr/bin/env bash
# Serves routes/ on http://127.0.0.1:3000 (extra arguments go to `luaroutes serve`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bin=$(bash scripts/build-release.sh)
exec "$bin" serve --root routes --port 3000 "$@"
