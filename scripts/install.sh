#!/usr/bin/env bash
# Builds a release luaroutes with the Swift runtime and Foundation linked in (it then needs only
# libc, liblua5.4, libcrypto and libsqlite3) and installs it as $DESTDIR$PREFIX/bin/luaroutes,
# by default /usr/local/bin/luaroutes. PREFIX and DESTDIR as in make install.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${PREFIX:-/usr/local}
target="${DESTDIR:-}$prefix/bin/luaroutes"
bash scripts/setup.sh
bin=$(bash scripts/build-release.sh)
install -D -s -m 755 "$bin" "$target"   # -s: without debug symbols (144 MB -> 77 MB)
echo "installed $target: $("$target" --version)"
