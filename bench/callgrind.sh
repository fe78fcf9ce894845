#!/usr/bin/env bash
# Instructions (callgrind Ir, all threads) per request for the three benchmark workloads, in-process
# (`luaroutes bench`) and over a socket (`luaroutes serve` + one keep-alive client sending exactly N
# requests one at a time). Each workload runs at two request counts and reports
# (Ir(N2) - Ir(N1)) / (N2 - N1), so start-up and shutdown cancel. Counts do not depend on load.
# Also writes a per-request profile of hello (self and inclusive Ir per function) to --out.
#   bench/callgrind.sh [BINARY] [--n1 N] [--n2 N] [--socket-n1 N] [--socket-n2 N] [--no-socket] [--out DIR]
#   BINARY defaults to .build/release/luaroutes; it is not modified (copies go to a temp dir).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$repo/.build/release/luaroutes
n1=10000; n2=20000; sn1=1000; sn2=5000; socket=1; out=/tmp/luaroutes-callgrind
while [ $# -gt 0 ]; do
  case "$1" in
    --n1) n1=$2; shift 2 ;;
    --n2) n2=$2; shift 2 ;;
    --socket-n1) sn1=$2; shift 2 ;;
    --socket-n2) sn2=$2; shift 2 ;;
    --no-socket) socket=0; shift ;;
    --out) out=$2; shift 2 ;;
    -*) echo "usage: bench/callgrind.sh [BINARY] [--n1 N] [--n2 N] [--socket-n1 N] [--socket-n2 N] [--no-socket] [--out DIR]" >&2; exit 2 ;;
    *) bin=$1; shift ;;
  esac
done
bin=$(realpath "$bin")
cd "$repo"
bash scripts/setup.sh valgrind
mkdir -p "$out"
work=$(mktemp -d)
pids=()
killtree() { local c; for c in $(pgrep -P "$1"); do killtree "$c"; done; kill "$1" 2>/dev/null || true; }
cleanup() { for p in "${pids[@]}"; do killtree "$p"; done; rm -rf "$work"; }
trap cleanup EXIT
mkdir "$work/lib"

# valgrind 3.19 aborts on the DWARF 5 that Swift 6.3 emits ("unhandled dwarf2 abbrev form code
# 0x25"); .symtab survives --strip-debug, so functions keep their names (no line numbers).
objcopy --strip-debug "$bin" "$work/luaroutes"

# valgrind 3.19's rt_sigsuspend wrapper deletes a signal from the caller's mask in place; libdispatch
# (dispatch_main, where the async main parks the main thread) passes a static const mask in .rodata,
# so valgrind itself dies with SIGSEGV. Interpose sigsuspend with one that passes a stack copy.
cat > "$work/sigsuspend.c" <<'C'
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
int sigsuspend(const sigset_t *mask) {
  sigset_t copy = *mask;
  return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
C
cc=$(command -v cc || command -v clang || echo /opt/swift/usr/bin/clang)
"$cc" -O2 -shared -fPIC -o "$work/sigsuspend.so" "$work/sigsuspend.c"

# Debian's liblua5.4.so has no symbols for its internal functions (luaV_execute, luaH_*...), so
# callgrind would lump them together under the caller. liblua5.4.a from liblua5.4-dev is the same
# source with symbols: find each of its functions in the .so's code (relocated bytes masked) and
# add it to a copy of the .so, whose code is unchanged (so are the counts). Best effort.
lua_so=$(ldd "$work/luaroutes" | awk '/liblua5\.4\.so/ {print $3}')
lua_a=$(dirname "$lua_so")/liblua5.4.a
if [ -f "$lua_a" ]; then
  python3 - "$lua_a" "$(realpath "$lua_so")" "$work/lib/$(basename "$lua_so")" <<'PY' || rm -f "$work/lib/"*
import re, struct, subprocess, sys
def sections(d):   # (name, sh_name, type, flags, addr, offset, size, link, info, align, entsize)
    shoff, = struct.unpack_from('<Q', d, 0x28); entsize, num, strndx = struct.unpack_from('<HHH', d, 0x3a)
    secs = [struct.unpack_from('<IIQQQQIIQQ', d, shoff + i * entsize) for i in range(num)]
    cstr = lambda o: d[o: d.index(b'\0', o)].decode()
    return [(cstr(secs[strndx][4] + s[0]),) + s for s in secs], cstr
def members(d, pos=8):
    while pos < len(d):
        size = int(d[pos + 48: pos + 58]); yield d[pos + 60: pos + 60 + size]; pos += 60 + size + (size & 1)
so = open(sys.argv[2], 'rb').read()
text = next(s for s in sections(so)[0] if s[0] == '.text')
code, base = so[text[5]: text[5] + text[6]], text[4]
found = {}
for obj in members(open(sys.argv[1], 'rb').read()):
    if obj[:4] != b'\x7fELF': continue
    secs, cstr = sections(obj)
    ti = next((i for i, s in enumerate(secs) if s[0] == '.text'), None)
    if ti is None: continue
    tb = obj[secs[ti][5]: secs[ti][5] + secs[ti][6]]; mask = bytearray(len(tb))
    for s in secs:
        if s[2] == 4 and s[8] == ti:   # RELA for .text: mask the 4 relocated bytes (+2 for GOTPCRELX relaxation)
            for o in range(s[5], s[5] + s[6], 24):
                r_off, r_info = struct.unpack_from('<QQ', obj, o)
                for k in range(max(r_off - (2 if r_info & 0xffffffff in (9, 41, 42) else 0), 0), min(r_off + 4, len(tb))): mask[k] = 1
    symtab = next(s for s in secs if s[2] == 2)
    for o in range(symtab[5], symtab[5] + symtab[6], 24):
        name, info, _, shndx, value, size = struct.unpack_from('<IBBHQQ', obj, o)
        if info & 0xf != 2 or shndx != ti or size < 8: continue
        pat = b''.join(b'.' if mask[i] else re.escape(tb[i:i + 1]) for i in range(value, value + size))
        hits = [m.start() for m in re.finditer(pat, code, re.S)]
        if len(hits) == 1: found[base + hits[0]] = (cstr(secs[symtab[7]][5] + name), size)
subprocess.run(['objcopy'] + ['--add-symbol=%s=.text:0x%x,function,local' % (n, a - base) for a, (n, _) in found.items()]
               + [sys.argv[2], sys.argv[3]], check=True)
d = bytearray(open(sys.argv[3], 'rb').read())   # objcopy cannot set sizes; valgrind ignores size-0 symbols
symtab = next(s for s in sections(d)[0] if s[2] == 2)
for o in range(symtab[5], symtab[5] + symtab[6], 24):
    value, size = struct.unpack_from('<QQ', d, o + 8)
    if size == 0 and value in found: struct.pack_into('<Q', d, o + 16, found[value][1])
open(sys.argv[3], 'wb').write(d)
PY
fi

# The socket client: one keep-alive connection, exactly N requests, each answered 200 before the next.
cat > "$work/client.py" <<'PY'
import http.client, socket, sys, time
port, n, method, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
body = open(sys.argv[5], 'rb').read().rstrip(b'\n') if len(sys.argv) > 5 else None
headers = {'Content-Type': 'application/json'} if body is not None else {}
deadline = time.time() + 300   # start-up under valgrind takes a few seconds
while True:
    try: socket.create_connection(('127.0.0.1', port)).close(); break
    except OSError:
        if time.time() > deadline: sys.exit('server did not start')
        time.sleep(0.1)
c = http.client.HTTPConnection('127.0.0.1', port)
for _ in range(n):
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse(); r.read()
    if r.status != 200 or r.will_close: sys.exit(f'{method} {path}: status {r.status}, close {r.will_close}')
c.close()
PY

# SWIFT_DETERMINISTIC_HASHING: the same hash seed in every run, so both runs of a pair hash alike.
# exec, and callers run it in a subshell: its pid is then valgrind's (= the server's, for SIGTERM).
cg() {   # (cg OUTFILE ARGS...): run the prepared binary under callgrind
  local file=$1; shift
  LD_PRELOAD="$work/sigsuspend.so" LD_LIBRARY_PATH="$work/lib" SWIFT_DETERMINISTIC_HASHING=1 \
    exec valgrind --tool=callgrind --separate-recs=1 --callgrind-out-file="$file" "$work/luaroutes" "$@" 2>"$file.log"
}
total() { awk '/^totals:/ {print $2}' "$1"; }

# bench runs min(N, cap) warm-up requests before the N timed ones (cap from its --help).
cap=$("$work/luaroutes" bench --help | tr -s ' \n' ' ' | grep -o 'capped at [0-9]*' | grep -o '[0-9]*$' || echo 10000)
dispatched() { echo $(($1 + ($1 < cap ? $1 : cap))); }

inproc() {   # inproc NAME N ARGS...
  local name=$1 n=$2; shift 2
  (cg "$out/callgrind.out.$name.$n" bench --root bench/routes "$@" -n "$n") > "$work/$name.$n.txt"
  grep -q "statuses 200×$n\$" "$work/$name.$n.txt" || { cat "$work/$name.$n.txt" >&2; return 1; }
}

sock() {   # sock NAME N METHOD PATH [BODYFILE]
  local name=$1 n=$2; shift 2
  local port pid rc=0
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cg "$out/callgrind.out.$name-socket.$n" serve --root bench/routes --port "$port" --threads 1 --no-access-log) &
  pid=$!
  python3 "$work/client.py" "$port" "$n" "$@" || rc=$?
  kill -TERM "$pid"; wait "$pid" || rc=$?   # graceful stop: callgrind writes its file at exit
  return $rc
}

pair() {   # pair FUNC NAME N1 N2 ARGS...: both runs at once (2 cores), fail if either fails
  local f=$1 name=$2 a=$3 b=$4; shift 4
  "$f" "$name" "$a" "$@" & local p1=$!
  "$f" "$name" "$b" "$@" & local p2=$!
  pids=("$p1" "$p2")
  wait "$p1"; wait "$p2"
}

printf '%-8s %-10s %8s %8s %12s %14s\n' workload mode requests requests "Ir/request" "start-up Ir"
row() {   # row NAME MODE FILE1 FILE2 REQUESTS1 REQUESTS2
  python3 -c "
i1, i2, r1, r2 = map(int, '$3 $4 $5 $6'.split()); per = (i2 - i1) / (r2 - r1)
print('%-8s %-10s %8d %8d %12.0f %14.0f' % ('$1', '$2', r1, r2, per, i1 - per * r1))"
}
body=$(cat bench/routes/echo.json)
for w in hello echo params; do
  case $w in
    hello) args=(GET /api/hello) ;;
    echo) args=(POST /api/echo -d "$body") ;;
    params) args=(GET "/api/users/123?fields=a,b") ;;
  esac
  pair inproc "$w" "$n1" "$n2" "${args[@]}"
  row "$w" in-process "$(total "$out/callgrind.out.$w.$n1")" "$(total "$out/callgrind.out.$w.$n2")" \
    "$(dispatched "$n1")" "$(dispatched "$n2")"
done
if [ "$socket" = 1 ]; then
  for w in hello echo params; do
    case $w in
      hello) args=(GET /api/hello) ;;
      echo) args=(POST /api/echo bench/routes/echo.json) ;;
      params) args=(GET "/api/users/123?fields=a,b") ;;
    esac
    pair sock "$w" "$sn1" "$sn2" "${args[@]}"
    row "$w" socket "$(total "$out/callgrind.out.$w-socket.$sn1")" "$(total "$out/callgrind.out.$w-socket.$sn2")" "$sn1" "$sn2"
  done
fi

# Per-request profile of hello: callgrind_annotate of both runs, per-function difference / ΔN.
tidy() {   # Swift names demangled, the temp dir dropped from object paths
  if command -v swift-demangle >/dev/null; then swift-demangle --simplified; else cat; fi | sed "s|$work/||g"
}
profile() {   # profile yes|no OUTFILE
  for n in "$n1" "$n2"; do
    callgrind_annotate --inclusive="$1" --threshold=100 --show-percs=no --auto=no "$out/callgrind.out.hello.$n" > "$work/ann.$n"
  done
  python3 - "$work/ann.$n1" "$work/ann.$n2" "$(( $(dispatched "$n2") - $(dispatched "$n1") ))" <<'PY' | tidy > "$2"
import re, sys
objs = {}
def read(path):   # keyed by name alone: callgrind files a name defined in two objects under either
    costs, started = {}, False
    for line in open(path):
        m = re.match(r'\s*([\d,]+)\s+(?:\?\?\?:)?(.*?)(?: (\[.*\]))?$', line)
        if m and started:
            costs[m.group(2)] = costs.get(m.group(2), 0) + int(m.group(1).replace(',', ''))
            objs[m.group(2)] = m.group(3) or ''
        started = started or 'file:function' in line
    return costs
a, b, dn = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
diff = sorted(((b.get(k, 0) - a.get(k, 0)) / dn, k) for k in set(a) | set(b))[::-1]
print('Ir/request  function [object]   (difference of two runs / requests)')
for per, k in diff[:60]: print('%10.1f  %s %s' % (per, k, objs[k]))
PY
}
profile no "$out/hello-self-per-request.txt"
profile yes "$out/hello-inclusive-per-request.txt"
callgrind_annotate --inclusive=yes --auto=no "$out/callgrind.out.hello.$n2" | tidy > "$out/hello-inclusive.txt"
echo "profiles: $out/hello-self-per-request.txt $out/hello-inclusive-per-request.txt $out/hello-inclusive.txt (callgrind.out.* there too)"
