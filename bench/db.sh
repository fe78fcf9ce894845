#!/usr/bin/env bash
# db's cost per request: a route that reads one row by primary key (bench/db/pages/api/row.lua)
# against hello, in instructions per request (callgrind, all threads, in-process `luaroutes
# bench`, (Ir(N2) - Ir(N1)) / (N2 - N1) so start-up cancels) and in CPU time per request (user +
# sys of the whole process, the same difference of two runs; it depends on the machine's load).
#   bench/db.sh [BINARY] (default .build/release/luaroutes)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$repo/.build/release/luaroutes}")
cd "$repo"
work=$(mktemp -d)
trap 'rm -rf "$work" bench/db/.luaroutes' EXIT
# The same workarounds as bench/callgrind.sh: DWARF 5 stripped, sigsuspend given a stack copy.
objcopy --strip-debug "$bin" "$work/luaroutes"
cat > "$work/sigsuspend.c" <<'C'
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
int sigsuspend(const sigset_t *mask) { sigset_t copy = *mask; return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8); }
C
cc=$(command -v cc || command -v clang || echo /opt/swift/usr/bin/clang)
"$cc" -O2 -shared -fPIC -o "$work/sigsuspend.so" "$work/sigsuspend.c"
n1=5000; n2=15000
cap=$("$work/luaroutes" bench --help | tr -s ' \n' ' ' | grep -o 'capped at [0-9]*' | grep -o '[0-9]*$' || echo 10000)
dispatched() { echo $(($1 + ($1 < cap ? $1 : cap))); }
ir() {   # ir PATH N -> total instructions
  LD_PRELOAD="$work/sigsuspend.so" SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind \
    --callgrind-out-file="$work/out.$(basename "$1").$2" "$work/luaroutes" bench --root bench/db GET "$1" -n "$2" >/dev/null 2>"$work/log"
  awk '/^totals:/ {print $2}' "$work/out.$(basename "$1").$2"
}
"$work/luaroutes" migrate --root bench/db >/dev/null
printf '%-12s %12s   %s\n' route "Ir/request" "CPU/request"
for path in /api/hello /api/row; do
  a=$(ir "$path" "$n1"); b=$(ir "$path" "$n2")
  per=$(python3 -c "print(round(($b - $a) / ($(dispatched $n2) - $(dispatched $n1))))")
  cpu=$(python3 - "$work/luaroutes" "$path" <<'PY'
import resource, subprocess, sys
def cpu(n):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.argv[1], "bench", "--root", "bench/db", "GET", sys.argv[2], "-n", str(n)], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
runs = [(cpu(300000) - cpu(100000)) / 200000 * 1e9 for _ in range(3)]   # the 10,000 warm-up requests cancel
print("%.0f ns (3 runs: %s)" % (min(runs), ", ".join("%.0f" % r for r in runs)))
PY
)
  printf '%-12s %12s   %s\n' "$path" "$per" "$cpu"
done
