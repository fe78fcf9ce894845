"""fetch does not block: N concurrent requests to a route whose upstream answers after D ms
should take about D ms of wall time on one event loop, not N * D.

    python3 bench/fetch_concurrency.py [--binary .build/release/luaroutes] [-n 200] [--delay-ms 200]

Starts a threaded upstream that sleeps D ms per request, `luaroutes serve --threads 1` on a
project whose route fetches it, fires N requests at once, and prints the wall time.
"""
import argparse
import asyncio
import os
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def slow_upstream(port, delay):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            time.sleep(delay)
            body = b'{"ok":true}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 1024   # listen() backlog: must be set before the socket listens
        daemon_threads = True

    server = Server(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def one(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /api/wait HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    data = await reader.read()
    writer.close()
    return data.split(b" ", 2)[1]


async def burst(port, n):
    start = time.monotonic()
    statuses = await asyncio.gather(*(one(port) for _ in range(n)))
    return time.monotonic() - start, statuses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/luaroutes")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--delay-ms", type=int, default=200)
    args = parser.parse_args()

    up_port, port = free_port(), free_port()
    slow_upstream(up_port, args.delay_ms / 1000)
    root = tempfile.mkdtemp()
    os.makedirs(f"{root}/pages/api")
    with open(f"{root}/pages/api/wait.lua", "w") as f:
        f.write(f'return function(req, res) local r = fetch("http://127.0.0.1:{up_port}/") res.json({{ status = r.status }}) end\n')
    server = subprocess.Popen([args.binary, "serve", "--root", root, "--port", str(port), "--threads", "1"],
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.05)
        asyncio.run(burst(port, 10))  # warm up connections and the client
        elapsed, statuses = asyncio.run(burst(port, args.n))
        ok = sum(1 for s in statuses if s == b"200")
        print(f"{args.n} concurrent requests, upstream delay {args.delay_ms} ms, 1 event loop: "
              f"{elapsed * 1000:.0f} ms wall, {ok}/{args.n} answered 200 "
              f"(serial would take {args.n * args.delay_ms / 1000:.0f} s)")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
