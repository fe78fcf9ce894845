#!/bin/sh
# Benchmark: builds the codec as a Lua C module, then compares it with lua-cjson (bench.lua).
set -e
here=$(cd "$(dirname "$0")" && pwd)
"$here/build.sh"
exec lua5.4 "$here/bench.lua"
