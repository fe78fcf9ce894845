-- res: every function returns res, and works called as res.f(x) or res:f(x). The host reads
-- the answer from the state table (`st`) behind each res (RouteWorker.response).
local P = ...
local json = P.priv.json
-- The project's `json = { sortKeys = true }` (nil: encode's defaults).
local json_defaults = P.json_defaults
local type, tostring, error, rawequal, rawset = type, tostring, error, rawequal, rawset
local lower, find, format = string.lower, string.find, string.format
local tointeger = math.tointeger
local remove = table.remove

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
-- status and json, called by nearly every handler, do not_sent's and finish's work inline.
function RES.status(st, code)
  local n = tointeger(code)
  if n == nil or n < 100 or n > 599 then
    error(format("bad argument #1 to 'status' (100-599 expected, got %s)", tostring(code)), 2)
  end
  if st.sent then error("response already sent", 2) end
  st.status = n
  return st.res
end
function RES.setHeader(st, name, value)
  if type(name) ~= "string" or name == "" or find(name, "[^!#$%%&'*+%-.^_`|~%w]") then
    if type(name) == "string" then check_header_text("name", name, "setHeader") end
    error(format("bad argument #1 to 'setHeader' (header name expected, got %s)", type(name) == "string" and format("%q", name) or type(name)), 2)
  end
  if not st.after_next then not_sent(st) end   -- middleware may rewrite headers after next()
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
      if st.names[i] == key then remove(st.names, i); break end
    end
  end
  return st.res
end
local JSON_TYPE = "application/json; charset=utf-8"
-- One Content-Type entry for every JSON answer: entries are replaced, never changed in place
-- (only Set-Cookie's are, in cookie.lua), and the host only reads them.
local JSON_ENTRY = { "Content-Type", JSON_TYPE }
P.JSON_ENTRY = JSON_ENTRY
function RES.json(st, value, opts)
  if st.sent then error("response already sent", 2) end
  local body = json.encode(value, opts or json_defaults)
  local values = st.values
  if values["content-type"] == nil then
    local names = st.names
    names[#names + 1] = "content-type"
  end
  values["content-type"] = JSON_ENTRY
  st.sent = true
  st.body = body
  return st.res
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
    return finish(st, json.encode(body, json_defaults))
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
    if impl == nil then
      if key == "statusCode" then return res[RES].status end   -- read-only, for middleware after next()
      return nil
    end
    local st = res[RES]
    local bound = function(first, ...)
      if rawequal(first, res) then return impl(st, ...) end
      return impl(st, first, ...)
    end
    rawset(res, key, bound)
    return bound
  end,
}


P.RES, P.RES_MT = RES, RES_MT
