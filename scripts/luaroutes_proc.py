"""Starts `luaroutes serve` on a free port for the Python checks and benchmarks."""
import http.client
import os
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_root(files):
    root = tempfile.mkdtemp(prefix="luaroutes-")
    for path, text in files.items():
        write(root, path, text)
    return root


def write(root, path, text):
    """Saves like an editor that writes a new file and renames it over the old one."""
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    tmp = full + ".tmp~"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, full)


def get(port, path, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read().decode()
    finally:
        conn.close()


def serve(binary, root, *args, stderr=None):
    """Starts the server and waits until it answers; returns (process, port)."""
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--root", root, "--port", str(port), *args],
                            stdout=subprocess.DEVNULL, stderr=stderr or subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            get(port, "/")
            return proc, port
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"luaroutes serve exited with {proc.returncode}")
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("luaroutes serve did not start")
