#!/usr/bin/env bash
# Several hosts behind nginx sharing PostgreSQL, under faults (docs/deploy.md, "The cluster check").
# Three `luaroutes serve` hosts, nginx, PostgreSQL and a load client, each in a network namespace
# of this script's own, joined by veth pairs to one bridge that lives in a namespace too.
# The namespaces have no default route, and every packet of the check is sent from inside them
# (ip netns exec): addresses of the check's subnet asked from the root namespace would be routed
# to the outside world. Every namespace made here is deleted at the end, whatever happened.
# The load, the faults and the figures are scripts/cluster_check.py, run inside the client's namespace.
# Usage: scripts/cluster-check.sh [path/to/luaroutes]   (run as root: namespaces need it)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-.build/debug/luaroutes}")
app=$(realpath scripts/cluster-app)

[ "$(id -u)" -eq 0 ] || { echo "cluster check: FAILED: needs root (ip netns)" >&2; exit 1; }
# nginx, iproute2, wrk and the PostgreSQL server (pg_ctlcluster comes with Debian's postgresql).
bash scripts/setup.sh nginx ip:iproute2 wrk runuser:util-linux psql:postgresql-client pg_ctlcluster:postgresql
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

prefix=lrc-                       # every namespace of the check, and nothing else, starts with this
subnet=10.213.76                  # a private /24 nothing else here uses
namespaces=(${prefix}br ${prefix}pg ${prefix}nginx ${prefix}h1 ${prefix}h2 ${prefix}h3 ${prefix}client)
declare -A address=([${prefix}pg]=$subnet.3 [${prefix}nginx]=$subnet.2 [${prefix}client]=$subnet.4
                    [${prefix}h1]=$subnet.11 [${prefix}h2]=$subnet.12 [${prefix}h3]=$subnet.13)

work=$(mktemp -d /tmp/luaroutes-cluster.XXXXXX)
chmod 755 "$work"
failed_step="setting up"

# Ends what runs in our namespaces (only processes this check started live there), then deletes them.
remove_namespaces() {
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -f "$work/pg/postmaster.pid" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
  remove_namespaces
  if [ -n "$(ip netns list | grep "^$prefix" || true)" ]; then
    echo "cluster check: could not delete namespaces: $(ip netns list | grep "^$prefix" | tr '\n' ' ')" >&2
    status=1
  fi
  if [ $status -ne 0 ]; then
    echo "cluster check: FAILED while $failed_step; logs:" >&2
    for log in "$work"/*.log "$work"/pglog/postgres.log "$work"/nginx/error.log; do
      [ -s "$log" ] && { echo "--- $log (last 30 lines)" >&2; tail -n 30 "$log" >&2; }
    done
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Stale namespaces of an earlier run that did not get to its cleanup.
remove_namespaces

failed_step="making the namespaces"
for ns in "${namespaces[@]}"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip -n ${prefix}br link add br0 type bridge
ip -n ${prefix}br link set br0 up
for ns in "${namespaces[@]}"; do
  [ "$ns" = ${prefix}br ] && continue
  # Both ends are made inside namespaces: nothing of the check appears in the root namespace.
  ip link add eth0 netns "$ns" type veth peer name "v-${ns#$prefix}" netns ${prefix}br
  ip -n ${prefix}br link set "v-${ns#$prefix}" master br0 up
  ip -n "$ns" addr add "${address[$ns]}/24" dev eth0
  ip -n "$ns" link set eth0 up
  if ip -n "$ns" route show default | grep -q .; then echo "namespace $ns has a default route" >&2; exit 1; fi
done
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
[ "$(in_ns ${prefix}client sh -c 'ip netns identify $$')" = ${prefix}client ] || { echo "ip netns exec did not enter ${prefix}client" >&2; exit 1; }

failed_step="starting PostgreSQL"
mkdir -p "$work/pg" "$work/pgsock" "$work/pglog"
chown postgres "$work/pg" "$work/pgsock" "$work/pglog"
runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg" --auth=trust -U postgres --no-sync >"$work/pglog/initdb.log" 2>&1
cat >>"$work/pg/postgresql.conf" <<EOF
listen_addresses = '${address[${prefix}pg]}'
port = 5432
unix_socket_directories = '$work/pgsock'
max_connections = 100
EOF
echo "host all all $subnet.0/24 trust" >>"$work/pg/pg_hba.conf"
pg_ctl_cmd=(ip netns exec ${prefix}pg runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pglog/postgres.log" -w)
"${pg_ctl_cmd[@]}" start >/dev/null
psql_cmd=(runuser -u postgres -- psql -h "$work/pgsock" -U postgres -v ON_ERROR_STOP=1 -qAt)
"${psql_cmd[@]}" -c "CREATE DATABASE cluster" postgres

failed_step="starting nginx"
mkdir -p "$work/nginx/tmp"
chmod 777 "$work/nginx/tmp"
sed -e "s/@HOST1@/${address[${prefix}h1]}/; s/@HOST2@/${address[${prefix}h2]}/; s/@HOST3@/${address[${prefix}h3]}/" \
    -e "s/@NGINX@/${address[${prefix}nginx]}/g" -e "s|@PREFIX@|$work/nginx|g" scripts/cluster-nginx.conf >"$work/nginx/nginx.conf"
in_ns ${prefix}nginx nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -t -q
in_ns ${prefix}nginx nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"

failed_step="running the load and the faults (scripts/cluster_check.py)"
in_ns ${prefix}client python3 scripts/cluster_check.py \
  --bin "$bin" --app "$app" --work "$work" --prefix "$prefix" \
  --hosts "${address[${prefix}h1]},${address[${prefix}h2]},${address[${prefix}h3]}" \
  --nginx "${address[${prefix}nginx]}" \
  --database-url "postgres://postgres@${address[${prefix}pg]}:5432/cluster?sslmode=disable" \
  --psql "$(printf '%q ' "${psql_cmd[@]}") -d cluster" \
  --pg-restart "$(printf '%q ' "${pg_ctl_cmd[@]}") -m fast restart"
failed_step="cleaning up"
