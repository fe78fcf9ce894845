#!/usr/bin/env bash
# A reload while a load generator runs drops no request (scripts/reload_under_load.py).
# Usage: scripts/reload-under-load.sh [path/to/luaroutes]
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/reload_under_load.py "${1:-.build/debug/luaroutes}"
