#!/usr/bin/env python3
"""Differential check: Lua 5.4.4's own test files inside a luaroutes route and under stock lua5.4.

For each test file (docs/lua-differential.md explains the method):
 1. The file is split into statements (luasplit.py): top-level ones and those inside
    statement-level `do ... end` blocks. A call __stmt(k) is put in front of statement k, on
    the same line, so line numbers (and so error messages) stay those of the file.
 2. The program runs in a route through `luaroutes request` (the host's real path: the
    sandbox, its prelude, its limits). If it stops with an error, the statement that was
    running is taken out (blanked, lines kept) and the program runs again, until it passes.
 3. Every statement taken out is explained, or it is a difference:
    - the same program stops at the same statement with the same message under stock lua5.4
      too: it only depends on a statement taken out before it (a local it defined, say);
    - or exclusions.py explains it: a documented removal of the sandbox, or a listed case
      with its reason.
 4. The final program (the same text the route ran to the end) runs under stock lua5.4: it
    must pass too.
Exit status 0 when every file passed; the closing line is "N passed, N failed" (files).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import luasplit          # noqa: E402
import exclusions        # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "local __stmt, _G = ...; "

DEFAULT_FILES = [
    "pm", "sort", "strings", "nextvar", "tpack", "utf8", "math", "coroutine", "calls", "locals",
    "closure", "events", "errors", "vararg", "goto", "literals", "constructs", "bitwise", "cstack",
]


def build(src, stmts, removed):
    """The program: removed statements blanked (newlines kept), __stmt(k) before the others.
    Statements nest (those of a `do` block lie inside the block's own statement)."""
    pieces, pos, blank_until = [], 0, -1
    for k, (start, end, _depth) in enumerate(stmts, 1):
        if start < blank_until:
            continue                      # inside a statement already taken out
        pieces.append(src[pos:start])
        pos = start
        if k in removed:
            pieces.append(re.sub(r"[^\n]", " ", src[start:end]))
            pos = blank_until = end
        else:
            pieces.append(";__stmt(%d); " % k)
    pieces.append(src[pos:])
    return PREFIX + "".join(pieces)


def parse_report(text):
    lines = text.split("\n")
    if len(lines) < 3 or lines[0] not in ("ok", "error", "compile"):
        return None
    return {"status": lines[0], "current": int(lines[1]), "message": bytes.fromhex(lines[2]).decode("latin-1")}


class Sides:
    def __init__(self, luaroutes, lua, tests):
        self.luaroutes, self.lua = luaroutes, lua
        self.root = tempfile.mkdtemp(prefix="lua-differential-")
        os.makedirs(os.path.join(self.root, "pages", "api"))
        os.makedirs(os.path.join(self.root, "lib"))
        for source, target in ((os.path.join(HERE, "route.lua"), "pages/api/run.lua"),
                               (os.path.join(HERE, "runner.lua"), "lib/runner.lua"),
                               (os.path.join(tests, "bwcoercion.lua"), "lib/bwcoercion.lua")):
            with open(source, encoding="latin-1") as f, open(os.path.join(self.root, target), "w", encoding="latin-1") as g:
                g.write(f.read())
        self.program = os.path.join(self.root, "program.lua")
        self.report = os.path.join(self.root, "report.txt")
        self.tests = tests

    def write(self, program):
        with open(self.program, "wb") as f:
            f.write(program.encode("latin-1"))

    def sandbox(self, program, chunkname):
        self.write(program)
        p = subprocess.run(
            [self.luaroutes, "request", "--root", self.root, "POST", "/api/run?name=" + chunkname,
             "-H", "Content-Type: text/plain", "--data-file", self.program],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        report = parse_report(p.stdout.decode("latin-1"))
        if report is None:
            report = {"status": "host", "current": 0,
                      "message": "luaroutes request exited %d: %s %s" % (
                          p.returncode, p.stdout.decode("latin-1")[-500:], p.stderr.decode("latin-1")[-1500:])}
        return report

    def stock(self, program, chunkname):
        self.write(program)
        if os.path.exists(self.report):
            os.remove(self.report)
        # bitwise.lua requires its helper module bwcoercion.lua from the tests folder.
        env = dict(os.environ, LUA_PATH=os.path.join(self.tests, "?.lua") + ";;")
        p = subprocess.run([self.lua, os.path.join(HERE, "stock.lua"), os.path.join(HERE, "runner.lua"),
                            self.program, chunkname, self.report], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=600, env=env)
        report = None
        if os.path.exists(self.report):
            with open(self.report, encoding="latin-1") as f:
                report = parse_report(f.read())
        if report is None:
            report = {"status": "host", "current": 0,
                      "message": "lua5.4 exited %d: %s" % (p.returncode, p.stderr.decode("latin-1")[-1500:])}
        return report


def line_of(src, offset):
    return src.count("\n", 0, offset) + 1


def check_file(sides, path, verbose):
    name = os.path.basename(path)
    chunkname = "@" + name
    with open(path, encoding="latin-1") as f:
        src = luasplit.blank_shebang(f.read())
    stmts = luasplit.statements(src)
    removed = {}      # statement -> (message, reason or None)
    problems = []
    runs = 0
    while True:
        runs += 1
        program = build(src, stmts, removed)
        report = sides.sandbox(program, chunkname)
        if report["status"] == "ok":
            break
        k = report["current"]
        if report["status"] != "error" or k == 0 or k in removed:
            problems.append("route: %s (statement %d): %s" % (report["status"], k, report["message"]))
            break
        stock = sides.stock(program, chunkname)
        if stock["status"] == "error" and stock["current"] == k and stock["message"] == report["message"]:
            reason = "fails the same way under stock lua5.4, after the statements taken out before it"
        else:
            reason = exclusions.explain(name, line_of(src, stmts[k - 1][0]), report["message"])
        removed[k] = (report["message"], reason)

    taken_out = []
    for k, (message, reason) in sorted(removed.items()):
        line = line_of(src, stmts[k - 1][0])
        taken_out.append((line, message, reason))
        if reason is None:
            problems.append("line %d: fails in the route only: %s" % (line, message))

    final = build(src, stmts, removed)
    stock = sides.stock(final, chunkname)
    if stock["status"] != "ok":
        line = line_of(src, stmts[stock["current"] - 1][0]) if stock["current"] else 0
        problems.append("line %d: passes in the route but fails under stock lua5.4: %s" % (line, stock["message"]))

    kept = len(stmts) - len(removed)
    print("%s %s: %d of %d statements compared, %d taken out, %d route runs" % (
        "FAIL" if problems else "ok  ", name, kept, len(stmts), len(removed), runs))
    if verbose:
        for line, message, reason in taken_out:
            print("    line %d taken out (%s): %s" % (line, reason or "UNEXPLAINED", message))
    for p in problems:
        print("    " + p)
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--luaroutes", required=True, help="the luaroutes binary")
    ap.add_argument("--tests", required=True, help="folder of Lua 5.4.4's test files")
    ap.add_argument("--lua", default="lua5.4", help="stock interpreter")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every statement taken out")
    ap.add_argument("files", nargs="*", help="test names (default: %s)" % " ".join(DEFAULT_FILES))
    args = ap.parse_args()
    sides = Sides(os.path.abspath(args.luaroutes), args.lua, os.path.abspath(args.tests))
    passed = failed = 0
    started = time.time()
    for name in args.files or DEFAULT_FILES:
        if check_file(sides, os.path.join(args.tests, name + ".lua"), args.verbose):
            passed += 1
        else:
            failed += 1
    print("lua-differential: %.1f s" % (time.time() - started))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
