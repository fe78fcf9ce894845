#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests (docs/data.md ("Running the PostgreSQL tests")):
#   scripts/postgres-cluster.sh start DIR PORT    makes DIR (initdb) if needed and starts it
#   scripts/postgres-cluster.sh stop DIR          stops it (fast shutdown)
#   scripts/postgres-cluster.sh restart DIR PORT
# It listens on 127.0.0.1 only, trusts loopback connections (user postgres, no password), and
# allows 400 connections. PostgreSQL refuses to run as root: when run as root, the server runs
# as the unprivileged `postgres` user (runuser), which owns DIR.
set -euo pipefail
action=${1:?usage: postgres-cluster.sh start|stop|restart DIR [PORT]}
dir=${2:?usage: postgres-cluster.sh start|stop|restart DIR [PORT]}
port=${3:-}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "postgres-cluster.sh: PostgreSQL is not installed (scripts/setup.sh postgres)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  [ -n "$port" ] || { echo "postgres-cluster.sh: start needs a PORT" >&2; exit 1; }
  mkdir -p "$dir"
  # The server's user must be able to reach DIR: a parent from `mktemp -d` is root's alone (0700),
  # so it is made traversable (not listable) for others.
  [ "$(id -u)" -ne 0 ] || { chown postgres: "$dir"; chmod o+x "$(dirname "$dir")"; }
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log" >&2; exit 1; }
  fi
  as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c max_connections=400 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
    start >/dev/null
}

stop() {
  [ -f "$dir/postmaster.pid" ] || return 0
  # fast: clients are disconnected; if that takes more than 10 s, immediate (as a crash would).
  as_owner "$bin/pg_ctl" -D "$dir" -m fast -w -t 10 stop >/dev/null 2>&1 \
    || as_owner "$bin/pg_ctl" -D "$dir" -m immediate -w -t 30 stop >/dev/null || true
}

case "$action" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  *) echo "postgres-cluster.sh: unknown action $action" >&2; exit 1 ;;
esac
