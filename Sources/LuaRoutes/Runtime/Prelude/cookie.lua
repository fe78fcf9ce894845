-- res.cookie and res.clearCookie (docs/reference.md section 11): one Set-Cookie field per
-- call, names and values checked against RFC 6265 section 4.1.1 instead of being sent broken.
local P = ...
local RES = P.RES
local os_date = os.date
local type, error, tostring, pairs, pcall = type, error, tostring, pairs, pcall
local find, format, lower, sub = string.find, string.format, string.lower, string.sub
local concat = table.concat
local tointeger = math.tointeger

local OPTIONS = { maxAge = true, expires = true, path = true, domain = true, secure = true, httpOnly = true, sameSite = true }
local SAME_SITE = { strict = "Strict", lax = "Lax", none = "None" }

-- Checks raise a table the entry points turn into an error at the caller's line, however
-- deep in the checks it was found.
local function fail(fname, fmt, ...)
  error({ message = format("bad argument to '%s' (" .. fmt .. ")", fname, ...) })
end

local function rethrow(err)
  if type(err) == "table" and err.message then error(err.message, 3) end
  error(err, 0)   -- not ours (out of memory): as it was
end

local function check_name(fname, name)
  if type(name) ~= "string" then fail(fname, "cookie name must be a string, got %s", type(name)) end
  -- cookie-name is an HTTP token.
  if name == "" or find(name, "[^!#$%%&'*+%-.^_`|~%w]") then
    fail(fname, "cookie name %q is not a token: use letters, digits and !#$%%&'*+-.^_`|~", name)
  end
end

local function check_value(fname, value)
  if type(value) == "number" then value = tostring(value) end
  if type(value) ~= "string" then fail(fname, "cookie value must be a string, got %s", type(value)) end
  -- cookie-octet: visible ASCII except DQUOTE, comma, semicolon and backslash; optionally in quotes.
  local inner = value
  if #value >= 2 and find(value, '^".*"$') then inner = sub(value, 2, -2) end
  if find(inner, '[%c ",;\\\128-\255]') then
    fail(fname, "cookie value %q has a character RFC 6265 does not allow (space, \", comma, ;, \\ or non-ASCII): %s",
      value, "encode it first, e.g. as base64 or %XX")
  end
  return value
end

-- Path and Domain are attribute values: any CHAR but CTLs and ";".
local function attribute_text(fname, key, v)
  if type(v) ~= "string" then fail(fname, "option %s must be a string, got %s", key, type(v)) end
  if find(v, "[%c;]") then fail(fname, "option %s %q has a control character or ;", key, v) end
  return v
end

local function serialize(fname, name, value, opts)
  check_name(fname, name)
  value = check_value(fname, value)
  if opts ~= nil and type(opts) ~= "table" then fail(fname, "options must be a table, got %s", type(opts)) end
  opts = opts or {}
  for key in pairs(opts) do
    if not OPTIONS[key] then
      fail(fname, "unknown option %s (expected maxAge, expires, path, domain, secure, httpOnly or sameSite)", tostring(key))
    end
  end
  local parts = { name .. "=" .. value }
  parts[#parts + 1] = "Path=" .. (opts.path ~= nil and attribute_text(fname, "path", opts.path) or "/")
  if opts.domain ~= nil then parts[#parts + 1] = "Domain=" .. attribute_text(fname, "domain", opts.domain) end
  if opts.maxAge ~= nil then
    local seconds = tointeger(opts.maxAge)
    if seconds == nil then fail(fname, "option maxAge must be a whole number of seconds, got %s", tostring(opts.maxAge)) end
    parts[#parts + 1] = "Max-Age=" .. seconds
  end
  if opts.expires ~= nil then
    local t = tointeger(opts.expires)
    if t == nil or t < 0 then fail(fname, "option expires must be a Unix time in whole seconds (os.time()), got %s", tostring(opts.expires)) end
    parts[#parts + 1] = "Expires=" .. os_date("!%a, %d %b %Y %H:%M:%S GMT", t)
  end
  for _, flag in pairs({ "secure", "httpOnly" }) do
    if opts[flag] ~= nil and type(opts[flag]) ~= "boolean" then fail(fname, "option %s must be a boolean, got %s", flag, type(opts[flag])) end
  end
  if opts.httpOnly then parts[#parts + 1] = "HttpOnly" end
  if opts.secure then parts[#parts + 1] = "Secure" end
  if opts.sameSite ~= nil then
    local same = opts.sameSite == true and "Strict" or (type(opts.sameSite) == "string" and SAME_SITE[lower(opts.sameSite)])
    if not same then fail(fname, "option sameSite must be \"Strict\", \"Lax\" or \"None\", got %s", tostring(opts.sameSite)) end
    if same == "None" and not opts.secure then fail(fname, "sameSite = \"None\" needs secure = true (browsers drop it otherwise)") end
    parts[#parts + 1] = "SameSite=" .. same
  end
  return concat(parts, "; ")
end

-- Appends one Set-Cookie field; an earlier setHeader("Set-Cookie", text) is kept.
local function add(st, line)
  local entry = st.values["set-cookie"]
  if entry == nil then
    st.names[#st.names + 1] = "set-cookie"
    st.values["set-cookie"] = { "Set-Cookie", { line } }
  elseif type(entry[2]) == "table" then
    local list = entry[2]
    list[#list + 1] = line
  else
    entry[2] = { entry[2], line }
  end
  return st.res
end

-- Called through res's bound methods, which tail-call: level 2 is the handler's line.
function RES.cookie(st, name, value, opts)
  if st.sent and not st.after_next then error("response already sent", 2) end
  local ok, line = pcall(serialize, "cookie", name, value, opts)
  if not ok then rethrow(line) end
  return add(st, line)
end

function RES.clearCookie(st, name, opts)
  if st.sent and not st.after_next then error("response already sent", 2) end
  local ok, line = pcall(function()
    if opts ~= nil and type(opts) ~= "table" then fail("clearCookie", "options must be a table, got %s", type(opts)) end
    local cleared = {}
    for k, v in pairs(opts or {}) do cleared[k] = v end
    cleared.maxAge, cleared.expires = 0, 0
    return serialize("clearCookie", name, "", cleared)
  end)
  if not ok then rethrow(line) end
  return add(st, line)
end
