#!/usr/bin/env bash
# scripts/install.sh into a scratch DESTDIR, then: ldd lists no Swift runtime library, and
# the installed binary, run from another folder, creates a project, tests it and prints its
# version (Lua and SQLite included).
set -uo pipefail
cd "$(dirname "$0")/.."
dest=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$dest" "$work"' EXIT
failed=0
fail() { echo "FAILED $1"; failed=1; }

if ! DESTDIR="$dest" PREFIX=/usr/local bash scripts/install.sh >"$work/install.log" 2>&1; then
  tail -20 "$work/install.log"
  echo "0 passed, 1 failed"
  exit 1
fi
bin="$dest/usr/local/bin/luaroutes"
libraries=$(ldd "$bin")
if echo "$libraries" | grep -Eq 'libswift|libFoundation|libdispatch|libBlocksRuntime|swift/linux'; then
  fail "ldd lists a Swift runtime library:"; echo "$libraries"
fi
for needed in liblua5.4 libcrypto libsqlite3 libc.so; do
  echo "$libraries" | grep -q "$needed" || fail "ldd does not list $needed"
done
version=$("$bin" --version)
echo "$version" | grep -Eq '^luaroutes [0-9.]+ \(Lua 5\.4\.[0-9]+, SQLite 3\.[0-9.]+\)$' || fail "--version printed '$version'"
(cd "$work" && "$bin" init app >/dev/null && "$bin" test --root app >"$work/test.out" 2>&1) || { fail "init/test from $work"; cat "$work/test.out"; }
grep -q "passed, 0 failed" "$work/test.out" || fail "luaroutes test of the new project: $(cat "$work/test.out")"
if [ $failed -eq 0 ]; then
  echo "ok    installed binary: no Swift runtime in ldd; init and test ran from another folder; $version"
  echo "1 passed, 0 failed"
  exit 0
fi
echo "0 passed, 1 failed"
exit 1
