-- The sandbox's global table (docs/reference.md section 6): what stock Lua 5.4 offers, less
-- what a route must not reach, plus the host's modules. Runs first in every new state.
-- P: the prelude's shared context (docs/prelude.md); the originals of the functions this file
-- replaces are kept there for the files after it.
local P = ...
local priv = P.priv
local G = _G
P.G = G
P.load, P.setmetatable, P.collectgarbage = load, setmetatable, collectgarbage
local readonly = priv.readonly

local tostring, error = tostring, error
local getmetatable, collectgarbage = getmetatable, collectgarbage
local format = string.format

-- Gone (docs/reference.md section 6). io, debug and package were never opened.
for _, name in ipairs({ "dofile", "loadfile", "collectgarbage", "print", "warn", "require", "load", "_G", "_VERSION", "setmetatable" }) do
  G[name] = nil
end
string.dump = nil
G.os = { time = os.time, clock = os.clock, date = os.date, difftime = os.difftime }
-- The string metatable is shared by every string of the state: keep it out of reach.
getmetatable("").__metatable = false

-- setmetatable refuses __gc: a finalizer would run user code outside any request's limits.
-- In C (lr_baselib.c), so its other errors are Lua's own, at the caller's line.
G.setmetatable = priv.setmetatable

G.collectgarbage = function(opt)
  if opt ~= "count" then
    error(format("collectgarbage: only \"count\" is available in the sandbox (got %s)", tostring(opt)), 2)
  end
  return collectgarbage("count")
end

-- load: never a binary chunk, always the sandbox's environment; the mode is honoured
-- otherwise (lr_baselib.c).
G.load = priv.load

G.json = readonly(priv.json)
G.crypto = readonly(priv.crypto)
G.env = readonly(P.env)
