#!/usr/bin/env bash
# Runs every test: the Swift test suites, then `luaroutes test` on routes/ and every example,
# then the JSON conformance run through real requests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

swift build --build-tests
swift test --skip-build

bin=.build/debug/luaroutes
status=0
for root in routes examples/*/; do
  root=${root%/}
  [ -d "$root/tests" ] || continue
  echo "== luaroutes test --root $root"
  "$bin" test --root "$root" || status=1
done

if [ -d ../shared/data/JSONTestSuite/test_parsing ]; then
  echo "== JSONTestSuite through luaroutes request"
  bash scripts/json-conformance.sh "$bin" ../shared/data/JSONTestSuite/test_parsing || status=1
fi
exit $status
