/// The Lua half of the sandbox, run once in every new state before any route code.
///
/// It takes the private table that `lr_sandbox_open` built (C functions the host lends it) plus
/// the project's environment and `lib/` sources, strips the global table down to CONTRACT.md
/// section 6's kept list, adds `json`, `env`, `log`, `print`, `require` and safe `load`,
/// wraps `coroutine.*` so host yields pass through coroutines a script made, and returns the
/// host's entry points: `classify` (what a route file returned) and `dispatch` (one request).
enum Prelude {
    static let chunkName = "=[luaroutes prelude]"

    static let source = #"""
local priv, envvalues, modules = ...
local G = _G
local json, host_log, readonly, HOST = priv.json, priv.log, priv.readonly, priv.HOST

local type, tostring, error, select, pairs, next, rawget, rawset, rawequal =
      type, tostring, error, select, pairs, next, rawget, rawset, rawequal
local setmetatable, getmetatable, load, pcall, collectgarbage =
      setmetatable, getmetatable, load, pcall, collectgarbage
local concat, pack, unpack, sort = table.concat, table.pack, table.unpack, table.sort
local lower, find, format, gsub, byte, sub, char, match =
      string.lower, string.find, string.format, string.gsub, string.byte, string.sub, string.char, string.match
local tointeger, mathtype = math.tointeger, math.type

-- Gone (CONTRACT.md section 6). io, debug and package were never opened.
for _, name in ipairs({ "dofile", "loadfile", "collectgarbage", "print", "warn", "require", "load", "_G", "_VERSION", "setmetatable" }) do
  G[name] = nil
end
string.dump = nil
G.os = { time = os.time, clock = os.clock, date = os.date, difftime = os.difftime }
-- The string metatable is shared by every string of the state: keep it out of reach.
getmetatable("").__metatable = false

-- setmetatable refuses __gc: a finalizer would run user code outside any request's limits.
G.setmetatable = function(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("setmetatable: __gc metamethods are not allowed", 2)
  end
  return setmetatable(t, mt)
end

G.collectgarbage = function(opt)
  if opt ~= "count" then
    error(format("collectgarbage: only \"count\" is available in the sandbox (got %s)", tostring(opt)), 2)
  end
  return collectgarbage("count")
end

-- load: text chunks only, always in the sandbox's environment.
G.load = function(chunk, chunkname, mode, env)
  if select("#", env) > 0 and env ~= nil then
    error("load: a custom environment is not allowed in the sandbox", 2)
  end
  return load(chunk, chunkname, "t", G)
end

-- log.info(msg, fields) / log.warn / log.error; print writes at info level.
local LEVEL = { info = 1, warn = 2, error = 3 }
local function fields_text(fields)
  if type(fields) ~= "table" then return nil end
  local parts = {}
  for k, v in pairs(fields) do
    local value
    if type(v) == "string" then value = v
    else
      local ok, encoded = pcall(json.encode, v)
      value = ok and encoded or tostring(v)
    end
    parts[#parts + 1] = tostring(k) .. "\0" .. value
  end
  return concat(parts, "\0")
end
local function logger(level)
  return function(msg, fields)
    local text = tostring(msg)
    local extra = fields_text(fields)
    if extra then text = text .. "\0" .. extra end
    host_log(level, text)
  end
end
G.log = readonly({ info = logger(LEVEL.info), warn = logger(LEVEL.warn), error = logger(LEVEL.error) })
G.print = function(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  host_log(LEVEL.info, concat(parts, "\t"))
end

G.json = readonly(json)
G.crypto = readonly(priv.crypto)
G.env = readonly(envvalues)

-- fetch(url, opts): the request's coroutine yields to the host until the answer comes, so
-- other requests keep running meanwhile. Options are checked here; the host does the I/O.
local fetch_start, upper = priv.fetch_start, string.upper
local function fetch_headers(headers)
  if headers == nil then return "", false end
  if type(headers) ~= "table" then
    error(format("bad argument #2 to 'fetch' (opts.headers must be a table, got %s)", type(headers)), 3)
  end
  local parts, has_type = {}, false
  for name, value in pairs(headers) do
    if type(value) == "number" then value = tostring(value) end
    if type(name) ~= "string" or type(value) ~= "string" then
      error("bad argument #2 to 'fetch' (opts.headers must map names to strings)", 3)
    end
    if find(name, "[%c:]") or name == "" or find(value, "[\r\n\0]") then
      error(format("bad argument #2 to 'fetch' (invalid header %q)", name), 3)
    end
    if lower(name) == "content-type" then has_type = true end
    parts[#parts + 1] = name
    parts[#parts + 1] = value
  end
  return concat(parts, "\0"), has_type
end
local function fetch_timeout(timeout)
  if timeout == nil then return 0 end
  if type(timeout) == "number" and timeout > 0 then return timeout end
  if type(timeout) == "string" then
    local n, unit = match(timeout, "^%s*([%d%.]+)%s*(m?s)%s*$")
    n = tonumber(n)
    if n and n > 0 then return unit == "ms" and n / 1000 or n end
  end
  error(format("bad argument #2 to 'fetch' (opts.timeout must be seconds or a text like \"5s\", got %s)", tostring(timeout)), 3)
end
G.fetch = function(url, opts)
  if type(url) ~= "string" then error(format("bad argument #1 to 'fetch' (string expected, got %s)", type(url)), 2) end
  if opts ~= nil and type(opts) ~= "table" then
    error(format("bad argument #2 to 'fetch' (table expected, got %s)", type(opts)), 2)
  end
  opts = opts or {}
  local method = opts.method or "GET"
  if type(method) ~= "string" or not find(method, "^%a+$") then
    error(format("bad argument #2 to 'fetch' (opts.method must be a method name, got %s)", tostring(method)), 2)
  end
  local headers, has_type = fetch_headers(opts.headers)
  local body = opts.body
  if type(body) == "table" then
    body = json.encode(body)
    if not has_type then headers = headers == "" and "Content-Type\0application/json" or headers .. "\0Content-Type\0application/json" end
  elseif body ~= nil and type(body) ~= "string" then
    error(format("bad argument #2 to 'fetch' (opts.body must be a string or a table, got %s)", type(body)), 2)
  end
  local status, raw_headers, raw_body = fetch_start(url, upper(method), headers, body, fetch_timeout(opts.timeout))
  if status == nil then return nil, raw_headers end
  local response_headers = {}
  for name, value in string.gmatch(raw_headers .. "\0", "([^\0]*)\0([^\0]*)\0") do response_headers[name] = value end
  local response = { status = status, ok = status >= 200 and status < 300, headers = response_headers, body = raw_body }
  response.json = function() return json.decode(raw_body) end
  return response
end

-- require("a.b") -> lib/a/b.lua (or lib/a/b/init.lua), text only, cached per state.
local loaded, LOADING = {}, {}
G.require = function(name)
  if type(name) ~= "string" or not find(name, "^[%w_]+[%w_.]*$") or find(name, "%.%.") or find(name, "%.$") then
    error(format("bad argument #1 to 'require' (module name expected, got %s)", type(name) == "string" and format("%q", name) or type(name)), 2)
  end
  local cached = loaded[name]
  if cached == LOADING then error(format("require: loop while loading module '%s'", name), 2) end
  if cached ~= nil then return cached end
  local base = "lib/" .. gsub(name, "%.", "/")
  local path = base .. ".lua"
  local source = modules[path]
  if source == nil then path = base .. "/init.lua"; source = modules[path] end
  if source == nil then
    error(format("module '%s' not found: no file %s.lua or %s/init.lua", name, base, base), 2)
  end
  local chunk, err = load(source, "@" .. path, "t", G)
  if not chunk then error(err, 0) end
  loaded[name] = LOADING
  local ok, result = pcall(chunk, name)
  if not ok then loaded[name] = nil; error(result, 0) end
  if result == nil then result = true end
  loaded[name] = result
  return result
end

-- coroutine.*: a host yield (carrying HOST) inside a coroutine the script made is passed up
-- to the request's root coroutine, and the host's answer is handed back down (OpenResty's model).
-- priv.resume / priv.close: Lua's own, plus telling the limit signal which coroutine runs.
local co_resume, co_yield, co_create, co_status = priv.resume, coroutine.yield, coroutine.create, coroutine.status
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

-- The trip hook raises its "CPU limit exceeded" from inside the hook, where Lua turns hooks
-- off until the error is caught; an xpcall message handler runs before that point, so a
-- looping handler would never be stopped (measured: xpcall(error, loop) ran forever). Once the
-- request has tripped, the message handler is skipped, and coroutine.close (which runs
-- __close handlers of a coroutine the hook may have killed) refuses.
local xpcall, co_close, tripped = xpcall, priv.close, priv.tripped
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

---------------------------------------------------------------------------------------------
-- req: lazy fields (Next.js's setLazyProp): cookies are parsed on first read.
local function parse_cookies(header)
  local cookies = {}
  if type(header) ~= "string" then return cookies end
  for pair in string.gmatch(header, "[^;]+") do
    local name, value = match(pair, "^%s*([^=]-)%s*=%s*(.-)%s*$")
    if name and name ~= "" and cookies[name] == nil then
      if byte(value, 1) == 34 and byte(value, -1) == 34 and #value >= 2 then value = sub(value, 2, -2) end
      local decoded = gsub(value, "%%(%x%x)", function(h) return char(tonumber(h, 16)) end)
      cookies[name] = decoded
    end
  end
  return cookies
end
-- params, query and headers are left out by the host when empty (most requests have no
-- query or params): an empty table is made on first read instead.
local EMPTY_ON_READ = { params = true, query = true, headers = true }
local REQ_MT = {
  __index = function(req, key)
    if key == "cookies" then
      local headers = rawget(req, "headers")
      local cookies = parse_cookies(headers and headers.cookie)
      rawset(req, "cookies", cookies)
      return cookies
    end
    if EMPTY_ON_READ[key] then
      local empty = {}
      rawset(req, key, empty)
      return empty
    end
  end,
}

---------------------------------------------------------------------------------------------
-- res: every function returns res, and works called as res.f(x) or res:f(x).
local function check_header_text(what, s, fname)
  if find(s, "[\r\n]") then
    error(format("bad argument to '%s' (CR or LF in header %s)", fname, what), 3)
  end
end

local function header_value(value, fname)
  local t = type(value)
  if t == "string" then check_header_text("value", value, fname); return value end
  if t == "number" then return tostring(value) end
  if t == "table" then
    local list = {}
    for i = 1, #value do
      local item = value[i]
      if type(item) == "number" then item = tostring(item) end
      if type(item) ~= "string" then
        error(format("bad argument #2 to '%s' (array of strings expected, item %d is %s)", fname, i, type(item)), 3)
      end
      check_header_text("value", item, fname)
      list[i] = item
    end
    return list
  end
  error(format("bad argument #2 to '%s' (string or array of strings expected, got %s)", fname, t), 3)
end

local function not_sent(st)
  if st.sent then error("response already sent", 3) end
end

-- `key`: the lower-case name, when the caller knows it (saves a lower() per response).
local function set_header(st, name, value, key)
  key = key or lower(name)
  if st.values[key] == nil then st.names[#st.names + 1] = key end
  st.values[key] = { name, value }
end

local function finish(st, body)
  st.sent = true
  st.body = body
  return st.res
end

local RES = {}
function RES.status(st, code)
  local n = tointeger(code)
  if n == nil or n < 100 or n > 599 then
    error(format("bad argument #1 to 'status' (100-599 expected, got %s)", tostring(code)), 2)
  end
  not_sent(st)
  st.status = n
  return st.res
end
function RES.setHeader(st, name, value)
  if type(name) ~= "string" or name == "" or find(name, "[^!#$%%&'*+%-.^_`|~%w]") then
    if type(name) == "string" then check_header_text("name", name, "setHeader") end
    error(format("bad argument #1 to 'setHeader' (header name expected, got %s)", type(name) == "string" and format("%q", name) or type(name)), 2)
  end
  not_sent(st)
  set_header(st, name, header_value(value, "setHeader"))
  return st.res
end
function RES.getHeader(st, name)
  if type(name) ~= "string" then error("bad argument #1 to 'getHeader' (string expected, got " .. type(name) .. ")", 2) end
  local entry = st.values[lower(name)]
  return entry and entry[2]
end
function RES.removeHeader(st, name)
  if type(name) ~= "string" then error("bad argument #1 to 'removeHeader' (string expected, got " .. type(name) .. ")", 2) end
  local key = lower(name)
  if st.values[key] ~= nil then
    st.values[key] = nil
    for i = 1, #st.names do
      if st.names[i] == key then table.remove(st.names, i); break end
    end
  end
  return st.res
end
local JSON_TYPE = "application/json; charset=utf-8"
function RES.json(st, value)
  not_sent(st)
  local body = json.encode(value)
  set_header(st, "Content-Type", JSON_TYPE, "content-type")
  return finish(st, body)
end
function RES.send(st, body)
  not_sent(st)
  local t = type(body)
  if t == "nil" then return finish(st, nil) end
  if t == "string" then
    if st.values["content-type"] == nil then set_header(st, "Content-Type", "text/plain; charset=utf-8") end
    return finish(st, body)
  end
  if t == "table" or t == "number" or t == "boolean" or body == json.null then
    set_header(st, "Content-Type", JSON_TYPE, "content-type")
    return finish(st, json.encode(body))
  end
  error(format("bad argument #1 to 'send' (string, table, number, boolean or nil expected, got %s)", t), 2)
end
function RES.redirect(st, a, b)
  local status, url = 307, a
  if b ~= nil or type(a) == "number" then status, url = tointeger(a), b end
  if status == nil or status < 300 or status > 399 then
    error(format("bad argument #1 to 'redirect' (300-399 expected, got %s)", tostring(a)), 2)
  end
  if type(url) ~= "string" then
    error(format("bad argument to 'redirect' (url string expected, got %s)", type(url)), 2)
  end
  check_header_text("value", url, "redirect")
  not_sent(st)
  st.status = status
  set_header(st, "Location", url)
  return finish(st, url)
end
function RES.finish(st, body)
  not_sent(st)
  if body ~= nil and type(body) ~= "string" then
    if type(body) == "number" then body = tostring(body)
    else error(format("bad argument #1 to 'finish' (string or nil expected, got %s)", type(body)), 2) end
  end
  return finish(st, body)
end
RES["end"] = RES.finish

local RES_MT = {
  -- Bind a method to this response the first time it is read; later reads find it in place.
  __index = function(res, key)
    local impl = RES[key]
    if impl == nil then return nil end
    local st = res[RES]
    local bound = function(first, ...)
      if rawequal(first, res) then return impl(st, ...) end
      return impl(st, first, ...)
    end
    rawset(res, key, bound)
    return bound
  end,
}

---------------------------------------------------------------------------------------------
local host = {}

-- What a route file returned: "function", "handler", "methods", or nil and a reason.
-- Also the sorted method list (for Allow) and the config table.
local METHOD_NAMES = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" }
function host.classify(mod)
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
function host.dispatch(mod, kind, method, req)
  setmetatable(req, REQ_MT)
  local handler = mod
  if kind == "handler" then handler = mod.handler
  elseif kind == "methods" then
    handler = rawget(mod, method)
    if handler == nil and method == "HEAD" then handler = rawget(mod, "GET") end
  end
  -- The nil fields size the tables' hash parts up front (a constructor counts its fields),
  -- so setting them later, and binding res's usual methods, never grows a table.
  local st = { status = 200, names = {}, values = {}, sent = false, res = nil, body = nil }
  local res = setmetatable({ [RES] = st, status = nil, json = nil, send = nil, setHeader = nil, getHeader = nil, redirect = nil }, RES_MT)
  st.res = res
  handler(req, res)
  if not st.sent then return false end
  -- The host reads the headers from these two tables (RouteWorker.response): names in order,
  -- values[name] = { name as set, string or array of strings }.
  return true, st.status, st.names, st.values, st.body
end

return host
"""#
}
