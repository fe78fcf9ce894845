"""Scaling checks: does luaroutes stay fast and small as a project grows?

    python3 bench/scaling.py [--binary .build/release/luaroutes] [--threads 2] [--duration 5]
                             [--only throughput,memory,startup,connections]

Each check generates its own projects in a temp dir, starts `luaroutes serve --no-access-log`
on them and measures from outside the process:

  throughput   10 vs 10,000 routes (static, nested folders, index, [id], catch-alls), wrk -t1 -c64
               on a mix of four routes and on one deep dynamic route alone, both servers measured
               in alternation (--rounds, medians): req/s and server CPU µs per request
               (utime+stime from /proc/PID/stat). Target: the same CPU per request with 10,000.
  memory       10 vs 1,000 routes, every route requested once on every loop: Lua's own bytes
               (the allocator's count, read from --metrics-port) and VmRSS, per Lua state
               (one per route per event loop, all created at start-up). Target: < 64 KB a state.
               The server gets a two-variable environment: each variable is copied into each state.
  startup      10 vs 1,000 routes: process start until GET answers 200 (median of 3). Target: < 1 s.
  connections  1,000 keep-alive connections, each sending request after request for a few
               seconds, then one more each: every answer 200, no connection dropped. Target: 0 errors.
               Then, for information, wrk -c1000 connecting all at once to a fresh server: the
               latency of the burst (how long the last accepted connections wait).

Prints one table; exits 1 when a target is missed. Timings are for reading, not for asserting.
"""
import argparse
import asyncio
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")

# Routes present in every generated project, so the 10-route and the 10,000-route runs ask
# for exactly the same work: a static name, one [id], a deep chain of dynamic levels, a catch-all.
PROBES = {
    "pages/api/hello.lua": ("/api/hello",
                            'return function(req, res) res.json({ message = "hello" }) end'),
    "pages/api/users/[id].lua": ("/api/users/42",
                                 "return { GET = function(req, res) res.json({ id = req.query.id }) end }"),
    "pages/api/orgs/[org]/teams/[team]/members/[member]/roles/[role].lua": (
        "/api/orgs/acme/teams/core/members/7/roles/admin",
        "return function(req, res) res.json(req.params) end"),
    "pages/api/files/[...path].lua": ("/api/files/a/b/c",
                                      "return function(req, res) res.json({ n = #req.params.path }) end"),
}
DEEP = "/api/orgs/acme/teams/core/members/7/roles/admin"

# Three export shapes for the filler routes, so module scope is not all one kind.
BODIES = [
    'return function(req, res) res.json({ route = "%s" }) end',
    'return { handler = function(req, res) res.json({ route = "%s" }) end, config = { cors = false } }',
    'local hits = 0\nreturn { GET = function(req, res) hits = hits + 1 res.json({ route = "%s", hits = hits }) end,\n'
    '         POST = function(req, res) res.status(201).json(req.body) end }',
]


def filler(i):
    """The i-th extra route: (file under ROOT, a URL it serves). At most 100 per folder, and
    some beside the probes (under users/ and under the deep chain), so the trie nodes the
    probes walk through are crowded when the project is large."""
    g = f"g{i // 100}"
    kind = i % 10
    if kind <= 2:
        return f"pages/api/{g}/s{i}.lua", f"/api/{g}/s{i}"                              # static
    if kind == 3:
        return f"pages/api/{g}/sub{i % 7}/deep{i}.lua", f"/api/{g}/sub{i % 7}/deep{i}"  # nested static
    if kind == 4:
        return f"pages/api/{g}/dir{i}/index.lua", f"/api/{g}/dir{i}"                    # index
    if kind == 5:
        return f"pages/api/{g}/items{i}/[id].lua", f"/api/{g}/items{i}/9"               # [id]
    if kind == 6:
        return f"pages/api/{g}/things{i}/[id]/detail.lua", f"/api/{g}/things{i}/9/detail"
    if kind == 7:   # siblings of the probes' own levels
        return (f"pages/api/users/u{i}.lua", f"/api/users/u{i}") if i % 20 == 7 else \
               (f"pages/api/orgs/[org]/teams/[team]/t{i}.lua", f"/api/orgs/acme/teams/core/t{i}")
    if kind == 8:
        return f"pages/api/{g}/files{i}/[...path].lua", f"/api/{g}/files{i}/x/y"         # catch-all
    return f"pages/api/{g}/opt{i}/[[...slug]].lua", f"/api/{g}/opt{i}"                   # optional catch-all


def make_project(routes):
    """A project of `routes` route files; returns (root, [url per route])."""
    root = tempfile.mkdtemp(prefix=f"luaroutes-scale-{routes}-")
    files = {file: source for file, (_, source) in PROBES.items()}
    urls = [url for url, _ in PROBES.values()]
    for i in range(routes - len(PROBES)):
        file, url = filler(i)
        files[file] = BODIES[i % len(BODIES)] % file
        urls.append(url)
    for file, source in files.items():
        os.makedirs(os.path.dirname(os.path.join(root, file)), exist_ok=True)
        with open(os.path.join(root, file), "w") as f:
            f.write(source + "\n")
    return root, urls


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, timeout=2):
    """Status of one GET, or None when nothing answers yet."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


class Server:
    """`luaroutes serve` on a free port; `ready_s` is the time from spawn to the first 200."""

    def __init__(self, binary, root, threads, metrics=False):
        self.port = free_port()
        self.metrics_port = free_port() if metrics else None
        args = [binary, "serve", "--root", root, "--port", str(self.port), "--threads", str(threads), "--no-access-log"]
        if metrics:
            args += ["--metrics-port", str(self.metrics_port)]
        self.log = tempfile.TemporaryFile()
        start = time.perf_counter()
        # A small fixed environment: every variable is copied into every Lua state (env.NAME),
        # so the caller's shell would otherwise change the memory figures.
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.log, env=environment)
        # Poll often: the start-up check reads this number.
        while get(self.port, "/api/hello", timeout=5) != 200:
            if self.proc.poll() is not None or time.perf_counter() - start > 120:
                self.stop()
                self.log.seek(0)
                raise SystemExit(f"server did not start:\n{self.log.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.002)
        self.ready_s = time.perf_counter() - start

    def cpu_ticks(self):
        fields = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])   # utime, stime (fields 14 and 15 of stat(5))

    def status(self, key):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --- 1. throughput ------------------------------------------------------------------------

WRK_MIX = """-- cycles through the probe routes, one per request
local paths = { %s }
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def wrk(server, url_or_script, duration, connections=64):
    """One wrk run: (req/s, CPU µs per request, requests that were not 2xx or hit a socket error)."""
    url = f"http://127.0.0.1:{server.port}"
    args = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s"]
    args += ["-s", url_or_script, url + "/"] if url_or_script.endswith(".lua") else [url + url_or_script]
    before = server.cpu_ticks()
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    after = server.cpu_ticks()
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return rps, (after - before) / CLK_TCK * 1e6 / requests, bad


def check_throughput(args):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(WRK_MIX % ", ".join(f'"{url}"' for url, _ in PROBES.values()))
    script.close()
    sizes = (10, args.large)
    roots, servers = {}, {}
    try:
        # Both servers up at once and measured in alternation, round after round, so a
        # neighbour's load drifting over the run hits both sides alike; medians per side.
        for routes in sizes:
            roots[routes], _ = make_project(routes)
            servers[routes] = Server(args.binary, roots[routes], args.threads)
            wrk(servers[routes], script.name, 2)            # warm-up: connections, allocator, caches
        runs = {(routes, name): [] for routes in sizes for name in ("mix", "deep")}
        for r in range(args.rounds):
            for routes in sizes:
                for name, target in (("mix", script.name), ("deep", DEEP)):
                    runs[routes, name].append(wrk(servers[routes], target, args.duration))
                    rps, cpu, bad = runs[routes, name][-1]
                    print(f"  round {r + 1}, {routes} routes, {name}: {rps:.0f} req/s, {cpu:.1f} µs", file=sys.stderr)
    finally:
        for server in servers.values():
            server.stop()
        for root in roots.values():
            shutil.rmtree(root, ignore_errors=True)
        os.unlink(script.name)

    def median(routes, name):
        samples = runs[routes, name]
        return (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
                sum(s[2] for s in samples))

    rows = []
    for name, label in (("mix", "4 probe routes"), ("deep", "deep dynamic route")):
        (rps_s, cpu_s, bad_s), (rps_l, cpu_l, bad_l) = median(10, name), median(args.large, name)
        bad = bad_s + bad_l
        # CPU per request is the figure to judge by (req/s drifts with the machine); 10% is noise.
        ok = cpu_l <= cpu_s * 1.10 and bad == 0
        rows.append((f"throughput 10 vs {args.large:,} routes, {label}", f"{rps_s / 1000:.1f}k req/s, {cpu_s:.1f} µs",
                     f"{rps_l / 1000:.1f}k req/s, {cpu_l:.1f} µs",
                     f"{rps_l / rps_s:.2f}x req/s, {cpu_l / cpu_s:.2f}x µs" + (f", {bad} errors" if bad else ""),
                     "same", ok))
    rows.append((f"start-up 10 vs {args.large:,} routes (for information)", f"{servers[10].ready_s * 1000:.0f} ms",
                 f"{servers[args.large].ready_s * 1000:.0f} ms", "", "", True))
    return rows


# --- 2. memory ----------------------------------------------------------------------------

def lua_bytes(server):
    """Sum of luaroutes_lua_memory_bytes: every route's states, every loop (sampled at scrape)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{server.metrics_port}/metrics") as r:
        text = r.read().decode()
    return sum(float(m) for m in re.findall(r'^luaroutes_lua_memory_bytes\{[^}]*\} ([\d.e+]+)$', text, re.M))


def request_all(port, urls, connections):
    """Every URL once on each of `connections` keep-alive connections. NIO hands accepted
    connections to the loops in turn, so `threads` connections reach every loop's states."""
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(connections)]
    try:
        for sock in socks:
            reader = sock.makefile("rb")
            for url in urls:
                sock.sendall(f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                status = int(reader.readline().split()[1])
                length = 0
                while (line := reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                reader.read(length)
                if status != 200:
                    raise SystemExit(f"GET {url} answered {status}")
    finally:
        for sock in socks:
            sock.close()


def check_memory(args):
    results = {}
    for routes in (10, args.medium):
        root, urls = make_project(routes)
        server = Server(args.binary, root, args.threads, metrics=True)
        try:
            request_all(server.port, urls, args.threads)
            time.sleep(0.5)
            results[routes] = (lua_bytes(server), server.status("VmRSS") * 1024)
        finally:
            server.stop()
            shutil.rmtree(root, ignore_errors=True)
    (lua_s, rss_s), (lua_l, rss_l) = results[10], results[args.medium]
    states_s, states_l = 10 * args.threads, args.medium * args.threads
    lua_state = lua_l / states_l
    rss_state = (rss_l - rss_s) / (states_l - states_s)
    return [
        (f"memory 10 vs {args.medium:,} routes, Lua bytes a state", f"{lua_s / states_s / 1024:.1f} KB ({states_s} states)",
         f"{lua_state / 1024:.1f} KB ({states_l} states)", "", "< 64 KB", lua_state < 64 * 1024),
        # RSS also counts malloc's per-block overhead and the Swift objects around each state:
        # for information, the target is about the state itself.
        (f"memory 10 vs {args.medium:,} routes, VmRSS (for information)", f"{rss_s / 2**20:.1f} MB",
         f"{rss_l / 2**20:.1f} MB", f"{rss_state / 1024:.1f} KB a state (delta)", "", True),
    ]


# --- 3. start-up --------------------------------------------------------------------------

def check_startup(args):
    times = {}
    for routes in (10, args.medium):
        root, _ = make_project(routes)
        samples = []
        for _ in range(3):
            server = Server(args.binary, root, args.threads)
            samples.append(server.ready_s)
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
        times[routes] = statistics.median(samples)
    small, large = times[10], times[args.medium]
    return [(f"start-up 10 vs {args.medium:,} routes, to first 200", f"{small * 1000:.0f} ms", f"{large * 1000:.0f} ms",
             f"{(large - small) / (args.medium - 10) * 1e6 / args.threads:.0f} µs a state", "< 1 s", large < 1.0)]


# --- 4. connections -----------------------------------------------------------------------

async def keep_alive_client(port, opened, duration):
    """Opens `opened` connections at once, then keeps each busy with sequential GETs for
    `duration` seconds, then sends one more on each: a connection the server dropped shows up
    there. Also times each request, and how long until every connection had its first answer."""
    stats = {"requests": 0, "non200": 0, "dropped": 0, "open_failed": 0}
    latencies = []
    request = b"GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\n"

    async def connect():
        try:
            return await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
        except (OSError, asyncio.TimeoutError):
            stats["open_failed"] += 1
            return None

    async def one(reader, writer):
        sent = time.monotonic()
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        status = int(head.split(b" ", 2)[1])
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        await reader.readexactly(length)
        latencies.append(time.monotonic() - sent)
        stats["requests"] += 1
        if status != 200:
            stats["non200"] += 1

    first_answers = []

    async def loop(conn, stop_at):
        reader, writer = conn
        try:
            await one(reader, writer)
            first_answers.append(time.monotonic())
            while time.monotonic() < stop_at:
                await one(reader, writer)
            await one(reader, writer)   # the last word: still open after the run
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
            stats["dropped"] += 1

    start = time.monotonic()
    conns = [c for c in await asyncio.gather(*(connect() for _ in range(opened))) if c]
    await asyncio.gather(*(loop(c, start + duration) for c in conns))
    elapsed = time.monotonic() - start
    for _, writer in conns:
        writer.close()
    stats["all_answered_s"] = (max(first_answers) - start) if first_answers else float("nan")
    latencies.sort()
    stats["p99_ms"] = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan")
    stats["max_ms"] = latencies[-1] * 1000 if latencies else float("nan")
    return len(conns), stats, elapsed


def check_connections(args):
    # 1,000 client sockets and as many on the server side: raise the descriptor limit, which
    # the server inherits.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.connections * 2 + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    root, _ = make_project(10)
    server = Server(args.binary, root, args.threads)
    try:
        opened, stats, elapsed = asyncio.run(keep_alive_client(server.port, args.connections, args.duration))
        errors = stats["non200"] + stats["dropped"] + stats["open_failed"]
        alive = server.proc.poll() is None
    finally:
        server.stop()
    # wrk connects all its sockets in one burst, faster than the Python client: on a fresh
    # server that shows how long the last accepted connection waits (wrk counts a request
    # still unanswered after 2 s as a "timeout").
    server = Server(args.binary, root, args.threads)
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
                              f"http://127.0.0.1:{server.port}/api/hello"], capture_output=True, text=True).stdout
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    burst = (f"wrk -t2 -c{args.connections} on a fresh server: latency p99 {p99.group(1) if p99 else '?'}, "
             f"max {latency.group(3) if latency else '?'}; socket errors: {socket_errors.group(1) if socket_errors else 'none'}")
    detail = (f"{stats['requests']} requests in {elapsed:.1f} s; non-200 {stats['non200']}, "
              f"dropped {stats['dropped']}, failed to open {stats['open_failed']}")
    timing = (f"all {opened} had a first answer after {stats['all_answered_s'] * 1000:.0f} ms; "
              f"latency p99 {stats['p99_ms']:.0f} ms, max {stats['max_ms']:.0f} ms")
    return [(f"{args.connections:,} keep-alive connections", "", f"{opened} open, {errors} errors",
             detail, "0 errors", errors == 0 and opened == args.connections and alive),
            (f"{args.connections:,} keep-alive connections, timing (for information)", "", "", timing, "", True),
            (f"{args.connections:,} connections in one burst (for information)", "", "", burst, "", True)]


CHECKS = {"throughput": check_throughput, "memory": check_memory, "startup": check_startup,
          "connections": check_connections}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=".build/release/luaroutes")
    parser.add_argument("--threads", type=int, default=2, help="event loops (--threads); default 2")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run and for the connections check")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per project and route (median)")
    parser.add_argument("--large", type=int, default=10_000, help="routes in the throughput check's large project")
    parser.add_argument("--medium", type=int, default=1_000, help="routes in the memory and start-up checks")
    parser.add_argument("--connections", type=int, default=1_000)
    parser.add_argument("--only", default=",".join(CHECKS), help="comma-separated: " + ", ".join(CHECKS))
    args = parser.parse_args()
    if not shutil.which("wrk") and {"throughput", "connections"} & set(args.only.split(",")):
        raise SystemExit("wrk is not installed (bash scripts/setup.sh wrk)")

    rows = []
    for name in args.only.split(","):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += CHECKS[name](args)

    header = ("check", "10 routes", "large project", "ratio / detail", "target", "")
    table = [header] + [(*row[:5], ("ok" if row[5] else "MISSED") if row[4] else "") for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print(f"luaroutes {args.binary}, --threads {args.threads}, {os.cpu_count()} cores")
    for r in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
    sys.exit(0 if all(row[5] for row in rows) else 1)


if __name__ == "__main__":
    main()
