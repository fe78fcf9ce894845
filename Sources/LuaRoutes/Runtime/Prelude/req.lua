-- req: lazy fields (Next.js's setLazyProp): cookies are parsed on first read.
local P = ...
local type, tonumber, rawget, rawset = type, tonumber, rawget, rawset
local gmatch, match, byte, sub, gsub, char = string.gmatch, string.match, string.byte, string.sub, string.gsub, string.char

local function parse_cookies(header)
  local cookies = {}
  if type(header) ~= "string" then return cookies end
  for pair in gmatch(header, "[^;]+") do
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
-- query or params): an empty table is made on first read instead. `locals` is the table
-- middleware and the handler share (docs/reference.md section 9).
local EMPTY_ON_READ = { params = true, query = true, headers = true, locals = true }
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


P.REQ_MT = REQ_MT
