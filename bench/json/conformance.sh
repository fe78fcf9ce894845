#!/bin/sh
# Builds the codec as a Lua C module and runs JSONTestSuite's test_parsing files through it.
set -e
here=$(cd "$(dirname "$0")" && pwd)
"$here/build.sh"
exec lua5.4 "$here/conformance.lua" "${1:-/work/shared/data/JSONTestSuite/test_parsing}"
