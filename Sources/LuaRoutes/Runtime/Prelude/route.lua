-- The host's entry points into a state: what a route file exported (classify) and one
-- request (dispatch). Returned to the host as the prelude's result.
local P = ...
local REQ_MT, RES, RES_MT, setmetatable = P.REQ_MT, P.RES, P.RES_MT, P.setmetatable
local run_middleware = P.run_middleware
local type, rawget, next, tostring = type, rawget, next, tostring
local find, format = string.find, string.format
local concat, sort = table.concat, table.sort
local rawequal = rawequal
-- Read after every prelude file added its methods (route.lua runs last).
local res_status, res_json = RES.status, RES.json

local entry = {}

-- What a route file returned: "function", "handler", "methods", or nil and a reason.
-- Also the sorted method list (for Allow) and the config table.
function entry.classify(mod)
  if type(mod) == "function" then return "function", "", nil end
  if type(mod) ~= "table" then
    return nil, format("a route file must return a function or a table, got %s", type(mod))
  end
  local config = rawget(mod, "config")
  if config ~= nil and type(config) ~= "table" then
    return nil, format("'config' must be a table, got %s", type(config))
  end
  local handler = rawget(mod, "handler")
  if handler ~= nil then
    if type(handler) ~= "function" then return nil, format("'handler' must be a function, got %s", type(handler)) end
    return "handler", "", config
  end
  local methods = {}
  -- Raw iteration, and tostring only of strings and numbers: classify runs outside any
  -- request's limits, so it must not call a route's __pairs or __tostring (user code).
  for key, value in next, mod do
    if key ~= "config" then
      if type(key) ~= "string" or not find(key, "^[A-Z]+$") then
        local shown = (type(key) == "string" or type(key) == "number") and tostring(key) or type(key)
        return nil, format("unexpected key %s in the returned table (expected handler, config or method names like GET)", format("%q", shown))
      end
      if type(value) ~= "function" then return nil, format("'%s' must be a function, got %s", key, type(value)) end
      methods[#methods + 1] = key
    end
  end
  if #methods == 0 then return nil, "the returned table has no handler and no method functions" end
  sort(methods)
  return "methods", concat(methods, ","), config
end

-- One request, run as the body of its own coroutine. Returns sent, status, headers, body.
-- `chain`: the route's middleware functions, outermost first, or nil.
function entry.dispatch(mod, kind, method, req, chain)
  setmetatable(req, REQ_MT)
  local handler = mod
  if kind == "handler" then handler = mod.handler
  elseif kind == "methods" then
    handler = rawget(mod, method)
    if handler == nil and method == "HEAD" then handler = rawget(mod, "GET") end
  end
  -- The nil fields size the tables' hash parts up front (a constructor counts its fields),
  -- so setting them later, and binding res's usual methods, never grows a table.
  -- One table holds the headers, as two views that never collide: `names`, the lower-case
  -- names in order (its array part), and `values`, name -> entry (its hash part). Sized for
  -- one header, as nearly every answer has (Content-Type).
  local headers = { nil, ["content-type"] = nil }
  local st = { status = 200, names = headers, values = headers, sent = false, res = nil, body = nil, after_next = nil }
  local res = setmetatable({ [RES] = st, status = nil, json = nil, send = nil, setHeader = nil, getHeader = nil, redirect = nil }, RES_MT)
  st.res = res
  -- The two methods nearly every handler calls, bound now rather than by RES_MT's __index on
  -- first read: both closures share res's and st's upvalues, and no metamethod runs. Same
  -- calls as RES_MT's: res.f(x) or res:f(x), a tail call (error levels point at the caller).
  res.status = function(first, ...)
    if rawequal(first, res) then return res_status(st, ...) end
    return res_status(st, first, ...)
  end
  res.json = function(first, ...)
    if rawequal(first, res) then return res_json(st, ...) end
    return res_json(st, first, ...)
  end
  if chain then run_middleware(chain, handler, req, res, st) else handler(req, res) end
  -- After the answer's values: the res.after functions, if any (prelude/after.lua).
  if st.streaming then   -- streamed (prelude/stream.lua): the body is out, and over
    st.ended = true
    return false, true, st.after
  end
  if not st.sent then return false end
  -- The host reads the headers from these two views (RouteWorker.response): names in order,
  -- values[name] = { name as set, string or array of strings }.
  return true, st.status, st.names, st.values, st.body, st.after
end

entry.after = P.run_after
-- res.json's Content-Type entry: the host knows its text (RouteWorker.headers).
entry.json_entry = P.JSON_ENTRY

return entry
