"""What the differential check accepts as a statement that fails in a route only.

Two lists. REMOVALS: messages that come from a documented removal of the sandbox (docs/reference.md
section 6, "Gone"), wherever they occur. CASES: single statements of single files, each with
the reason it cannot run in a route; most are assertions on a message that a removed
function changed. A statement matching neither is a difference: a bug to fix.

(A statement that fails the same way under stock lua5.4, once the statements before it were
taken out, needs no entry: lua_differential.py sees that itself.)
"""
import re

# (message pattern, why). Each is a removal the contract documents.
REMOVALS = [
    (r"module '(debug|io|os|string|coroutine|utf8|tracegc|bit32)' not found",
     "require of a standard library or of a test-only helper: package is gone, require reads lib/ only"),
    (r"\((global|upvalue|local|field) '(debug|io|package|dofile|loadfile|loadstring|collectgarbage|dump|D)'\)",
     "debug, io, package, dofile, loadfile and string.dump are gone"),
    (r"collectgarbage: only \"count\" is available",
     "collectgarbage is gone but for \"count\""),
    (r"\((field|global) '(setlocale|getenv|execute|exit|remove|rename|tmpname)'\)",
     "os.setlocale/getenv/execute/exit/remove/rename/tmpname are gone"),
    (r"binary chunks are not allowed in the sandbox",
     "binary chunks are never loaded"),
    (r"a custom environment is not allowed in the sandbox",
     "load only takes the sandbox's environment"),
    (r"setmetatable: __gc metamethods are not allowed",
     "__gc metamethods are refused"),
    (r"coroutine\.yield\(\) outside a coroutine the handler created",
     "a bare coroutine.yield() in a handler answers 500 (docs/reference.md section 6, fetch)"),
]

COROUTINE = "a handler runs in the request's coroutine, not in the main thread"
DEBUG = "asserts on a message or value that needs the debug library (gone)"
IO = "asserts on a message about io values (io is gone)"
GC = "asserts on a message of collectgarbage with an option (gone but for \"count\")"

# (file, line of the statement, message pattern, why).
CASES = [
    ("coroutine.lua", 11, "assertion failed", COROUTINE + ": coroutine.running() is not the main one"),
    ("coroutine.lua", 13, "assertion failed", COROUTINE + ": it is yieldable"),
    ("coroutine.lua", 233, "assertion failed", DEBUG + " (debug.getinfo in a __close handler)"),
    ("coroutine.lua", 234, "assertion failed", DEBUG + " (debug.getinfo in a __close handler)"),
    ("coroutine.lua", 370, "assertion failed", DEBUG + " (debug.getinfo in the coroutine's body)"),
    ("coroutine.lua", 372, "assertion failed", DEBUG + " (debug.getinfo in the coroutine's body)"),
    ("calls.lua", 338, "assertion failed",
     "the reader function calls collectgarbage() (gone): load reports that error, not the syntax error"),
    ("locals.lua", 397, "assertion failed", DEBUG + " (debug.getinfo in a __close handler)"),
    ("locals.lua", 441, "assertion failed", DEBUG + " (debug.getinfo in a __close handler)"),
    ("errors.lua", 203, "assertion failed", IO + " (io.stdin)"),
    ("errors.lua", 213, "assertion failed", DEBUG + " (debug.upvalueid)"),
    ("errors.lua", 221, "assertion failed", IO + " (io.input())"),
    ("errors.lua", 224, "assertion failed", IO + " (io.input(XX))"),
    ("errors.lua", 226, "assertion failed", IO + " (io.stdin)"),
    ("errors.lua", 229, "assertion failed", IO + " (io.stdin)"),
    ("errors.lua", 310, "assertion failed", GC),
    ("errors.lua", 316, "assertion failed", IO + " (io.stdin)"),
    ("bitwise.lua", 6, r"attempt to index a boolean value \(local 'smt'\)",
     "bwcoercion.lua changes the string metatable, which the sandbox keeps out of reach "
     "(README, the sandbox: getmetatable('') is false; the metatable is shared by every string of the state)"),
]


def explain(name, line, message):
    """The reason a statement may fail in a route only, or None."""
    for file, at, pattern, why in CASES:
        if file == name and at == line and re.search(pattern, message):
            return why
    for pattern, why in REMOVALS:
        if re.search(pattern, message):
            return why
    return None
