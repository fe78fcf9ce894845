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

# ---- PostgreSQL: a throwaway cluster for the db tests (scripts/postgres-cluster.sh) ----
# The tests that need it read LUAROUTES_TEST_POSTGRES_URL; LUAROUTES_REQUIRE_POSTGRES makes
# them fail rather than skip when it is missing. Stopped at the end whatever happens.
pg_dir=$(mktemp -d /tmp/luaroutes-pg.XXXXXX)/cluster
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop_postgres() {
  bash scripts/postgres-cluster.sh stop "$pg_dir" || true
  rm -rf "$(dirname "$pg_dir")"
  # clusters a test started for itself (PostgresTests.theDatabaseGoingAwayAndComingBack), if one was left
  for left in "${TMPDIR:-/tmp}"/luaroutes-pg-*/cluster; do
    [ -d "$left" ] && { bash scripts/postgres-cluster.sh stop "$left" || true; rm -rf "$(dirname "$left")"; }
  done
  return 0
}
trap stop_postgres EXIT
bash scripts/postgres-cluster.sh start "$pg_dir" "$pg_port"
export LUAROUTES_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"
export LUAROUTES_REQUIRE_POSTGRES=1
# ---- end PostgreSQL ----

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
# --- cluster check (issue 17): three hosts, nginx and PostgreSQL in network namespaces of its own
# (docs/deploy.md); needs root for `ip netns`.
echo "== cluster: three hosts behind nginx sharing PostgreSQL, under faults"
bash scripts/cluster-check.sh "$bin" || status=1
# --- end cluster check

exit $status
