#!/usr/bin/env bash
# db over HTTP (wrk, one event loop): req/s, p50/p99 and the host's CPU per request (from /proc)
# for hello, a primary-key read on SQLite, the same read on PostgreSQL, and a route that only
# fetches from a local upstream (another luaroutes serving hello). PostgreSQL's own CPU is not
# in the host's figure. Release build; run it on a quiet machine.
#   bench/db-http.sh [BINARY] [--duration 10s] [--connections 64]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bin=$(realpath "${1:-.build/release/luaroutes}")
duration=${DURATION:-10s}; connections=${CONNECTIONS:-64}
bash scripts/setup.sh wrk   # and PostgreSQL's server, which setup.sh always checks
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
log=$(mktemp)   # the hosts' stderr, shown when one does not start
pg_dir=$(mktemp -d /tmp/luaroutes-pg.XXXXXX)/cluster
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash scripts/postgres-cluster.sh stop "$pg_dir" || true
  rm -rf "$(dirname "$pg_dir")" bench/db/.luaroutes "$log"
}
trap cleanup EXIT
pg_port=$(free_port)
bash scripts/postgres-cluster.sh start "$pg_dir" "$pg_port"
pg_url="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"

wait_port() { for _ in $(seq 200); do (echo > /dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; return 1; }
serve() {   # serve ROOT PORT [ENV=VALUE...]: a host on one loop; its pid in $served
  local root=$1 port=$2; shift 2
  env "$@" "$bin" serve --root "$root" --port "$port" --threads 1 --no-access-log 2>>"$log" &
  served=$!; pids+=("$served")
  wait_port "$port" || { echo "bench/db-http.sh: a host on $root did not start:" >&2; cat "$log" >&2; exit 1; }
}
up_port=$(free_port); serve bench/routes "$up_port"
lite_port=$(free_port); serve bench/db "$lite_port" "UPSTREAM_URL=http://127.0.0.1:$up_port/api/hello"; lite_pid=$served
pg_host_port=$(free_port); serve bench/db "$pg_host_port" "DATABASE_URL=$pg_url"; pg_pid=$served

printf '%-22s %10s %9s %9s %14s\n' workload req/s p50 p99 "cpu us/req"
run() {   # run NAME PID URL
  local name=$1 pid=$2 url=$3
  wrk -t1 -c"$connections" -d2s "$url" >/dev/null   # warm-up (and the pool's connections)
  local before after out ticks
  before=$(awk '{print $14+$15}' /proc/$pid/stat)
  out=$(wrk -t1 -c"$connections" -d"$duration" --latency "$url")
  after=$(awk '{print $14+$15}' /proc/$pid/stat)
  ticks=$(getconf CLK_TCK)
  local requests rps p50 p99 errors
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '%-22s %10s %9s %9s %14s%s\n' "$name" "$rps" "$p50" "$p99" \
    "$(python3 -c "print(round(($after - $before) / $ticks * 1e6 / $requests, 1))")" "${errors:+   non-2xx: $errors}"
}
run "hello" "$lite_pid" "http://127.0.0.1:$lite_port/api/hello"
run "row, SQLite" "$lite_pid" "http://127.0.0.1:$lite_port/api/row"
run "row, PostgreSQL" "$pg_pid" "http://127.0.0.1:$pg_host_port/api/row"
run "fetch to local upstream" "$lite_pid" "http://127.0.0.1:$lite_port/api/upstream"
