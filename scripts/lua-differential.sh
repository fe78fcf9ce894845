#!/usr/bin/env bash
# Runs Lua 5.4.4's own test files inside a luaroutes route and under stock lua5.4, and fails on
# any difference the sandbox's documented removals do not explain (docs/lua-differential.md).
# Usage: scripts/lua-differential.sh LUAROUTES_BINARY TESTS_FOLDER [-v] [NAME...]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1 tests=$2
shift 2
bash scripts/setup.sh lua5.4
exec python3 scripts/lua-differential/lua_differential.py --luaroutes "$bin" --tests "$tests" "$@"
