#!/usr/bin/env bash
# luacheck over every Lua file of the repository (.luacheckrc says what each folder may use).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh luacheck:lua-check
luacheck --no-color --formatter plain --codes .
