"""The load, the faults and the figures of scripts/cluster-check.sh (docs/deploy.md).

Runs inside the client's network namespace (the script checks `ip netns identify`): every
request it makes leaves from there. Hosts start in their own namespaces through `ip netns exec`
(which execs, so the child's pid is the host's own and signals reach it directly).

1. Three hosts start together against an empty database: each migration file is applied by
   exactly one of them, all three serve, luaroutes_migrations has one row per file.
2. Eight keep-alive clients write through nginx at a steady rate for ~20 s, retrying a failed
   write with the same id, while one host gets SIGTERM and starts again, another gets SIGKILL
   and starts again, and PostgreSQL restarts (pg_ctl restart -m fast).
3. Throughput through the same nginx: three hosts, then one (wrk), with each host's CPU.
4. SIGTERM while wrk saturates nginx: not one request may fail.
Exit status 1 when a pass condition fails; each failure says what failed.
"""
import argparse
import http.client
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time

CLIENTS = 8
RATE_PER_CLIENT = 40          # writes a second per client: 320/s in all
LOAD_SECONDS = 20
RECOVERY_BOUND = 5.0          # seconds for every host to serve writes again after a fault
HOST_PORT, OPS_PORT = 3000, 9100

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL: {message}", flush=True)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Host:
    def __init__(self, index, address, args):
        self.name = f"h{index}"
        self.address = address
        self.namespace = f"{args.prefix}{self.name}"
        self.args = args
        self.process = None
        self.starts = 0

    def log_path(self):
        return os.path.join(self.args.work, f"{self.name}-{self.starts}.log")

    def start(self):
        self.starts += 1
        env = dict(os.environ, DATABASE_URL=self.args.database_url, CLUSTER_HOST=self.name)
        command = ["ip", "netns", "exec", self.namespace, self.args.bin, "serve", "--root", self.args.app,
                   "--host", self.address, "--port", str(HOST_PORT), "--metrics-port", str(OPS_PORT),
                   "--grace", "5", "--no-access-log"]
        with open(self.log_path(), "wb") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)

    def ops(self, path, timeout=1.0):
        """GET on the ops port: the status, or None when nothing answers."""
        try:
            connection = http.client.HTTPConnection(self.address, OPS_PORT, timeout=timeout)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            return status
        except (OSError, http.client.HTTPException):
            return None

    def wait_ready(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if self.ops("/readyz") == 200:
                return True
            time.sleep(0.05)
        return False

    def cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def post_write(connection, write_id):
    """(status, body) of one POST /api/writes; raises on a connection error."""
    connection.request("POST", "/api/writes", body=json.dumps({"id": write_id}),
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, response.read()


def direct_write(host, write_id, timeout=1.0):
    """A write sent to one host, not through nginx: True on 201."""
    try:
        connection = http.client.HTTPConnection(host.address, HOST_PORT, timeout=timeout)
        status, _ = post_write(connection, write_id)
        connection.close()
        return status == 201
    except (OSError, http.client.HTTPException):
        return False


class Load:
    """Eight keep-alive clients writing through nginx at a steady rate."""

    def __init__(self, nginx):
        self.nginx = nginx
        self.phase = "start"
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged = []          # ids answered 201
        self.by_host = {}               # host named in the 201 body -> writes
        self.retries = 0
        self.errors = {}                # (phase, what) -> count
        self.threads = [threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(CLIENTS)]

    def record_error(self, what):
        with self.lock:
            self.retries += 1
            key = (self.phase, what)
            self.errors[key] = self.errors.get(key, 0) + 1

    def client(self, number):
        connection = http.client.HTTPConnection(self.nginx, 8080, timeout=10)
        interval = 1.0 / RATE_PER_CLIENT
        next_at = time.monotonic()
        sequence = 0
        while not self.stop.is_set():
            sequence += 1
            write_id = (number + 1) * 10_000_000 + sequence
            give_up = time.monotonic() + 30
            while time.monotonic() < give_up:
                try:
                    status, body = post_write(connection, write_id)
                except (OSError, http.client.HTTPException) as error:
                    self.record_error(type(error).__name__)
                    connection.close()
                    time.sleep(0.05)
                    continue
                if status == 201:
                    host = json.loads(body).get("host", "?")
                    with self.lock:
                        self.acknowledged.append(write_id)
                        self.by_host[host] = self.by_host.get(host, 0) + 1
                    break
                self.record_error(str(status))
                time.sleep(0.05)
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    def start(self):
        for thread in self.threads:
            thread.start()

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


def psql(args, sql):
    out = subprocess.run(shlex.split(args.psql) + ["-c", sql], check=True, capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line]


def every_host_writes(hosts, first_id, bound):
    """Seconds until each host answered a direct write with 201 (polled), or None past `bound`."""
    start = time.monotonic()
    pending = list(hosts)
    write_id = first_id
    while pending and time.monotonic() - start < bound:
        for host in list(pending):
            write_id += 1
            if direct_write(host, write_id, timeout=0.5):
                pending.remove(host)
        if pending:
            time.sleep(0.05)
    return None if pending else time.monotonic() - start


def check_start_together(hosts, args):
    log("three hosts start together against an empty database")
    for host in hosts:
        host.start()
    for host in hosts:
        if not host.wait_ready():
            fail(f"{host.name} did not become ready (its /readyz never answered 200): see {host.log_path()}")
            return False
    files = sorted(f for f in os.listdir(os.path.join(args.app, "migrations")) if f.endswith(".sql"))
    applied = {name: 0 for name in files}
    for host in hosts:
        with open(host.log_path(), errors="replace") as text:
            for line in text:
                if "migration applied" in line:
                    for name in files:
                        if name in line:
                            applied[name] += 1
    rows = int(psql(args, "SELECT count(*) FROM luaroutes_migrations")[0])
    print(f"  migrations: {len(files)} files, luaroutes_migrations rows: {rows}, "
          f"applied by: {', '.join(f'{name} x{count}' for name, count in applied.items())}")
    if rows != len(files):
        fail(f"luaroutes_migrations has {rows} rows for {len(files)} files")
    for name, count in applied.items():
        if count != 1:
            fail(f"{name} was applied {count} times by the three hosts (expected exactly once)")
    seconds = every_host_writes(hosts, 900_000_000, 10)
    if seconds is None:
        fail("after starting together, not every host served a write")
        return False
    print(f"  all three hosts serve writes")
    return True


def run_faults(hosts, load, args):
    h_term, h_kill = hosts[0], hosts[1]
    recovery = {}
    started = time.monotonic()
    load.phase = "steady"
    load.start()
    time.sleep(3)

    load.phase = "sigterm"
    log(f"SIGTERM {h_term.name}")
    h_term.process.send_signal(signal.SIGTERM)
    try:
        status = h_term.process.wait(15)
    except subprocess.TimeoutExpired:
        fail(f"{h_term.name} did not exit within 15 s of SIGTERM")
        h_term.process.kill()
        status = h_term.process.wait()
    if status != 0:
        fail(f"{h_term.name} exited with status {status} after SIGTERM (expected 0)")
    h_term.start()
    if not h_term.wait_ready():
        fail(f"{h_term.name} did not become ready after its restart")
    time.sleep(1)

    load.phase = "sigkill"
    log(f"SIGKILL {h_kill.name}, then start it again")
    killed_at = time.monotonic()
    h_kill.process.send_signal(signal.SIGKILL)
    h_kill.process.wait()
    h_kill.start()
    seconds = every_host_writes(hosts, 910_000_000, RECOVERY_BOUND - (time.monotonic() - killed_at))
    recovery["sigkill"] = None if seconds is None else time.monotonic() - killed_at
    time.sleep(1)

    load.phase = "pg-restart"
    log("pg_ctl restart -m fast")
    subprocess.run(shlex.split(args.pg_restart), check=True, capture_output=True)
    back_at = time.monotonic()
    seconds = every_host_writes(hosts, 920_000_000, RECOVERY_BOUND)
    recovery["pg-restart"] = None if seconds is None else time.monotonic() - back_at
    time.sleep(1)

    load.phase = "tail"
    time.sleep(max(1.0, LOAD_SECONDS - (time.monotonic() - started)))
    load.finish()
    for fault, seconds in recovery.items():
        if seconds is None:
            fail(f"after {fault}, not every host served a write within {RECOVERY_BOUND:.0f} s")
        else:
            print(f"  after {fault}: every host serves writes again {seconds:.2f} s later")
    return time.monotonic() - started


def report_load(load, args, seconds):
    acknowledged = set(load.acknowledged)
    stored = set()
    for line in psql(args, "SELECT id FROM writes WHERE id < 900000000"):
        stored.add(int(line))
    missing = acknowledged - stored
    per_host = dict(line.split("|") for line in psql(args, "SELECT host, count(*) FROM writes WHERE id < 900000000 GROUP BY host ORDER BY host"))
    print(f"  load: {CLIENTS} keep-alive clients, {CLIENTS * RATE_PER_CLIENT} writes/s for {seconds:.1f} s")
    print(f"  writes acknowledged (201): {len(acknowledged)}; retries: {load.retries}; missing from the table: {len(missing)}")
    print(f"  writes per host (rows): {', '.join(f'{h} {n}' for h, n in per_host.items())}; "
          f"(201 answers): {', '.join(f'{h} {n}' for h, n in sorted(load.by_host.items()))}")
    for phase in ["steady", "sigterm", "sigkill", "pg-restart", "tail"]:
        seen = {what: n for (p, what), n in load.errors.items() if p == phase}
        text = ", ".join(f"{what} x{n}" for what, n in sorted(seen.items())) or "none"
        print(f"  errors clients saw, phase {phase}: 502 x{seen.get('502', 0)}, 503 x{seen.get('503', 0)}; all: {text}")
    if missing:
        fail(f"{len(missing)} acknowledged writes are not in the table (e.g. {sorted(missing)[:5]})")
    if any(p == "sigterm" for (p, _) in load.errors):
        fail("the SIGTERM phase showed client-visible errors: "
             + ", ".join(f"{what} x{n}" for (p, what), n in load.errors.items() if p == "sigterm"))
    if len(acknowledged) < CLIENTS * RATE_PER_CLIENT * seconds * 0.5:
        fail(f"only {len(acknowledged)} writes acknowledged in {seconds:.0f} s: the load did not run at its rate")


WRK_SCRIPT = """
local counter = 0
local base = tonumber(os.getenv("WRK_BASE"))
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function request()
  counter = counter + 1
  return wrk.format("POST", "/api/writes", { ["Content-Type"] = "application/json" },
                    string.format('{"id": %d}', base + tid * 10000000 + counter))
end
"""


def throughput(hosts, args):
    script = os.path.join(args.work, "writes.lua")
    with open(script, "w") as out:
        out.write(WRK_SCRIPT)
    print("  throughput through the same nginx (wrk -t2 -c16 -d5s, POST /api/writes):")
    results = {}
    for label, port, base in [("three hosts", 8080, 1_000_000_000), ("one host", 8081, 2_000_000_000)]:
        before = {host.name: host.cpu_seconds() for host in hosts}
        run = subprocess.run(["wrk", "-t2", "-c16", "-d5s", "-s", script, f"http://{args.nginx}:{port}/api/writes"],
                             env=dict(os.environ, WRK_BASE=str(base)), capture_output=True, text=True)
        after = {host.name: host.cpu_seconds() for host in hosts}
        rate = next((line.split()[1] for line in run.stdout.splitlines() if line.startswith("Requests/sec")), "?")
        bad = next((line.strip() for line in run.stdout.splitlines() if "Non-2xx" in line), "")
        rows = dict(line.split("|") for line in psql(args, f"SELECT host, count(*) FROM writes WHERE id >= {base} AND id < {base + 1_000_000_000} GROUP BY host"))
        per_host = []
        for host in hosts:
            served = int(rows.get(host.name, 0))
            cpu = after[host.name] - before[host.name]
            per_host.append(f"{host.name} {served} writes, {cpu:.2f} CPU-s" + (f" = {cpu / served * 1e6:.0f} us/request" if served else ""))
        results[label] = rate
        print(f"    {label}: {rate} req/s {bad}; " + "; ".join(per_host))
        if run.returncode != 0:
            fail(f"wrk failed ({label}): {run.stderr.strip()}")
    print("    (2 cores shared by nginx, PostgreSQL, wrk and the hosts: this shows the cost of more hosts, not scaling)")


def sigterm_under_saturation(hosts, args):
    """SIGTERM while wrk keeps every nginx connection busy: nginx opens new connections to the
    host all the time, so some wait in its accept queue at the moment it stops listening. Not
    one request may fail (docs/deploy.md, "Shutdown")."""
    host = hosts[2]
    script = os.path.join(args.work, "writes.lua")
    wrk = subprocess.Popen(["wrk", "-t2", "-c32", "-d6s", "-s", script, f"http://{args.nginx}:8080/api/writes"],
                           env=dict(os.environ, WRK_BASE=str(3_000_000_000)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    host.process.send_signal(signal.SIGTERM)
    status = host.process.wait(15)
    host.start()
    ready = host.wait_ready()
    out, err = wrk.communicate()
    total = next((line.split()[0] for line in out.splitlines() if "requests in" in line), "?")
    bad = next((line.split(":")[1].strip() for line in out.splitlines() if "Non-2xx" in line), "0")
    sockets = next((line.strip() for line in out.splitlines() if "Socket errors" in line), "")
    print(f"  SIGTERM {host.name} under saturation (wrk -t2 -c32 -d6s through nginx): {total} requests, "
          f"{bad} not 2xx{'; ' + sockets if sockets else ''}")
    if status != 0:
        fail(f"{host.name} exited with status {status} after SIGTERM under saturation (expected 0)")
    if bad != "0" or sockets:
        fail(f"SIGTERM under saturation: {bad} answers were not 2xx {sockets} (nginx error log says which)")
    if not ready:
        fail(f"{host.name} did not become ready after its restart")


def main():
    parser = argparse.ArgumentParser()
    for name in ["bin", "app", "work", "prefix", "hosts", "nginx", "database-url", "psql", "pg-restart"]:
        parser.add_argument("--" + name, required=True)
    args = parser.parse_args()

    namespace = subprocess.run(["ip", "netns", "identify", str(os.getpid())], capture_output=True, text=True).stdout.strip()
    if namespace != f"{args.prefix}client":
        print(f"FAIL: the load client must run in {args.prefix}client, not {namespace or 'the root namespace'}")
        return 1
    hosts = [Host(n + 1, address, args) for n, address in enumerate(args.hosts.split(","))]
    try:
        if check_start_together(hosts, args):
            load = Load(args.nginx)
            seconds = run_faults(hosts, load, args)
            report_load(load, args, seconds)
            throughput(hosts, args)
            sigterm_under_saturation(hosts, args)
    finally:
        for host in hosts:
            if host.process and host.process.poll() is None:
                host.process.send_signal(signal.SIGTERM)
        for host in hosts:
            if host.process:
                try:
                    host.process.wait(10)
                except subprocess.TimeoutExpired:
                    host.process.kill()
    if failures:
        print(f"cluster check: {len(failures)} failed: " + "; ".join(failures))
        return 1
    print("cluster check: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
