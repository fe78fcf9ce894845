"""`serve --metrics-port`: the endpoint parses with prometheus_client's text parser, and its
request counters match the requests sent."""
import http.client
import shutil
import sys

from prometheus_client.parser import text_string_to_metric_families

from luaroutes_proc import free_port, get, make_root, serve

SENT = {("pages/api/hello.lua", "200"): 20, ("-", "404"): 5, ("pages/api/only_get.lua", "405"): 3}


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/luaroutes"
    root = make_root({
        "pages/api/hello.lua": "return function(req, res) res.send('hi') end",
        "pages/api/only_get.lua": "return { GET = function(req, res) res.send('get') end }",
    })
    metrics_port = free_port()
    proc, port = serve(binary, root, "--metrics-port", str(metrics_port))
    checks = []
    try:
        # serve() probed "/" once to see the server up: one more 404.
        expected = dict(SENT)
        expected[("-", "404")] += 1
        for _ in range(SENT[("pages/api/hello.lua", "200")]):
            get(port, "/api/hello")
        for _ in range(SENT[("-", "404")]):
            get(port, "/api/missing")
        for _ in range(SENT[("pages/api/only_get.lua", "405")]):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/api/only_get", body="x")
            conn.getresponse().read()
            conn.close()
        status, text = get(metrics_port, "/metrics")
        checks.append(("metrics answers 200", status == 200))
        families = {f.name: f for f in text_string_to_metric_families(text)}
        counted = {}
        for sample in families["luaroutes_requests"].samples:
            if sample.name == "luaroutes_requests_total":
                counted[(sample.labels["route"], sample.labels["status"])] = sample.value
        for key, count in expected.items():
            checks.append((f"requests_total{key} == {count} (got {counted.get(key)})", counted.get(key) == count))
        checks.append(("no other request counters", set(counted) == set(expected)))
        histogram = families["luaroutes_request_duration_seconds"]
        counts = {(s.labels["route"], s.labels["status"]): s.value for s in histogram.samples if s.name.endswith("_count")}
        checks.append(("duration histogram counts match", counts == {k: float(v) for k, v in expected.items()}))
        checks.append(("lua memory gauge per route", "luaroutes_lua_memory_bytes" in families))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)
    for name, ok in checks:
        if not ok:
            print(f"FAILED: {name}", file=sys.stderr)
    failed = sum(1 for _, ok in checks if not ok)
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
