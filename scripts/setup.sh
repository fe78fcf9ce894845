#!/usr/bin/env bash
# Installs what luaroutes needs beyond the Swift toolchain: Debian's Lua 5.4, OpenSSL
# (libcrypto) and SQLite 3 (the embedded `db`) headers and libraries, and PostgreSQL's server
# (for the PostgreSQL tests).
# Sourced by serve.sh and test.sh; safe to run again.
set -euo pipefail

need=()
[ -f /usr/include/lua5.4/lua.h ] || need+=(liblua5.4-dev)
[ -f /usr/include/openssl/evp.h ] || need+=(libssl-dev)
[ -f /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)
# PostgreSQL's server: the db tests run against a throwaway cluster (scripts/postgres-cluster.sh)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# Arguments name commands to have, as COMMAND or COMMAND:PACKAGE when the package is named otherwise.
for tool in "$@"; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "installing: ${need[*]}" >&2
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
