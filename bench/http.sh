#!/usr/bin/env bash
# The three benchmark workloads against `luaroutes serve` (release build) with wrk:
# req/s, p50/p99 latency, and the server's own CPU time per request (from /proc: robust on a
# noisy machine, unlike req/s). For the peers (nginx + Lua, Node, bare NIO) in the same run,
# use ../shared/bench/run.sh --candidate (see bench/README.md).
#   bench/http.sh [--threads N] [--duration 10s] [--connections 64]   (LUAROUTES_BIN=path skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=1; duration=10s; connections=64
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    *) echo "usage: bench/http.sh [--threads N] [--duration D] [--connections N]" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh wrk
bin=${LUAROUTES_BIN:-}
if [ -z "$bin" ]; then
  bin=$(bash scripts/build-release.sh)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --root bench/routes --port "$port" --threads "$threads" --no-access-log 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done

post=$(mktemp)
cat > "$post" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("bench/routes/echo.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA

printf '%-8s %10s %9s %9s %14s\n' workload req/s p50 p99 "cpu us/req"
run() {
  local name=$1 url=$2; shift 2
  wrk -t1 -c"$connections" -d2s "$@" "$url" >/dev/null   # warm-up
  local before after out
  before=$(awk '{print $14+$15}' /proc/$pid/stat)
  out=$(wrk -t1 -c"$connections" -d"$duration" --latency "$@" "$url")
  after=$(awk '{print $14+$15}' /proc/$pid/stat)
  local requests rps p50 p99
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  local ticks; ticks=$(getconf CLK_TCK)
  printf '%-8s %10s %9s %9s %14s\n' "$name" "$rps" "$p50" "$p99" \
    "$(python3 -c "print(round(($after - $before) / $ticks * 1e6 / $requests, 1))")"
}
run hello "http://127.0.0.1:$port/api/hello"
run echo "http://127.0.0.1:$port/api/echo" -s "$post"
run params "http://127.0.0.1:$port/api/users/123?fields=a,b"
