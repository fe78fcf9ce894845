#!/usr/bin/env bash
# Runs every test: the Swift test suites, then `luaroutes test` on routes/ and every example,
# then reload under load, the metrics endpoint, CORS in headless Chromium, the README's serve command,
# scripts/install.sh's binary (no Swift runtime in ldd; init and test from another folder), and the JSON conformance
# run through real requests.
set -euo pipefail
cd "$(dirname "$0")/.."
# stock Lua: StockBehaviourTests and the differential check compare with it; curl: the --http2 upgrade test
bash scripts/setup.sh lua5.4 curl

swift build --build-tests
swift test --skip-build

bin=.build/debug/luaroutes
status=0

# examples/proxy's external service is answered by its tests/mocks/ (no upstream runs).
for root in routes examples/*/; do
  root=${root%/}
  [ -d "$root/tests" ] || continue
  echo "== luaroutes test --root $root"
  "$bin" test --root "$root" || status=1
done

echo "== luacheck"
bash scripts/lint.sh || status=1

echo "== reload under load"
bash scripts/reload-under-load.sh "$bin" || status=1
echo "== metrics endpoint"
bash scripts/metrics-check.sh "$bin" || status=1

echo "== CORS in headless Chromium"
bash scripts/cors-browser-check.sh "$bin" || status=1

# --- streaming (docs/streaming.md): server-sent events read by a browser ---
echo "== SSE in headless Chromium"
bash scripts/sse-browser-check.sh "$bin" || status=1
# --- end streaming ---

echo "== the README's serve command"
bash scripts/serve-check.sh || status=1

# -- install (scripts/install.sh): after serve-check, whose release build it shares
echo "== scripts/install.sh: a binary without the Swift runtime, run from another folder"
bash scripts/install-check.sh || status=1
# -- end install

if [ -d ../shared/data/lua-5.4.4-tests ]; then
  echo "== Lua 5.4.4's test files: in a route and under stock lua5.4"
  bash scripts/lua-differential.sh "$bin" ../shared/data/lua-5.4.4-tests || status=1
fi

if [ -d ../shared/data/JSONTestSuite/test_parsing ]; then
  echo "== JSONTestSuite through luaroutes request"
  bash scripts/json-conformance.sh "$bin" ../shared/data/JSONTestSuite/test_parsing || status=1
fi
exit $status
