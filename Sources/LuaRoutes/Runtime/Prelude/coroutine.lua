local P = ...
local G, HOST, tripped = P.G, P.priv.HOST, P.priv.tripped
local type, error = type, error
local pack, unpack = table.pack, table.unpack

-- coroutine.*: a host yield (carrying HOST) inside a coroutine the script made is passed up
-- to the request's root coroutine, and the host's answer is handed back down (OpenResty's model).
local co_resume, co_yield, co_create, co_status = coroutine.resume, coroutine.yield, coroutine.create, coroutine.status
local function pass(co, r)
  while r[1] and r[2] == HOST and co_status(co) == "suspended" do
    r = pack(co_resume(co, co_yield(HOST)))
  end
  return r
end
coroutine.resume = function(co, ...)
  local r = pass(co, pack(co_resume(co, ...)))
  return unpack(r, 1, r.n)
end
coroutine.wrap = function(f)
  local co = co_create(f)
  return function(...)
    local r = pass(co, pack(co_resume(co, ...)))
    if r[1] then return unpack(r, 2, r.n) end
    error(r[2], 2)
  end
end

-- The count hook raises its "CPU limit exceeded" from inside the hook, where Lua turns hooks
-- off until the error is caught; an xpcall message handler runs before that point, so a
-- looping handler would never be stopped (measured: xpcall(error, loop) ran forever). Once the
-- request has tripped, the message handler is skipped, and coroutine.close (which runs
-- __close handlers of a coroutine the hook may have killed) refuses.
local xpcall, co_close = xpcall, coroutine.close
G.xpcall = function(f, handler, ...)
  if type(handler) ~= "function" then return xpcall(f, handler, ...) end
  return xpcall(f, function(e)
    if tripped() then return e end
    return handler(e)
  end, ...)
end
coroutine.close = function(co)
  if tripped() then error("CPU limit exceeded", 0) end
  return co_close(co)
end
