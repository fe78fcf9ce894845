"""A stand-in for the external service examples/proxy hides, to try `luaroutes serve` against
(`luaroutes test` needs none: it answers from tests/mocks/upstream.lua).

    python3 upstream.py PORT            serves until killed
Answers GET /secret-url and POST /echo, only with the right X-Api-Key.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "demo-key-123"


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.headers.get("X-Api-Key") != API_KEY:
            return self.answer(401, {"error": "bad key"})
        if self.path == "/secret-url":
            return self.answer(200, {"secret": "the answer is 42"})
        self.answer(404, {"error": "not found"})

    def do_POST(self):
        if self.headers.get("X-Api-Key") != API_KEY:
            return self.answer(401, {"error": "bad key"})
        length = int(self.headers.get("Content-Length", "0"))
        document = json.loads(self.rfile.read(length) or b"null")
        self.answer(201, {"received": document})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
