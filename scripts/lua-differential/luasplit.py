"""Splits Lua source into statements, for the differential check (lua_differential.py).

Statements are found at the top level of a file and inside `do ... end` blocks that are
themselves statements (recursively), which is how Lua's test files group their cases. The
lexer knows Lua 5.4's comments, short and long strings and numbers; the splitter follows
Lua's own grammar for where a statement may end: a new statement starts at a token that can
begin one, after a token that can end one, with no bracket open. A line that starts with `(`
continues the previous statement, as Lua itself reads it.
"""
import re

KEYWORDS = {
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
    "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}
SYMBOLS = sorted(
    ["...", "..", "==", "~=", "<=", ">=", "<<", ">>", "//", "::", "+", "-", "*", "/", "%", "^", "#",
     "&", "~", "|", "<", ">", "=", "(", ")", "{", "}", "[", "]", ";", ":", ",", "."],
    key=len, reverse=True)
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NUMBER = re.compile(r"0[xX](?:[0-9a-fA-F]*\.?[0-9a-fA-F]*)(?:[pP][+-]?[0-9]+)?|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
LONG_OPEN = re.compile(r"\[(=*)\[")


class Token:
    __slots__ = ("kind", "text", "start", "line_start")

    def __init__(self, kind, text, start, line_start):
        self.kind, self.text, self.start, self.line_start = kind, text, start, line_start


def blank_shebang(src):
    """A first line starting with '#' blanked (spaces), as Lua's loader skips it in files."""
    if src.startswith("#"):
        end = src.find("\n")
        end = len(src) if end < 0 else end
        return " " * end + src[end:]
    return src


def tokens(src):
    """Yields tokens; line_start is True for the first token on its line."""
    i, n, line_start = 0, len(src), True
    while i < n:
        c = src[i]
        if c == "\n":
            line_start = True
            i += 1
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if src.startswith("--", i):
            m = LONG_OPEN.match(src, i + 2)
            if m:
                close = "]" + m.group(1) + "]"
                j = src.find(close, m.end())
                i = n if j < 0 else j + len(close)
            else:
                j = src.find("\n", i)
                i = n if j < 0 else j
            continue
        start = i
        m = LONG_OPEN.match(src, i)
        if m:
            close = "]" + m.group(1) + "]"
            j = src.find(close, m.end())
            i = n if j < 0 else j + len(close)
            yield Token("string", src[start:i], start, line_start)
        elif c in "'\"":
            i += 1
            while i < n and src[i] != c:
                if src[i] == "\\":
                    i += 1
                    if i < n and src[i] == "z":   # \z skips the following white space
                        i += 1
                        while i < n and src[i] in " \t\r\n\f\v":
                            i += 1
                        continue
                i += 1
            i += 1
            yield Token("string", src[start:i], start, line_start)
        elif NAME.match(src, i):
            m = NAME.match(src, i)
            i = m.end()
            word = m.group(0)
            yield Token("keyword" if word in KEYWORDS else "name", word, start, line_start)
        elif c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            m = NUMBER.match(src, i)
            i = m.end()
            yield Token("number", src[start:i], start, line_start)
        else:
            for s in SYMBOLS:
                if src.startswith(s, i):
                    i += len(s)
                    yield Token("symbol", s, start, line_start)
                    break
            else:
                raise ValueError("unexpected character %r at offset %d" % (c, i))
        line_start = False


ENDERS_KEYWORDS = {"end", "true", "false", "nil", "break"}
ENDERS_SYMBOLS = {")", "]", "}", "...", ";", "::"}
STARTERS_KEYWORDS = {"local", "function", "if", "while", "for", "repeat", "do", "return", "break", "goto"}


def statements(src):
    """The statements at the top level and inside statement-level `do` blocks, in source
    order, as (start, end, depth) triples: [start, end) covers the statement's tokens."""
    result = []       # [start, end, depth]
    open_at = {}      # depth -> index in result of the statement still open at that depth
    stack = []        # "do*" (a statement-level do), "do", "loophdr", "loop", "function", "if", "repeat"
    brackets = 0
    prev = None
    prev_end = 0

    def close_from(depth, end):
        for d in [d for d in open_at if d >= depth]:
            result[open_at.pop(d)][1] = end

    for tok in tokens(src):
        at_level = all(e == "do*" for e in stack) and brackets == 0
        if at_level:
            can_start = tok.kind == "name" or (tok.kind == "keyword" and tok.text in STARTERS_KEYWORDS) \
                or (tok.kind == "symbol" and tok.text == "::")
            can_end = prev is None or prev.kind in ("name", "number", "string") \
                or (prev.kind == "keyword" and (prev.text in ENDERS_KEYWORDS or prev.text == "do")) \
                or (prev.kind == "symbol" and prev.text in ENDERS_SYMBOLS)
            if can_start and can_end and (tok.line_start or prev is None or prev.text == ";"):
                depth = len(stack)
                close_from(depth, prev_end)
                open_at[depth] = len(result)
                result.append([tok.start, None, depth])
        if tok.kind == "keyword":
            t = tok.text
            if t in ("function", "if", "repeat"):
                stack.append(t)
            elif t in ("while", "for"):
                stack.append("loophdr")
            elif t == "do":
                if stack and stack[-1] == "loophdr":
                    stack[-1] = "loop"
                else:
                    stack.append("do*" if at_level else "do")
            elif t in ("end", "until"):
                if stack:
                    if stack[-1] == "do*":
                        close_from(len(stack), prev_end)   # the block's last statement ends here
                    stack.pop()
        elif tok.kind == "symbol":
            if tok.text in ("(", "{", "["):
                brackets += 1
            elif tok.text in (")", "}", "]"):
                brackets -= 1
        prev = tok
        prev_end = tok.start + len(tok.text)
    close_from(0, prev_end)
    return [tuple(r) for r in result]
