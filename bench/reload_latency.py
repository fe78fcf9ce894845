"""Hot-reload latency: time from saving a route file (write + rename, as editors do) to the
new version answering, over 20 edits of `serve --dev`. Prints the median, p90 and max.

Usage: python3 bench/reload_latency.py [path/to/luaroutes]   (a release build measures best)"""
import os
import statistics
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from luaroutes_proc import get, make_root, serve, write  # noqa: E402

EDITS = 20
ROUTE = "local helper = require('greet')\nreturn function(req, res) res.send(helper('v{}')) end"


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/luaroutes"
    files = {"pages/api/hello.lua": ROUTE.format(0), "lib/greet.lua": "return function(s) return s end"}
    for i in range(20):   # a few more routes, so a reload has something to load
        files[f"pages/api/r{i}.lua"] = "return { GET = function(req, res) res.json({ ok = true }) end }"
    root = make_root(files)
    proc, port = serve(binary, root, "--dev", "--threads", "2")
    try:
        samples = []
        for edit in range(1, EDITS + 1):
            want = f"v{edit}"
            start = time.perf_counter()
            write(root, "pages/api/hello.lua", ROUTE.format(edit))
            while get(port, "/api/hello")[1] != want:
                if time.perf_counter() - start > 10:
                    raise SystemExit(f"edit {edit} was not served within 10 s")
            samples.append((time.perf_counter() - start) * 1000)
            time.sleep(0.1)
        samples.sort()
        print(f"reload latency over {EDITS} edits ({len(files)} routes, 2 loops): "
              f"median {statistics.median(samples):.1f} ms, p90 {samples[int(EDITS * 0.9) - 1]:.1f} ms, max {samples[-1]:.1f} ms")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
