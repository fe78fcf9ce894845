#!/bin/sh
# Builds /tmp/lr_json.so (the codec as a Lua C module for the stock lua5.4 interpreter).
set -e
here=$(cd "$(dirname "$0")" && pwd)
src="$here/../../Sources/CLuaGlue"
gcc -std=c11 -Wall -Wextra -O2 -shared -fPIC -I"$src/include" -o /tmp/lr_json.so \
  "$src"/lr_json_*.c "$here/luaopen.c"
