#!/usr/bin/env bash
# Heap allocations (malloc, calloc, realloc calls, every thread) per request through
# `luaroutes bench` (in-process, no socket) for the three benchmark workloads. Each workload
# runs at two request counts and reports (A(N2) - A(N1)) / (N2 - N1), so start-up cancels.
# Counted by an LD_PRELOAD shim built here; Lua's blocks served from its own small-block cache
# (lr_pool.c) are not heap allocations and are not counted.
#   bench/allocs.sh [BINARY] [--n1 N] [--n2 N]     BINARY defaults to .build/release/luaroutes
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$repo/.build/release/luaroutes
n1=20000; n2=60000
while [ $# -gt 0 ]; do
  case "$1" in
    --n1) n1=$2; shift 2 ;;
    --n2) n2=$2; shift 2 ;;
    -*) echo "usage: bench/allocs.sh [BINARY] [--n1 N] [--n2 N]" >&2; exit 2 ;;
    *) bin=$1; shift ;;
  esac
done
bin=$(realpath "$bin")
cd "$repo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/count.c" <<'C'
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
extern void *__libc_malloc(size_t), *__libc_calloc(size_t, size_t), *__libc_realloc(void *, size_t);
static atomic_ulong calls;
void *malloc(size_t n) { atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed); return __libc_realloc(p, n); }
__attribute__((destructor)) static void report(void) {
  char line[64];
  int len = snprintf(line, sizeof line, "allocations: %lu\n", (unsigned long)atomic_load(&calls));
  if (write(2, line, (size_t)len) < 0) _exit(1);
}
C
cc=$(command -v cc || command -v clang || echo /opt/swift/usr/bin/clang)
"$cc" -O2 -shared -fPIC -o "$work/count.so" "$work/count.c"

count() {   # count N ARGS...: allocations of one `luaroutes bench` run of N requests
  local n=$1; shift
  local out; out=$(LD_PRELOAD="$work/count.so" "$bin" bench --root bench/routes "$@" -n "$n" 2>&1)
  grep -q "statuses 200×$n" <<<"$out" || { echo "bench did not answer 200 to every request: $out" >&2; exit 1; }
  awk '/^allocations:/ {print $2}' <<<"$out" | tail -1
}

body=$(cat bench/routes/echo.json)
printf '%-8s %14s\n' workload allocs/request
row() {
  local name=$1; shift
  local a1 a2; a1=$(count "$n1" "$@"); a2=$(count "$n2" "$@")
  printf '%-8s %14s\n' "$name" "$(python3 -c "print(round(($a2 - $a1) / ($n2 - $n1), 1))")"
}
row hello GET /api/hello
row echo POST /api/echo -H 'Content-Type: application/json' -d "$body"
row params GET '/api/users/123?fields=a,b'
