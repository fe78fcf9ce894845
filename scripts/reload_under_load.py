"""A reload under load drops no request: 4 keep-alive clients send 3000 requests in all while
the route file is saved 10 times (`serve --dev` reloads each time). Every answer must be 200."""
import http.client
import shutil
import sys
import threading
import time

from luaroutes_proc import get, make_root, serve, write

CLIENTS, REQUESTS, EDITS = 4, 3000, 10
ROUTE = "return function(req, res) res.send('v{}') end"


def client(port, count, results, lock):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    passed = failed = 0
    versions = set()
    for _ in range(count):
        try:
            conn.request("GET", "/api/hello")
            r = conn.getresponse()
            body = r.read().decode()
            if r.status == 200 and body.startswith("v"):
                passed += 1
                versions.add(body)
            else:
                failed += 1
                print(f"unexpected answer: {r.status} {body}", file=sys.stderr)
        except (OSError, http.client.HTTPException) as error:
            failed += 1
            print(f"request failed: {error!r}", file=sys.stderr)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.close()
    with lock:
        results["passed"] += passed
        results["failed"] += failed
        results["versions"] |= versions


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/luaroutes"
    root = make_root({"pages/api/hello.lua": ROUTE.format(0)})
    proc, port = serve(binary, root, "--dev", "--threads", "2")
    try:
        results = {"passed": 0, "failed": 0, "versions": set()}
        lock = threading.Lock()
        threads = [threading.Thread(target=client, args=(port, REQUESTS // CLIENTS, results, lock)) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        for edit in range(1, EDITS + 1):
            time.sleep(0.05)
            write(root, "pages/api/hello.lua", ROUTE.format(edit))
        for t in threads:
            t.join()
        deadline = time.time() + 10
        while get(port, "/api/hello")[1] != f"v{EDITS}" and time.time() < deadline:
            time.sleep(0.01)
        final = get(port, "/api/hello")[1]
        if final != f"v{EDITS}":
            results["failed"] += 1
            print(f"the last edit was not served: {final}", file=sys.stderr)
        print(f"versions seen under load: {len(results['versions'])}")
        print(f"{results['passed']} passed, {results['failed']} failed")
        return 1 if results["failed"] else 0
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
