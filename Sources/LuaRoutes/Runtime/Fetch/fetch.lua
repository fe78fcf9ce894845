-- fetch(url, opts): the request's coroutine yields to the host until the answer comes, so
-- other requests keep running meanwhile (docs/swift-lua.md section 3). Options are checked
-- here; the host does the I/O (FetchClient.swift, lr_fetch.c).
local P = ...
local G, json, fetch_start = P.G, P.priv.json, P.priv.fetch_start
local type, tostring, tonumber, error, pairs = type, tostring, tonumber, error, pairs
local lower, upper, find, format, match, gmatch = string.lower, string.upper, string.find, string.format, string.match, string.gmatch
local concat = table.concat

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
  for name, value in gmatch(raw_headers .. "\0", "([^\0]*)\0([^\0]*)\0") do response_headers[name] = value end
  local response = { status = status, ok = status >= 200 and status < 300, headers = response_headers, body = raw_body }
  response.json = function() return json.decode(raw_body) end
  return response
end
