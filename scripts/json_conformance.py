"""POSTs each JSONTestSuite file to a `luaroutes serve` route doing res.json(req.body)."""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/api/echo", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def same(a, b):
    """JSON equality that keeps 1 and 1.0 apart only by value, as JSON does."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) or a == b


def main():
    binary, folder = sys.argv[1], sys.argv[2]
    root = tempfile.mkdtemp(prefix="luaroutes-json-")
    os.makedirs(os.path.join(root, "pages/api"))
    with open(os.path.join(root, "pages/api/echo.lua"), "w") as f:
        f.write("return function(req, res) res.json(req.body) end\n")
    with open(os.path.join(root, "pages/api/health.lua"), "w") as f:
        f.write("return function(req, res) res.json({ ok = true }) end\n")
    port = free_port()
    server = subprocess.Popen([binary, "serve", "--root", root, "--port", str(port), "--threads", "1"],
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        passed, failures = 0, []
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(folder, name), "rb") as f:
                body = f.read()
            try:
                status, data = post(port, body)
            except Exception as error:  # the host must answer every file
                failures.append(f"{name}: no answer ({error})")
                continue
            if name.startswith("y_"):
                ok = status == 200 and same(json.loads(body), json.loads(data))
                if not ok:
                    failures.append(f"{name}: status {status}, echoed {data[:80]!r}")
                    continue
            elif name.startswith("n_") and body == b"":
                # An empty body is no body at all (docs/reference.md section 4, issue 4: req.body is
                # nil), not invalid JSON: the handler runs and echoes null.
                if status != 200 or data != b"null":
                    failures.append(f"{name}: an empty body should reach the handler as nil, got {status} {data[:80]!r}")
                    continue
            elif name.startswith("n_"):
                if status != 400 or data != b'{"error":"Invalid JSON"}':
                    failures.append(f"{name}: expected 400 Invalid JSON, got {status} {data[:80]!r}")
                    continue
            status, _ = post_health(port)
            if status != 200:
                failures.append(f"{name}: the host stopped serving afterwards")
                continue
            passed += 1
        for failure in failures:
            print("FAILED", failure)
        print(f"{passed} passed, {len(failures)} failed")
        return 1 if failures else 0
    finally:
        server.terminate()
        server.wait(timeout=20)


def post_health(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/api/health")
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, None


if __name__ == "__main__":
    sys.exit(main())
