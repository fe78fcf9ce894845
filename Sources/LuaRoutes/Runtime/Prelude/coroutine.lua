local P = ...
local G, HOST = P.G, P.priv.HOST
-- typeerror(arg, expected, ...): raises a wrapper's argument error worded and placed as the
-- standard function's own ("x.lua:1: bad argument #1 to 'wrap' (function expected, got nil)").
local typeerror = P.priv.typeerror
local type, error, select = type, error, select
local pack, unpack = table.pack, table.unpack

-- coroutine.*: a host yield (carrying HOST) inside a coroutine the script made is passed up
-- to the request's root coroutine, and the host's answer is handed back down (OpenResty's model).
-- The wrappers take `...` so that a missing argument reads "got no value", as in Lua's own.
-- priv.resume / priv.close: Lua's own, plus telling the limit signal which coroutine runs
-- (lr_coroutine.c); close also guards the C stack.
local co_resume, co_yield, co_create, co_status = P.priv.resume, coroutine.yield, coroutine.create, coroutine.status
-- coroutine.close with a C stack guard (lr_coroutine.c): Lua 5.4.4 recurses without limit in C
-- when a __close handler closes another coroutine, and such a chain crashed the process.
local co_close, tripped = P.priv.close, P.priv.tripped

-- A coroutine waiting on the host (for fetch or db) belongs to its request until the host
-- answers: module state shared by requests may hold it, and another request resuming or
-- closing it would run the first request's handler with the wrong values. The host's own
-- request coroutines (roots, a weak set kept by lr_sandbox.c) only ever suspend to wait on the
-- host; the coroutines a script made are marked (`waiting`, weak) while they pass a host yield up.
local roots, waiting = P.priv.roots, P.setmetatable({}, { __mode = "k" })
local function owned_elsewhere(co)
  return (waiting[co] or roots[co]) and co_status(co) == "suspended"
end
local NOT_OURS = "cannot resume a coroutine of another request"

local function pass(co, r)
  while r[1] and r[2] == HOST and co_status(co) == "suspended" do
    waiting[co] = true
    local answer = pack(co_yield(HOST))
    waiting[co] = nil
    r = pack(co_resume(co, unpack(answer, 1, answer.n)))
  end
  return r
end
coroutine.resume = function(...)
  local co = ...
  if type(co) ~= "thread" then typeerror(1, "thread", ...) end
  if owned_elsewhere(co) then return false, NOT_OURS end
  local r = pass(co, pack(co_resume(...)))
  return unpack(r, 1, r.n)
end
coroutine.wrap = function(...)
  local f = ...
  if type(f) ~= "function" then typeerror(1, "function", ...) end
  local co = co_create(f)
  return function(...)
    if owned_elsewhere(co) then error(NOT_OURS, 2) end
    local r = pass(co, pack(co_resume(co, ...)))
    if r[1] then return unpack(r, 2, r.n) end
    local err = r[2]
    -- As Lua's auxwrap: a coroutine that died of an error is closed (its to-be-closed
    -- variables run), and an error while closing replaces the original. (A coroutine the CPU
    -- limit cut off is not: its __close handlers would run past the limit.)
    if co_status(co) == "dead" and not tripped() then
      local ok, close_err = co_close(co)
      if not ok then err = close_err end
    end
    error(err, 2)   -- a string gets the caller's position, as luaL_where(L, 1) gives it
  end
end

-- The trip hook raises its "CPU limit exceeded" from inside the hook, where Lua turns hooks
-- off until the error is caught; an xpcall message handler runs before that point, so a
-- looping handler would never be stopped (measured: xpcall(error, loop) ran forever). Once the
-- request has tripped, the message handler is skipped, and coroutine.close (which runs
-- __close handlers of a coroutine the hook may have killed) refuses.
local xpcall = xpcall
G.xpcall = function(...)
  local f, handler = ...
  if type(handler) ~= "function" then typeerror(2, "function", ...) end
  return xpcall(f, function(e)
    if tripped() then return e end
    return handler(e)
  end, select(3, ...))
end
coroutine.close = function(...)
  if tripped() then error("CPU limit exceeded", 0) end
  local co = ...
  if type(co) ~= "thread" then typeerror(1, "thread", ...) end
  if owned_elsewhere(co) then error("cannot close a coroutine of another request", 2) end
  return co_close(co)   -- its errors ("cannot close a running coroutine") point at our caller
end
