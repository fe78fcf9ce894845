#!/usr/bin/env bash
# The one release build of luaroutes (scripts/install.sh, scripts/serve.sh and bench/ use it, so
# none of them relinks another's binary): the Swift runtime and Foundation linked in (the binary
# then needs only libc, liblua5.4, libcrypto and libsqlite3), and Swift's run-time exclusivity
# checks off in every module, SwiftNIO's included (-Xswiftc reaches dependencies; a setting in
# Package.swift would reach only ours). The checks cost 11% of the instructions of a hello
# request over a socket, mostly inside NIO (docs/performance.md); debug builds and the tests
# keep them. Prints the binary's path. Extra arguments go to `swift build`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product luaroutes --static-swift-stdlib -Xswiftc -enforce-exclusivity=unchecked "$@" >&2
echo "$PWD/.build/release/luaroutes"
